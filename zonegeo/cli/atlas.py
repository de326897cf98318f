"""``zonegeo atlas``: the regional atlas, one map page per district and an index."""

from __future__ import annotations

from pathlib import Path

import click

from zonegeo.cli._common import (
    as_of_date,
    as_of_option,
    basemap_option,
    crs_option,
    data_option,
    date_format_option,
    echo_err,
    load_dataset,
    lock_timeout_option,
    raster_layer,
    raster_options,
)
from zonegeo.i18n import LANGS

__all__ = ["atlas"]


@click.command("atlas")
@click.option(
    "-o",
    "--output",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for index.html and the district pages.",
)
@click.option(
    "--pdf",
    "pdf_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also (or only) write the printed atlas: a PDF with a cover page and one "
    "A4 landscape page per district, made offline (no basemap unless --basemap "
    "is given).",
)
@data_option
@crs_option
@lock_timeout_option
@click.option(
    "--scenario",
    "scenario_path",
    default=None,
    type=click.Path(path_type=Path),
    help="A scenario .toml or ranking file; its sites appear on their district's page.",
)
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@basemap_option
@raster_options
@click.option(
    "--self-contained/--cdn",
    default=True,
    show_default=True,
    help="Inline all scripts and styles in every page (opens offline) or use CDNs.",
)
@as_of_option
@date_format_option
@click.pass_context
def atlas(
    ctx: click.Context,
    out_dir: Path | None,
    pdf_path: Path | None,
    data: str | None,
    crs: str | None,
    lock_timeout: float,
    scenario_path: Path | None,
    lang: str,
    basemap: str,
    raster_path: Path | None,
    raster_style: str,
    raster_opacity: float,
    self_contained: bool,
    as_of: str | None,
    date_format: str | None,
) -> None:
    """Write the regional atlas and print the path of its index.html.

    The index shows every district (click one to open its page) and the
    district key-figure table; each district page is the map that
    'zonegeo map' draws (with --raster, the raster clipped to that district).
    With --pdf it writes the printed atlas too (or, without -o, only the PDF).
    """
    import zonegeo
    from zonegeo.cli.map import load_ranking

    if out_dir is None and pdf_path is None:
        msg = "give -o FOLDER (the HTML atlas), --pdf FILE (the printed atlas), or both"
        raise click.UsageError(msg)
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        msg = f"{str(pdf_path)!r} does not end in .pdf; name the printed atlas *.pdf"
        raise click.BadParameter(msg, param_hint="'--pdf'")
    raster = raster_layer(
        ctx, raster_path, raster_style, raster_opacity, html=out_dir is not None
    )
    ref = as_of_date(as_of, date_format)
    dataset = load_dataset(data, date_format, crs=crs, lock_timeout=lock_timeout)
    ranking = None
    if scenario_path is not None:
        ranking, _, _ = load_ranking(scenario_path, dataset, crs=crs)
    if pdf_path is not None:
        from click.core import ParameterSource

        chosen = ctx.get_parameter_source("basemap") != ParameterSource.DEFAULT
        try:
            pdf = zonegeo.print_atlas(
                dataset,
                pdf_path,
                lang=lang,  # type: ignore[arg-type]
                as_of=ref,
                ranking=ranking,
                basemap=basemap if chosen else "none",  # type: ignore[arg-type]
            )
        except ImportError as exc:  # contextily for --basemap
            raise click.ClickException(str(exc)) from exc
        size = pdf.stat().st_size / 1e6
        echo_err(
            f"printed atlas of {len(dataset.district_names)} districts written to "
            f"{pdf} ({len(dataset.district_names) + 1} pages, {size:.1f} MB)"
        )
        click.echo(str(pdf.resolve()))
    if out_dir is None:
        return
    index = zonegeo.write_atlas(
        dataset,
        out_dir,
        ranking=ranking,
        self_contained=self_contained,
        lang=lang,  # type: ignore[arg-type]
        as_of=ref,
        basemap=basemap,  # type: ignore[arg-type]
        raster=raster,
    )
    echo_err(f"atlas of {len(dataset.district_names)} districts written to {out_dir}")
    click.echo(str(index.resolve()))
