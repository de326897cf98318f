"""Context layers of a district map: infrastructure by kind, buffers, simple layers."""

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
from zonegeo.maps.popups import _INFRA_COLUMNS, _is_missing, _table, _text
from zonegeo.maps.styles import _INFRA_DEFAULT, _KIND_ORDER, INFRA_STYLES
from zonegeo.maps.view import _unique_name

if TYPE_CHECKING:
    from collections.abc import Sequence


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
