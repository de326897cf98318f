"""``zonegeo osm``: infrastructure, roads, railways, settlements from OSM data."""

from __future__ import annotations

import os
from pathlib import Path

import click

from zonegeo.cli._common import echo_err, output_format

__all__ = ["osm"]

#: Output formats of ``zonegeo osm``, by extension.
FORMATS = ("gpkg", "parquet", "geojson")


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        msg = f"--bbox must be W,S,E,N in degrees (four numbers), got {text!r}"
        raise click.BadParameter(msg, param_hint="--bbox")
    return values


@click.command()
@click.argument("extract", metavar="EXTRACT")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Infrastructure output: .gpkg, .parquet or .geojson.",
)
@click.option(
    "--boundary",
    default=None,
    metavar="FILE",
    help="Keep only what lies inside these polygons (e.g. districts.gpkg).",
)
@click.option(
    "--bbox", default=None, metavar="W,S,E,N", help="Keep only what lies in this box."
)
@click.option(
    "--settlements",
    "settlements_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the settlements (place=city/town/village/hamlet) here.",
)
@click.option(
    "--kinds",
    default=None,
    metavar="KIND,...",
    help="Kinds to keep: gas, electricity, water, road, rail, settlement "
    "(default: all).",
)
@click.option("--progress/--no-progress", default=True, help="Progress bar on stderr.")
def osm(
    extract: str,
    output: Path,
    boundary: str | None,
    bbox: str | None,
    settlements_out: Path | None,
    kinds: str | None,
    progress: bool,
) -> None:
    """Read gas, power, water, roads, railways and settlements from EXTRACT.

    EXTRACT is an OpenStreetMap .osm.pbf (or .osm) file, for example
    kazakhstan-latest.osm.pbf from https://download.geofabrik.de/asia/. The
    infrastructure is written to OUTPUT with infra_id osm:<type>/<id>, kind and
    subtype (the OSM value), ready for `zonegeo distances`. Outputs are written
    atomically.

    \b
      zonegeo osm kazakhstan-latest.osm.pbf --boundary districts.gpkg \\
          -o infrastructure.gpkg --settlements settlements.gpkg
    """  # noqa: D301 (click's \b marker)
    from zonegeo.io.files import write_layer
    from zonegeo.io.osm import read_osm

    if boundary is not None and bbox is not None:
        msg = "give either --boundary or --bbox, not both"
        raise click.UsageError(msg)
    output_format(output, FORMATS)
    if settlements_out is not None:
        output_format(settlements_out, FORMATS)
    kind_list = None if kinds is None else [k.strip() for k in kinds.split(",")]
    layers = read_osm(
        extract,
        boundary=boundary,
        bbox=_bbox(bbox),
        kinds=kind_list,
        progress=progress,
    )
    infra = layers["infrastructure"]
    counts = infra.attrs.get("counts", {})
    echo_err(f"Read {extract}:")
    for kind, n in counts.items():
        if kind == "settlement":
            continue
        subtypes = infra.loc[infra["kind"] == kind, "subtype"].value_counts()
        detail = ", ".join(f"{s} {c:,}" for s, c in subtypes.items())
        echo_err(f"  {kind:<12} {n:>8,}" + (f"  ({detail})" if detail else ""))
    if "settlement" in counts:
        s = layers["settlements"]
        with_pop = int(s["population"].notna().sum())
        echo_err(
            f"  {'settlement':<12} {counts['settlement']:>8,}  "
            f"({with_pop:,} with population)"
        )
    if len(infra) == 0:
        echo_err("No infrastructure found; nothing written to " + str(output))
    else:
        write_layer(infra, output)
        echo_err(f"Wrote {os.fspath(output.resolve())}")
    if settlements_out is not None:
        write_layer(layers["settlements"], settlements_out)
        echo_err(f"Wrote {os.fspath(settlements_out.resolve())}")
    elif counts.get("settlement"):
        echo_err("  (settlements not written; add --settlements FILE)")
