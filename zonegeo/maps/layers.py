"""A district map's context layers: boundary, zones, buffers, infrastructure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd

from zonegeo import i18n as _i18n
from zonegeo.maps.elements import _DataLayer
from zonegeo.maps.geojson import _collection
from zonegeo.maps.legend import _legend_item
from zonegeo.maps.popups import (
    _INFRA_COLUMNS,
    _ZONE_COLUMNS,
    _is_missing,
    _table,
    _text,
)
from zonegeo.maps.styles import (
    _BOUNDARY,
    _BUFFER,
    _EXCLUSION,
    _INFRA_DEFAULT,
    _KIND_ORDER,
    _SETTLEMENT,
    _ZONE_DASH,
    INFRA_STYLES,
)
from zonegeo.maps.view import _unique_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from zonegeo.dataset import Dataset


def _css_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", str(text).lower())


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


_BUFFER_COLUMNS = (
    "name",
    "because",
    "reason",
    "rule",
    "hazard_class",
    "distance_m",
    "buffer_m",
    "width_m",
)


def _boundary_layer(
    m: folium.Map,
    districts: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
) -> dict[str, Any]:
    """Draw the district's outline; return its legend item."""
    boundary = {
        "data": _collection(districts.geometry),
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
    return _legend_item(
        _i18n.label("district_boundary", lang),
        "line",
        stroke=_BOUNDARY["color"],
        weight=3,
    )


def _exclusion_layer(
    m: folium.Map,
    exclusions: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
) -> list[dict[str, Any]]:
    """Draw the exclusion areas, if any; return their legend items."""
    if not len(exclusions):
        return []
    _simple_layer(
        m,
        exclusions,
        name=_unique_name(m, _i18n.label("exclusions", lang), suffix),
        style=_EXCLUSION,
        columns=("name", "reason", "buffer_m"),
        lang=lang,
        class_name="zg-exclusion",
        renderer=renderer,
        tooltip=("name",),
    )
    return [
        _legend_item(
            _i18n.label("exclusions", lang),
            "polygon",
            fill="#888888",
            stroke="#555555",
            fillOpacity=0.3,
        )
    ]


def _zone_layers(
    m: folium.Map,
    zones: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
) -> list[dict[str, Any]]:
    """Draw one layer per zone kind (dash pattern by kind); return legend items."""
    items = []
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
        items.append(
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
    return items


def _buffer_layer(
    m: folium.Map,
    buffers: gpd.GeoDataFrame | None,
    *,
    lang: str,
    renderer: str,
    suffix: str,
) -> list[dict[str, Any]]:
    """Draw the buffers grown by their distances, if any; return legend items."""
    if buffers is None or not len(buffers):
        return []
    _simple_layer(
        m,
        buffers,
        name=_unique_name(m, _i18n.label("buffers", lang), suffix),
        style=_BUFFER,
        lang=lang,
        class_name="zg-buffer",
        renderer=renderer,
        columns=[c for c in _BUFFER_COLUMNS if c in buffers.columns],
        geometry=_buffer_geometries(buffers),
        tooltip=("because", "name"),
    )
    return [
        _legend_item(
            _i18n.label("buffers", lang),
            "polygon",
            fill="#882255",
            stroke="#882255",
            dash="6 3",
            fillOpacity=0.12,
        )
    ]


def _context_layers(
    m: folium.Map,
    sub: Dataset,
    buffers: gpd.GeoDataFrame | None,
    *,
    label: str,
    lang: str,
    renderer: str,
    suffix: str,
) -> dict[str, Any]:
    """Draw boundary, exclusions, zones and buffers; return their legend section."""
    where = {"lang": lang, "renderer": renderer, "suffix": suffix}
    items = [
        _boundary_layer(m, sub.districts, **where),
        *_exclusion_layer(m, sub.exclusions, **where),
        *_zone_layers(m, sub.zones, **where),
        *_buffer_layer(m, buffers, **where),
    ]
    return {"title": _text(label), "items": items}


def _settlement_layer(
    m: folium.Map,
    settlements: gpd.GeoDataFrame,
    *,
    lang: str,
    renderer: str,
    suffix: str,
) -> list[dict[str, Any]]:
    """Draw the settlements as dots, if any; return their legend sections."""
    if not len(settlements):
        return []
    _simple_layer(
        m,
        settlements,
        name=_unique_name(m, _i18n.label("settlements", lang), suffix),
        style=_SETTLEMENT,
        columns=("name", "population"),
        lang=lang,
        class_name="zg-settlement",
        renderer=renderer,
        tooltip=("name",),
    )
    item = _legend_item(
        _i18n.label("settlements", lang), "dot", fill="#FFFFFF", stroke="#000000"
    )
    return [{"title": _text(_i18n.label("settlements", lang)), "items": [item]}]
