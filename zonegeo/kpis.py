"""Key figures of zones and districts: hectares, occupancy, projects, investment, jobs.

These are the tables the regional department of entrepreneurship and industry
reports zone by zone and district by district.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo.io.integrity import check_links
from zonegeo.parcels import area_ha, idle_mask

if TYPE_CHECKING:
    from zonegeo.dataset import Dataset

__all__ = ["KPI_COLUMNS", "TOTAL_LABEL", "district_kpis", "zone_kpis"]

#: Label of the region total row of :func:`district_kpis`.
TOTAL_LABEL = "Region total"

#: The summed figures, shared by zone and district tables.
KPI_COLUMNS = (
    "plots",
    "plots_free",
    "plots_allocated",
    "plots_construction",
    "plots_operating",
    "plots_area_ha",
    "occupancy_pct",
    "projects",
    "investment_kzt",
    "jobs_planned",
    "jobs_created",
    "jobs_created_pct",
    "idle_plots",
    "idle_ha",
)


#: Optional plot columns and the figures that cannot be stated without them.
_NEEDS: dict[str, tuple[str, ...]] = {
    "project": ("projects",),
    "investment_kzt": ("investment_kzt",),
    "jobs_planned": ("jobs_planned", "jobs_created_pct"),
    "jobs_created": ("jobs_created", "jobs_created_pct"),
}


def _column(plots: pd.DataFrame, name: str) -> pd.Series:
    """Return an optional column, or an all-missing one when the plots lack it."""
    if name in plots.columns:
        return plots[name]
    return pd.Series(pd.NA, index=plots.index, dtype="object")


def _unknown_figures(plots: pd.DataFrame, by: str) -> set[str]:
    """Return the figures the plots cannot give (their optional columns are absent)."""
    if by not in plots.columns:
        return set(KPI_COLUMNS)
    return {f for col, figs in _NEEDS.items() if col not in plots.columns for f in figs}


def _idle_unknown(plots: pd.DataFrame) -> np.ndarray:
    """Flag allocated plots without a ``build_by`` date (idle status unknown)."""
    build_by = pd.to_datetime(_column(plots, "build_by"), errors="coerce")
    allocated = plots["status"].astype("string") == "allocated"
    return (allocated.fillna(False) & build_by.isna()).to_numpy(dtype=bool)


def _plot_figures(
    plots: pd.DataFrame, by: str, *, as_of: object | None
) -> pd.DataFrame:
    """Sum the plot figures per value of column ``by``."""
    has_build_by = "build_by" in plots.columns
    p = pd.DataFrame(
        {
            by: _column(plots, by).astype("string"),
            "status": plots["status"].astype("string"),
            "area_ha": plots["area_ha"]
            if "area_ha" in plots.columns
            else area_ha(plots),
            "project": _column(plots, "project")
            .astype("string")
            .str.strip()
            .replace("", pd.NA),
            "investment_kzt": pd.to_numeric(_column(plots, "investment_kzt"))
            .astype("float64")
            .fillna(0.0),
            "jobs_planned": pd.to_numeric(_column(plots, "jobs_planned"))
            .fillna(0)
            .astype("int64"),
            "jobs_created": pd.to_numeric(_column(plots, "jobs_created"))
            .fillna(0)
            .astype("int64"),
            "idle": idle_mask(plots, as_of=as_of).to_numpy()
            if has_build_by
            else np.zeros(len(plots), dtype=bool),
            "idle_unknown": _idle_unknown(plots),
        }
    )
    p = p[p[by].notna()]
    g = p.groupby(by, sort=False)
    out = pd.DataFrame(
        {
            "plots": g.size(),
            "plots_free": g["status"].agg(lambda s: int((s == "free").sum())),
            "plots_allocated": g["status"].agg(lambda s: int((s == "allocated").sum())),
            "plots_construction": g["status"].agg(
                lambda s: int((s == "construction").sum())
            ),
            "plots_operating": g["status"].agg(lambda s: int((s == "operating").sum())),
            "plots_area_ha": g["area_ha"].sum(),
            "taken_ha": p.assign(t=p["area_ha"].where(p["status"] != "free", 0.0))
            .groupby(by, sort=False)["t"]
            .sum(),
            "projects": g["project"].nunique(),
            "investment_kzt": g["investment_kzt"].sum(),
            "jobs_planned": g["jobs_planned"].sum(),
            "jobs_created": g["jobs_created"].sum(),
            "idle_plots": g["idle"].sum(),
            "idle_ha": p.assign(t=p["area_ha"].where(p["idle"], 0.0))
            .groupby(by, sort=False)["t"]
            .sum(),
            "idle_unknown": g["idle_unknown"].any(),
        }
    )
    return out.astype("float64") if out.empty else out  # no group: no text dtypes


def _finish(table: pd.DataFrame, unknown: set[str] | None = None) -> pd.DataFrame:
    """Fill empty groups, derive the percentages, blank the figures not known.

    ``unknown`` names figures the plots cannot give (an optional column is
    absent); they become missing. Idle figures are missing for a group with an
    allocated plot that has no ``build_by`` date.
    """
    counts = [
        "plots",
        "plots_free",
        "plots_allocated",
        "plots_construction",
        "plots_operating",
        "projects",
        "jobs_planned",
        "jobs_created",
        "idle_plots",
    ]
    # pd.to_numeric: with no plots at all the empty groups come back untyped.
    for col in counts:
        table[col] = pd.to_numeric(table[col]).fillna(0).astype("int64")
    for col in ("plots_area_ha", "taken_ha", "investment_kzt", "idle_ha"):
        table[col] = pd.to_numeric(table[col]).fillna(0.0).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["occupancy_pct"] = (
            100.0 * table["taken_ha"] / table["plots_area_ha"]
        ).where(table["plots_area_ha"] > 0)
        table["jobs_created_pct"] = (
            100.0 * table["jobs_created"] / table["jobs_planned"]
        ).where(table["jobs_planned"] > 0)
    idle_unknown = (
        table["idle_unknown"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    )
    table = table.drop(columns=["taken_ha", "idle_unknown"])
    for col in sorted(unknown or ()):
        _blank(table, col, np.ones(len(table), dtype=bool))
    for col in ("idle_plots", "idle_ha"):
        _blank(table, col, idle_unknown)
    return table


def _blank(table: pd.DataFrame, col: str, rows: np.ndarray) -> None:
    """Make ``col`` missing in ``rows`` (a count becomes a nullable integer)."""
    if not rows.any() or col not in table.columns:
        return
    if pd.api.types.is_integer_dtype(table[col]):
        table[col] = table[col].astype("Int64").mask(rows)
    else:
        table[col] = table[col].astype("float64").mask(rows)


def zone_kpis(dataset: Dataset, *, as_of: object | None = None) -> pd.DataFrame:
    """Return one row of key figures per zone.

    Parameters
    ----------
    dataset : Dataset
        With zones and plots.
    as_of : date-like, optional
        Reference date for idle plots (``build_by`` passed, still
        ``allocated``); today by default.

    Returns
    -------
    DataFrame
        ``zone_id``, ``name``, ``district``, ``kind``, ``established``,
        ``area_ha`` (zone), ``plots``, ``plots_free``, ``plots_allocated``,
        ``plots_construction``, ``plots_operating``, ``plots_area_ha``,
        ``occupancy_pct`` (share of plot area not free), ``projects`` (distinct
        non-empty project names), ``investment_kzt``, ``jobs_planned``,
        ``jobs_created``, ``jobs_created_pct``, ``idle_plots``, ``idle_ha``
        and, when zones have ``budget_kzt``, ``budget_kzt`` and
        ``investment_per_budget_kzt`` (private tenge per budget tenge).
        The ``plots`` column sums to the number of plots with a ``zone_id``;
        plots outside every zone are counted in :func:`district_kpis` only.

    Raises
    ------
    SchemaError
        If a plot names a zone or district that is not in the dataset, or
        another link between layers is broken
        (:func:`zonegeo.io.integrity.check_links`).

    Notes
    -----
    A figure that needs an optional plot column the plots lack (``project``,
    ``investment_kzt``, ``jobs_planned``, ``jobs_created``, ``zone_id``) is
    missing (unknown), never 0. ``idle_plots`` and ``idle_ha`` are missing for a
    zone with an allocated plot that has no ``build_by`` date.

    Examples
    --------
    >>> import zonegeo
    >>> k = zonegeo.zone_kpis(zonegeo.load_demo(), as_of="2025-02-01")
    >>> park = k[k["kind"] == "small_park"].iloc[0]
    >>> int(park["plots"]), int(park["jobs_created"]), int(park["jobs_planned"])
    (152, 1220, 6040)
    """
    check_links(dataset)
    zones = dataset.zones
    figures = _plot_figures(dataset.plots, "zone_id", as_of=as_of)
    base = pd.DataFrame(
        {
            "zone_id": zones["zone_id"].astype("string").to_numpy(),
            "name": zones["name"].astype("string").to_numpy(),
            "district": zones["district"].astype("string").to_numpy(),
            "kind": zones["kind"].astype("string").to_numpy(),
            "established": zones["established"].to_numpy()
            if "established" in zones
            else pd.NA,
            "area_ha": (
                zones["area_ha"] if "area_ha" in zones else area_ha(zones)
            ).to_numpy(),
        }
    )
    table = base.join(figures, on="zone_id")
    table = _finish(table, _unknown_figures(dataset.plots, "zone_id"))
    if "budget_kzt" in zones.columns and zones["budget_kzt"].notna().any():
        table["budget_kzt"] = pd.to_numeric(zones["budget_kzt"]).to_numpy()
        table["investment_per_budget_kzt"] = (
            table["investment_kzt"] / table["budget_kzt"]
        ).where(table["budget_kzt"] > 0)
    cols = [
        "zone_id",
        "name",
        "district",
        "kind",
        "established",
        "area_ha",
        *KPI_COLUMNS,
    ]
    extra = [
        c for c in ("budget_kzt", "investment_per_budget_kzt") if c in table.columns
    ]
    return table[cols + extra].reset_index(drop=True)


def district_kpis(dataset: Dataset, *, as_of: object | None = None) -> pd.DataFrame:
    """Return the key figures per district, plus a region total row.

    Plot figures count every plot of the district, inside a zone or not;
    ``zones`` and ``zones_ha`` count the district's zones.

    Parameters
    ----------
    dataset : Dataset
    as_of : date-like, optional
        Reference date for idle plots; today by default.

    Returns
    -------
    DataFrame
        ``district``, ``zones``, ``zones_ha`` and the columns of
        :func:`zone_kpis` from ``plots`` on; the last row is the region total
        (``district == "Region total"``), whose ``projects`` counts distinct
        projects across the region. Every plot is counted in exactly one
        district row, so the ``plots`` column of the district rows sums to
        the number of plots, as does the total row.

    Raises
    ------
    SchemaError
        If a plot or zone names a district that is not in the dataset, or
        another link between layers is broken
        (:func:`zonegeo.io.integrity.check_links`).

    Notes
    -----
    Unknown figures are missing as in :func:`zone_kpis`; the region total of
    a figure is missing when any district's is.

    Examples
    --------
    >>> import zonegeo
    >>> d = zonegeo.district_kpis(zonegeo.load_demo())
    >>> d.iloc[-1]["district"]
    'Region total'
    """
    check_links(dataset)
    zones = dataset.zones
    names = dataset.districts["district"].astype("string")
    z_area = zones["area_ha"] if "area_ha" in zones else area_ha(zones)
    zstats = (
        pd.DataFrame({"district": zones["district"].astype("string"), "area": z_area})
        .groupby("district")["area"]
        .agg(["size", "sum"])
    )
    figures = _plot_figures(dataset.plots, "district", as_of=as_of)
    table = pd.DataFrame({"district": names.to_numpy()})
    table["zones"] = table["district"].map(zstats["size"]).fillna(0).astype("int64")
    table["zones_ha"] = (
        table["district"].map(zstats["sum"]).fillna(0.0).astype("float64")
    )
    table = table.join(figures, on="district")
    unknown = _unknown_figures(dataset.plots, "district")
    table = _finish(table, unknown)
    # Region total: sum the counts (missing if any district's is unknown);
    # recompute distinct projects and percentages.
    plots = dataset.plots
    total = {
        c: table[c].sum(skipna=False) for c in table.columns if c not in ("district",)
    }
    total["district"] = TOTAL_LABEL
    total["projects"] = (
        pd.NA
        if "projects" in unknown
        else int(
            plots["project"].astype("string").str.strip().replace("", pd.NA).nunique()
        )
    )
    plot_ha = plots["area_ha"] if "area_ha" in plots.columns else area_ha(plots)
    total["occupancy_pct"] = (
        100.0
        * (total["plots_area_ha"] - plot_ha[plots["status"] == "free"].sum())
        / total["plots_area_ha"]
        if total["plots_area_ha"] > 0
        else np.nan
    )
    total["jobs_created_pct"] = (
        100.0 * total["jobs_created"] / total["jobs_planned"]
        if not ({"jobs_created", "jobs_planned"} & unknown)
        and total["jobs_planned"] > 0
        else np.nan
    )
    nullable = [c for c in table.columns if isinstance(table[c].dtype, pd.Int64Dtype)]
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table = table.astype(dict.fromkeys(nullable, "Int64"))
    cols = ["district", "zones", "zones_ha", *KPI_COLUMNS]
    return table[cols]
