"""What it costs to connect a plot to gas, electricity and water (and a road).

:func:`connection_costs` turns the distances of
:func:`zonegeo.infrastructure_distances` into tenge: for each kind, the
distance in kilometres times a cost per kilometre of new line, plus a fixed
charge for the connection itself. The unit costs come from
:data:`DEFAULT_UNIT_COSTS` unless a mapping or a TOML file overrides them
(:func:`load_unit_costs`). Roads and railways have no connection cost by
default; an access-road cost (``[road] per_km_kzt``) may be set, and then the
cost of building the road to the nearest road is part of the total.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo.errors import SchemaError, ValidationError
from zonegeo.schema import UTILITY_KINDS

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "DEFAULT_UNIT_COSTS",
    "UnitCost",
    "connection_costs",
    "cost_column",
    "load_unit_costs",
]


@dataclass(frozen=True)
class UnitCost:
    """Unit costs of connecting a plot to one kind of infrastructure.

    Parameters
    ----------
    per_km_kzt : float
        Tenge per kilometre of new line (pipe or cable) from the plot to the
        nearest feature.
    fixed_kzt : float
        Tenge per connection, whatever the distance (tie-in, regulating or
        transformer station, metering).
    source : str
        Where the figures come from, in words.
    """

    per_km_kzt: float
    fixed_kzt: float
    source: str = ""

    def cost_kzt(self, distance_m: np.ndarray | pd.Series | float) -> np.ndarray:
        """Return ``distance_m / 1000 * per_km_kzt + fixed_kzt`` (NaN stays NaN).

        Examples
        --------
        >>> float(UnitCost(per_km_kzt=20e6, fixed_kzt=5e6).cost_kzt(250.0))
        10000000.0
        """
        d = np.asarray(distance_m, dtype="float64")
        return d / 1000.0 * self.per_km_kzt + self.fixed_kzt


#: Illustrative unit costs (tenge, 2024 prices) per kind. They are orders of
#: magnitude for comparing plots, not quotes: replace them with the figures of
#: the local utility's technical conditions and the project's estimate.
#:
#: - gas: 60 M KZT/km of medium-pressure distribution pipe and 8 M KZT for a
#:   cabinet regulating station with metering. The 32 km Taldykorgan-Tekeli
#:   pipeline cost about 1.5 bn KZT in 2018 (47 M KZT/km with its
#:   installations; Trend, 4 Aug 2018), raised for inflation since.
#: - electricity: 20 M KZT/km of 10 kV overhead line and 25 M KZT for a
#:   10/0.4 kV package transformer substation (400-630 kVA) and its
#:   switchgear; assumed from typical regional estimates, not a published
#:   tariff.
#: - water: 30 M KZT/km of PE water main (160-225 mm) and 5 M KZT for the
#:   tie-in chamber and meter. Village networks in Zhetysu region were funded
#:   at about 22 M KZT/km in 2025 (480 M KZT for 21.8 km; 7kun.kz); an
#:   industrial main is larger.
DEFAULT_UNIT_COSTS: Mapping[str, UnitCost] = MappingProxyType(
    {
        "gas": UnitCost(
            per_km_kzt=60_000_000.0,
            fixed_kzt=8_000_000.0,
            source="illustrative: Taldykorgan-Tekeli 2018 (47 M KZT/km), "
            "indexed; regulating cabinet",
        ),
        "electricity": UnitCost(
            per_km_kzt=20_000_000.0,
            fixed_kzt=25_000_000.0,
            source="illustrative: 10 kV overhead line; 10/0.4 kV package substation",
        ),
        "water": UnitCost(
            per_km_kzt=30_000_000.0,
            fixed_kzt=5_000_000.0,
            source="illustrative: Zhetysu village networks 2025 "
            "(22 M KZT/km), larger main; tie-in chamber",
        ),
    }
)

_FIELDS = ("per_km_kzt", "fixed_kzt", "source")
#: Kinds a unit cost may be given for: the utilities and an access road (no default).
COSTED_KINDS: tuple[str, ...] = (*UTILITY_KINDS, "road")


def cost_column(kind: str) -> str:
    """Return the name of the cost column of a kind.

    Examples
    --------
    >>> cost_column("water")
    'cost_water_kzt'
    """
    return f"cost_{kind}_kzt"


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where} must be a number of tenge >= 0, got {value!r}"
        raise ValidationError(msg)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        msg = f"{where} must be a number of tenge >= 0, got {value!r}"
        raise ValidationError(msg)
    return number


def _from_mapping(data: Mapping[str, object], origin: str) -> dict[str, UnitCost]:
    if "unit_costs" in data:
        if any(k in COSTED_KINDS for k in data):
            msg = (
                f"{origin}: give the unit costs either at the top level or under "
                f"[unit_costs], not both (found {sorted(map(str, data))})"
            )
            raise ValidationError(msg)
        data = data["unit_costs"]  # type: ignore[assignment]
        if not isinstance(data, Mapping):
            msg = f"{origin}: 'unit_costs' must be a table of kinds, got {data!r}"
            raise ValidationError(msg)
    costs = dict(DEFAULT_UNIT_COSTS)
    for kind, spec in data.items():
        if kind not in COSTED_KINDS:
            rail = " (railways have no connection cost)" if kind == "rail" else ""
            msg = (
                f"{origin}: unknown key {kind!r}{rail}; allowed keys: "
                f"{', '.join(COSTED_KINDS)} (or a [unit_costs] table holding them)"
            )
            raise ValidationError(msg)
        if isinstance(spec, UnitCost):
            costs[kind] = spec
            continue
        if not isinstance(spec, Mapping):
            msg = (
                f"{origin}: {kind!r} must be a table with per_km_kzt and/or "
                f"fixed_kzt, got {spec!r}"
            )
            raise ValidationError(msg)
        unknown = [k for k in spec if k not in _FIELDS]
        if unknown:
            msg = (
                f"{origin}: unknown key {kind}.{unknown[0]!s} (in {kind!r}); allowed "
                f"keys: {', '.join(_FIELDS)}"
            )
            raise ValidationError(msg)
        base = costs.get(kind, UnitCost(per_km_kzt=0.0, fixed_kzt=0.0))
        per_km = (
            _number(spec["per_km_kzt"], f"{origin}: {kind}.per_km_kzt")
            if "per_km_kzt" in spec
            else base.per_km_kzt
        )
        fixed = (
            _number(spec["fixed_kzt"], f"{origin}: {kind}.fixed_kzt")
            if "fixed_kzt" in spec
            else base.fixed_kzt
        )
        source = str(spec.get("source", f"{origin}"))
        costs[kind] = UnitCost(per_km_kzt=per_km, fixed_kzt=fixed, source=source)
    return costs


def load_unit_costs(
    src: Mapping[str, object] | str | os.PathLike[str] | None = None,
) -> dict[str, UnitCost]:
    """Return unit costs per kind: the defaults, overridden by a mapping or TOML file.

    Parameters
    ----------
    src : mapping, path or None
        None for :data:`DEFAULT_UNIT_COSTS`. A mapping
        ``{"gas": {"per_km_kzt": ..., "fixed_kzt": ...}, ...}`` (values may
        also be :class:`UnitCost`), or the path of a TOML file with the same
        tables, at the top level or under ``[unit_costs]``. Kinds and fields
        left out keep their defaults. ``road`` (an access road to the nearest
        road, no default; a field left out is 0) may be added.

    Returns
    -------
    dict
        ``{"gas": UnitCost, "electricity": UnitCost, "water": UnitCost}``, plus
        ``"road"`` when given.

    Raises
    ------
    ValidationError
        For an unknown key (naming it and the allowed keys), a value that is
        not a number >= 0, a missing or unreadable file or bad TOML.

    Examples
    --------
    >>> costs = load_unit_costs({"gas": {"per_km_kzt": 45e6}})
    >>> costs["gas"].per_km_kzt, costs["gas"].fixed_kzt
    (45000000.0, 8000000.0)

    A TOML file::

        [gas]
        per_km_kzt = 45_000_000
        fixed_kzt = 6_000_000

        [electricity]
        per_km_kzt = 18_000_000
    """
    if src is None:
        return dict(DEFAULT_UNIT_COSTS)
    if isinstance(src, Mapping):
        return _from_mapping(src, "unit_costs")
    if not isinstance(src, str | os.PathLike):
        got = type(src).__name__
        msg = f"unit_costs must be a mapping, a TOML path or None, got {got}"
        raise TypeError(msg)
    path = Path(src)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: no such unit-cost file"
        raise ValidationError(msg) from None
    except OSError as exc:
        msg = f"{path}: cannot read the unit-cost file ({exc})"
        raise ValidationError(msg) from None
    except UnicodeDecodeError as exc:
        msg = f"{path}: not a UTF-8 text file ({exc.reason}); save it as UTF-8"
        raise ValidationError(msg) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML ({exc}); see load_unit_costs for an example"
        raise ValidationError(msg) from None
    if not data:
        msg = (
            f"{path}: the unit-cost file is empty. Fix: write at least one table, "
            f"e.g. [gas] per_km_kzt = 40_000_000, or leave the file out to use the "
            f"illustrative costs"
        )
        raise ValidationError(msg)
    return _from_mapping(data, str(path))


def connection_costs(
    plots_with_distances: gpd.GeoDataFrame | pd.DataFrame,
    *,
    unit_costs: Mapping[str, object] | str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Add the cost of connecting each plot to gas, electricity and water.

    Parameters
    ----------
    plots_with_distances : GeoDataFrame or DataFrame
        The output of :func:`zonegeo.infrastructure_distances`: one or more
        ``dist_<kind>_m`` columns.
    unit_costs : mapping, path or None
        Overrides of :data:`DEFAULT_UNIT_COSTS`; see :func:`load_unit_costs`.

    Returns
    -------
    GeoDataFrame or DataFrame
        A copy with the same index, row order and columns, plus
        ``cost_<kind>_kzt`` for each utility distance column, and for
        ``dist_road_m`` when a ``road`` unit cost is given (``dist_m / 1000 *
        per_km_kzt + fixed_kzt``; the fixed charge alone when the feature
        touches the plot; NaN where the distance is NaN) and
        ``cost_total_kzt``, their sum (NaN when any kind is NaN, as the total
        is then unknown).

    Raises
    ------
    SchemaError
        If there is no ``dist_<kind>_m`` column.
    ValidationError
        For bad unit costs (see :func:`load_unit_costs`).

    See Also
    --------
    zonegeo.infrastructure_distances : Where the distances come from.

    Notes
    -----
    The defaults are illustrative orders of magnitude (2024 tenge) with their
    sources in :data:`DEFAULT_UNIT_COSTS`; a real estimate also depends on
    pressure, voltage, diameter, terrain and the utility's technical
    conditions.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"dist_gas_m": [250.0, None], "dist_water_m": [0.0, 1500.0]})
    >>> unit = {"gas": {"per_km_kzt": 40e6, "fixed_kzt": 0},
    ...         "water": {"per_km_kzt": 10e6, "fixed_kzt": 1e6}}
    >>> out = connection_costs(d, unit_costs=unit)
    >>> out[["cost_gas_kzt", "cost_water_kzt", "cost_total_kzt"]].to_numpy().tolist()
    [[10000000.0, 1000000.0, 11000000.0], [nan, 16000000.0, nan]]
    """
    if not isinstance(plots_with_distances, pd.DataFrame):
        msg = (
            f"plots_with_distances must be a (Geo)DataFrame, got "
            f"{type(plots_with_distances).__name__}"
        )
        raise TypeError(msg)
    costs = load_unit_costs(unit_costs)
    costed = [k for k in COSTED_KINDS if k in costs]
    kinds = [k for k in costed if f"dist_{k}_m" in plots_with_distances.columns]
    if not kinds:
        msg = (
            "connection_costs needs distance columns (dist_gas_m, dist_electricity_m "
            "or "
            f"dist_water_m); found {[str(c) for c in plots_with_distances.columns]}. "
            "Fix: run zonegeo.infrastructure_distances first"
        )
        raise SchemaError(msg)
    out = plots_with_distances.copy()
    total = np.zeros(len(out))
    for k in kinds:
        dist = pd.to_numeric(out[f"dist_{k}_m"], errors="coerce").to_numpy(
            dtype="float64"
        )
        cost = costs[k].cost_kzt(dist)
        out[cost_column(k)] = pd.Series(cost, index=out.index, dtype="float64")
        total = total + cost
    out["cost_total_kzt"] = pd.Series(total, index=out.index, dtype="float64")
    return out
