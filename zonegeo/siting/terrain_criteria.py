"""Terrain and travel criteria in scenario files: ``[[rasters]]``, ``[roads]``.

Parsed by :func:`zonegeo.siting.scenario.parse_scenario` and applied by
:func:`zonegeo.siting.scenario.run_scenario` after the candidates are built::

    [[rasters]]
    name = "slope"            # columns slope_mean, slope_max, slope_frac_above_8
    path = "dem.tif"          # relative to the scenario file
    derive = "slope"          # the file is a DEM: rank on its slope in degrees
    stats = ["mean", "max"]
    above = [8]

    [roads]                   # road lines: the dataset's infrastructure of kind road
    file = "roads.gpkg"       # or another file (optional)
    offroad_speed_kmh = 20
    labour_minutes = 30       # adds labour_30min
    targets = ["settlements", "rail"]   # road_dist_<t>_m, road_time_<t>_min
    speeds = { primary = 70 }

    [[exclusions]]            # a raster threshold as an exclusion
    column = "slope_frac_above_8"
    above = 0.2               # excludes where the share exceeds 0.2
    reason = "slope"          # default: the raster's name

A site whose value in a criterion column is NaN (no road within reach, no valid
raster cell) is made ineligible with the reason, never ranked as 0.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zonegeo.access.network import (
    labour_column,
    labour_within,
    network_access,
    road_network,
)
from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.schema import INFRA_KINDS
from zonegeo.siting.terrain import (
    ZONAL_STATS,
    frac_above_column,
    terrain_slope,
    zonal_stats,
)

__all__ = [
    "RasterSpec",
    "RoadSpec",
    "ThresholdExclusion",
    "add_terrain_and_travel",
    "apply_thresholds",
    "exclude_missing",
    "parse_rasters",
    "parse_roads",
    "parse_threshold_exclusions",
    "terrain_travel_columns",
]

_RASTER = ("name", "path", "derive", "stats", "above")
_ROADS = ("file", "layer", "speeds", "offroad_speed_kmh", "labour_minutes", "targets")
_THRESHOLD = ("column", "above", "reason", "name")
DERIVE = ("slope",)


@dataclass(frozen=True)
class RasterSpec:
    """A ``[[rasters]]`` entry: a raster summarised over each site."""

    name: str
    path: Path
    derive: str | None = None
    stats: tuple[str, ...] = ("mean", "max")
    above: tuple[float, ...] = ()

    def columns(self) -> list[str]:
        """Columns this raster adds."""
        return [f"{self.name}_{s}" for s in self.stats] + [
            frac_above_column(self.name, v) for v in self.above
        ]


@dataclass(frozen=True)
class RoadSpec:
    """The ``[roads]`` table: road travel criteria."""

    file: Path | None = None
    layer: str | None = None
    speeds: Mapping[str, float] = field(default_factory=dict)
    offroad_speed_kmh: float = 20.0
    labour_minutes: float | None = None
    targets: tuple[str, ...] = ()

    def columns(self) -> list[str]:
        """Columns these criteria add."""
        cols = [
            f"road_{m}_{t}_{u}"
            for t in self.targets
            for m, u in (("dist", "m"), ("time", "min"))
        ]
        if self.labour_minutes is not None:
            cols.append(labour_column(self.labour_minutes))
        return cols


@dataclass(frozen=True)
class ThresholdExclusion:
    """An exclusion on a column: sites where ``column > above`` are ineligible."""

    column: str
    above: float
    reason: str


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)


def parse_rasters(spec: Any, base: Path | None, add: Any) -> tuple[RasterSpec, ...]:
    """Validate ``[[rasters]]``; ``add(key, text)`` records each problem."""
    if not isinstance(spec, list):
        add("rasters", 'must be an array of tables: [[rasters]] name = "slope" ...')
        return ()
    out = []
    for i, item in enumerate(spec):
        key = f"rasters[{i}]"
        if not isinstance(item, Mapping):
            add(key, "must be a table with name and path")
            continue
        ok = True
        for k in item:
            if k not in _RASTER:
                add(f"{key}.{k}", f"unknown key; allowed keys: {', '.join(_RASTER)}")
                ok = False
        name = item.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            add(
                f"{key}.name",
                f'must be a short identifier such as "slope", got {name!r}',
            )
            ok = False
        raw = item.get("path")
        path = None
        if not isinstance(raw, str) or not raw.strip():
            add(f"{key}.path", f'is required: path = "dem.tif", got {raw!r}')
            ok = False
        else:
            path = Path(raw)
            if base is not None and not path.is_absolute():
                path = base / path
            if not path.is_file():
                add(
                    f"{key}.path",
                    f"{str(path)!r} does not exist. Fix: give a "
                    "path relative to the scenario file",
                )
                ok = False
        derive = item.get("derive")
        if derive is not None and derive not in DERIVE:
            add(f"{key}.derive", f"{derive!r} is unknown; allowed: {', '.join(DERIVE)}")
            ok = False
        stats = item.get("stats", ["mean", "max"])
        if (
            not isinstance(stats, list)
            or not stats
            or any(s not in ZONAL_STATS for s in stats)
        ):
            add(
                f"{key}.stats",
                f"must be a list drawn from {list(ZONAL_STATS)}, got {stats!r}",
            )
            ok = False
        above = item.get("above", [])
        if not isinstance(above, list) or not all(_is_number(v) for v in above):
            add(f"{key}.above", f"must be a list of numbers such as [8], got {above!r}")
            ok = False
        if ok and path is not None and isinstance(name, str):
            out.append(
                RasterSpec(
                    name, path, derive, tuple(stats), tuple(float(v) for v in above)
                )
            )
    names = [r.name for r in out]
    for n in {n for n in names if names.count(n) > 1}:
        add("rasters", f"name {n!r} is used twice; give each raster its own name")
    return tuple(out)


def parse_roads(spec: Any, base: Path | None, add: Any) -> RoadSpec | None:
    """Validate the ``[roads]`` table."""
    if not isinstance(spec, Mapping):
        add("roads", 'must be a table: [roads] targets = ["settlements"]')
        return None
    ok = True
    for k in spec:
        if k not in _ROADS:
            add(f"roads.{k}", f"unknown key; allowed keys: {', '.join(_ROADS)}")
            ok = False
    file = None
    if "file" in spec:
        file = Path(str(spec["file"]))
        if base is not None and not file.is_absolute():
            file = base / file
        if not file.exists():
            add("roads.file", f"{str(file)!r} does not exist")
            ok = False
    layer = spec.get("layer")
    speeds = spec.get("speeds", {})
    if not isinstance(speeds, Mapping) or not all(
        _is_number(v) and 0 < v <= 200 for v in speeds.values()
    ):
        add("roads.speeds", f"must be a table of km/h in (0, 200], got {speeds!r}")
        ok = False
    off = spec.get("offroad_speed_kmh", 20.0)
    if not _is_number(off) or not 0 < off <= 100:
        add("roads.offroad_speed_kmh", f"must be km/h in (0, 100], got {off!r}")
        ok = False
    minutes = spec.get("labour_minutes")
    if minutes is not None and (not _is_number(minutes) or not 0 < minutes <= 600):
        add("roads.labour_minutes", f"must be minutes in (0, 600], got {minutes!r}")
        ok = False
    targets = spec.get("targets", [])
    allowed = ("settlements", *INFRA_KINDS)
    if not isinstance(targets, list) or any(t not in allowed for t in targets):
        add(
            "roads.targets",
            f"must be a list drawn from {list(allowed)}, got {targets!r}",
        )
        ok = False
    if ok and not targets and minutes is None:
        add(
            "roads",
            'gives no criterion: add targets = ["settlements"] or labour_minutes = 30',
        )
        ok = False
    if not ok:
        return None
    return RoadSpec(
        file,
        layer,
        dict(speeds),
        float(off),
        None if minutes is None else float(minutes),
        tuple(targets),
    )


def parse_threshold_exclusions(
    items: Sequence[tuple[int, Any]],
    known: Sequence[str],
    rasters: Sequence[RasterSpec],
    add: Any,
) -> tuple[ThresholdExclusion, ...]:
    """Validate ``[[exclusions]]`` entries with a ``column`` (raster thresholds)."""
    out = []
    for i, item in items:
        key = f"exclusions[{i}]"
        ok = True
        for k in item:
            if k not in _THRESHOLD:
                add(
                    f"{key}.{k}",
                    f"unknown key for a threshold exclusion; allowed "
                    f"keys: {', '.join(_THRESHOLD)}",
                )
                ok = False
        col = item.get("column")
        if col not in known:
            add(
                f"{key}.column",
                f"{col!r} is not a computed column; choose from: {', '.join(known)}",
            )
            ok = False
        above = item.get("above")
        if not _is_number(above):
            add(f"{key}.above", f"must be a number such as 0.2, got {above!r}")
            ok = False
        reason = item.get("reason") or item.get("name")
        if reason is None and isinstance(col, str):
            reason = next(
                (r.name for r in rasters if col.startswith(f"{r.name}_")), col
            )
        if not isinstance(reason, str) or not reason.strip():
            add(f"{key}.reason", f"must be a non-empty string, got {reason!r}")
            ok = False
        if ok:
            out.append(ThresholdExclusion(str(col), float(above), str(reason)))
    return tuple(out)


def terrain_travel_columns(
    rasters: Sequence[RasterSpec], roads: RoadSpec | None
) -> list[str]:
    """Criterion columns the rasters and roads of a scenario add."""
    cols = [c for r in rasters for c in r.columns()]
    return cols + (roads.columns() if roads is not None else [])


def _road_lines(roads: RoadSpec, dataset: Dataset) -> gpd.GeoDataFrame:
    if roads.file is not None:
        from zonegeo.io.files import read_infrastructure

        opts = {"layer_name": roads.layer} if roads.layer else {}
        return read_infrastructure(roads.file, **opts)
    infra = dataset.infrastructure
    return infra[infra["kind"] == "road"]


def _targets(name: str, dataset: Dataset) -> gpd.GeoDataFrame:
    if name == "settlements":
        return dataset.settlements
    infra = dataset.infrastructure
    sel = infra[infra["kind"] == name]
    if not len(sel):
        msg = (
            f"roads.targets: the dataset has no infrastructure of kind {name!r}. "
            f"Fix: add it or remove {name!r} from targets"
        )
        raise ValidationError(msg)
    return sel


def add_terrain_and_travel(
    sites: gpd.GeoDataFrame,
    dataset: Dataset,
    *,
    rasters: Sequence[RasterSpec] = (),
    roads: RoadSpec | None = None,
) -> gpd.GeoDataFrame:
    """Add the raster and road criteria of a scenario to its candidate sites."""
    out = sites
    with tempfile.TemporaryDirectory(prefix="zonegeo-raster-") as tmp:
        for r in rasters:
            path = r.path
            if r.derive == "slope":
                path = terrain_slope(r.path, Path(tmp) / f"{r.name}.tif")
            out = zonal_stats(out, path, stats=r.stats, prefix=r.name, above=r.above)
    if roads is not None:
        lines = _road_lines(roads, dataset)
        net = road_network(lines, speeds=roads.speeds)
        for t in roads.targets:
            out = network_access(
                out,
                net,
                _targets(t, dataset),
                name=t,
                offroad_speed_kmh=roads.offroad_speed_kmh,
            )
        if roads.labour_minutes is not None:
            out = labour_within(
                out,
                net,
                dataset.settlements,
                minutes=roads.labour_minutes,
                offroad_speed_kmh=roads.offroad_speed_kmh,
            )
    return out


def _add_reason(
    sites: gpd.GeoDataFrame, hit: np.ndarray, reasons: Sequence[str] | str
) -> gpd.GeoDataFrame:
    out = sites.copy()
    texts = np.broadcast_to(np.asarray(reasons, dtype=object), (len(out),))
    old = out["excluded_because"].fillna("").astype(str).to_numpy()
    new = [
        (f"{o}; {r}" if o else r) if h else o
        for o, r, h in zip(old, texts, hit, strict=True)
    ]
    out["excluded_because"] = pd.array(new, dtype="string")
    out["eligible"] = out["eligible"].to_numpy(bool) & ~hit
    return out


def apply_thresholds(
    sites: gpd.GeoDataFrame, rules: Sequence[ThresholdExclusion]
) -> gpd.GeoDataFrame:
    """Make sites ineligible where a column exceeds its threshold."""
    for rule in rules:
        values = sites[rule.column].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            hit = values > rule.above
        sites = _add_reason(sites, hit, rule.reason)
    return sites


def exclude_missing(
    sites: gpd.GeoDataFrame, columns: Sequence[str]
) -> gpd.GeoDataFrame:
    """Make eligible sites with NaN in a criterion column ineligible, saying why."""
    for col in columns:
        if col not in sites.columns:
            continue
        values = sites[col].to_numpy(dtype=float, na_value=np.nan)
        hit = np.isnan(values) & sites["eligible"].to_numpy(bool)
        if not hit.any():
            continue
        note_col = _note_column(col, sites)
        if note_col is not None:
            notes = sites[note_col].fillna("").astype(str).to_numpy()
            reasons = [f"{col}: {n or 'no value'}" for n in notes]
        else:
            reasons = [f"{col}: no valid raster cell"] * len(sites)
        sites = _add_reason(sites, hit, reasons)
    return sites


def _note_column(col: str, sites: pd.DataFrame) -> str | None:
    if col.startswith("road_"):
        name = col.split("_", 2)[2].rsplit("_", 1)[0]
        c = f"road_note_{name}"
        return c if c in sites.columns else None
    if col.startswith("labour_"):
        c = col.replace("labour_", "labour_note_", 1)
        return c if c in sites.columns else None
    return None
