"""Scenario files: one TOML file per siting decision, validated before it runs.

A planner keeps a decision in a TOML file (see ``scenarios/`` and
``docs/ranking.md``)::

    name = "Sauran: 50 ha for a class III plant"
    district = "Sauran"
    area_ha = 50
    hazard_class = "III"
    method = "topsis"

    [[criteria]]
    column = "dist_gas_m"
    better = "lower"
    weight = 3

:func:`load_scenario` reads and validates it into a frozen :class:`Scenario`
(every problem is reported at once, each naming its key and the fix);
:func:`run_scenario` builds the candidates, ranks them and returns the table.

Keys
----
``name`` (str), ``description`` (str), ``district`` (str, required),
``area_ha`` (number > 0, required), ``hazard_class`` (1-5 or "I"-"V"),
``method`` ("topsis" or "wsm"); ``[candidates]`` with ``shape``,
``max_candidates``, ``free_plots``, ``keep_excluded``, ``labour_radius_km``,
``kinds``, ``exclude_taken``;
``[sanitary_widths]`` (metres by class, e.g. ``III = 400``);
``[[criteria]]`` with ``column``, ``better`` and ``weight`` (weights are
omitted when an ``[ahp]`` table gives ``matrix`` (rows and columns in the
order of the criteria; fractions as strings such as ``"1/3"``) and optionally
``allow_inconsistent``); ``[[exclusions]]`` with ``name``, ``reason``,
``buffer_m`` and either ``wkt`` (with ``crs``, default EPSG:4326) or ``file``
(relative to the scenario file; ``layer`` names a layer of a multi-layer
GeoPackage, ``crs`` is the CRS of a file that carries none, and ``name`` /
``reason`` replace the file's own); ``[unit_costs]`` (passed to
:func:`zonegeo.connection_costs`); ``[stability]`` with ``n``, ``spread``,
``seed`` to add :func:`zonegeo.rank_stability` columns.

Every number must be finite and within its range (:data:`LIMITS`: e.g. a
weight from 0 to 1,000,000, ``[stability] n`` up to 100,000 and ``spread``
up to 1), and an AHP judgement within Saaty's scale 1/9 to 9; anything else
is refused naming the key. Given the dataset, :func:`load_scenario` also
checks the district, so one error lists every problem of the file.
"""

from __future__ import annotations

import difflib
import logging
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.schema import INFRA_KINDS
from zonegeo.siting.candidates import SHAPES, candidate_sites, labour_column
from zonegeo.siting.criteria import BETTER, Criterion, hazard_class_number, roman
from zonegeo.siting.ranking import (
    MAX_STABILITY_DRAWS,
    MAX_STABILITY_SPREAD,
    METHODS,
    AHPResult,
    Method,
    ahp_weights,
    rank,
    rank_stability,
)

__all__ = [
    "AHP_SCALE",
    "LIMITS",
    "Scenario",
    "StabilitySpec",
    "criterion_columns",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]

log = logging.getLogger(__name__)

_TOP = (
    "name",
    "description",
    "district",
    "area_ha",
    "hazard_class",
    "method",
    "candidates",
    "sanitary_widths",
    "criteria",
    "ahp",
    "exclusions",
    "unit_costs",
    "stability",
)
_CANDIDATES = (
    "shape",
    "max_candidates",
    "free_plots",
    "keep_excluded",
    "labour_radius_km",
    "kinds",
    "exclude_taken",
)
_CRITERION = ("column", "better", "weight")
_AHP = ("matrix", "allow_inconsistent")
_EXCLUSION = ("name", "reason", "buffer_m", "wkt", "crs", "file", "layer")
_STABILITY = ("n", "spread", "seed")

#: Largest value of each number in a scenario file. Every number must also be
#: finite; a value outside its range is refused, naming the key, because it
#: would otherwise change the ranking without a word (a weight of 1e308
#: overflows, a spread of 10 saturates the draws, n = 1e9 exhausts memory).
LIMITS: MappingProxyType[str, float] = MappingProxyType(
    {
        "area_ha": 100_000.0,  # 1,000 km2; the target area of one site
        "candidates.max_candidates": 1_000_000,
        "candidates.labour_radius_km": 500.0,
        "sanitary_widths": 20_000.0,  # metres
        "criteria.weight": 1_000_000.0,  # weights are relative: only ratios count
        "exclusions.buffer_m": 50_000.0,
        "stability.n": MAX_STABILITY_DRAWS,
        "stability.spread": MAX_STABILITY_SPREAD,
        "unit_costs": 1e12,  # tenge, per km or fixed
    }
)
#: Saaty's scale: a pairwise judgement lies between 1/9 and 9.
AHP_SCALE = (1 / 9, 9.0)


def criterion_columns(
    labour_radius_km: float = 10.0, kinds: tuple[str, ...] = INFRA_KINDS
) -> list[str]:
    """Columns :func:`zonegeo.candidate_sites` computes, usable as criteria.

    Examples
    --------
    >>> criterion_columns(15, ("gas",))
    ['area_ha', 'dist_settlement_m', 'dist_centre_m', 'population_within_15km', \
'dist_gas_m', 'cost_gas_kzt', 'cost_total_kzt']
    """
    cols = [
        "area_ha",
        "dist_settlement_m",
        "dist_centre_m",
        labour_column(labour_radius_km),
    ]
    cols += [f"dist_{k}_m" for k in kinds]
    cols += [f"cost_{k}_kzt" for k in kinds if k != "rail"]  # railways: no cost
    return [*cols, "cost_total_kzt"]


@dataclass(frozen=True)
class StabilitySpec:
    """Settings of :func:`zonegeo.rank_stability` in a scenario."""

    n: int = 1000
    spread: float = 0.2
    seed: int | None = 0


@dataclass(frozen=True)
class Scenario:
    """A validated siting decision (build it with :func:`load_scenario`).

    Attributes
    ----------
    name, description : str
        What the decision is about.
    district : str
        District to search.
    area_ha : float
        Target site area, hectares.
    criteria : tuple of Criterion
        With their final weights (from the file, or from the AHP matrix).
    method : {"topsis", "wsm"}
        Ranking method.
    hazard_class : int or None
        1-5 (I-V); sets the sanitary zone.
    shape, max_candidates, free_plots, keep_excluded, labour_radius_km, kinds
    exclude_taken
        Passed to :func:`zonegeo.candidate_sites`.
    sanitary_widths : mapping or None
        Overrides of the sanitary zone widths by class.
    exclusions : GeoDataFrame or None
        Extra exclusion polygons.
    unit_costs : mapping or None
        Passed to :func:`zonegeo.connection_costs`.
    ahp : AHPResult or None
        When the weights came from a pairwise comparison matrix.
    stability : StabilitySpec or None
        Adds rank-stability columns when set.
    source : str
        The file the scenario was read from.
    """

    name: str
    district: str
    area_ha: float
    criteria: tuple[Criterion, ...]
    method: Method = "topsis"
    description: str = ""
    hazard_class: int | None = None
    shape: str = "hexagon"
    max_candidates: int = 2000
    free_plots: bool = True
    keep_excluded: bool = True
    exclude_taken: bool = True
    labour_radius_km: float = 10.0
    kinds: tuple[str, ...] | None = None
    sanitary_widths: Mapping[int, float] | None = None
    exclusions: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)
    unit_costs: Mapping[str, Any] | None = field(default=None, compare=False)
    ahp: AHPResult | None = field(default=None, compare=False, repr=False)
    stability: StabilitySpec | None = None
    source: str = ""


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, key: str, text: str) -> None:
        self.items.append(f"{key}: {text}")

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            msg = (
                f"{self.source}: {n} problem{'s' if n > 1 else ''} in the scenario\n"
                + "\n".join(f"  - {p}" for p in self.items)
            )
            raise ValidationError(msg)


def _unknown_keys(
    table: Mapping[str, Any], allowed: tuple[str, ...], where: str, problems: _Problems
) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.add(
                f"{where}{key}",
                f"unknown key; {hint}allowed keys: {', '.join(allowed)}",
            )


def _fmt_limit(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _number(
    value: Any,
    key: str,
    problems: _Problems,
    *,
    positive: bool = True,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    example: str | None = None,
) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and not math.isfinite(float(value)):
        ok = False
    if ok and integer and not float(value).is_integer():
        ok = False
    if ok and positive and value <= 0:
        ok = False
    if ok and minimum is not None and value < minimum:
        ok = False
    if ok and maximum is not None and value > maximum:
        ok = False
    if not ok:
        kind = "a whole number" if integer else "a number"
        cond = (
            " > 0" if positive else (f" >= {minimum:g}" if minimum is not None else "")
        )
        if maximum is not None:
            cond += f" and <= {_fmt_limit(maximum)}"
        fix = example or f"{key.split('.')[-1]} = {'10' if integer else '50'}"
        problems.add(key, f"must be {kind}{cond}, got {value!r}. Fix: write e.g. {fix}")
        return None
    return float(value)


def _text(
    value: Any, key: str, problems: _Problems, *, required: bool = False
) -> str | None:
    if value is None:
        if required:
            problems.add(key, f'is required. Fix: add {key} = "..."')
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(
            key, f'must be a non-empty string, got {value!r}. Fix: {key} = "..."'
        )
        return None
    return value.strip()


def _bool(value: Any, key: str, problems: _Problems) -> bool | None:
    if not isinstance(value, bool):
        problems.add(key, f"must be true or false, got {value!r}")
        return None
    return value


def _fraction(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(Fraction(value.strip()))
    raise ValueError


def _parse_ahp(
    spec: Any, labels: list[str], problems: _Problems, *, compute: bool
) -> AHPResult | None:
    """Check the [ahp] table; derive the weights when ``compute`` (criteria valid)."""
    if not isinstance(spec, Mapping):
        problems.add("ahp", "must be a table: [ahp] with matrix = [[...], ...]")
        return None
    _unknown_keys(spec, _AHP, "ahp.", problems)
    allow = spec.get("allow_inconsistent", False)
    if _bool(allow, "ahp.allow_inconsistent", problems) is None:
        allow = False
    matrix = spec.get("matrix")
    n = len(labels)
    if (
        not isinstance(matrix, list)
        or len(matrix) != n
        or not all(isinstance(r, list) and len(r) == n for r in matrix)
    ):
        problems.add(
            "ahp.matrix",
            f"must be a {n}x{n} list of rows, one row and column per "
            f"criterion in the order {labels}",
        )
        return None
    low, high = AHP_SCALE
    values = []
    ok = True
    for i, row in enumerate(matrix):
        out_row = []
        for j, v in enumerate(row):
            key = f"ahp.matrix[{i}][{j}]"
            try:
                x = _fraction(v)
            except (ValueError, ZeroDivisionError):
                problems.add(key, f'{v!r} is not a number or a fraction such as "1/3"')
                ok = False
                continue
            if not math.isfinite(x) or x <= 0:
                problems.add(
                    key,
                    f"{v!r} is not a positive finite number; a judgement is "
                    f'a number or fraction from 1/9 to 9, e.g. 3 or "1/3"',
                )
                ok = False
            elif not low * (1 - 1e-9) <= x <= high * (1 + 1e-9):
                problems.add(
                    key,
                    f"{v!r} is outside Saaty's scale 1/9 to 9; a judgement says "
                    f'how many times one criterion matters more, e.g. 3 or "1/3"',
                )
                ok = False
            out_row.append(x)
        values.append(out_row)
    if not ok or not compute:
        return None
    try:
        return ahp_weights(values, labels, allow_inconsistent=allow)
    except ValidationError as exc:
        problems.add("ahp.matrix", str(exc))
        return None


def _parse_exclusions(
    spec: Any, base: Path | None, problems: _Problems
) -> gpd.GeoDataFrame | None:
    from zonegeo.io.files import read_exclusions

    if not isinstance(spec, list):
        problems.add("exclusions", "must be an array of tables: [[exclusions]]")
        return None
    frames = []
    for i, item in enumerate(spec):
        key = f"exclusions[{i}]"
        if not isinstance(item, Mapping):
            problems.add(key, "must be a table with name, reason and wkt or file")
            continue
        _unknown_keys(item, _EXCLUSION, f"{key}.", problems)
        has_wkt, has_file = "wkt" in item, "file" in item
        if has_wkt == has_file:
            problems.add(
                key,
                'give exactly one of wkt = "POLYGON ((lon lat, ...))" or '
                'file = "path/to/layer.gpkg"',
            )
            continue
        buffer_m = item.get("buffer_m", 0.0)
        buffer_ok = (
            _number(
                buffer_m,
                f"{key}.buffer_m",
                problems,
                positive=False,
                minimum=0,
                maximum=LIMITS["exclusions.buffer_m"],
                example="buffer_m = 100",
            )
            is not None
        )
        if has_file:
            read_opts: dict[str, Any] = {}
            if "layer" in item:
                layer_name = _text(item["layer"], f"{key}.layer", problems)
                if layer_name is None:
                    continue
                read_opts["layer_name"] = layer_name
            if "crs" in item:
                read_opts["crs"] = item["crs"]  # for a file that carries none (CSV)
            texts = {
                k: _text(item[k], f"{key}.{k}", problems)
                for k in ("name", "reason")
                if k in item
            }
            if not isinstance(item["file"], str) or not item["file"].strip():
                problems.add(
                    f"{key}.file",
                    f'must be a path such as "areas.gpkg", got {item["file"]!r}',
                )
                continue
            path = Path(item["file"])
            if base is not None and not path.is_absolute():
                path = base / path
            if not path.exists():
                problems.add(
                    f"{key}.file",
                    f"{str(path)!r} does not exist. Fix: give a path "
                    f"relative to the scenario file",
                )
                continue
            try:
                layer = read_exclusions(path, **read_opts)
            except ValidationError as exc:
                problems.add(
                    f"{key}.layer" if "layer" in item else f"{key}.file", str(exc)
                )
                continue
            if not buffer_ok or None in texts.values():
                continue
            for k, text in texts.items():
                layer[k] = text
            if "buffer_m" in item:
                layer["buffer_m"] = float(buffer_m)
            frames.append(layer)
            continue
        if "layer" in item:
            problems.add(
                f"{key}.layer",
                'is the layer of a file; give it with file = "...", '
                "or delete it for wkt",
            )
        name = _text(item.get("name"), f"{key}.name", problems, required=True)
        reason = _text(item.get("reason"), f"{key}.reason", problems, required=True)
        import numpy as np

        try:
            with np.errstate(invalid="ignore"):  # NaN: validation names it below
                geom = shapely.from_wkt(item["wkt"])
        except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
            problems.add(
                f"{key}.wkt",
                f"cannot read the WKT ({exc}). Fix: write "
                f"POLYGON ((lon lat, lon lat, ...)) with the ring closed",
            )
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            problems.add(
                f"{key}.wkt", f"must be a Polygon or MultiPolygon, got {geom.geom_type}"
            )
            continue
        crs = item.get("crs", "EPSG:4326")
        try:
            frame = gpd.GeoDataFrame(
                {
                    "name": [name],
                    "reason": [reason],
                    "buffer_m": [float(buffer_m) if buffer_ok else 0.0],
                },
                geometry=[geom],
                crs=crs,
            )
        except pyproj.exceptions.CRSError as exc:
            problems.add(f"{key}.crs", f"{crs!r} is not a CRS pyproj knows ({exc})")
            continue
        if name is None or reason is None or not buffer_ok:
            continue
        from zonegeo.io.validate import validate_layer

        try:
            frames.append(validate_layer(frame, "exclusions", source=key))
        except ValidationError as exc:
            problems.add(f"{key}.wkt", str(exc))
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)


def parse_scenario(
    data: Mapping[str, Any],
    *,
    source: str = "scenario",
    base_dir: str | Path | None = None,
    dataset: Dataset | None = None,
) -> Scenario:
    """Validate a scenario given as a mapping (the parsed TOML).

    Parameters
    ----------
    data : mapping
        The scenario's keys (see the module docstring).
    source : str
        Name used in error messages (the file name).
    base_dir : path, optional
        Folder that relative ``exclusions[].file`` paths start from.
    dataset : Dataset, optional
        The data the scenario will run on; when given, ``district`` is
        checked against its districts too, in the same list of problems.

    Returns
    -------
    Scenario

    Raises
    ------
    ValidationError
        Listing every problem, each as ``key: what is wrong. Fix: ...``.
        Every number must be finite and within :data:`LIMITS`; an AHP
        judgement within Saaty's scale 1/9 to 9.

    Examples
    --------
    >>> s = parse_scenario({"district": "Sauran", "area_ha": 50, "criteria": [
    ...     {"column": "dist_gas_m", "better": "lower", "weight": 2},
    ...     {"column": "area_ha", "better": "higher"}]})
    >>> [(c.column, c.weight) for c in s.criteria]
    [('dist_gas_m', 2.0), ('area_ha', 1.0)]
    """
    problems = _Problems(source)
    if not isinstance(data, Mapping):
        problems.add("(top level)", "the scenario must be a TOML table of keys")
        problems.raise_if_any()
    _unknown_keys(data, _TOP, "", problems)
    district = _text(data.get("district"), "district", problems, required=True)
    if district is not None and dataset is not None:
        try:
            district = dataset.check_district(district)
        except ValidationError as exc:
            problems.add("district", str(exc))
    if "area_ha" not in data:
        problems.add("area_ha", "is required. Fix: add area_ha = 50 (hectares)")
        area = None
    else:
        area = _number(data["area_ha"], "area_ha", problems, maximum=LIMITS["area_ha"])
    name = _text(data.get("name", district or "scenario"), "name", problems) or ""
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.add("description", "must be a string")
        description = ""
    hazard = None
    if "hazard_class" in data:
        try:
            hazard = hazard_class_number(data["hazard_class"])
        except ValidationError as exc:
            problems.add("hazard_class", f'{exc}. Fix: hazard_class = "III"')
    method = data.get("method", "topsis")
    if method not in METHODS:
        close = difflib.get_close_matches(str(method).lower(), METHODS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        problems.add(
            "method",
            f"unknown method {method!r}; valid methods: {', '.join(METHODS)}.{hint}",
        )

    cand = data.get("candidates", {})
    opts: dict[str, Any] = {}
    if not isinstance(cand, Mapping):
        problems.add("candidates", "must be a table: [candidates]")
        cand = {}
    _unknown_keys(cand, _CANDIDATES, "candidates.", problems)
    if "shape" in cand:
        if cand["shape"] in SHAPES:
            opts["shape"] = cand["shape"]
        else:
            problems.add(
                "candidates.shape",
                f"{cand['shape']!r} is not a tile shape; use "
                f"one of: {', '.join(SHAPES)}",
            )
    if "max_candidates" in cand:
        v = _number(
            cand["max_candidates"],
            "candidates.max_candidates",
            problems,
            integer=True,
            maximum=LIMITS["candidates.max_candidates"],
        )
        if v is not None:
            opts["max_candidates"] = int(v)
    for key in ("free_plots", "keep_excluded", "exclude_taken"):
        if key in cand and _bool(cand[key], f"candidates.{key}", problems) is not None:
            opts[key] = cand[key]
    if "labour_radius_km" in cand:
        v = _number(
            cand["labour_radius_km"],
            "candidates.labour_radius_km",
            problems,
            maximum=LIMITS["candidates.labour_radius_km"],
        )
        if v is not None:
            opts["labour_radius_km"] = v
    kinds: tuple[str, ...] = INFRA_KINDS
    if "kinds" in cand:
        ks = cand["kinds"]
        if not isinstance(ks, list) or not ks or any(k not in INFRA_KINDS for k in ks):
            problems.add(
                "candidates.kinds",
                f"must be a list drawn from {list(INFRA_KINDS)}, got {ks!r}",
            )
        else:
            kinds = tuple(ks)
            opts["kinds"] = kinds

    widths = None
    if "sanitary_widths" in data:
        sw = data["sanitary_widths"]
        if not isinstance(sw, Mapping):
            problems.add(
                "sanitary_widths", "must be a table, e.g. [sanitary_widths] III = 400"
            )
        else:
            widths = {}
            for k, v in sw.items():
                try:
                    cls = hazard_class_number(str(k))
                except ValidationError:
                    problems.add(
                        f"sanitary_widths.{k}", "is not a hazard class; use I-V"
                    )
                    continue
                w = _number(
                    v,
                    f"sanitary_widths.{k}",
                    problems,
                    positive=False,
                    minimum=0,
                    maximum=LIMITS["sanitary_widths"],
                    example=f"{k} = 400",
                )
                if w is not None:
                    widths[cls] = w

    # Criteria.
    crit_specs: list[dict[str, Any]] = []
    raw = data.get("criteria")
    known = criterion_columns(opts.get("labour_radius_km", 10.0), kinds)
    if not isinstance(raw, list) or not raw:
        problems.add(
            "criteria",
            "at least one [[criteria]] table is required, e.g. "
            '[[criteria]] column = "dist_gas_m" better = "lower" weight = 1',
        )
        raw = []
    uses_ahp = "ahp" in data
    labels: list[str] = []
    for i, item in enumerate(raw):
        key = f"criteria[{i}]"
        if not isinstance(item, Mapping):
            problems.add(key, "must be a table with column, better and weight")
            labels.append(key)
            continue
        _unknown_keys(item, _CRITERION, f"{key}.", problems)
        # Check every key of the criterion, so all its problems come at once.
        ok = True
        col = item.get("column")
        labels.append(str(col) if isinstance(col, str) else key)
        if not isinstance(col, str) or col not in known:
            close = difflib.get_close_matches(str(col), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.add(
                f"{key}.column",
                f"{col!r} is not a column candidate_sites computes; "
                f"{hint}choose from: {', '.join(known)}",
            )
            ok = False
        better = item.get("better")
        if better not in BETTER:
            problems.add(
                f"{key}.better",
                f'must be "lower" or "higher", got {better!r}. '
                f'Fix: better = "lower" for distances and costs',
            )
            ok = False
        weight = 1.0
        if "weight" in item:
            if uses_ahp:
                problems.add(
                    f"{key}.weight",
                    "give weights either per criterion or by the "
                    "[ahp] matrix, not both. Fix: delete this weight or the [ahp] "
                    "table",
                )
                ok = False
            else:
                w = _number(
                    item["weight"],
                    f"{key}.weight",
                    problems,
                    positive=False,
                    minimum=0,
                    maximum=LIMITS["criteria.weight"],
                    example="weight = 2",
                )
                if w is None:
                    ok = False
                else:
                    weight = w
        if ok and any(c["column"] == col for c in crit_specs):
            problems.add(f"{key}.column", f"{col!r} is listed twice; keep one")
            ok = False
        if ok:
            crit_specs.append({"column": col, "better": better, "weight": weight})
    if (
        crit_specs
        and len(crit_specs) == len(raw)
        and not uses_ahp
        and sum(c["weight"] for c in crit_specs) <= 0
    ):
        problems.add(
            "criteria", "every weight is 0; give at least one criterion a weight > 0"
        )
    ahp = None
    if uses_ahp and raw:
        ahp = _parse_ahp(
            data["ahp"],
            labels,
            problems,
            compute=bool(crit_specs) and len(crit_specs) == len(raw),
        )
        if ahp is not None:
            for c in crit_specs:
                c["weight"] = float(ahp.weights[c["column"]])

    exclusions = None
    if "exclusions" in data:
        base = Path(base_dir) if base_dir is not None else None
        exclusions = _parse_exclusions(data["exclusions"], base, problems)

    unit_costs = data.get("unit_costs")
    if unit_costs is not None and not isinstance(unit_costs, Mapping):
        problems.add("unit_costs", "must be a table: [unit_costs]")
        unit_costs = None
    elif unit_costs is not None:
        from zonegeo.access.cost import load_unit_costs

        try:
            costs = load_unit_costs(dict(unit_costs))
        except ValidationError as exc:
            problems.add("unit_costs", str(exc).removeprefix("unit_costs: "))
            unit_costs = None
        else:
            top = LIMITS["unit_costs"]
            for kind, cost in costs.items():
                for attr in ("per_km_kzt", "fixed_kzt"):
                    value = getattr(cost, attr, None)
                    if isinstance(value, (int, float)) and value > top:
                        problems.add(
                            f"unit_costs.{kind}.{attr}",
                            f"{value:g} tenge is more than {_fmt_limit(top)}; "
                            f"check the number (a typo of several zeros?)",
                        )
                        unit_costs = None

    stability = None
    if "stability" in data:
        st = data["stability"]
        if not isinstance(st, Mapping):
            problems.add(
                "stability", "must be a table: [stability] n = 1000 spread = 0.2"
            )
        else:
            _unknown_keys(st, _STABILITY, "stability.", problems)
            n = _number(
                st.get("n", 1000),
                "stability.n",
                problems,
                integer=True,
                maximum=LIMITS["stability.n"],
                example="n = 1000",
            )
            spread = _number(
                st.get("spread", 0.2),
                "stability.spread",
                problems,
                positive=False,
                minimum=0,
                maximum=LIMITS["stability.spread"],
                example="spread = 0.2",
            )
            seed = st.get("seed", 0)
            if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
                problems.add(
                    "stability.seed", f"must be a whole number >= 0, got {seed!r}"
                )
            elif n is not None and spread is not None:
                stability = StabilitySpec(n=int(n), spread=spread, seed=seed)

    problems.raise_if_any()
    assert district is not None and area is not None
    criteria = tuple(
        Criterion(c["column"], c["weight"], better=c["better"]) for c in crit_specs
    )
    return Scenario(
        name=name,
        description=description,
        district=district,
        area_ha=area,
        hazard_class=hazard,
        method=cast("Method", method),
        criteria=criteria,
        sanitary_widths=MappingProxyType(widths) if widths else None,
        exclusions=exclusions,
        unit_costs=MappingProxyType(dict(unit_costs)) if unit_costs else None,
        ahp=ahp,
        stability=stability,
        source=source,
        **opts,
    )


def load_scenario(path: str | Path, *, dataset: Dataset | None = None) -> Scenario:
    """Read and validate a scenario TOML file.

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.
    dataset : Dataset, optional
        The data it will run on: an unknown ``district`` is then reported
        with the file's other problems, in one error.

    Returns
    -------
    Scenario

    Raises
    ------
    ValidationError
        If the file is missing, is not valid TOML (with the line), or any key
        is wrong (all problems listed, each naming the key and the fix).

    Examples
    --------
    >>> from zonegeo.siting.scenario import load_scenario
    >>> s = load_scenario("scenarios/sauran_50ha_topsis.toml")
    >>> s.district, s.method, s.hazard_class
    ('Sauran', 'topsis', 3)
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{p}: scenario file not found. Fix: check the path (see scenarios/)"
        raise ValidationError(msg)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML: {exc}. Fix: correct the syntax at that line"
        raise ValidationError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{p}: not a UTF-8 text file ({exc}); save it as UTF-8"
        raise ValidationError(msg) from exc
    return parse_scenario(data, source=str(p), base_dir=p.parent, dataset=dataset)


def run_scenario(scenario: Scenario, dataset: Dataset) -> gpd.GeoDataFrame:
    """Build the candidates of a scenario, rank them and return the ranking.

    Parameters
    ----------
    scenario : Scenario
        From :func:`load_scenario`.
    dataset : Dataset
        The region's layers.

    Returns
    -------
    GeoDataFrame
        The candidates (see :func:`zonegeo.candidate_sites`) with ``score``,
        ``rank``, ``contrib_<column>`` (and the stability columns when the
        scenario asks for them), sorted by rank with ineligible sites last.
        ``.attrs`` holds the candidates' and the ranking's records plus
        ``scenario`` (name, source, district, weights, and the AHP
        consistency when weights came from a matrix).

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.siting.scenario import load_scenario, run_scenario
    >>> s = load_scenario("scenarios/sauran_50ha_topsis.toml")
    >>> ranked = run_scenario(s, zonegeo.load_demo())
    >>> int(ranked["rank"].iloc[0])
    1
    """
    if not isinstance(scenario, Scenario):
        kind = type(scenario).__name__
        msg = f"run_scenario expects a Scenario (from load_scenario), got {kind}"
        raise TypeError(msg)
    opts: dict[str, Any] = {
        "shape": scenario.shape,
        "max_candidates": scenario.max_candidates,
        "free_plots": scenario.free_plots,
        "keep_excluded": scenario.keep_excluded,
        "exclude_taken": scenario.exclude_taken,
        "labour_radius_km": scenario.labour_radius_km,
    }
    if scenario.kinds is not None:
        opts["kinds"] = list(scenario.kinds)
    sites = candidate_sites(
        dataset,
        scenario.district,
        area_ha=scenario.area_ha,
        hazard_class=scenario.hazard_class,
        exclusions=scenario.exclusions,
        unit_costs=None if scenario.unit_costs is None else dict(scenario.unit_costs),
        sanitary_widths=scenario.sanitary_widths,
        **opts,
    )
    ranked = rank(sites, list(scenario.criteria), method=scenario.method)
    if scenario.stability is not None:
        st = scenario.stability
        ranked = rank_stability(
            ranked,
            list(scenario.criteria),
            method=scenario.method,
            n=st.n,
            spread=st.spread,
            seed=st.seed,
        )
    order = ranked["rank"].astype("Float64").fillna(math.inf).to_numpy(float)
    attrs = dict(ranked.attrs)
    ranked = ranked.iloc[order.argsort(kind="stable")].reset_index(drop=True)
    info: dict[str, Any] = {
        "name": scenario.name,
        "source": scenario.source,
        "district": scenario.district,
        "area_ha": scenario.area_ha,
        "hazard_class": None
        if scenario.hazard_class is None
        else roman(scenario.hazard_class),
        "method": scenario.method,
        "weights_from": "ahp" if scenario.ahp is not None else "criteria",
    }
    if scenario.ahp is not None:
        info["ahp"] = {
            "consistency_ratio": scenario.ahp.consistency_ratio,
            "consistency_index": scenario.ahp.consistency_index,
            "lambda_max": scenario.ahp.lambda_max,
            "random_index": scenario.ahp.random_index,
        }
    ranked.attrs = {**attrs, "scenario": info}
    return ranked
