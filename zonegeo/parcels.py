"""Land plots (parcels), not plotting: area, status and idle plots.

Rendering lives in :mod:`zonegeo.maps.district`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo.crs import area_ha
from zonegeo.dates import parse_date, parse_date_column
from zonegeo.errors import ValidationError
from zonegeo.io.validate import require_columns

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["IDLE_COLUMNS", "area_ha", "idle_mask", "idle_plots", "to_timestamp"]

#: Columns of the table :func:`idle_plots` returns, in order.
IDLE_COLUMNS = (
    "plot_id",
    "investor",
    "project",
    "sector",
    "zone_id",
    "district",
    "area_ha",
    "allocated_on",
    "build_by",
    "days_overdue",
)


def to_timestamp(value: object | None) -> pd.Timestamp:
    """Turn ``None`` (today), a date, a datetime or a string into a midnight Timestamp.

    Strings are read day first (``12.01.2026``, ``12/01/2026``) or ISO
    (``2026-01-12``); see :func:`zonegeo.dates.parse_date`.

    Examples
    --------
    >>> to_timestamp("12.01.2026"), to_timestamp("2026-01-12T15:00")
    (Timestamp('2026-01-12 00:00:00'), Timestamp('2026-01-12 00:00:00'))
    """
    if value is None:
        return pd.Timestamp(dt.date.today())
    ts = parse_date(value, what="as_of")
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _build_by(plots: pd.DataFrame) -> pd.Series:
    """Return ``build_by`` as dates (text read as :mod:`zonegeo.dates` says)."""
    has_ids = "plot_id" in plots.columns
    return parse_date_column(
        plots["build_by"],
        column="build_by",
        source="plots",
        ids=list(plots["plot_id"]) if has_ids else None,
        id_column="plot_id" if has_ids else None,
    )


def idle_mask(
    plots: pd.DataFrame, *, as_of: object | None = None, grace_days: int = 0
) -> pd.Series:
    """Return True for allocated plots whose ``build_by`` date has passed.

    A plot is idle when its status is ``allocated`` (construction never
    started) and ``build_by + grace_days`` is before ``as_of``.

    Parameters
    ----------
    plots : DataFrame
        With ``status`` and ``build_by`` columns.
    as_of : date-like, optional
        The reference date; today by default.
    grace_days : int
        Extra days allowed after ``build_by``.

    Returns
    -------
    Series of bool aligned on ``plots.index``.
    """
    require_columns(
        plots,
        ("status", "build_by"),
        what="plots",
        fix="read plots with zonegeo.read_plots",
    )
    if grace_days < 0:
        msg = f"grace_days must be 0 or more, got {grace_days!r}"
        raise ValidationError(msg)
    ref = to_timestamp(as_of)
    build_by = _build_by(plots)
    deadline = build_by + pd.Timedelta(days=int(grace_days))
    mask = (plots["status"] == "allocated") & build_by.notna() & (deadline < ref)
    return mask.fillna(False).astype(bool)


def idle_plots(
    plots: gpd.GeoDataFrame, *, as_of: object | None = None, grace_days: int = 0
) -> gpd.GeoDataFrame:
    """List the allocated plots whose construction deadline has passed.

    These are the plots whose agreements the regional akim wants ended and
    the land taken back.

    Parameters
    ----------
    plots : GeoDataFrame
        Plots as read by :func:`zonegeo.read_plots`.
    as_of : date-like, optional
        Reference date; today by default.
    grace_days : int, default 0
        Days allowed after ``build_by`` before a plot counts as idle.

    Returns
    -------
    GeoDataFrame
        One row per idle plot (original index kept) with ``plot_id``,
        ``investor``, ``project``, ``sector``, ``zone_id``, ``district``,
        ``area_ha``, ``allocated_on``, ``build_by``, ``days_overdue`` and the
        geometry, most overdue first.

    Examples
    --------
    >>> import zonegeo
    >>> plots = zonegeo.load_demo().plots
    >>> idle = zonegeo.idle_plots(plots, as_of="2025-02-01")
    >>> bool((idle["days_overdue"] > 0).all())
    True
    """
    mask = idle_mask(plots, as_of=as_of, grace_days=grace_days)
    ref = to_timestamp(as_of)
    out = plots.loc[mask].copy()
    if "area_ha" not in out.columns:
        out["area_ha"] = area_ha(out)
    build_by = out["build_by"] = _build_by(out)
    out["days_overdue"] = ((ref - build_by).dt.days - int(grace_days)).astype("int64")
    for col in IDLE_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA
    cols = [*IDLE_COLUMNS, out.geometry.name]
    order = np.lexsort(
        (out["plot_id"].astype(str).to_numpy(), -out["days_overdue"].to_numpy())
    )
    return out[cols].iloc[order]
