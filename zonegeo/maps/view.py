"""The map frame: a new map with its basemap and assets, layer names, opening view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium

from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.maps import page as _assets
from zonegeo.maps.elements import (
    _FIT_KEY,
    _LAYER_CONTROL_KEY,
    DEMO_ATTRIBUTION,
    _Assets,
    _Attribution,
    _Fit,
)
from zonegeo.maps.geojson import _bounds_latlon
from zonegeo.maps.legend import _FIT_MARGIN_PX, _legend_width_px
from zonegeo.maps.styles import BASEMAPS

if TYPE_CHECKING:
    from collections.abc import Sequence


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
