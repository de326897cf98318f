"""Criteria and exclusion rules for site suitability.

A :class:`Criterion` names a column of a candidate table, its weight and
whether lower or higher values are better; :func:`zonegeo.rank` scores sites
on a list of them.

Exclusion rules decide which candidates may not host the project at all:
protected areas and other exclusion polygons (with an optional buffer),
existing industrial zones, plots already taken (any status but ``free``),
and the sanitary protection zone that an industrial
site of a given hazard class must keep from housing. :func:`exclusion_zones`
builds those zones, each with the text that explains it, and
:func:`apply_exclusions` marks the candidates that fall inside them with
``eligible=False`` and ``excluded_because``.

Sanitary protection zones
-------------------------
Kazakhstan classifies production facilities into five hazard classes, each
with a minimum width of the sanitary protection zone between the facility and
housing. :data:`SANITARY_WIDTHS_M` holds the widths of the classification
(class I 1,000 m, II 500 m, III 300 m, IV 100 m, V 50 m); :data:`SANITARY_SOURCE`
names the regulation. They are defaults: pass ``widths=`` to use others (for
example a width set by an approved project).
"""

from __future__ import annotations

import difflib
import logging
import math
from dataclasses import KW_ONLY, dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonegeo.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pyproj

__all__ = [
    "BETTER",
    "EXCLUSION_RULES",
    "SANITARY_SOURCE",
    "SANITARY_WIDTHS_M",
    "Criterion",
    "apply_exclusions",
    "exclusion_zones",
    "hazard_class_number",
    "roman",
    "sanitary_width_m",
]

log = logging.getLogger(__name__)

#: Allowed values of :attr:`Criterion.better`.
BETTER: tuple[str, ...] = ("lower", "higher")

#: Minimum width (metres) of the sanitary protection zone between a production
#: facility and housing, by hazard class (1 = class I, the most hazardous).
#: Source: :data:`SANITARY_SOURCE`. The regulation sets these as the smallest
#: widths of each class (class II spans 500-999 m, and so on); a project may be
#: assigned a wider zone.
SANITARY_WIDTHS_M: MappingProxyType[int, float] = MappingProxyType(
    {1: 1000.0, 2: 500.0, 3: 300.0, 4: 100.0, 5: 50.0}
)

#: Where :data:`SANITARY_WIDTHS_M` come from.
SANITARY_SOURCE: str = (
    "Sanitary Rules 'Sanitary and epidemiological requirements for sanitary "
    "protection zones of objects that are objects of impact on the human environment "
    "and health', approved by Order No. KR DSM-2 (ҚР ДСМ-2) of the Acting Minister of "
    "Health of the Republic of Kazakhstan of 11 January 2022 (state registration "
    "No. 26447; amended by Order No. 18 of 4 May 2024): sanitary classification of "
    "production facilities, minimum zone widths by hazard class"
)

#: Exclusion rules in the order their reasons are listed in ``excluded_because``.
EXCLUSION_RULES: tuple[str, ...] = (
    "exclusion",
    "sanitary",
    "existing_zone",
    "taken_plot",
)

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}
_MAX_REASONS = 3


@dataclass(frozen=True)
class Criterion:
    """One ranking criterion: a column, its weight and its direction.

    Parameters
    ----------
    column : str
        Column of the candidate table, e.g. ``"dist_gas_m"``.
    weight : float, default 1.0
        Relative importance, >= 0. Weights are normalised to sum to 1 when
        ranking, so only their ratios matter.
    better : {"lower", "higher"}
        Keyword-only and required: whether lower values (distances, costs) or
        higher values (area, labour supply) are better.

    Raises
    ------
    ValidationError
        If the weight is negative or not finite, or ``better`` is not one of
        ``"lower"``, ``"higher"``.

    Examples
    --------
    >>> from zonegeo import Criterion
    >>> Criterion("dist_gas_m", 3, better="lower")
    Criterion(column='dist_gas_m', weight=3.0, better='lower')
    """

    column: str
    weight: float = 1.0
    _: KW_ONLY
    better: Literal["lower", "higher"]

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            msg = f"Criterion column must be a non-empty string, got {self.column!r}"
            raise TypeError(msg)
        if isinstance(self.weight, bool) or not isinstance(
            self.weight, (int, float, np.number)
        ):
            msg = (
                f"weight of criterion {self.column!r} must be a number, "
                f"got {type(self.weight).__name__} {self.weight!r}"
            )
            raise TypeError(msg)
        weight = float(self.weight)
        if not math.isfinite(weight) or weight < 0:
            msg = (
                f"weight of criterion {self.column!r} is {self.weight!r}; weights "
                f"must be "
                f"finite and >= 0 (use 0 to switch a criterion off)"
            )
            raise ValidationError(msg)
        if self.better not in BETTER:
            close = difflib.get_close_matches(str(self.better), BETTER, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            msg = (
                f"criterion {self.column!r}: better={self.better!r} is not allowed; "
                f"use "
                f"better='lower' (distances, costs) or better='higher' (area, labour "
                f"supply).{hint}"
            )
            raise ValidationError(msg)
        object.__setattr__(self, "weight", weight)

    @property
    def higher_is_better(self) -> bool:
        """True when higher values are better."""
        return self.better == "higher"


def hazard_class_number(value: int | str) -> int:
    """Return the hazard class 1-5 from ``3``, ``"3"``, ``"III"`` or ``"class III"``.

    Raises
    ------
    ValidationError
        If the value is not a hazard class I-V.

    Examples
    --------
    >>> hazard_class_number("II"), hazard_class_number(4)
    (2, 4)
    """
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().upper().removeprefix("CLASS").strip()
        by_roman = {v: k for k, v in _ROMAN.items()}
        number = by_roman.get(text) or (int(text) if text.isdigit() else None)
    else:
        number = None
    if number not in _ROMAN:
        msg = (
            f"hazard class {value!r} is not one of the five classes of the sanitary "
            f"classification; use 1-5 or I-V (I is the most hazardous)"
        )
        raise ValidationError(msg)
    return number


def roman(hazard_class: int | str) -> str:
    """Return the Roman numeral of a hazard class (``3 -> "III"``)."""
    return _ROMAN[hazard_class_number(hazard_class)]


def sanitary_width_m(
    hazard_class: int | str, *, widths: Mapping[int, float] | None = None
) -> float:
    """Return the sanitary protection zone width (metres) for a hazard class.

    Parameters
    ----------
    hazard_class : int or str
        1-5 or I-V.
    widths : mapping, optional
        Widths by class number; defaults to :data:`SANITARY_WIDTHS_M`.

    Examples
    --------
    >>> sanitary_width_m("II")
    500.0
    >>> sanitary_width_m(2, widths={2: 700})
    700.0
    """
    number = hazard_class_number(hazard_class)
    table = SANITARY_WIDTHS_M if widths is None else widths
    if number not in table:
        msg = (
            f"no sanitary zone width for hazard class {_ROMAN[number]} in widths "
            f"{dict(table)}; give one for every class you use"
        )
        raise ValidationError(msg)
    width = float(table[number])
    if not math.isfinite(width) or width < 0:
        msg = (
            f"sanitary zone width for class {_ROMAN[number]} is {width!r}; "
            "it must be >= 0 m"
        )
        raise ValidationError(msg)
    return width


def _text(value: object, default: str) -> str:
    if (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
    ):
        return default
    text = str(value).strip()
    return text or default


def _fmt_m(metres: float) -> str:
    return f"{metres:,.0f} m" if float(metres).is_integer() else f"{metres:,.1f} m"


def exclusion_zones(
    *,
    crs: pyproj.CRS | str | int,
    exclusions: gpd.GeoDataFrame | None = None,
    settlements: gpd.GeoDataFrame | None = None,
    zones: gpd.GeoDataFrame | None = None,
    hazard_class: int | str | None = None,
    widths: Mapping[int, float] | None = None,
    plots: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Build the areas a new site must keep out of, each with its reason.

    Parameters
    ----------
    crs : CRS
        A metric CRS in which distances are measured (e.g. from
        :func:`zonegeo.metric_crs`).
    exclusions : GeoDataFrame, optional
        Polygons with ``name``, ``reason`` and optional ``buffer_m`` (the
        exclusions layer): a candidate closer than ``buffer_m`` to one, or
        overlapping it, is excluded.
    settlements : GeoDataFrame, optional
        Settlement points with ``name``; used only with ``hazard_class``.
    zones : GeoDataFrame, optional
        Existing industrial zones (``zone_id``, ``name``); new sites may not
        overlap them.
    hazard_class : int or str, optional
        Hazard class of the planned facility (1-5 or I-V). Candidates closer
        than the class's sanitary zone width to a settlement are excluded.
    widths : mapping, optional
        Sanitary zone widths by class; defaults to :data:`SANITARY_WIDTHS_M`.
    plots : GeoDataFrame, optional
        Land plots (``plot_id``, ``status``); every plot whose status is not
        ``free`` (allocated, under construction, operating, or missing) is
        taken land that new sites may not overlap.

    Returns
    -------
    GeoDataFrame
        In ``crs``, one row per zone, with ``rule`` (one of
        :data:`EXCLUSION_RULES`), ``distance_m`` (a candidate closer than this
        is excluded; 0 means "overlaps") and ``because`` (the text shown to the
        planner), e.g. ``sanitary zone class II (500 m) of settlement 'Shornak'``,
        ``existing zone 'Turkistan IZ' (Z-1)`` or ``allocated plot 'P-2'``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> plots = gpd.GeoDataFrame(
    ...     {"plot_id": ["P-1", "P-2", "P-4"],
    ...      "status": ["free", "allocated", "construction"]},
    ...     geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)],
    ...     crs=32642)
    >>> exclusion_zones(crs=32642, plots=plots)["because"].tolist()
    ["allocated plot 'P-2'", "plot 'P-4' under construction"]
    """
    parts: list[gpd.GeoDataFrame] = []
    if exclusions is not None and len(exclusions):
        if exclusions.crs is None:
            msg = (
                "exclusions have no CRS; set one with .set_crs() (lon/lat is EPSG:4326)"
            )
            raise ValidationError(msg)
        names = (
            exclusions["name"]
            if "name" in exclusions.columns
            else pd.Series([None] * len(exclusions), index=exclusions.index)
        )
        reasons = (
            exclusions["reason"]
            if "reason" in exclusions.columns
            else pd.Series([None] * len(exclusions), index=exclusions.index)
        )
        buffers = (
            pd.to_numeric(exclusions["buffer_m"], errors="coerce")
            if "buffer_m" in exclusions.columns
            else pd.Series(np.nan, index=exclusions.index)
        )
        bad = buffers.notna() & ((buffers < 0) | ~np.isfinite(buffers))
        if bad.any():
            rows = [
                _text(n, f"row {i}")
                for i, n in zip(buffers.index[bad], names[bad], strict=True)
            ]
            msg = (
                f"exclusions: buffer_m must be >= 0 m; found "
                f"{buffers[bad].tolist()} for {rows}"
            )
            raise ValidationError(msg)
        because = []
        for i, (name, reason, buf) in enumerate(
            zip(names, reasons, buffers.fillna(0.0), strict=True)
        ):
            text = (
                f"exclusion '{_text(name, f'#{i + 1}')}' "
                f"({_text(reason, 'excluded area')})"
            )
            if buf > 0:
                text += f" with its {_fmt_m(buf)} buffer"
            because.append(text)
        parts.append(
            gpd.GeoDataFrame(
                {
                    "rule": "exclusion",
                    "distance_m": buffers.fillna(0.0).to_numpy(float),
                    "because": because,
                },
                geometry=exclusions.geometry.to_crs(crs).to_numpy(),
                crs=crs,
            )
        )
    if hazard_class is not None and settlements is not None and len(settlements):
        width = sanitary_width_m(hazard_class, widths=widths)
        if width > 0:
            if settlements.crs is None:
                msg = "settlements have no CRS; set one with .set_crs()"
                raise ValidationError(msg)
            label = _ROMAN[hazard_class_number(hazard_class)]
            names = (
                settlements["name"]
                if "name" in settlements.columns
                else pd.Series([None] * len(settlements))
            )
            because = [
                f"sanitary zone class {label} ({_fmt_m(width)}) of settlement "
                f"'{_text(n, f'#{i + 1}')}'"
                for i, n in enumerate(names)
            ]
            parts.append(
                gpd.GeoDataFrame(
                    {"rule": "sanitary", "distance_m": width, "because": because},
                    geometry=settlements.geometry.to_crs(crs).to_numpy(),
                    crs=crs,
                )
            )
    if zones is not None and len(zones):
        if zones.crs is None:
            msg = "zones have no CRS; set one with .set_crs()"
            raise ValidationError(msg)
        names = (
            zones["name"] if "name" in zones.columns else pd.Series([None] * len(zones))
        )
        ids = (
            zones["zone_id"]
            if "zone_id" in zones.columns
            else pd.Series([None] * len(zones))
        )
        because = []
        for i, (name, zid) in enumerate(zip(names, ids, strict=True)):
            label = _text(name, _text(zid, f"#{i + 1}"))
            suffix = (
                f" ({_text(zid, '')})" if _text(zid, "") and _text(name, "") else ""
            )
            because.append(f"existing zone '{label}'{suffix}")
        parts.append(
            gpd.GeoDataFrame(
                {"rule": "existing_zone", "distance_m": 0.0, "because": because},
                geometry=zones.geometry.to_crs(crs).to_numpy(),
                crs=crs,
            )
        )
    if plots is not None and len(plots):
        parts.extend(_taken_plots(plots, crs))
    if not parts:
        return gpd.GeoDataFrame(
            {
                "rule": pd.Series([], dtype="string"),
                "distance_m": pd.Series([], dtype="float64"),
                "because": pd.Series([], dtype="string"),
            },
            geometry=gpd.GeoSeries([], crs=crs),
            crs=crs,
        )
    out = pd.concat(parts, ignore_index=True)
    out = out[~(out.geometry.isna() | out.geometry.is_empty)].reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs)


#: How a taken plot's status reads in ``excluded_because`` ({} is the plot id).
_TAKEN_TEXT = {
    "allocated": "allocated plot {}",
    "construction": "plot {} under construction",
    "operating": "operating plot {}",
}


def _taken_plots(
    plots: gpd.GeoDataFrame, crs: pyproj.CRS | str | int
) -> list[gpd.GeoDataFrame]:
    """Return the plots that are not free, as ``taken_plot`` exclusion zones."""
    if plots.crs is None:
        msg = "plots have no CRS; set one with .set_crs()"
        raise ValidationError(msg)
    if "status" not in plots.columns:
        msg = (
            "plots: no 'status' column, so taken plots cannot be told from free "
            f"ones; found {[str(c) for c in plots.columns]}. Fix: add the status "
            "(free, allocated, construction, operating) or pass exclude_taken=False"
        )
        raise SchemaError(msg)
    status = plots["status"].astype("string").str.strip().str.lower()
    taken = (status != "free").fillna(True).to_numpy(dtype=bool)
    if not taken.any():
        return []
    ids = (
        plots["plot_id"]
        if "plot_id" in plots.columns
        else pd.Series([None] * len(plots), index=plots.index)
    )
    because = []
    for i in np.flatnonzero(taken):
        label = f"'{_text(ids.iloc[i], f'#{i + 1}')}'"
        word = _text(status.iloc[i], "")
        other = f"taken plot {{}} (status {word or 'missing'})"
        because.append(_TAKEN_TEXT.get(word, other).format(label))
    return [
        gpd.GeoDataFrame(
            {"rule": "taken_plot", "distance_m": 0.0, "because": because},
            geometry=plots.geometry[taken].to_crs(crs).to_numpy(),
            crs=crs,
        )
    ]


def _pairs_within(
    geoms: np.ndarray, zones: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Return (candidate, zone) index pairs where a candidate breaks a zone's rule."""
    if len(zones) == 0 or len(geoms) == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    zgeom = zones.geometry.to_numpy()
    dist = zones["distance_m"].to_numpy(float)
    tree = shapely.STRtree(zgeom)
    reach = float(dist.max()) if len(dist) else 0.0
    if reach > 0:
        cand, zone = tree.query(geoms, predicate="dwithin", distance=reach)
    else:
        cand, zone = tree.query(geoms, predicate="intersects")
    if len(cand) == 0:
        return cand, zone
    d = dist[zone]
    a, b = geoms[cand], zgeom[zone]
    positive = d > 0
    hit = np.zeros(len(cand), dtype=bool)
    if positive.any():
        hit[positive] = shapely.distance(a[positive], b[positive]) < d[positive]
    overlap = ~positive
    if overlap.any():
        # Overlapping interiors; a shared edge is not an overlap.
        hit[overlap] = shapely.intersects(a[overlap], b[overlap]) & ~shapely.touches(
            a[overlap], b[overlap]
        )
    return cand[hit], zone[hit]


def apply_exclusions(
    candidates: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    eligible_col: str = "eligible",
    because_col: str = "excluded_because",
) -> gpd.GeoDataFrame:
    """Mark candidates that fall inside exclusion zones.

    Parameters
    ----------
    candidates : GeoDataFrame
        Candidate sites, any CRS.
    zones : GeoDataFrame
        From :func:`exclusion_zones`.
    eligible_col, because_col : str
        Names of the output columns.

    Returns
    -------
    GeoDataFrame
        A copy of ``candidates`` with ``eligible`` (bool; an existing
        ``eligible == False`` is kept) and ``excluded_because`` (the reasons,
        ``"; "``-separated in the order of :data:`EXCLUSION_RULES`, at most
        three and "and N more"; empty for eligible sites).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> sites = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 100), box(0, 900, 100, 1000)],
    ...                          crs=32642)
    >>> village = gpd.GeoDataFrame({"name": ["Shornak"]}, geometry=[Point(50, 1300)],
    ...                            crs=32642)
    >>> z = exclusion_zones(crs=32642, settlements=village, hazard_class=2)
    >>> apply_exclusions(sites, z)["excluded_because"].tolist()
    ['', "sanitary zone class II (500 m) of settlement 'Shornak'"]
    """
    if candidates.crs is None:
        msg = "candidates have no CRS; set one with .set_crs()"
        raise ValidationError(msg)
    if eligible_col in candidates.columns:
        prior = candidates[eligible_col]
        bad = ~prior.isin([True, False]) | prior.isna()
        if bad.any():
            msg = (
                f"column {eligible_col!r} must hold True/False only; found "
                f"{', '.join(sorted({repr(v) for v in prior[bad]})[:5])}"
            )
            raise SchemaError(msg)
        eligible = prior.astype(bool).to_numpy().copy()
    else:
        eligible = np.ones(len(candidates), dtype=bool)
    reasons: list[list[tuple[int, str]]] = [[] for _ in range(len(candidates))]
    if because_col in candidates.columns:
        for i, text in enumerate(candidates[because_col]):
            if isinstance(text, str) and text:
                reasons[i].append((-1, text))
    geoms = (
        candidates.geometry.to_crs(zones.crs).to_numpy() if len(zones) else np.array([])
    )
    cand, zone = _pairs_within(geoms, zones)
    order = {r: k for k, r in enumerate(EXCLUSION_RULES)}
    rules = zones["rule"].to_numpy() if len(zones) else np.array([])
    texts = zones["because"].to_numpy() if len(zones) else np.array([])
    for c, z in zip(cand, zone, strict=True):
        reasons[c].append((order.get(rules[z], len(order)), str(texts[z])))
        eligible[c] = False
    out_text = []
    for rs in reasons:
        rs = sorted(set(rs), key=lambda t: (t[0], t[1]))
        shown = [t for _, t in rs[:_MAX_REASONS]]
        if len(rs) > _MAX_REASONS:
            shown.append(f"and {len(rs) - _MAX_REASONS} more")
        out_text.append("; ".join(shown))
    out = candidates.copy()
    out[eligible_col] = eligible
    out[because_col] = pd.Series(out_text, index=candidates.index, dtype="string")
    return out
