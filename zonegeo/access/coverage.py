"""Which zones still lack gas, power or water: the share of plot area within reach.

:func:`service_coverage` answers the question the regional department reports
zone by zone: what share of each zone's plot area lies within a given distance
of gas, electricity and water.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo.access.distances import infrastructure_distances
from zonegeo.errors import SchemaError, ValidationError
from zonegeo.parcels import area_ha
from zonegeo.schema import INFRA_KINDS, UTILITY_KINDS

if TYPE_CHECKING:
    from zonegeo.dataset import Dataset

__all__ = ["COVERAGE_COLUMNS", "service_coverage"]

log = logging.getLogger(__name__)

#: Columns of the table :func:`service_coverage` returns, in order (``road_pct``
#: and ``rail_pct`` come before ``lacking`` when roads or railways are measured).
COVERAGE_COLUMNS = (
    "zone_id",
    "name",
    "district",
    "kind",
    "plots",
    "plots_area_ha",
    "gas_pct",
    "electricity_pct",
    "water_pct",
    "lacking",
)


def _reach(within_m: float | Mapping[str, float]) -> dict[str, float]:
    """Return the reach in metres of every kind, checked."""
    if isinstance(within_m, Mapping):
        unknown = [k for k in within_m if k not in INFRA_KINDS]
        if unknown:
            msg = (
                f"within_m: unknown kind {unknown[0]!r}; allowed keys: "
                f"{', '.join(INFRA_KINDS)}"
            )
            raise ValidationError(msg)
        values = {k: within_m.get(k, 1000.0) for k in INFRA_KINDS}
    else:
        values = dict.fromkeys(INFRA_KINDS, within_m)
    out = {}
    for k, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float | np.number):
            msg = f"within_m[{k!r}] must be a number of metres, got {v!r}"
            raise TypeError(msg)
        if not math.isfinite(float(v)) or float(v) < 0:
            msg = f"within_m[{k!r}] must be a finite number of metres >= 0, got {v!r}"
            raise ValidationError(msg)
        out[k] = float(v)
    return out


def _kinds_used(kinds: object, present: list[str]) -> tuple[str, ...]:
    """Return the utilities, plus roads and railways present (or the kinds named)."""
    if kinds is None:
        return (
            *UTILITY_KINDS,
            *(k for k in INFRA_KINDS if k not in UTILITY_KINDS and k in present),
        )
    asked = (kinds,) if isinstance(kinds, str) else tuple(kinds)  # type: ignore[arg-type]
    unknown = [k for k in asked if k not in INFRA_KINDS]
    if unknown or not asked:
        msg = (
            f"kinds: unknown kind(s) {unknown!r}; allowed: {', '.join(INFRA_KINDS)}"
            if unknown
            else f"kinds is empty; give at least one of {', '.join(INFRA_KINDS)}"
        )
        raise ValidationError(msg)
    return tuple(k for k in INFRA_KINDS if k in asked)


def service_coverage(
    dataset: Dataset,
    *,
    within_m: float | Mapping[str, float] = 1000.0,
    lacking_below_pct: float = 100.0,
    kinds: str | tuple[str, ...] | list[str] | None = None,
) -> pd.DataFrame:
    """Return, per zone, the share of plot area within reach of each kind.

    Parameters
    ----------
    dataset : Dataset
        With zones, plots (``zone_id``) and infrastructure.
    within_m : float or mapping, default 1000.0
        Reach in metres: one figure for every kind, or ``{"gas": 500,
        "electricity": 1000, "water": 2000}`` (kinds left out: 1000 m).
    lacking_below_pct : float, default 100.0
        A kind is listed in ``lacking`` when less than this share of the
        zone's plot area is within reach.
    kinds : str or sequence of str, optional
        The kinds to measure. Default: gas, electricity and water always, plus
        ``road`` and ``rail`` when the infrastructure has them.

    Returns
    -------
    DataFrame
        One row per zone, in the order of ``dataset.zones``: ``zone_id``,
        ``name``, ``district``, ``kind`` (the zone's kind), ``plots`` (count),
        ``plots_area_ha``, ``gas_pct``, ``electricity_pct``, ``water_pct``
        (share of the plot area whose nearest feature of that kind is within
        reach, 0-100; NaN for a zone without plots), ``road_pct`` and
        ``rail_pct`` when those kinds are measured, and ``lacking`` (the
        kinds below ``lacking_below_pct``, comma-separated, ``""`` for none,
        missing for a zone without plots). ``table.attrs["kinds"]`` names the
        kinds measured; the columns of kinds not measured are left out (a
        utility left out of ``kinds=`` is not shown).

    Raises
    ------
    ValidationError
        For an unknown kind or a negative reach in ``within_m``.
    SchemaError
        If plots lack ``zone_id``.

    See Also
    --------
    zonegeo.infrastructure_distances : The distances behind the shares.

    Notes
    -----
    A plot counts as within reach of a kind when the geodesic distance from
    its boundary to the nearest feature of that kind is at most the reach
    (0 when the feature touches or crosses it). Shares are of plot area
    (``area_ha``), not of plot counts. A kind missing from the
    infrastructure reaches nobody (0 %). A ``zone_id`` that is not a zone of
    the dataset is refused (:func:`zonegeo.io.integrity.check_links`).

    Examples
    --------
    >>> import zonegeo
    >>> table = zonegeo.service_coverage(zonegeo.load_demo(), within_m=5000)
    >>> list(table.columns[-4:])
    ['gas_pct', 'electricity_pct', 'water_pct', 'lacking']
    >>> bool(table["electricity_pct"].between(0, 100).all())
    True
    """
    from zonegeo.io.integrity import check_links

    check_links(dataset)
    reach = _reach(within_m)
    if isinstance(lacking_below_pct, bool) or not isinstance(
        lacking_below_pct, int | float
    ):
        msg = f"lacking_below_pct must be a number, got {lacking_below_pct!r}"
        raise TypeError(msg)
    zones, plots, infra = dataset.zones, dataset.plots, dataset.infrastructure
    if "zone_id" not in plots.columns:
        msg = (
            f"plots: missing column 'zone_id'; found "
            f"{[str(c) for c in plots.columns]}. Fix: give each plot the zone_id of "
            "its zone"
        )
        raise SchemaError(msg)
    in_zone = (
        plots["zone_id"]
        .astype("string")
        .isin(zones["zone_id"].astype("string"))
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    if not in_zone.all():
        log.info(
            "service_coverage: %d plot(s) outside the dataset's zones left out",
            int((~in_zone).sum()),
        )
    plots = plots[in_zone]
    in_layer = [
        k
        for k in INFRA_KINDS
        if len(infra) and (infra["kind"].astype("string") == k).any()
    ]
    used = _kinds_used(kinds, in_layer)
    present = [k for k in used if k in in_layer]
    reached: dict[str, np.ndarray] = {k: np.zeros(len(plots), dtype=bool) for k in used}
    if len(plots) and present:
        measured = infrastructure_distances(
            plots, infra, kinds=present, max_distance=max(reach[k] for k in present)
        )
        for k in present:
            d = measured[f"dist_{k}_m"].to_numpy(dtype="float64")
            reached[k] = ~np.isnan(d) & (d <= reach[k])
    area = plots["area_ha"] if "area_ha" in plots.columns else area_ha(plots)
    area = pd.to_numeric(area).fillna(0.0).to_numpy(dtype="float64")
    table = pd.DataFrame(
        {"zone_id": plots["zone_id"].astype("string").to_numpy(), "area": area}
    )
    for k in used:
        table[k] = np.where(reached[k], area, 0.0)
    sums = table.groupby("zone_id", sort=False).agg(
        plots=("area", "size"),
        plots_area_ha=("area", "sum"),
        **{k: (k, "sum") for k in used},
    )
    out = pd.DataFrame(
        {
            "zone_id": zones["zone_id"].astype("string").to_numpy(),
            "name": zones["name"].astype("string").to_numpy(),
            "district": zones["district"].astype("string").to_numpy(),
            "kind": zones["kind"].astype("string").to_numpy(),
        }
    )
    out = out.join(sums, on="zone_id")
    out["plots"] = out["plots"].fillna(0).astype("int64")
    out["plots_area_ha"] = out["plots_area_ha"].fillna(0.0).astype("float64")
    has_area = out["plots_area_ha"] > 0
    for k in used:
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = 100.0 * out[k] / out["plots_area_ha"]
        # Sums of the same areas can exceed their total by an ulp: cap at 100.
        out[f"{k}_pct"] = pct.clip(upper=100.0).where(has_area).astype("float64")
    lacking: list[str | None] = []
    for row in out[[f"{k}_pct" for k in used]].itertuples(index=False):
        if any(pd.isna(v) for v in row):
            lacking.append(None)
        else:
            lacking.append(
                ", ".join(
                    k for k, v in zip(used, row, strict=True) if v < lacking_below_pct
                )
            )
    out["lacking"] = pd.Series(lacking, index=out.index, dtype="string")
    columns = [
        c
        for c in COVERAGE_COLUMNS
        if not c.endswith("_pct") or c.removesuffix("_pct") in used
    ]
    extra = [f"{k}_pct" for k in used if k not in UTILITY_KINDS]
    columns[-1:-1] = extra
    result = out[columns].reset_index(drop=True)
    result.attrs["kinds"] = list(used)
    log.info("service_coverage: kinds measured: %s", ", ".join(used))
    return result
