"""``zonegeo distances``: distance and cost from plots to gas, power, water."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import click
import geopandas as gpd
import numpy as np

from zonegeo.cli._common import FiniteFloat, echo_err, output_format
from zonegeo.errors import CRSError, ValidationError
from zonegeo.schema import INFRA_KINDS

__all__ = ["distances"]

#: Output formats of ``zonegeo distances``, by extension.
FORMATS = ("gpkg", "parquet", "csv")
#: Plots from which a progress bar is shown (unless --progress/--no-progress).
PROGRESS_FROM = 20_000

log = logging.getLogger(__name__)


class _Stages:
    """Wall time of each stage of the command, logged at INFO (``zonegeo -v``)."""

    def __init__(self) -> None:
        self.t = time.perf_counter()

    def done(self, stage: str, what: str = "") -> None:
        now = time.perf_counter()
        log.info(
            "stage %s: %.2f s%s", stage, now - self.t, f" ({what})" if what else ""
        )
        self.t = now


def _read_polygons(
    path: str, layer_name: str | None, stages: _Stages | None = None
) -> gpd.GeoDataFrame:
    """Read any polygon layer (no plot schema needed); insist on a CRS."""
    from zonegeo.io import _read_raw

    gdf, where = _read_raw(path, "plots", layer_name=layer_name, crs=None)
    if stages is not None:
        stages.done("read plots", f"{len(gdf):,} rows")
    if gdf.crs is None:
        msg = (
            f"{where}: the layer has no CRS (for example a Shapefile without its "
            f".prj); zonegeo never guesses one. Fix: add the .prj or save the file "
            f"with its CRS"
        )
        raise CRSError(msg)
    if len(gdf) == 0:
        msg = f"{where}: the layer has no plots; nothing to measure"
        raise ValidationError(msg)
    from zonegeo.integrity import extent_problem

    id_column = "plot_id" if "plot_id" in gdf.columns else None
    lonlat = gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs(4326)
    outside = extent_problem(lonlat, source_crs=gdf.crs, id_column=id_column)
    if outside:
        cls, text = outside
        msg = f"{where}: {text}"
        raise cls(msg)
    return gdf


def _read_infrastructure(
    path: str,
    layer_name: str | None,
    *,
    id_column: str | None,
    kind: str | None,
    stages: _Stages | None = None,
) -> gpd.GeoDataFrame:
    """Read infrastructure, mapping an id column and setting one kind when asked."""
    from zonegeo._validate import validate_layer
    from zonegeo.io import _read_raw

    gdf, where = _read_raw(path, "infrastructure", layer_name=layer_name, crs=None)
    if stages is not None:
        stages.done("read infrastructure", f"{len(gdf):,} rows")
    if kind is not None:
        if "kind" in gdf.columns:
            msg = (
                f"{where}: --infra-kind {kind} was given but the layer has its own "
                f"'kind' column; drop --infra-kind or the column"
            )
            raise ValidationError(msg)
        gdf = gdf.assign(kind=kind)
    column_map = {id_column: "infra_id"} if id_column else None
    return validate_layer(gdf, "infrastructure", source=where, column_map=column_map)


def _kinds(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [k.strip() for k in text.split(",") if k.strip()]


@click.command()
@click.argument("plots", metavar="PLOTS")
@click.argument("infrastructure", metavar="INFRA")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Output file: .gpkg, .parquet or .csv (geometry as WKT).",
)
@click.option(
    "--max-distance",
    type=FiniteFloat(min=0),
    default=None,
    help="Metres; plots farther from every feature of a kind get no value.",
)
@click.option(
    "--costs",
    "costs_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML file of unit costs (default: illustrative costs).",
)
@click.option("--no-costs", is_flag=True, help="Only distances, no cost columns.")
@click.option(
    "--kinds",
    default=None,
    metavar="KIND,...",
    help="Kinds to measure, e.g. gas,water (default: every kind present).",
)
@click.option(
    "--capacity-aware",
    is_flag=True,
    help="Count only features whose spare_capacity covers the plot's demand.",
)
@click.option("--plots-layer", default=None, help="Layer of a multi-layer GeoPackage.")
@click.option("--infra-layer", default=None, help="Layer of a multi-layer GeoPackage.")
@click.option(
    "--infra-id-column",
    default=None,
    metavar="COLUMN",
    help="INFRA column to use as infra_id (e.g. gem_project_id).",
)
@click.option(
    "--infra-kind",
    type=click.Choice(INFRA_KINDS),
    default=None,
    help="Kind of every feature, for a layer without a kind column (e.g. a pipeline "
    "file: gas).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Progress bar on stderr (default: from {PROGRESS_FROM:,} plots).",
)
def distances(
    plots: str,
    infrastructure: str,
    output: Path,
    max_distance: float | None,
    costs_path: Path | None,
    no_costs: bool,
    kinds: str | None,
    capacity_aware: bool,
    plots_layer: str | None,
    infra_layer: str | None,
    infra_id_column: str | None,
    infra_kind: str | None,
    progress: bool | None,
) -> None:
    """Measure the distance from every plot in PLOTS to gas, power and water in INFRA.

    PLOTS is any polygon layer with a CRS (GeoPackage, GeoParquet, GeoJSON,
    Shapefile, or CSV with WKT). INFRA holds points and lines with at least
    infra_id and kind (gas, electricity, water). The output keeps every plot
    column and adds dist_<kind>_m, nearest_<kind>_id and, unless --no-costs,
    cost_<kind>_kzt and cost_total_kzt. It is written atomically: on any error
    no output file is left behind. With zonegeo -v the time of each stage
    (read, validate, measure, write) is logged to stderr.
    """
    from tqdm import tqdm

    from zonegeo.cost import connection_costs, load_unit_costs
    from zonegeo.distance import _distances_frame, _prepare, distance_columns
    from zonegeo.io import write_layer

    if no_costs and costs_path is not None:
        msg = "give either --costs or --no-costs, not both"
        raise click.UsageError(msg)
    output_format(output, FORMATS)
    unit_costs = None if no_costs else load_unit_costs(costs_path)
    stages = _Stages()
    plot_frame = _read_polygons(plots, plots_layer, stages)
    stages.done("validate plots")
    infra = _read_infrastructure(
        infrastructure,
        infra_layer,
        id_column=infra_id_column,
        kind=infra_kind,
        stages=stages,
    )
    stages.done("validate infrastructure")
    prepared = _prepare(infra, kinds=_kinds(kinds), capacity_aware=capacity_aware)
    stages.done("validate+cut infrastructure (distance checks)")
    show = progress if progress is not None else len(plot_frame) >= PROGRESS_FROM
    with tqdm(
        total=len(plot_frame),
        unit="plot",
        file=sys.stderr,
        disable=not show,
        desc="distances",
    ) as bar:
        out = _distances_frame(
            plot_frame,
            prepared,
            max_distance=max_distance,
            capacity_aware=capacity_aware,
            progress=bar.update,
        )
    stages.done("measure")
    if unit_costs is not None and not set(prepared.kinds) & set(unit_costs):
        unit_costs = None  # railways alone (or roads without a road cost): no cost
    if unit_costs is not None:
        out = connection_costs(out, unit_costs=unit_costs)
        stages.done("costs")
    write_layer(out, output)
    stages.done("write", os.fspath(output))
    echo_err(
        f"Measured {len(out):,} plots against {len(infra):,} features "
        f"({', '.join(prepared.kinds)})."
    )
    for k in prepared.kinds:
        d = out[distance_columns(k)[0]].to_numpy(dtype="float64")
        reached = int(np.isfinite(d).sum())
        median = f"{np.nanmedian(d):,.0f} m" if reached else "-"
        echo_err(
            f"  {k}: median {median}; {reached:,} of {len(d):,} plots with a value"
        )
    if unit_costs is not None:
        total = out["cost_total_kzt"].sum(min_count=1)
        source = (
            f"unit costs from {costs_path}" if costs_path else "illustrative unit costs"
        )
        echo_err(f"  total connection cost {total:,.0f} KZT ({source})")
    echo_err(f"Wrote {os.fspath(output.resolve())}")
