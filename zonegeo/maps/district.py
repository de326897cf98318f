"""Interactive district and region maps (Folium / Leaflet) that also work offline.

:func:`district_map` draws one district: its boundary, zones by kind, plots
coloured by status (idle plots marked) or by any numeric column,
infrastructure by kind, settlements, ranked candidate sites and sanitary
buffers, each a layer that can be switched on and off; with a legend, a title,
a scale bar, a fullscreen button, a distance-measure tool and a minimap.
:func:`region_map` draws every district, each linking to its own page.
:func:`save_map` writes a map atomically, by default with every script and
style sheet inlined so the file renders with no network at all (only basemap
tiles still need one); ``self_contained=False`` links them from CDNs instead.

Notes
-----
*Offline assets.* Leaflet, jQuery and d3 come from the XStatic packages
(``xstatic-leaflet``, ``xstatic-jquery``, ``xstatic-d3``); the title, legend,
fullscreen button, measure tool and minimap are zonegeo's own few lines of
JavaScript (``zonegeo/assets/zonegeo.js``), because no Python package ships
the Leaflet plugins folium would use. Each map gets its own ``default_js`` /
``default_css`` lists; folium's class-level lists are never changed.

*Escaping.* Folium does not escape the text it puts into popups, tooltips and
layer names, and re-parses the JavaScript of its elements as a Jinja template.
zonegeo HTML-escapes every value that comes from the data, and writes its own
layers and controls as raw script blocks that never pass through Jinja.

*Size.* Coordinates are rounded to 6 decimals (about 0.1 m), optionally
simplified, popups are built in the browser from a compact value table, and
vector layers draw on one canvas, so a district of 10,000 plots stays a few
megabytes (see ``benchmarks/maps.py``).
"""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement

from zonegeo import dates as _dates
from zonegeo import i18n as _i18n
from zonegeo.dataset import Dataset
from zonegeo.errors import CRSError, SchemaError, ValidationError
from zonegeo.io.atomic import atomic_path
from zonegeo.maps import page as _assets
from zonegeo.parcels import area_ha, idle_mask, to_timestamp

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence

__all__ = [
    "BASEMAPS",
    "INFRA_STYLES",
    "MAX_VERTICES",
    "NO_DATA_COLOR",
    "SCHEMES",
    "STATUS_COLORS",
    "district_map",
    "latlon",
    "region_map",
    "save_map",
]

log = logging.getLogger(__name__)

Basemap = Literal["osm", "esri", "none"]
Renderer = Literal["canvas", "svg"]

#: Basemaps by name: the xyzservices provider drawn under the data (or none).
BASEMAPS: MappingProxyType[str, str | None] = MappingProxyType(
    {
        "osm": "OpenStreetMap.Mapnik",
        "esri": "Esri.WorldImagery",
        "none": None,
    }
)

#: Fill colour of each plot status (Okabe-Ito palette, safe for colour-blind readers).
STATUS_COLORS: MappingProxyType[str, str] = MappingProxyType(
    {
        "free": "#009E73",
        "allocated": "#E69F00",
        "construction": "#F0E442",
        "operating": "#56B4E9",
        "idle": "#D55E00",
    }
)

#: Fill colour of plots without a value of the ``color_by`` column.
NO_DATA_COLOR = "#BDBDBD"

#: Line colour, dash pattern and point symbol of each infrastructure kind; colour,
#: dash and shape each tell the kinds apart on their own.
INFRA_STYLES: MappingProxyType[str, MappingProxyType[str, Any]] = MappingProxyType(
    {
        "gas": MappingProxyType(
            {"color": "#CC79A7", "dash": None, "weight": 3.5, "symbol": "circle"}
        ),
        "electricity": MappingProxyType(
            {"color": "#000000", "dash": "10 6", "weight": 2.5, "symbol": "triangle"}
        ),
        "water": MappingProxyType(
            {"color": "#0072B2", "dash": "1 7", "weight": 4, "symbol": "square"}
        ),
        "road": MappingProxyType(
            {"color": "#E69F00", "dash": "18 6", "weight": 3, "symbol": "diamond"}
        ),
        "rail": MappingProxyType(
            {"color": "#6A3D9A", "dash": "12 4 2 4", "weight": 3, "symbol": "hexagon"}
        ),
    }
)
_INFRA_DEFAULT = MappingProxyType(
    {"color": "#666666", "dash": "3 3", "weight": 2, "symbol": "diamond"}
)

#: Classification schemes (mapclassify) for a numeric ``color_by`` column.
SCHEMES: tuple[str, ...] = (
    "quantiles",
    "equal_interval",
    "natural_breaks",
    "fisher_jenks",
    "headtail_breaks",
)

_ZONE_DASH = {
    "regional": None,
    "private": "8 4",
    "small_park": "4 4",
    "small_site": "1 4",
}
_KIND_ORDER = ("gas", "electricity", "water", "road", "rail")
_DECIMALS = 6  # about 0.1 m
_DEG_PER_M = 1.0 / 111_320.0
_SEQUENTIAL = "viridis"

_PLOT_STYLE = {"color": "#404040", "weight": 0.7, "opacity": 0.9, "fillOpacity": 0.78}
_IDLE_OUTLINE = {
    "color": "#000000",
    "weight": 2.5,
    "opacity": 1.0,
    "dashArray": "5 3",
    "fill": False,
}
_BOUNDARY = {"color": "#222222", "weight": 3.5, "opacity": 0.85, "fill": False}
_SETTLEMENT = {
    "radius": 5,
    "color": "#000000",
    "weight": 2,
    "fillColor": "#FFFFFF",
    "fillOpacity": 1.0,
}
_CANDIDATE = {"color": "#333333", "weight": 0.6, "opacity": 0.9, "fillOpacity": 0.65}
_CANDIDATE_TOP = {"color": "#000000", "weight": 2.5, "opacity": 1.0, "fillOpacity": 0.8}
_EXCLUDED = {
    "color": "#7F7F7F",
    "weight": 1.5,
    "dashArray": "3 3",
    "fillColor": "#7F7F7F",
    "fillOpacity": 0.15,
}
_BUFFER = {
    "color": "#882255",
    "weight": 1.5,
    "dashArray": "6 3",
    "fillColor": "#882255",
    "fillOpacity": 0.12,
}
_EXCLUSION = {
    "color": "#555555",
    "weight": 1,
    "fillColor": "#888888",
    "fillOpacity": 0.3,
}

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


# --------------------------------------------------------------------------- helpers


def latlon(lon: float, lat: float) -> list[float]:
    """Return ``[lat, lon]``, the order Folium and Leaflet expect.

    Every coordinate pair zonegeo hands to Folium goes through this one
    helper; shapely and GeoJSON use ``(x=lon, y=lat)``.

    Examples
    --------
    >>> latlon(68.25, 43.3)
    [43.3, 68.25]
    """
    return [float(lat), float(lon)]


def _css_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", str(text).lower())


def _bounds_latlon(total_bounds: Sequence[float]) -> list[list[float]]:
    minx, miny, maxx, maxy = (float(v) for v in total_bounds)
    return [latlon(minx, miny), latlon(maxx, maxy)]


def _text(value: object) -> str:
    """HTML-escape a data value for innerHTML (braces too, so no template sees them)."""
    return (
        html.escape(str(value), quote=True)
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


def _js_json(obj: object) -> str:
    """Serialise to JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Only "<" can end a script element ("</script", "<!--"); entities are not
    # decoded inside scripts, so "&" and ">" stay as they are.
    return (
        text.replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _to_4326(gdf: gpd.GeoDataFrame | None, what: str) -> gpd.GeoDataFrame | None:
    if gdf is None:
        return None
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{what} must be a GeoDataFrame, got {type(gdf).__name__}"
        raise TypeError(msg)
    if gdf.crs is None:
        msg = f"{what} has no CRS; set one with .set_crs() (lon/lat is EPSG:4326)"
        raise CRSError(msg)
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(out) < len(gdf):
        log.info("%s: skipping %d rows without geometry", what, len(gdf) - len(out))
    return out.to_crs(4326) if not out.crs.equals("EPSG:4326") else out


# --------------------------------------------------------------------------- values


_INT_COLUMNS = frozenset(
    {
        "jobs_planned",
        "jobs_created",
        "population",
        "rank",
        "days_overdue",
        "plots",
        "zones",
        "projects",
    }
)
_DATE_COLUMNS = frozenset({"allocated_on", "build_by"})
#: Calendar years: whole numbers shown without a thousands separator (2019, not 2,019).
_YEAR_COLUMNS = frozenset({"established", "year"})


def _value_kind(column: str, values: pd.Series) -> tuple[str, int]:
    """How to show a column: (kind, decimals).

    kind is one of "text", "number", "percent", "date", "bool" or "year".
    """
    if column in _YEAR_COLUMNS or column.endswith("_year"):
        return "year", 0
    if column in _DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(values):
        return "date", 0
    if column in ("p_top1", "p_top3"):
        return "percent", 0
    if column == "eligible" or pd.api.types.is_bool_dtype(values):
        return "bool", 0
    if not pd.api.types.is_numeric_dtype(values):
        return "text", 0
    if column in _INT_COLUMNS:
        return "number", 0
    if column == "area_ha" or column.endswith("_ha"):
        return "number", 2
    if column == "score" or column.startswith("contrib_"):
        return "number", 3
    if column.endswith(("_kzt", "_m")):
        return "number", 0
    return "number", 2 if column not in ("capacity", "spare_capacity") else 1


def _display(values: pd.Series, column: str, lang: str) -> list[str | None]:
    """Return each value as escaped display text, None where missing."""
    kind, decimals = _value_kind(column, values)
    if kind == "year":
        years = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return [
            None if not np.isfinite(y) else str(int(y)) if y.is_integer() else f"{y:g}"
            for y in years
        ]
    if kind == "date":
        stamps = _dates.parse_date_column(values, column=column)
        return [None if pd.isna(t) else t.strftime("%Y-%m-%d") for t in stamps]
    if kind == "percent":
        nums = pd.to_numeric(values, errors="coerce").astype("float64") * 100.0
        return [
            None
            if (f := _i18n.format_number(v, lang, decimals=0)) is None
            else f + "\u00a0%"
            for v in nums.to_numpy()
        ]
    if kind == "bool":
        yes, no = _i18n.label("yes", lang), _i18n.label("no", lang)
        return [None if _is_missing(v) else (yes if bool(v) else no) for v in values]
    if kind == "number":
        nums = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return [_i18n.format_number(v, lang, decimals=decimals) for v in nums]
    out: list[str | None] = []
    for v in values.astype(object).to_numpy():
        if _is_missing(v):
            out.append(None)
            continue
        s = str(v).strip()
        out.append(_text(s) if s else None)
    return out


def _ordered_columns(columns: Sequence[str], first: Sequence[str]) -> list[str]:
    """Known columns first, then the distance, cost, ranking and stability families."""
    cols = [c for c in first if c in columns]

    def kinds(prefix: str, suffix: str) -> list[str]:
        found = [
            c
            for c in columns
            if isinstance(c, str)
            and c.startswith(prefix)
            and c.endswith(suffix)
            and c not in cols
        ]
        order = {f"{prefix}{k}{suffix}": i for i, k in enumerate(_KIND_ORDER)}
        return sorted(found, key=lambda c: (order.get(c, len(order)), c))

    cols += kinds("dist_", "_m")
    cols += kinds("nearest_", "_id")
    cols += [c for c in ("nearest_settlement",) if c in columns and c not in cols]
    cols += [c for c in kinds("cost_", "_kzt") if c != "cost_total_kzt"]
    cols += [
        c for c in ("cost_total_kzt", "score", "rank") if c in columns and c not in cols
    ]
    contribs = [
        c
        for c in columns
        if isinstance(c, str) and c.startswith("contrib_") and c not in cols
    ]
    # the value of each ranking criterion, then its contribution to the score
    cols += [
        c[len("contrib_") :]
        for c in contribs
        if c[len("contrib_") :] in columns and c[len("contrib_") :] not in cols
    ]
    cols += contribs
    cols += [
        c
        for c in ("p_top1", "p_top3", "rank_median", "eligible", "excluded_because")
        if c in columns and c not in cols
    ]
    return cols


def _table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    lang: str,
    overrides: Mapping[str, Sequence[str | None]] | None = None,
) -> tuple[list[str], list[list[str | None]]]:
    """Labels and column-major display values of ``columns``."""
    labels, values = [], []
    for col in columns:
        labels.append(_text(_i18n.column_label(col, lang)))
        if overrides and col in overrides:
            values.append(list(overrides[col]))
        else:
            values.append(_display(frame[col], col, lang))
    return labels, values


# --------------------------------------------------------------------------- GeoJSON


def _geometries(
    geo: gpd.GeoSeries, *, simplify_m: float | None = None, decimals: int = _DECIMALS
) -> list[dict[str, Any]]:
    """GeoJSON geometries, coordinates rounded (and optionally simplified)."""
    arr = np.asarray(geo.values, dtype=object)
    if simplify_m:
        arr = shapely.simplify(arr, simplify_m * _DEG_PER_M, preserve_topology=True)
    arr = shapely.transform(arr, lambda c: np.round(c, decimals))
    if len(arr) == 0:
        return []
    return json.loads("[" + ",".join(shapely.to_geojson(arr)) + "]")


#: Default vertex budget of one map page: about 11 MB of coordinates.
MAX_VERTICES = 500_000
# Coordinates are written to 6 decimals (~0.1 m): a finer tolerance keeps
# vertices that rounding would then pile up into invalid outlines.
_MIN_TOLERANCE_M = 0.1


def _nice_up(value: float) -> float:
    """Round a positive number up to two significant digits (0.137 -> 0.14)."""
    step = 10.0 ** (np.floor(np.log10(value)) - 1)
    return float(np.ceil(value / step - 1e-9) * step)


def _vertex_budget(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    max_vertices: int | None,
    simplify_m: float | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame | None], float | None]:
    """Simplify the layers' outlines for display so they fit a vertex budget.

    Outlines are simplified in the layers' UTM zone (metres) with one
    tolerance for every layer, keeping each polygon valid
    (``preserve_topology``): ``simplify_m`` when given, else none; past
    ``max_vertices`` vertices in all, the smallest tolerance (rounded up to two
    significant digits, at least 0.1 m, the precision of the coordinates
    written) that brings the count under the budget.

    Returns
    -------
    dict, float or None
        The layers (copies, in EPSG:4326, same rows and index) and the
        tolerance in metres, or None when nothing was simplified.
    """
    from zonegeo.crs import metric_crs

    if max_vertices is not None and (
        isinstance(max_vertices, bool)
        or not isinstance(max_vertices, int)
        or max_vertices < 1
    ):
        msg = (
            f"max_vertices must be a positive whole number or None, "
            f"got {max_vertices!r}"
        )
        raise ValidationError(msg)
    if simplify_m is not None and not (
        isinstance(simplify_m, (int, float))
        and np.isfinite(simplify_m)
        and simplify_m >= 0
    ):
        msg = f"simplify_m must be a number of metres, 0 or more, got {simplify_m!r}"
        raise ValidationError(msg)
    present = {k: v for k, v in layers.items() if v is not None and len(v)}
    out: dict[str, gpd.GeoDataFrame | None] = dict(layers)
    if not present:
        return out, None
    arrays = {
        k: np.asarray(v.geometry.values, dtype=object) for k, v in present.items()
    }
    total = int(sum(shapely.get_num_coordinates(a).sum() for a in arrays.values()))
    over = max_vertices is not None and total > max_vertices
    if not over and not simplify_m:
        return out, None
    crs = metric_crs(*present.values())
    projected = {
        k: np.asarray(v.geometry.to_crs(crs).values, dtype=object)
        for k, v in present.items()
    }
    joined = np.concatenate(list(projected.values()))

    polygonal = np.isin(shapely.get_type_id(joined), (3, 6))  # Polygon, MultiPolygon

    def simplified(tol: float, *, exact: bool = False) -> tuple[np.ndarray, int]:
        # Douglas-Peucker is fast (the tolerance search runs it several
        # times); a polygon it made invalid or empty is redone keeping its
        # topology, so every outline shown stays a valid polygon.
        arr = shapely.simplify(joined, tol, preserve_topology=False)
        if exact:
            bad = polygonal & (~shapely.is_valid(arr) | shapely.is_empty(arr))
            if bad.any():
                arr[bad] = shapely.simplify(joined[bad], tol, preserve_topology=True)
        return arr, int(shapely.get_num_coordinates(arr).sum())

    tol = float(simplify_m or 0.0)
    arr, count = simplified(tol, exact=True) if tol else (joined, total)
    if max_vertices is not None and count > max_vertices:
        # Start at the mean vertex spacing; a smooth outline keeps about
        # 1/sqrt(tolerance) vertices, so grow by the square of the excess,
        # then halve the bracket a few times for the smallest tolerance.
        low = tol
        length = float(shapely.length(joined).sum())
        tol = max(tol, length / max(count, 1), _MIN_TOLERANCE_M)
        _, count = simplified(tol)
        while count > max_vertices:
            low = tol
            tol *= float(np.clip((count / max_vertices) ** 2, 1.5, 100.0))
            _, count = simplified(tol)
        for _ in range(4):
            if low <= 0 or tol / low < 1.15:
                break
            mid = float(np.sqrt(low * tol))
            if simplified(mid)[1] <= max_vertices:
                tol = mid
            else:
                low = mid
        tol = _nice_up(tol)
        arr, count = simplified(tol, exact=True)
        while count > max_vertices:  # topology kept a few more vertices
            tol = _nice_up(tol * 1.25)
            arr, count = simplified(tol, exact=True)
    log.info(
        "map outlines simplified to %.3g m for display: %d -> %d vertices (budget %s)",
        tol,
        total,
        count,
        max_vertices,
    )
    start = 0
    for key, frame in present.items():
        n = len(frame)
        geo = gpd.GeoSeries(arr[start : start + n], index=frame.index, crs=crs)
        copy = frame.copy()
        copy[frame.geometry.name] = geo.to_crs(frame.crs).values
        out[key] = copy
        start += n
    return out, tol


def _collection(
    geo: gpd.GeoSeries,
    *,
    values: list[list[str | None]] | None = None,
    styles: Sequence[int] | None = None,
    extra: Mapping[str, Sequence[Any]] | None = None,
    simplify_m: float | None = None,
    decimals: int = _DECIMALS,
) -> dict[str, Any]:
    geoms = _geometries(geo, simplify_m=simplify_m, decimals=decimals)
    rows = list(zip(*values, strict=True)) if values else [()] * len(geoms)
    features = []
    for i, g in enumerate(geoms):
        props: dict[str, Any] = {}
        if values:
            props["v"] = list(rows[i])
        if styles is not None:
            props["s"] = int(styles[i])
        if extra:
            for key, seq in extra.items():
                if seq[i] is not None:
                    props[key] = seq[i]
        features.append({"type": "Feature", "geometry": g, "properties": props})
    return {"type": "FeatureCollection", "features": features}


# --------------------------------------------------------------------------- elements


def _figure(element: Element) -> Figure:
    root = element.get_root()
    if not isinstance(root, Figure):
        msg = "a zonegeo map element must be rendered inside a branca Figure"
        raise ValidationError(msg)
    return root


def _parent_name(element: Element) -> str:
    if element._parent is None:
        msg = f"{type(element).__name__} must be added to a map before rendering"
        raise ValidationError(msg)
    return element._parent.get_name()


class _Raw(Element):
    """Text put into the page as it is: never parsed as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:  # noqa: ARG002
        """Return the text unchanged."""
        return self.text


class _Assets(MacroElement):
    """zonegeo's own CSS and JavaScript, placed in the page header after Leaflet."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZonegeoAssets"

    def render(self, **kwargs: Any) -> Any:
        """Add the style sheet and script to the header."""
        header = _figure(self).header
        header.add_child(
            _Raw(_assets.style_tag(_assets.zonegeo_css())), name="zonegeo_css"
        )
        header.add_child(
            _Raw(_assets.script_tag(_assets.zonegeo_js())), name="zonegeo_js"
        )
        super().render(**kwargs)


class _DataLayer(folium.map.Layer):
    """A GeoJSON layer drawn by ``L.zonegeo.layer``; listed by the LayerControl."""

    def __init__(self, spec: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "ZonegeoLayer"
        self.spec = spec

    @property
    def features(self) -> list[dict[str, Any]]:
        """The GeoJSON features of the layer."""
        return self.spec["data"]["features"]

    def render(self, **kwargs: Any) -> Any:
        """Write the layer's script (raw, not through Jinja), then add it to the map."""
        js = (
            f"var {self.get_name()} = L.zonegeo.layer({_parent_name(self)}, "
            f"{_js_json(self.spec)});"
        )
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _Controls(MacroElement):
    """Title, legend, scale bar, fullscreen button, measure tool and minimap."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ZonegeoControls"
        self.options = options

    def render(self, **kwargs: Any) -> Any:
        """Write the controls' script (raw, not through Jinja)."""
        js = f"L.zonegeo.controls({_parent_name(self)}, {_js_json(self.options)});"
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _Fit(MacroElement):
    """Open the map on ``bounds``, clear of the title, layer switcher and legend.

    ``options`` holds the smallest paddings in pixels (Leaflet's
    ``paddingTopLeft`` / ``paddingBottomRight``); in the browser
    ``L.zonegeo.fit`` widens them to the controls' real sizes.
    """

    def __init__(self, bounds: list[list[float]], options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "ZonegeoFit"
        self.bounds = bounds
        self.options = options

    def render(self, **kwargs: Any) -> Any:
        """Write the fit script (raw, not through Jinja), after every control."""
        spec = {"bounds": self.bounds, **self.options}
        js = f"L.zonegeo.fit({_parent_name(self)}, {_js_json(spec)});"
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


class _HtmlBlock(MacroElement):
    """A block of HTML placed in the page body after the map."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "ZonegeoHtml"
        self.text = text

    def render(self, **kwargs: Any) -> Any:
        """Append the block to the body."""
        _figure(self).html.add_child(_Raw(self.text), name=self.get_name())
        super().render(**kwargs)


_CONTROLS_KEY = "zonegeo_controls"
_LAYER_CONTROL_KEY = "zonegeo_layer_control"
_FIT_KEY = "zonegeo_fit"
#: Margin (px) between the district and the map's edge or a control.
_FIT_MARGIN_PX = 10


def _legend_width_px(legend: Sequence[Mapping[str, Any]]) -> int:
    """Estimate the legend's width in pixels (12 px Arial, 28 px swatches)."""
    chars = [
        len(html.unescape(str(t)))
        for sec in legend
        for t in (sec["title"], *(it["label"] for it in sec["items"]))
    ]
    text = max(chars, default=0) * 7  # an average 12 px Arial letter is ~6.5 px
    return 20 + 34 + text + _FIT_MARGIN_PX  # padding, swatch and gap, text, margin


def _fit(m: folium.Map, total_bounds: Sequence[float], legend: Sequence[Any]) -> None:
    """Frame the map on ``total_bounds``, padded on the legend's side (right)."""
    m._children.pop(_FIT_KEY, None)
    right = _legend_width_px(legend) + _FIT_MARGIN_PX if legend else _FIT_MARGIN_PX
    options = {
        "paddingTopLeft": [_FIT_MARGIN_PX, _FIT_MARGIN_PX],
        "paddingBottomRight": [right, _FIT_MARGIN_PX],
        "legend": "bottomright",
    }
    m.add_child(_Fit(_bounds_latlon(total_bounds), options), name=_FIT_KEY)


def _new_map(center: list[float], *, basemap: str, height: str = "100%") -> folium.Map:
    """Return a folium Map with its own asset lists and the chosen basemap."""
    m = folium.Map(
        location=center,
        zoom_start=10,
        tiles=None,
        prefer_canvas=True,
        height=height,
        control_scale=False,
        font_size="0.8rem",
    )
    _own_assets(m)
    provider = _provider(basemap)
    if provider is not None:
        folium.TileLayer(
            tiles=provider.build_url(),
            attr=provider.html_attribution,
            name=provider.name,
            max_zoom=int(provider.get("max_zoom", 19)),
            control=False,
        ).add_to(m)
    return m


#: Attribution line of the bundled demo data, shown on every map drawn from them.
DEMO_ATTRIBUTION = (
    "\u00a9 OpenStreetMap contributors, ODbL \u00b7 geokz / OCHA COD-AB, CC BY 4.0 "
    "\u00b7 GeoNames, CC BY 4.0"
)


class _Attribution(MacroElement):
    """An entry of the map's attribution control (data sources and licences)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "ZonegeoAttribution"
        self.text = text

    def render(self, **kwargs: Any) -> Any:
        """Add the text to the attribution control."""
        js = (
            f"{_parent_name(self)}.attributionControl"
            f".addAttribution({_js_json(_text(self.text))});"
        )
        _figure(self).script.add_child(_Raw(js), name=self.get_name())
        super().render(**kwargs)


def _attribute(m: folium.Map, dataset: Dataset) -> None:
    """Credit the sources of the bundled demo data on a map drawn from them."""
    if str(dataset.source).split("#", 1)[0] == "demo":
        m.add_child(_Attribution(DEMO_ATTRIBUTION), name="zonegeo_attribution")


def _own_assets(m: folium.Map) -> None:
    # Instance attributes: folium's class-level lists stay untouched.
    m.default_js = list(_assets.MAP_JS)
    m.default_css = list(_assets.MAP_CSS)
    m.add_child(_Assets(), name="zonegeo_assets")


def _provider(basemap: str) -> Any:
    if basemap not in BASEMAPS:
        msg = f"unknown basemap={basemap!r}; allowed: {', '.join(BASEMAPS)}"
        raise ValidationError(msg)
    name = BASEMAPS[basemap]
    if name is None:
        return None
    import xyzservices.providers as xyz

    return xyz.query_name(name) if hasattr(xyz, "query_name") else _lookup(xyz, name)


def _lookup(root: Any, dotted: str) -> Any:
    node = root
    for part in dotted.split("."):
        node = node[part]
    return node


def _tiles_option(basemap: str) -> dict[str, Any] | None:
    provider = _provider(basemap)
    if provider is None:
        return None
    return {
        "url": provider.build_url(),
        "options": {"maxZoom": int(provider.get("max_zoom", 19))},
    }


def _add_layer_control(m: folium.Map) -> None:
    # The layer control must come after every layer; re-adding moves it last.
    m._children.pop(_LAYER_CONTROL_KEY, None)
    m.add_child(
        folium.LayerControl(collapsed=False, position="topright"),
        name=_LAYER_CONTROL_KEY,
    )


def _unique_name(m: folium.Map, name: str, suffix: str) -> str:
    taken = {
        c.layer_name for c in m._children.values() if isinstance(c, folium.map.Layer)
    }
    if name not in taken:
        return name
    candidate = f"{name} \u2014 {suffix}"
    n = 2
    while candidate in taken:
        candidate = f"{name} \u2014 {suffix} ({n})"
        n += 1
    return candidate


def _control_options(
    title: str,
    subtitle: str | None,
    lang: str,
    legend: list[dict[str, Any]],
    minimap: dict[str, Any] | None,
    simplified_m: float | None = None,
) -> dict[str, Any]:
    decimal = "." if lang == "en" else ","
    opts: dict[str, Any] = {
        "title": {"title": title, "subtitle": subtitle},
        "fullscreen": {"title": _text(_i18n.label("fullscreen", lang))},
        "measure": {
            "title": _text(_i18n.label("measure", lang)),
            "hint": _text(_i18n.label("measure_hint", lang)),
            "m": _text(_i18n.label("unit_m", lang)),
            "km": _text(_i18n.label("unit_km", lang)),
            "decimal": decimal,
        },
        "scale": {"imperial": False, "position": "bottomleft", "maxWidth": 160},
        "legend": {"sections": legend} if legend else None,
        "minimap": minimap,
        "footer": None
        if simplified_m is None
        else _text(
            _i18n.label("simplified", lang).format(m=_metres(simplified_m, lang))
        ),
    }
    return opts


def _metres(value: float, lang: str) -> str:
    """Two significant digits, no trailing zeros: 5 -> "5", 0.14 -> "0.14"."""
    decimals = max(0, 1 - int(np.floor(np.log10(value)))) if value > 0 else 0
    text = _i18n.format_number(value, lang, decimals=decimals) or ""
    point = "." if lang == "en" else ","
    return text.rstrip("0").rstrip(point) if point in text else text


def _set_back_link(m: folium.Map, href: str, label: str) -> None:
    """Give a map's title a link (used by the atlas to link back to the index)."""
    controls = m._children.get(_CONTROLS_KEY)
    if isinstance(controls, _Controls):
        controls.options["title"]["back"] = {"href": _text(href), "label": _text(label)}


def _district_label(districts: pd.DataFrame, name: str, lang: str) -> str:
    row = districts[districts["district"] == name]
    col = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    if col and col in row.columns and len(row):
        value = row[col].iloc[0]
        if not _is_missing(value) and str(value).strip():
            return str(value).strip()
    return name


# --------------------------------------------------------------------------- classes


def _classify(
    values: pd.Series, *, scheme: str, k: int
) -> tuple[np.ndarray, list[float]]:
    """Class of each value (-1 when missing) and the class edges."""
    import mapclassify

    y = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
    ok = np.isfinite(y)
    classes = np.full(len(y), -1, dtype=int)
    if not ok.any():
        return classes, []
    uniq = np.unique(y[ok])
    if len(uniq) == 1:
        classes[ok] = 0
        return classes, [float(uniq[0]), float(uniq[0])]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cls = mapclassify.classify(y[ok], scheme=scheme, k=min(k, len(uniq)))
    for w in caught:
        log.info("mapclassify: %s", w.message)
    classes[ok] = np.asarray(cls.yb, dtype=int)
    edges = [float(y[ok].min()), *(float(b) for b in cls.bins)]
    return classes, edges


#: Viridis, sampled at ten points (perceptually uniform, safe for colour-blind readers).
_VIRIDIS = (
    "#440154",
    "#482878",
    "#3E4A89",
    "#31688E",
    "#26828E",
    "#1F9E89",
    "#35B779",
    "#6DCD59",
    "#B4DE2C",
    "#FDE725",
)


def _colors(n: int) -> list[str]:
    import branca.colormap as cm

    scale = cm.LinearColormap(list(_VIRIDIS), vmin=0.0, vmax=1.0)
    if n == 1:
        return [scale.rgb_hex_str(0.5)]
    return [scale.rgb_hex_str(i / (n - 1)) for i in range(n)]


# --------------------------------------------------------------------------- layers


_PLOT_COLUMNS = (
    "plot_id",
    "zone",
    "area_ha",
    "status",
    "investor",
    "project",
    "sector",
    "investment_kzt",
    "jobs_planned",
    "jobs_created",
    "allocated_on",
    "build_by",
    "days_overdue",
)
_ZONE_COLUMNS = ("zone_id", "name", "kind", "established", "area_ha")
_INFRA_COLUMNS = ("infra_id", "name", "subtype", "capacity", "spare_capacity", "unit")
_SITE_ID_COLUMNS = ("site_id", "candidate_id", "plot_id")
_CANDIDATE_FIRST = ("rank", "score")


def _polygon_style(base: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    style = dict(base)
    style.update({k: v for k, v in changes.items() if v is not None})
    return style


def _legend_item(label: str, shape: str, **style: Any) -> dict[str, Any]:
    for key in ("fill", "stroke"):
        if key in style and style[key] is not None and not _HEX.match(str(style[key])):
            msg = f"legend colour {style[key]!r} is not a #rrggbb colour"
            raise ValidationError(msg)
    return {
        "label": _text(label),
        "shape": shape,
        **{k: v for k, v in style.items() if v is not None},
    }


def _join_ranking(
    plots: gpd.GeoDataFrame, ranking: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Add the ranking's columns to the plots it ranks (matched on plot_id)."""
    if (
        ranking is None
        or "plot_id" not in ranking.columns
        or "plot_id" not in plots.columns
    ):
        return plots
    extra = [
        c
        for c in ranking.columns
        if c not in plots.columns and c != ranking.geometry.name
    ]
    if not extra:
        return plots
    table = pd.DataFrame(ranking[["plot_id", *extra]])
    table = (
        table[table["plot_id"].notna()].drop_duplicates("plot_id").set_index("plot_id")
    )
    return plots.join(table, on="plot_id")


def _check_ranking(ranking: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    ranking = _to_4326(ranking, "ranking")
    if ranking is None:
        return None
    missing = [c for c in ("score", "rank") if c not in ranking.columns]
    if missing:
        msg = (
            f"ranking: missing column(s) {', '.join(missing)}; found "
            f"{', '.join(map(str, ranking.columns))}. Fix: pass the output of "
            f"zonegeo.rank (or rank_stability)"
        )
        raise SchemaError(msg)
    return ranking


def _plot_layers(
    m: folium.Map,
    plots: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    color_by: str,
    lang: str,
    as_of: object | None,
    scheme: str,
    k: int,
    simplify_m: float | None,
    renderer: str,
    suffix: str,
) -> tuple[list[dict[str, Any]], str | None]:
    """Add the plots (and idle-plot outlines); return legend sections and subtitle."""
    legend: list[dict[str, Any]] = []
    frame = pd.DataFrame(plots.drop(columns=plots.geometry.name))
    ref = to_timestamp(as_of)
    # build_by is optional: without it an allocated plot's idle status is unknown
    if "build_by" in frame.columns and len(frame):
        build_by = _dates.parse_date_column(frame["build_by"], column="build_by")
        idle = idle_mask(plots, as_of=as_of).to_numpy()
    else:
        build_by = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        idle = np.zeros(len(frame), dtype=bool)
    idle_unknown = (frame["status"].astype(object) == "allocated").to_numpy(
        dtype=bool
    ) & build_by.isna().to_numpy()
    overdue = (
        np.where(
            idle,
            (ref - build_by).dt.days.to_numpy(dtype="float64", na_value=np.nan),
            np.nan,
        )
        if len(frame)
        else np.zeros(0)
    )
    frame["days_overdue"] = overdue

    names = (
        dict(zip(zones["zone_id"].astype(str), zones["name"], strict=False))
        if "zone_id" in zones.columns and "name" in zones.columns
        else {}
    )
    zone_text: list[str | None] = []
    for zid in frame.get("zone_id", pd.Series([None] * len(frame))).astype(object):
        if _is_missing(zid) or not str(zid).strip():
            zone_text.append(None)
            continue
        zname = names.get(str(zid))
        shown = (
            f"{zname} ({zid})"
            if zname is not None and not _is_missing(zname)
            else str(zid)
        )
        zone_text.append(_text(shown))
    status_text: list[str | None] = []
    for s, is_idle, unknown in zip(
        frame["status"].astype(object), idle, idle_unknown, strict=True
    ):
        if _is_missing(s):
            status_text.append(None)
            continue
        shown = _i18n.status_label(str(s), lang)
        if is_idle:
            shown += " \u00b7 " + _i18n.status_label("idle", lang)
        elif unknown:
            shown += " \u00b7 " + _i18n.label("idle_unknown", lang)
        status_text.append(_text(shown))
    frame["zone"] = None
    columns = _ordered_columns(list(frame.columns), _PLOT_COLUMNS)
    labels, values = _table(
        frame, columns, lang, overrides={"zone": zone_text, "status": status_text}
    )

    subtitle: str | None
    if color_by == "status":
        keys = [*(k for k in STATUS_COLORS if k != "idle"), "idle"]
        styles = [
            _polygon_style(_PLOT_STYLE, fillColor=STATUS_COLORS[key]) for key in keys
        ]
        status = frame["status"].astype(object).to_numpy()
        index = {key: i for i, key in enumerate(keys)}
        style_idx = [
            index["idle"] if is_idle else index.get(str(s), 0)
            for s, is_idle in zip(status, idle, strict=True)
        ]
        present = set(map(str, status[~idle])) if len(status) else set()
        items = [
            _legend_item(
                _i18n.status_label(key, lang),
                "polygon",
                fill=STATUS_COLORS[key],
                stroke="#404040",
            )
            for key in keys
            if key != "idle" and key in present
        ]
        if idle.any():
            items.append(
                _legend_item(
                    _i18n.status_label("idle", lang),
                    "polygon",
                    fill=STATUS_COLORS["idle"],
                    stroke="#000000",
                    dash="5 3",
                    weight=2,
                )
            )
        legend.append(
            {"title": _text(_i18n.label("plot_status", lang)), "items": items}
        )
        subtitle = _i18n.label("plot_status", lang)
    else:
        classes, edges = _classify(frame[color_by], scheme=scheme, k=k)
        n_classes = max(len(edges) - 1, 1) if edges else 0
        palette = _colors(n_classes) if n_classes else []
        styles = [_polygon_style(_PLOT_STYLE, fillColor=c) for c in palette]
        styles.append(
            _polygon_style(_PLOT_STYLE, fillColor=NO_DATA_COLOR, fillOpacity=0.5)
        )
        nodata = len(styles) - 1
        style_idx = [nodata if c < 0 else int(c) for c in classes]
        caption = _i18n.column_label(color_by, lang)
        if n_classes >= 1 and len(edges) >= 2 and edges[-1] > edges[0]:
            import branca.colormap as cm

            colormap = cm.StepColormap(
                palette,
                index=edges,
                vmin=edges[0],
                vmax=edges[-1],
                caption=caption.replace("{", "(").replace("}", ")"),
            )
            m.add_child(colormap, name=f"zonegeo_colormap_{color_by}")
        elif n_classes:
            legend.append(
                {
                    "title": _text(caption),
                    "items": [
                        _legend_item(
                            _i18n.format_number(edges[0], lang, decimals=2) or "",
                            "polygon",
                            fill=palette[0],
                            stroke="#404040",
                        )
                    ],
                }
            )
        if (classes < 0).any():
            legend.append(
                {
                    "title": _text(caption),
                    "items": [
                        _legend_item(
                            _i18n.label("no_data", lang),
                            "polygon",
                            fill=NO_DATA_COLOR,
                            stroke="#404040",
                        )
                    ],
                }
            )
        subtitle = caption
        if idle.any():
            legend.append(
                {
                    "title": _text(_i18n.label("plot_status", lang)),
                    "items": [
                        _legend_item(
                            _i18n.label("idle_plots", lang),
                            "polygon",
                            stroke="#000000",
                            dash="5 3",
                            weight=2,
                            fillOpacity=0,
                        )
                    ],
                }
            )

    data = _collection(
        plots.geometry, values=values, styles=style_idx, simplify_m=simplify_m
    )
    spec = {
        "data": data,
        "styles": styles,
        "fields": labels,
        "tooltip": [columns.index("plot_id"), columns.index("status")]
        if "plot_id" in columns and "status" in columns
        else [],
        "className": "zg-plot",
        "renderer": renderer,
    }
    m.add_child(
        _DataLayer(spec, name=_unique_name(m, _i18n.label("plots", lang), suffix))
    )
    if idle.any():
        idle_geo = plots.geometry[idle]
        spec_idle = {
            "data": _collection(idle_geo, simplify_m=simplify_m),
            "styles": [_IDLE_OUTLINE],
            "className": "zg-idle",
            "renderer": renderer,
            "interactive": False,
        }
        m.add_child(
            _DataLayer(
                spec_idle, name=_unique_name(m, _i18n.label("idle_plots", lang), suffix)
            )
        )
    return legend, subtitle


def _infra_layers(
    m: folium.Map,
    infra: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
    simplify_m: float | None,
) -> list[dict[str, Any]]:
    items = []
    if not len(infra):
        return []
    kinds = [k for k in _KIND_ORDER if (infra["kind"] == k).any()]
    kinds += sorted(set(map(str, infra["kind"].dropna())) - set(kinds))
    for kind in kinds:
        part = infra[infra["kind"] == kind]
        st = INFRA_STYLES.get(kind, _INFRA_DEFAULT)
        style = {
            "color": st["color"],
            "weight": st["weight"],
            "opacity": 0.95,
            "lineCap": "round",
            "fillColor": st["color"],
            "symbol": st["symbol"],
        }
        if st["dash"]:
            style["dashArray"] = st["dash"]
        frame = pd.DataFrame(part.drop(columns=part.geometry.name))
        columns = [c for c in _INFRA_COLUMNS if c in frame.columns]
        overrides = {}
        if "subtype" in frame.columns:
            overrides["subtype"] = [
                None if _is_missing(v) else _text(str(v).replace("_", " "))
                for v in frame["subtype"].astype(object)
            ]
        labels, values = _table(frame, columns, lang, overrides=overrides)
        spec = {
            "data": _collection(part.geometry, values=values, simplify_m=simplify_m),
            "styles": [style],
            "fields": labels,
            "title": _text(_i18n.kind_label(kind, lang)),
            "tooltip": [i for i, c in enumerate(columns) if c in ("name", "infra_id")][
                :1
            ],
            "className": f"zg-infra zg-infra-{_css_name(kind)}",
            "renderer": renderer,
            "point": "symbol",
        }
        label = _i18n.kind_label(kind, lang)
        m.add_child(
            _DataLayer(
                spec,
                name=_unique_name(
                    m, f"{_i18n.label('infrastructure', lang)}: {label}", suffix
                ),
            )
        )
        geom_types = set(part.geom_type)
        if geom_types & {"LineString", "MultiLineString"}:
            items.append(
                _legend_item(
                    label,
                    "line",
                    stroke=st["color"],
                    dash=st["dash"],
                    weight=st["weight"],
                )
            )
        if "Point" in geom_types or "MultiPoint" in geom_types:
            items.append(
                _legend_item(label, "symbol", fill=st["color"], symbol=st["symbol"])
            )
    return [{"title": _text(_i18n.label("infrastructure", lang)), "items": items}]


#: Rank labels: side of the round label (px, as in zonegeo.css), the gap two
#: labels keep, and the places tried around a site when its own is taken.
_LABEL_PX = 24
_LABEL_GAP_PX = _LABEL_PX + 2
_LABEL_OFFSETS = tuple(
    (dx * _LABEL_GAP_PX, dy * _LABEL_GAP_PX)
    for dx, dy in (
        (0, 0),
        (0, -1),
        (1, 0),
        (0, 1),
        (-1, 0),
        (1, -1),
        (1, 1),
        (-1, 1),
        (-1, -1),
    )
)
#: Zoom levels for which label places are computed (deeper zooms use the last).
_LABEL_MAX_ZOOM = 22
_EARTH_RADIUS_M = 6_378_137.0  # of Web Mercator (EPSG:3857), Leaflet's map projection


def _label_places(
    points: gpd.GeoSeries, *, max_zoom: int = _LABEL_MAX_ZOOM
) -> list[list[list[int] | None]]:
    """Where each rank label goes at each zoom level so no two labels overlap.

    Labels are placed best rank first (``points`` in rank order). At zoom
    ``z`` a point's pixel position is its Web Mercator (EPSG:3857) metres
    times ``256 * 2**z / (2 * pi * R)``, exactly as Leaflet draws it. A label
    sits on its site when that place is free, else at the first free one of
    eight places around it (one label away); with none free it is hidden at
    that zoom and shows again when zoomed in.

    Returns
    -------
    list
        For each point, ``max_zoom + 1`` entries: the pixel offset
        ``[dx, dy]`` of the label from its site, or None (hidden).
    """
    # the coordinates as written into the page (6 decimals), in Web Mercator
    rounded = shapely.transform(
        np.asarray(points.values, dtype=object), lambda c: np.round(c, _DECIMALS)
    )
    xy = shapely.get_coordinates(
        np.asarray(gpd.GeoSeries(rounded, crs=points.crs).to_crs(3857).values)
    )
    places: list[list[list[int] | None]] = [[] for _ in range(len(xy))]
    for zoom in range(max_zoom + 1):
        scale = 256.0 * 2.0**zoom / (2.0 * np.pi * _EARTH_RADIUS_M)
        px, py = xy[:, 0] * scale, -xy[:, 1] * scale  # screen y grows downwards
        taken: list[tuple[float, float]] = []
        for i in range(len(xy)):
            place: list[int] | None = None
            for dx, dy in _LABEL_OFFSETS:
                cx, cy = px[i] + dx, py[i] + dy
                if all(
                    abs(cx - tx) >= _LABEL_GAP_PX or abs(cy - ty) >= _LABEL_GAP_PX
                    for tx, ty in taken
                ):
                    place = [dx, dy]
                    taken.append((cx, cy))
                    break
            places[i].append(place)
    return places


def _candidate_layers(
    m: folium.Map,
    ranking: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
    rank_labels: int,
    simplify_m: float | None,
) -> list[dict[str, Any]]:
    frame = pd.DataFrame(ranking.drop(columns=ranking.geometry.name))
    id_col = next((c for c in _SITE_ID_COLUMNS if c in frame.columns), None)
    if id_col is None:
        frame["site_id"] = [str(i) for i in ranking.index]
        id_col = "site_id"
    ranks = pd.to_numeric(frame["rank"], errors="coerce")
    if "eligible" in frame.columns:
        eligible = (
            frame["eligible"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        )
    else:
        eligible = ranks.notna().to_numpy()
    columns = _ordered_columns(
        list(frame.columns), (id_col, *_CANDIDATE_FIRST, "area_ha")
    )
    columns = [c for c in columns if c not in ("rank_p05", "rank_p95")]
    labels, values = _table(frame, columns, lang)
    legend_items = []

    def subset(mask: np.ndarray) -> list[list[str | None]]:
        return [
            [v for v, keep in zip(col, mask, strict=True) if keep] for col in values
        ]

    if eligible.any():
        geo = ranking.geometry[eligible]
        order = ranks[eligible].to_numpy()
        best = np.argsort(np.where(np.isnan(order), np.inf, order), kind="stable")
        top = [int(i) for i in best[: max(rank_labels, 0)] if not np.isnan(order[i])]
        # fill: score classes (viridis); the best sites also get a thick outline
        classes, edges = _classify(
            frame.loc[eligible, "score"], scheme="quantiles", k=5
        )
        n = max(len(edges) - 1, 1)
        palette = _colors(n)
        styles = [_polygon_style(_CANDIDATE, fillColor=c) for c in palette]
        styles += [_polygon_style(_CANDIDATE_TOP, fillColor=c) for c in palette]
        styles.append(_polygon_style(_CANDIDATE, fillColor=NO_DATA_COLOR))
        is_top = np.zeros(len(order), dtype=bool)
        is_top[top] = True
        style_idx = [
            2 * n if c < 0 else int(c) + (n if t else 0)
            for c, t in zip(classes, is_top, strict=True)
        ]
        spec: dict[str, Any] = {
            "data": _collection(
                geo, values=subset(eligible), styles=style_idx, simplify_m=simplify_m
            ),
            "styles": styles,
            "fields": labels,
            "title": _text(_i18n.label("candidates", lang)),
            "tooltip": [columns.index("rank"), columns.index(id_col)],
            "className": "zg-candidate",
            "renderer": renderer,
        }
        if top:
            points = geo.iloc[top].representative_point()
            spec["labels"] = {
                "data": _collection(
                    points,
                    extra={
                        "l": [_text(int(order[i])) for i in top],
                        "p": _label_places(points),
                    },
                ),
                "className": "zg-rank-label",
                "size": _LABEL_PX,
            }
        m.add_child(
            _DataLayer(
                spec, name=_unique_name(m, _i18n.label("candidates", lang), suffix)
            )
        )
        score = _i18n.column_label("score", lang)
        for i, colour in enumerate(palette):
            lo, hi = (edges[i], edges[i + 1]) if len(edges) > i + 1 else (edges[0],) * 2
            span = (
                f"{_i18n.format_number(lo, lang, decimals=2)}"
                f"\u2013{_i18n.format_number(hi, lang, decimals=2)}"
            )
            legend_items.append(
                _legend_item(
                    f"{score} {span}", "polygon", fill=colour, stroke="#333333"
                )
            )
        if top:
            legend_items.append(_legend_item(_i18n.label("rank_label", lang), "rank"))
    if (~eligible).any():
        spec_x = {
            "data": _collection(
                ranking.geometry[~eligible],
                values=subset(~eligible),
                simplify_m=simplify_m,
            ),
            "styles": [_EXCLUDED],
            "fields": labels,
            "title": _text(_i18n.label("excluded_candidates", lang)),
            "tooltip": [columns.index(id_col)],
            "className": "zg-excluded",
            "renderer": renderer,
        }
        m.add_child(
            _DataLayer(
                spec_x,
                name=_unique_name(m, _i18n.label("excluded_candidates", lang), suffix),
                show=False,
            )
        )
        legend_items.append(
            _legend_item(
                _i18n.label("excluded_candidates", lang),
                "polygon",
                fill="#7F7F7F",
                stroke="#7F7F7F",
                dash="3 3",
                fillOpacity=0.15,
            )
        )
    return [{"title": _text(_i18n.label("candidates", lang)), "items": legend_items}]


def _buffer_geometries(buffers: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Buffer each row by its ``distance_m``, ``buffer_m`` or ``width_m`` (metres)."""
    col = next(
        (c for c in ("distance_m", "buffer_m", "width_m") if c in buffers.columns), None
    )
    if col is None:
        return buffers.geometry
    from zonegeo.crs import metric_crs

    metres = pd.to_numeric(buffers[col], errors="coerce").fillna(0.0).clip(lower=0.0)
    crs = metric_crs(buffers)
    projected = buffers.geometry.to_crs(crs)
    grown = projected.buffer(metres.to_numpy(), quad_segs=16)
    return grown.to_crs(4326)


def _simple_layer(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    style: dict[str, Any],
    columns: Sequence[str],
    lang: str,
    class_name: str,
    renderer: str,
    geometry: gpd.GeoSeries | None = None,
    show: bool = True,
    point: str | None = None,
    tooltip: Sequence[str] = (),
    simplify_m: float | None = None,
) -> None:
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    cols = [c for c in columns if c in frame.columns]
    labels, values = _table(frame, cols, lang)
    spec: dict[str, Any] = {
        "data": _collection(
            gdf.geometry if geometry is None else geometry,
            values=values,
            simplify_m=simplify_m,
        ),
        "styles": [style],
        "fields": labels,
        "className": class_name,
        "renderer": renderer,
        "tooltip": [cols.index(c) for c in tooltip if c in cols],
    }
    if point:
        spec["point"] = point
    m.add_child(_DataLayer(spec, name=name, show=show))


# --------------------------------------------------------------------------- public


def district_map(
    dataset: Dataset,
    district: str,
    *,
    ranking: gpd.GeoDataFrame | None = None,
    color_by: str = "status",
    basemap: Basemap = "osm",
    m: folium.Map | None = None,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    buffers: gpd.GeoDataFrame | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    simplify_m: float | None = None,
    renderer: Renderer = "canvas",
    rank_labels: int = 10,
    access: bool = True,
    max_vertices: int | None = MAX_VERTICES,
) -> folium.Map:
    """Draw one district: zones, plots, infrastructure, settlements and ranked sites.

    Parameters
    ----------
    dataset : Dataset
        The region's layers (see :func:`zonegeo.load_demo`,
        :func:`zonegeo.read_dataset`).
    district : str
        English district name (case-insensitive).
    ranking : GeoDataFrame, optional
        Candidate sites with ``score`` and ``rank`` (the output of
        :func:`zonegeo.rank`, with ``contrib_<column>`` and, from
        :func:`zonegeo.rank_stability`, ``p_top3``). Drawn as outlined sites
        with the best ``rank_labels`` ranks written on the map; ineligible
        sites go to a hidden layer. Rows that are plots (``plot_id``) also add
        their ranking columns to the plot popups. Rows outside the district
        are left out.
    color_by : str, default "status"
        ``"status"`` colours plots by status (free, allocated, under
        construction, operating) and idle plots (allocated, ``build_by``
        passed) apart; any numeric column of the plots or of the ranking
        (``score``, ``dist_gas_m``, ``cost_total_kzt`` ...) colours them in
        classes with a colour-bar legend.
    basemap : {"osm", "esri", "none"}, default "osm"
        OpenStreetMap, Esri World Imagery (both from xyzservices; tiles need
        the network) or none. Ignored when ``m`` is given.
    m : folium.Map, optional
        Add the layers to this map instead of a new one. Its asset lists are
        replaced by zonegeo's own (Leaflet, jQuery, d3); folium's Bootstrap
        and awesome-markers are not loaded, so add markers as CircleMarker or
        DivIcon. A layer name already used on ``m`` gets the district's name
        appended; the controls and the title are those of the last call.
    access : bool, default True
        When the plots carry no ``dist_<kind>_m`` columns yet, measure them
        against the whole region's infrastructure with
        :func:`zonegeo.infrastructure_distances` and add
        :func:`zonegeo.connection_costs`, so popups show distances, nearest
        feature ids and connection costs, and ``color_by`` may name them.
    lang : {"en", "kk", "ru"}, default "en"
        Language of layer names, legends, popups and controls.
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    buffers : GeoDataFrame, optional
        Sanitary protection zones or other buffers to draw. Rows with
        ``distance_m`` (as returned by :func:`zonegeo.exclusion_zones`),
        ``buffer_m`` or ``width_m`` are buffered by that many metres.
    scheme : str, default "quantiles"
        mapclassify scheme for a numeric ``color_by``; one of :data:`SCHEMES`.
    k : int, default 5
        Number of classes for a numeric ``color_by``.
    simplify_m : float, optional
        Simplify every outline by up to this many metres (in the district's
        UTM zone) for display. Coordinates are always rounded to 6 decimals
        (about 0.1 m).
    max_vertices : int or None, default 500_000
        Vertex budget of the page. Past it, outlines are simplified for
        display with the smallest tolerance (metres, two significant digits)
        that fits, and the page's footer says so ("outlines simplified to
        N m for display; measures use full geometry"): a 10-million-vertex
        plot no longer makes a 200 MB page. Areas, distances and ranks are
        always computed on the full geometry. ``None`` writes every vertex.
    renderer : {"canvas", "svg"}, default "canvas"
        Leaflet renderer for vector layers; canvas is much faster for
        thousands of plots, SVG puts every plot in the page as a ``path``
        element of class ``zg-plot``.
    rank_labels : int, default 10
        How many of the best-ranked sites get their rank written on the map.

    Returns
    -------
    folium.Map
        Save it with :func:`save_map`.

    Raises
    ------
    UnknownDistrictError
        If the district is not in the dataset (the message suggests the closest).
    ValidationError
        For an unknown ``lang``, ``basemap``, ``scheme`` or ``renderer``, or a
        ``color_by`` that is neither ``"status"`` nor a numeric column (the
        message lists the numeric columns).
    SchemaError
        If ``ranking`` lacks ``score`` or ``rank``.
    CRSError
        If ``ranking`` or ``buffers`` has no CRS.

    See Also
    --------
    save_map, region_map, zonegeo.write_atlas

    Notes
    -----
    Every text value from the data is HTML-escaped. Status colours and
    infrastructure styles use the Okabe-Ito palette, and each infrastructure
    kind also has its own dash pattern and point symbol (gas circle,
    electricity triangle, water square).

    Examples
    --------
    >>> import zonegeo
    >>> ds = zonegeo.load_demo()
    >>> m = zonegeo.district_map(ds, "Sauran", basemap="none")
    >>> type(m).__name__
    'Map'
    """
    if not isinstance(dataset, Dataset):
        msg = f"district_map expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.io.integrity import check_links

    check_links(dataset)
    if m is not None and not isinstance(m, folium.Map):
        msg = f"m must be a folium.Map, got {type(m).__name__}"
        raise TypeError(msg)
    _i18n.check_lang(lang)
    _provider(basemap)
    if renderer not in ("canvas", "svg"):
        msg = f"unknown renderer={renderer!r}; allowed: canvas, svg"
        raise ValidationError(msg)
    if scheme not in SCHEMES:
        msg = f"unknown scheme={scheme!r}; allowed: {', '.join(SCHEMES)}"
        raise ValidationError(msg)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        msg = f"k must be a positive number of classes, got {k!r}"
        raise ValidationError(msg)

    name = dataset.check_district(district)
    sub = dataset.district(name)
    area = sub.districts.geometry.union_all()
    ranking = _check_ranking(ranking)
    if ranking is not None:
        if "district" in ranking.columns and ranking["district"].notna().any():
            ranking = ranking[ranking["district"].astype(str) == name]
        else:
            ranking = ranking[ranking.geometry.representative_point().within(area)]
    buffers = _to_4326(buffers, "buffers")
    if buffers is not None and len(buffers):
        buffers = buffers[buffers.intersects(area)]

    plots = _join_ranking(sub.plots, ranking)
    if len(plots) and "area_ha" not in plots.columns:
        plots = plots.assign(area_ha=area_ha(plots))  # computed, as read_plots does
    if (
        access
        and len(plots)
        and len(dataset.infrastructure)
        and not any(str(c).startswith("dist_") for c in plots.columns)
    ):
        from zonegeo.access.cost import connection_costs
        from zonegeo.access.distances import infrastructure_distances

        plots = connection_costs(
            infrastructure_distances(plots, dataset.infrastructure)
        )
    if color_by != "status":
        numeric = [
            c
            for c in plots.columns
            if c != plots.geometry.name
            and pd.api.types.is_numeric_dtype(plots[c])
            and not pd.api.types.is_bool_dtype(plots[c])
        ]
        if color_by not in numeric:
            msg = (
                f"color_by={color_by!r} is not a numeric column of the plots of {name} "
                f"(or of the ranking); use 'status' or one of: {', '.join(numeric)}"
            )
            raise ValidationError(msg)

    # measures above used the full geometry; the page gets outlines that fit
    # the vertex budget
    shown, simplified_m = _vertex_budget(
        {
            "plots": plots,
            "ranking": ranking,
            "districts": sub.districts,
            "zones": sub.zones,
            "exclusions": sub.exclusions,
            "infrastructure": sub.infrastructure,
        },
        max_vertices=max_vertices,
        simplify_m=simplify_m,
    )
    plots = shown["plots"] if shown["plots"] is not None else plots
    ranking = shown["ranking"]
    sub = replace(
        sub,
        districts=shown["districts"],
        zones=shown["zones"],
        exclusions=shown["exclusions"],
        infrastructure=shown["infrastructure"],
    )

    label = _district_label(sub.districts, name, lang)
    minx, miny, maxx, maxy = sub.districts.total_bounds
    given = m is not None
    if m is None:
        m = _new_map(latlon((minx + maxx) / 2, (miny + maxy) / 2), basemap=basemap)
    else:
        _own_assets(m)
    _attribute(m, sub)
    root = m.get_root()
    if isinstance(root, Figure):
        root.title = _text(f"{label} \u2014 {_i18n.label('title_suffix', lang)}")
    suffix = label if given else ""

    legend: list[dict[str, Any]] = []
    boundary = {
        "data": _collection(sub.districts.geometry),
        "styles": [_BOUNDARY],
        "className": "zg-boundary",
        "renderer": renderer,
        "interactive": False,
    }
    m.add_child(
        _DataLayer(
            boundary,
            name=_unique_name(m, _i18n.label("district_boundary", lang), suffix),
        )
    )
    legend_items = [
        _legend_item(
            _i18n.label("district_boundary", lang),
            "line",
            stroke=_BOUNDARY["color"],
            weight=3,
        )
    ]

    if len(sub.exclusions):
        _simple_layer(
            m,
            sub.exclusions,
            name=_unique_name(m, _i18n.label("exclusions", lang), suffix),
            style=_EXCLUSION,
            columns=("name", "reason", "buffer_m"),
            lang=lang,
            class_name="zg-exclusion",
            renderer=renderer,
            tooltip=("name",),
        )
        legend_items.append(
            _legend_item(
                _i18n.label("exclusions", lang),
                "polygon",
                fill="#888888",
                stroke="#555555",
                fillOpacity=0.3,
            )
        )

    zones = sub.zones
    for kind in [
        k
        for k in ("regional", "private", "small_park", "small_site")
        if (zones["kind"] == k).any()
    ]:
        part = zones[zones["kind"] == kind]
        dash = _ZONE_DASH.get(kind)
        style = {
            "color": "#4D4D4D",
            "weight": 2,
            "opacity": 0.9,
            "fillColor": "#999999",
            "fillOpacity": 0.12,
        }
        if dash:
            style["dashArray"] = dash
        _simple_layer(
            m,
            part,
            name=_unique_name(m, _i18n.zone_kind_label(kind, lang), suffix),
            style=style,
            columns=_ZONE_COLUMNS,
            lang=lang,
            class_name="zg-zone",
            renderer=renderer,
            tooltip=("name",),
        )
        legend_items.append(
            _legend_item(
                _i18n.zone_kind_label(kind, lang),
                "polygon",
                fill="#999999",
                stroke="#4D4D4D",
                dash=dash,
                weight=2,
                fillOpacity=0.12,
            )
        )

    if buffers is not None and len(buffers):
        _simple_layer(
            m,
            buffers,
            name=_unique_name(m, _i18n.label("buffers", lang), suffix),
            style=_BUFFER,
            lang=lang,
            class_name="zg-buffer",
            renderer=renderer,
            columns=[
                c
                for c in (
                    "name",
                    "because",
                    "reason",
                    "rule",
                    "hazard_class",
                    "distance_m",
                    "buffer_m",
                    "width_m",
                )
                if c in buffers.columns
            ],
            geometry=_buffer_geometries(buffers),
            tooltip=("because", "name"),
        )
        legend_items.append(
            _legend_item(
                _i18n.label("buffers", lang),
                "polygon",
                fill="#882255",
                stroke="#882255",
                dash="6 3",
                fillOpacity=0.12,
            )
        )
    legend.append({"title": _text(label), "items": legend_items})

    plot_legend, subtitle = _plot_layers(
        m,
        plots,
        zones,
        color_by=color_by,
        lang=lang,
        as_of=as_of,
        scheme=scheme,
        k=k,
        simplify_m=None,
        renderer=renderer,
        suffix=suffix,
    )
    legend.extend(plot_legend)
    legend.extend(
        _infra_layers(
            m,
            sub.infrastructure,
            lang=lang,
            renderer=renderer,
            suffix=suffix,
            simplify_m=None,
        )
    )
    if len(sub.settlements):
        _simple_layer(
            m,
            sub.settlements,
            name=_unique_name(m, _i18n.label("settlements", lang), suffix),
            style=_SETTLEMENT,
            columns=("name", "population"),
            lang=lang,
            class_name="zg-settlement",
            renderer=renderer,
            tooltip=("name",),
        )
        legend.append(
            {
                "title": _text(_i18n.label("settlements", lang)),
                "items": [
                    _legend_item(
                        _i18n.label("settlements", lang),
                        "dot",
                        fill="#FFFFFF",
                        stroke="#000000",
                    )
                ],
            }
        )
    if ranking is not None and len(ranking):
        legend.extend(
            _candidate_layers(
                m,
                ranking,
                lang=lang,
                renderer=renderer,
                suffix=suffix,
                rank_labels=rank_labels,
                simplify_m=None,
            )
        )

    outlines = _collection(
        dataset.districts.geometry,
        simplify_m=300.0,
        decimals=4,
        extra={
            "current": [
                True if d == name else None for d in dataset.districts["district"]
            ]
        },
    )
    minimap = {
        "tiles": None if given else _tiles_option(basemap),
        "outlines": outlines,
        "title": _text(_i18n.label("minimap", lang)),
    }
    if as_of is not None:
        subtitle = (
            f"{subtitle} \u00b7 {_i18n.label('as_of', lang)} "
            f"{to_timestamp(as_of).strftime('%Y-%m-%d')}"
        )
    options = _control_options(
        _text(f"{label} \u2014 {_i18n.label('title_suffix', lang)}"),
        _text(subtitle) if subtitle else None,
        lang,
        [s for s in legend if s["items"]],
        minimap,
        simplified_m,
    )
    m._children.pop(_CONTROLS_KEY, None)
    m.add_child(_Controls(options), name=_CONTROLS_KEY)
    _add_layer_control(m)
    _fit(
        m,
        sub.districts.total_bounds,
        options["legend"]["sections"] if options["legend"] else [],
    )
    log.info(
        "district map of %s: %d plots, %d infrastructure features, %d ranked sites",
        name,
        len(plots),
        len(sub.infrastructure),
        0 if ranking is None else len(ranking),
    )
    return m


def region_map(
    dataset: Dataset,
    *,
    links: Mapping[str, str] | None = None,
    lang: _i18n.Lang = "en",
    basemap: Basemap = "osm",
    renderer: Renderer = "canvas",
    height: str = "100%",
    max_vertices: int | None = MAX_VERTICES,
) -> folium.Map:
    """Draw every district of the region, each linking to its own page.

    Parameters
    ----------
    dataset : Dataset
        The region's layers.
    links : mapping, optional
        ``{district: relative URL}``; a click on a district opens its URL.
    lang : {"en", "kk", "ru"}, default "en"
        Language of labels.
    basemap : {"osm", "esri", "none"}, default "osm"
        Basemap under the districts.
    renderer : {"canvas", "svg"}, default "canvas"
        Leaflet renderer.
    height : str, default "100%"
        Height of the map in the page (CSS percentage or pixels).
    max_vertices : int or None, default 500_000
        Vertex budget of the page, as in :func:`district_map`; district
        outlines are always simplified by about 50 m.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.maps.district import region_map
    >>> m = region_map(zonegeo.load_demo(), basemap="none")
    >>> type(m).__name__
    'Map'
    """
    if not isinstance(dataset, Dataset):
        msg = f"region_map expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.io.integrity import check_links

    check_links(dataset)
    _i18n.check_lang(lang)
    display, simplified_m = _vertex_budget(
        {"districts": dataset.districts, "zones": dataset.zones},
        max_vertices=max_vertices,
    )
    districts = display["districts"]
    zones = display["zones"]
    assert districts is not None and zones is not None
    minx, miny, maxx, maxy = districts.total_bounds
    m = _new_map(
        latlon((minx + maxx) / 2, (miny + maxy) / 2), basemap=basemap, height=height
    )
    _attribute(m, dataset)
    title = _i18n.label("region_title", lang)
    root = m.get_root()
    if isinstance(root, Figure):
        root.title = _text(title)

    plots = dataset.plots
    counts = (
        plots.groupby(plots["district"].astype(str)).size()
        if len(plots)
        else pd.Series()
    )
    free = (
        plots[plots["status"] == "free"].groupby("district").size()
        if len(plots)
        else pd.Series()
    )
    names = [str(d) for d in districts["district"]]
    shown = [_district_label(districts, d, lang) for d in names]
    frame = pd.DataFrame(
        {
            "district": shown,
            "plots": [int(counts.get(d, 0)) for d in names],
            "plots_free": [int(free.get(d, 0)) for d in names],
        }
    )
    labels, values = _table(frame, ["district", "plots", "plots_free"], lang)
    labels[1] = _text(_i18n.label("plots_count", lang))
    hrefs: list[str | None] = [None] * len(names)
    tips: list[str | None] = [None] * len(names)
    if links:
        hint = _text(_i18n.label("open_district", lang))
        for i, d in enumerate(names):
            target = links.get(d)
            if target:
                if re.match(
                    r"^\s*(javascript|data|vbscript):", target, flags=re.IGNORECASE
                ):
                    msg = f"links[{d!r}] = {target!r} is not a page address"
                    raise ValidationError(msg)
                hrefs[i] = target
                tips[i] = hint
    style = {
        "color": "#222222",
        "weight": 2,
        "opacity": 0.9,
        "fillColor": "#56B4E9",
        "fillOpacity": 0.18,
    }
    spec = {
        "data": _collection(
            districts.geometry,
            values=values,
            extra={"href": hrefs, "t": tips},
            simplify_m=50.0,
        ),
        "styles": [style],
        "fields": labels,
        "tooltip": [0],
        "className": "zg-district",
        "renderer": renderer,
    }
    m.add_child(_DataLayer(spec, name=_i18n.label("districts", lang)))
    legend_items = [
        _legend_item(
            _i18n.label("districts", lang),
            "polygon",
            fill="#56B4E9",
            stroke="#222222",
            fillOpacity=0.18,
            weight=2,
        )
    ]
    if len(zones):
        zstyle = {
            "color": "#000000",
            "weight": 1.5,
            "fillColor": "#E69F00",
            "fillOpacity": 0.6,
        }
        zframe = pd.DataFrame(zones.drop(columns=zones.geometry.name))
        zframe = zframe.assign(
            kind=[_i18n.zone_kind_label(str(v), lang) for v in zframe["kind"]]
        )
        zl, zv = _table(
            zframe,
            [c for c in _ZONE_COLUMNS + ("district",) if c in zframe.columns],
            lang,
        )
        zspec = {
            "data": _collection(zones.geometry, values=zv),
            "styles": [zstyle],
            "fields": zl,
            "tooltip": [1],
            "className": "zg-zone",
            "renderer": renderer,
        }
        m.add_child(_DataLayer(zspec, name=_i18n.label("zones", lang)))
        legend_items.append(
            _legend_item(
                _i18n.label("zones", lang),
                "polygon",
                fill="#E69F00",
                stroke="#000000",
                fillOpacity=0.6,
            )
        )
    options = _control_options(
        _text(title),
        None,
        lang,
        [{"title": _text(title), "items": legend_items}],
        None,
        simplified_m,
    )
    m.add_child(_Controls(options), name=_CONTROLS_KEY)
    _add_layer_control(m)
    _fit(m, districts.total_bounds, options["legend"]["sections"])
    return m


_SCRIPT_LINK = re.compile(r'<script src="([^"]*)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="([^"]*)"/>')
_ANY_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=", re.IGNORECASE)


def _inline(text: str) -> str:
    """Replace every linked script and style sheet by its packaged text."""
    scripts = _SCRIPT_LINK.findall(text)
    sheets = _CSS_LINK.findall(text)
    unknown = [u for u in (*scripts, *sheets) if _assets.local_file(u) is None]
    extra = len(_ANY_EXTERNAL.findall(text)) - len(scripts) - len(sheets)
    if unknown or extra:
        found = (
            ", ".join(unknown)
            if unknown
            else f"{extra} other <script>/<link> element(s)"
        )
        msg = (
            f"cannot save a self-contained map: no installed package provides {found}. "
            f"Fix: remove the plugin or element that links it, or save with "
            f"self_contained=False; zonegeo can inline "
            f"{', '.join(_assets.known_urls())}"
        )
        raise ValidationError(msg)
    text = _SCRIPT_LINK.sub(
        lambda mt: _assets.script_tag(_assets.inline_js(mt.group(1))), text
    )
    return _CSS_LINK.sub(
        lambda mt: _assets.style_tag(_assets.inline_css(mt.group(1))), text
    )


def save_map(
    m: folium.Map | Figure,
    path: str | os.PathLike[str],
    *,
    self_contained: bool = True,
) -> Path:
    """Write a map to an HTML file atomically.

    Parameters
    ----------
    m : folium.Map or branca Figure
        The map (for instance from :func:`district_map`).
    path : str or path-like
        The HTML file to write; its folder is created if needed. The file
        is written to a temporary file beside it and renamed into place, so
        a failure never leaves a half-written map.
    self_contained : bool, default True
        Inline every script and style sheet (Leaflet, jQuery, d3 and
        zonegeo's controls, read from installed packages) so the file
        renders with no network at all; only basemap tiles still need it.
        This is also the default of ``zonegeo map`` and
        :func:`zonegeo.write_atlas`. With ``False`` the page is smaller and
        loads Leaflet, jQuery and d3 from their CDNs: it is blank without
        internet (``L is not defined``).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValidationError
        When self-contained, if the map links a script or style sheet that
        no installed package provides (for example a folium plugin); the
        message names it and the fix (``self_contained=False``).

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> m = zonegeo.district_map(zonegeo.load_demo(), "Sauran", basemap="none")
    >>> out = zonegeo.save_map(m, pathlib.Path(tempfile.mkdtemp()) / "sauran.html")
    >>> "<script src=" in out.read_text(encoding="utf-8")
    False
    >>> cdn = zonegeo.save_map(m, out.with_name("cdn.html"), self_contained=False)
    >>> "<script src=" in cdn.read_text(encoding="utf-8")
    True
    """
    if not hasattr(m, "get_root"):
        msg = (
            f"save_map expects a folium.Map or a branca Figure, got {type(m).__name__}"
        )
        raise TypeError(msg)
    root = m.get_root()
    if not isinstance(root, Figure):
        msg = (
            "save_map: the map is not inside a branca Figure; create it with folium.Map"
        )
        raise ValidationError(msg)
    text = root.render()
    if self_contained:
        text = _inline(text)
    final = Path(path)
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    log.info(
        "wrote %s (%.1f MB%s)",
        final,
        len(text.encode("utf-8")) / 1e6,
        ", self-contained" if self_contained else "",
    )
    return final
