"""``zonegeo distances``: distance and cost from plots to gas, power, water."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np
import pandas as pd

from zonegeo.cli._common import FiniteFloat, crs_option, echo_err, output_format
from zonegeo.errors import ValidationError
from zonegeo.schema import INFRA_KINDS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["distances"]

#: Output formats of ``zonegeo distances``, by extension.
FORMATS = ("gpkg", "geojson", "parquet", "csv", "xlsx")
#: Plots from which a progress bar is shown (unless --progress/--no-progress).
PROGRESS_FROM = 20_000

log = logging.getLogger(__name__)


def write_xlsx(table: gpd.GeoDataFrame, path: Path, *, sheet: str) -> None:
    """Write a layer to one sheet of an Excel workbook, geometry as WKT, atomically.

    Text that starts with ``=`` stays text: a plot or investor name is never
    turned into a spreadsheet formula.
    """
    import shapely

    from zonegeo.io.atomic import atomic_path

    frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    frame["wkt"] = shapely.to_wkt(table.geometry.to_numpy(), rounding_precision=-1)
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.StringDtype) or frame[col].dtype == object:
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name=sheet, index=False)
        for row in xl.sheets[sheet].iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":  # text that looks like a formula
                    cell.data_type = "s"


def _reasons(
    out: gpd.GeoDataFrame,
    kinds: list[str],
    *,
    max_distance: float | None,
    capacity_aware: bool,
) -> str:
    """Say why plots have no total cost: which kind they lack, and how many."""
    from zonegeo.access.distances import distance_columns

    parts = []
    for k in kinds:
        lacking = out[distance_columns(k)[0]].isna()
        if not lacking.any():
            continue
        reason_col = f"unserved_{k}_reason"
        if capacity_aware and reason_col in out.columns:
            counts = out.loc[lacking, reason_col].fillna(f"no {k} distance")
            for text, n in counts.value_counts(sort=True).items():
                parts.append(f"{text} ({n:,} plots)")
        elif max_distance is not None:
            parts.append(
                f"no {k} feature within --max-distance {max_distance:,.0f} m "
                f"({int(lacking.sum()):,} plots)"
            )
        else:  # pragma: no cover - every plot has a nearest feature otherwise
            parts.append(f"no {k} distance ({int(lacking.sum()):,} plots)")
    return "; ".join(parts)


def _stage_done(stage: str, start: float) -> float:
    """Log the wall time since ``start`` at INFO (``zonegeo -v``); return now.

    ``benchmarks/cli_distances.py`` reads these lines to split the command's time.
    """
    now = time.perf_counter()
    log.info("stage %s: %.2f s", stage, now - start)
    return now


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
    help="Output file: .gpkg, .geojson, .parquet, .csv or .xlsx (geometry as WKT).",
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
    type=click.Path(path_type=Path),
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
    "--where",
    default=None,
    metavar="SQL",
    help="Keep only the INFRA rows matching this OGR SQL condition, e.g. "
    "\"category = 'gas-pipelines'\" (GeoPackage, GeoJSON, Shapefile).",
)
@click.option(
    "--dissolve-by",
    default=None,
    metavar="COLUMN",
    help="INFRA rows sharing a value of COLUMN are parts of one route: join them "
    "into one MultiLineString feature (e.g. gem_project_id).",
)
@crs_option
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
    where: str | None,
    dissolve_by: str | None,
    crs: str | None,
    progress: bool | None,
) -> None:
    """Measure the distance from every plot in PLOTS to gas, power and water in INFRA.

    PLOTS is any polygon layer with a CRS (GeoPackage, GeoParquet, GeoJSON,
    Shapefile, CSV with WKT, or a postgresql:// URL). It is read as
    zonegeo.read_plots reads plots, except that no column is required: the
    plot columns it has (plot_id, status, investment_kzt, ...) are checked,
    Shapefile names cut to 10 characters are restored, and area_ha is added.
    INFRA holds points and lines with at least infra_id and kind (gas,
    electricity, water), or use --infra-id-column and --infra-kind. The
    output, in the CRS of PLOTS, keeps every plot column and adds
    dist_<kind>_m, nearest_<kind>_id and, unless --no-costs, cost_<kind>_kzt
    and cost_total_kzt. It is written atomically: on any error no output file
    is left behind. With zonegeo -v the time of each stage (read, validate,
    measure, costs, write) is logged to stderr.

    \b
    Example (Global Energy Monitor pipeline routes, gas only):
      zonegeo distances plots.shp gem.geojson --infra-kind gas \\
        --infra-id-column gem_project_id --dissolve-by gem_project_id \\
        --where "category = 'gas-pipelines'" -o out.gpkg
    """  # noqa: D301 (click's \b marker)
    from tqdm import tqdm

    from zonegeo import read_infrastructure, read_plots
    from zonegeo.access.cost import connection_costs, load_unit_costs
    from zonegeo.access.distances import distance_columns, infrastructure_distances
    from zonegeo.io.files import write_layer

    if no_costs and costs_path is not None:
        msg = "give either --costs or --no-costs, not both"
        raise click.UsageError(msg)
    fmt = output_format(output, FORMATS)
    unit_costs = None if no_costs else load_unit_costs(costs_path)
    plot_frame = read_plots(
        plots,
        layer_name=plots_layer,
        crs=crs,
        keep_crs=True,
        require_columns=False,
        check_overlaps=False,
    )
    if len(plot_frame) == 0:
        msg = f"{plots}: the layer has no plots; nothing to measure"
        raise ValidationError(msg)
    infra = read_infrastructure(
        infrastructure,
        layer_name=infra_layer,
        crs=crs,
        column_map={infra_id_column: "infra_id"} if infra_id_column else None,
        kind=infra_kind,
        where=where,
        dissolve_by=dissolve_by,
    )
    if len(infra) == 0:
        matching = f" match --where {where!r}" if where else ""
        msg = f"{infrastructure}: no features{matching}; nothing to measure against"
        raise ValidationError(msg)
    dissolved = infra.attrs.get("dissolved")
    if dissolved:
        dropped = dissolved["dropped_columns"]
        echo_err(
            f"{infrastructure}: {dissolved['rows']:,} rows joined into "
            f"{dissolved['features']:,} features by {dissolved['by']} (rows sharing "
            f"a value became one MultiLineString)"
            + (
                f"; dropped columns that differ between parts: {dropped}"
                if dropped
                else ""
            )
        )
    show = progress if progress is not None else len(plot_frame) >= PROGRESS_FROM
    with tqdm(
        total=len(plot_frame),
        unit="plot",
        file=sys.stderr,
        disable=not show,
        desc="distances",
    ) as bar:
        start = time.perf_counter()
        out = infrastructure_distances(
            plot_frame,
            infra,
            kinds=_kinds(kinds),
            max_distance=max_distance,
            capacity_aware=capacity_aware,
            progress=bar.update,
        )
    start = _stage_done("measure", start)
    measured = [k for k in INFRA_KINDS if distance_columns(k)[0] in out.columns]
    if unit_costs is not None and not set(measured) & set(unit_costs):
        unit_costs = None  # railways alone (or roads without a road cost): no cost
    if unit_costs is not None:
        out = connection_costs(out, unit_costs=unit_costs)
        start = _stage_done("costs", start)
    if fmt == "xlsx":
        write_xlsx(out, output, sheet="distances")
    else:
        write_layer(out, output)
    _stage_done(f"write {output}", start)
    echo_err(
        f"Measured {len(out):,} plots against {len(infra):,} features "
        f"({', '.join(measured)})."
    )
    for k in measured:
        d = out[distance_columns(k)[0]].to_numpy(dtype="float64")
        reached = int(np.isfinite(d).sum())
        median = f"{np.nanmedian(d):,.0f} m" if reached else "-"
        echo_err(
            f"  {k}: median {median}; {reached:,} of {len(d):,} plots with a value"
        )
    if unit_costs is not None:
        has_total = out["cost_total_kzt"].notna()
        n = int(has_total.sum())
        total = float(out["cost_total_kzt"].sum())
        source = (
            f"unit costs from {costs_path}" if costs_path else "illustrative unit costs"
        )
        line = (
            f"  total connection cost {total:,.0f} KZT over {n:,} of {len(out):,} "
            f"plots ({source})"
        )
        if n < len(out):
            why = _reasons(
                out[~has_total],
                list(measured),
                max_distance=max_distance,
                capacity_aware=capacity_aware,
            )
            line += f"; {len(out) - n:,} have no cost because: {why}"
            lacks = out[[distance_columns(k)[0] for k in measured]].isna()
            if (lacks.sum(axis=1) > 1).any():
                line += " (a plot can lack more than one kind)"
        echo_err(line)
    echo_err(f"Wrote {os.fspath(output.resolve())}")
