"""Interactive map of the whole region: every district, each linking to its page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import folium
import pandas as pd
from branca.element import Figure

from zonegeo import i18n as _i18n
from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.maps.elements import _CONTROLS_KEY, _Controls, _DataLayer
from zonegeo.maps.geojson import MAX_VERTICES, _collection, _vertex_budget, latlon
from zonegeo.maps.legend import _control_options, _legend_item
from zonegeo.maps.popups import _ZONE_COLUMNS, _district_label, _table, _text
from zonegeo.maps.styles import Basemap, Renderer
from zonegeo.maps.view import _add_layer_control, _attribute, _fit, _new_map

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import geopandas as gpd

__all__ = ["region_map"]


def _district_table(
    plots: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, lang: str
) -> tuple[list[str], list[list[str | None]]]:
    """Return popup labels and values: each district's name, plots, free plots."""
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
    return labels, values


def _district_links(
    names: Sequence[str], links: Mapping[str, str] | None, lang: str
) -> tuple[list[str | None], list[str | None]]:
    """Return each district's link and its hint; refuse a script address."""
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
    return hrefs, tips


def _district_layer(
    m: folium.Map,
    districts: gpd.GeoDataFrame,
    plots: gpd.GeoDataFrame,
    *,
    links: Mapping[str, str] | None,
    lang: str,
    renderer: str,
) -> dict[str, Any]:
    """Draw the districts, each linking to its page; return the legend item."""
    labels, values = _district_table(plots, districts, lang)
    names = [str(d) for d in districts["district"]]
    hrefs, tips = _district_links(names, links, lang)
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
    return _legend_item(
        _i18n.label("districts", lang),
        "polygon",
        fill="#56B4E9",
        stroke="#222222",
        fillOpacity=0.18,
        weight=2,
    )


def _zone_layer(
    m: folium.Map, zones: gpd.GeoDataFrame, *, lang: str, renderer: str
) -> list[dict[str, Any]]:
    """Draw every zone of the region, if any; return the legend items."""
    if not len(zones):
        return []
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
    return [
        _legend_item(
            _i18n.label("zones", lang),
            "polygon",
            fill="#E69F00",
            stroke="#000000",
            fillOpacity=0.6,
        )
    ]


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
    >>> from zonegeo.maps.region import region_map
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

    legend_items = [
        _district_layer(
            m, districts, dataset.plots, links=links, lang=lang, renderer=renderer
        ),
        *_zone_layer(m, zones, lang=lang, renderer=renderer),
    ]
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
