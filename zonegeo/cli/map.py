"""``zonegeo map``: an interactive HTML map of one district."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    output_format,
    raster_layer,
    raster_options,
    self_contained_option,
)
from zonegeo.i18n import LANGS

if TYPE_CHECKING:
    import geopandas as gpd

    from zonegeo.dataset import Dataset
    from zonegeo.siting.scenario import Scenario

__all__ = ["load_ranking", "map_command", "sanitary_buffers"]

#: Ranking files ``--scenario`` accepts besides a scenario ``.toml``.
RANKING_FORMATS = ("gpkg", "geojson", "json", "parquet")


def sanitary_buffers(scenario: Scenario, dataset: Dataset) -> gpd.GeoDataFrame | None:
    """Return the sanitary protection zones of a scenario's hazard class, or None.

    One buffer per settlement of the scenario's district, as wide as the
    class requires (:func:`zonegeo.siting.criteria.exclusion_zones`), for the map's
    "Sanitary protection zones" layer.
    """
    from zonegeo.crs import metric_crs
    from zonegeo.siting.criteria import exclusion_zones

    if scenario.hazard_class is None:
        return None
    settlements = dataset.district(scenario.district).settlements
    if len(settlements) == 0:
        return None
    return exclusion_zones(
        crs=metric_crs(settlements),
        settlements=settlements,
        hazard_class=scenario.hazard_class,
        widths=scenario.sanitary_widths,
    )


def load_ranking(
    path: Path, dataset: Dataset, *, crs: str | None = None
) -> tuple[gpd.GeoDataFrame, str | None, gpd.GeoDataFrame | None]:
    """Return the ranked sites of a scenario or ranking file, its district and buffers.

    A ``.toml`` scenario is validated and run on ``dataset``, and its hazard
    class (if any) gives the sanitary protection zones to draw; a ``.gpkg``,
    ``.geojson`` or ``.parquet`` file written by ``zonegeo rank`` is read as
    is (through :func:`zonegeo.io.files.read_features`, so a missing or damaged
    file is one clear error), without buffers.
    """
    from zonegeo.errors import ValidationError
    from zonegeo.io.files import read_features

    suffix = path.suffix.lower().lstrip(".")
    if suffix == "toml":
        from zonegeo.siting.scenario import load_scenario, run_scenario

        scenario = load_scenario(path)
        return (
            run_scenario(scenario, dataset),
            scenario.district,
            sanitary_buffers(scenario, dataset),
        )
    if suffix not in RANKING_FORMATS:
        msg = (
            f"{path}: --scenario takes a scenario .toml or a ranking file written by "
            f"'zonegeo rank' (.{', .'.join(RANKING_FORMATS)}); got "
            f"{'.' + suffix if suffix else 'a file without extension'}"
        )
        raise ValidationError(msg)
    ranking = read_features(path, crs=crs)
    district = None
    if "district" in ranking.columns and ranking["district"].nunique() == 1:
        district = str(ranking["district"].iloc[0])
    return ranking, district, None


@click.command("map")
@click.option(
    "--district",
    default=None,
    help="District, by its English, Kazakh or Russian name "
    "[default: the scenario's district].",
)
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write.",
)
@click.option(
    "--png",
    "png",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also (or only) write the printed page of the district (A4 landscape, "
    "as in 'zonegeo atlas --pdf') as PNG, for a report or an e-mail.",
)
@click.option(
    "--svg",
    "svg",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The printed page as SVG.",
)
@click.option(
    "--pdf",
    "pdf",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The printed page as a one-page PDF.",
)
@click.option(
    "--color-by",
    default="status",
    show_default=True,
    help="'status', or a numeric plot or ranking column (score, dist_gas_m, ...).",
)
@click.option(
    "--scenario",
    "scenario_path",
    default=None,
    type=click.Path(path_type=Path),
    help="A scenario .toml (run, and its ranked sites drawn) or a ranking file "
    "(.gpkg, .geojson, .parquet) from 'zonegeo rank'.",
)
@data_option
@crs_option
@lock_timeout_option
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True)
@basemap_option
@raster_options
@self_contained_option
@as_of_option
@date_format_option
@click.pass_context
def map_command(
    ctx: click.Context,
    district: str | None,
    output: Path | None,
    png: Path | None,
    svg: Path | None,
    pdf: Path | None,
    color_by: str,
    scenario_path: Path | None,
    data: str | None,
    crs: str | None,
    lock_timeout: float,
    lang: str,
    basemap: str,
    raster_path: Path | None,
    raster_style: str,
    raster_opacity: float,
    self_contained: bool,
    as_of: str | None,
    date_format: str | None,
) -> None:
    """Write an interactive map of one district to an HTML file.

    Layers: district boundary, zones by kind, plots by status (idle plots
    marked) or by a numeric column, gas, electricity and water, settlements,
    with --scenario the ranked candidate sites, and with --raster a raster
    (shaded relief, slope or any classes) clipped to the district. An unknown
    district is an error that lists the known ones.
    """
    import zonegeo

    printed = {"png": png, "svg": svg, "pdf": pdf}
    if output is None and not any(printed.values()):
        msg = "give -o FILE.html (the interactive map) and/or --png/--svg/--pdf FILE"
        raise click.UsageError(msg)
    if output is not None:
        output_format(output, ("html", "htm"))
    for fmt, target in printed.items():
        if target is not None and target.suffix.lower() != f".{fmt}":
            msg = f"{str(target)!r} does not end in .{fmt}"
            raise click.BadParameter(msg, param_hint=f"'--{fmt}'")
    if output is None and color_by != "status":
        msg = "the printed page colours plots by status; --color-by needs -o FILE.html"
        raise click.UsageError(msg)
    if district is None and scenario_path is None:
        msg = "give --district NAME (or --scenario FILE whose district is drawn)"
        raise click.UsageError(msg)
    raster = raster_layer(
        ctx, raster_path, raster_style, raster_opacity, html=output is not None
    )
    ref = as_of_date(as_of, date_format)
    dataset = load_dataset(data, date_format, crs=crs, lock_timeout=lock_timeout)
    if district is not None:
        district = dataset.check_district(district)
    ranking = buffers = None
    if scenario_path is not None:
        ranking, scenario_district, buffers = load_ranking(
            scenario_path, dataset, crs=crs
        )
        if district is None:
            if scenario_district is None:
                msg = (
                    f"{scenario_path} covers several districts; choose one with "
                    f"--district"
                )
                raise click.UsageError(msg)
            district = dataset.check_district(scenario_district)
        elif scenario_district is not None and scenario_district != district:
            echo_err(
                f"note: {scenario_path} ranks sites in {scenario_district}, "
                f"not {district}; none of them is drawn"
            )
    if any(printed.values()):
        from click.core import ParameterSource

        from zonegeo.maps import print_district

        chosen = ctx.get_parameter_source("basemap") != ParameterSource.DEFAULT
        for target in printed.values():
            if target is None:
                continue
            try:
                page = print_district(
                    dataset,
                    str(district),
                    target,
                    lang=lang,  # type: ignore[arg-type]
                    as_of=ref,
                    ranking=ranking,
                    basemap=basemap if chosen else "none",  # type: ignore[arg-type]
                )
            except ImportError as exc:  # contextily for --basemap
                raise click.ClickException(str(exc)) from exc
            echo_err(f"printed page of {district} written to {page}")
            click.echo(str(page.resolve()))
    if output is None:
        return
    m = zonegeo.district_map(
        dataset,
        str(district),
        ranking=ranking,
        buffers=buffers,
        color_by=color_by,
        basemap=basemap,  # type: ignore[arg-type]
        lang=lang,  # type: ignore[arg-type]
        as_of=ref,
        raster=raster,
    )
    path = zonegeo.save_map(m, output, self_contained=self_contained)
    size = path.stat().st_size / 1e6
    echo_err(
        f"map of {district} written to {path} ({size:.1f} MB, "
        f"{'self-contained' if self_contained else 'scripts from CDNs'})"
    )
    click.echo(str(path.resolve()))
