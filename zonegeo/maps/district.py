"""Interactive map of one district (Folium / Leaflet) that also works offline.

:func:`district_map` draws one district: its boundary, zones by kind, plots
coloured by status (idle plots marked) or by any numeric column,
infrastructure by kind, settlements, ranked candidate sites and sanitary
buffers, each a layer that can be switched on and off; with a legend, a title,
a scale bar, a fullscreen button, a distance-measure tool and a minimap.
Save it with :func:`zonegeo.maps.save.save_map`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure

from zonegeo import i18n as _i18n
from zonegeo.dataset import Dataset
from zonegeo.errors import SchemaError, ValidationError
from zonegeo.maps.elements import _CONTROLS_KEY, _Controls
from zonegeo.maps.geojson import (
    MAX_VERTICES,
    _collection,
    _to_4326,
    _vertex_budget,
    latlon,
)
from zonegeo.maps.layers import _context_layers, _infra_layers, _settlement_layer
from zonegeo.maps.legend import _control_options
from zonegeo.maps.plots import _plot_layers
from zonegeo.maps.popups import _district_label, _text
from zonegeo.maps.raster import RasterLayer, _as_layers, _raster_overlays
from zonegeo.maps.sites import _candidate_layers
from zonegeo.maps.styles import SCHEMES, Basemap, Renderer
from zonegeo.maps.view import (
    _add_layer_control,
    _attribute,
    _fit,
    _new_map,
    _own_assets,
    _provider,
    _tiles_option,
)
from zonegeo.parcels import area_ha, to_timestamp

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["district_map"]

log = logging.getLogger(__name__)


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


def _check_options(
    dataset: Dataset,
    *,
    m: folium.Map | None,
    lang: str,
    basemap: str,
    renderer: str,
) -> None:
    """Refuse a wrong dataset, map, language, basemap or renderer."""
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


def _check_classes(scheme: str, k: int) -> None:
    """Refuse an unknown classification scheme or a bad number of classes."""
    if scheme not in SCHEMES:
        msg = f"unknown scheme={scheme!r}; allowed: {', '.join(SCHEMES)}"
        raise ValidationError(msg)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        msg = f"k must be a positive number of classes, got {k!r}"
        raise ValidationError(msg)


def _in_district(
    dataset: Dataset,
    name: str,
    ranking: gpd.GeoDataFrame | None,
    buffers: gpd.GeoDataFrame | None,
) -> tuple[Dataset, gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Return the district's layers, and the ranked sites and buffers in it."""
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
    return sub, ranking, buffers


def _plots_to_draw(
    dataset: Dataset,
    plots: gpd.GeoDataFrame,
    ranking: gpd.GeoDataFrame | None,
    *,
    access: bool,
) -> gpd.GeoDataFrame:
    """Return the plots with ranking columns, area and (if asked) access columns."""
    plots = _join_ranking(plots, ranking)
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
    return plots


def _check_color_by(plots: gpd.GeoDataFrame, color_by: str, name: str) -> None:
    """Refuse a ``color_by`` that is neither "status" nor a numeric plot column."""
    if color_by == "status":
        return
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


def _fit_budget(
    sub: Dataset,
    plots: gpd.GeoDataFrame,
    ranking: gpd.GeoDataFrame | None,
    *,
    max_vertices: int | None,
    simplify_m: float | None,
) -> tuple[Dataset, gpd.GeoDataFrame, gpd.GeoDataFrame | None, float | None]:
    """Return the layers as drawn: outlines simplified to fit the vertex budget."""
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
    sub = replace(
        sub,
        districts=shown["districts"],
        zones=shown["zones"],
        exclusions=shown["exclusions"],
        infrastructure=shown["infrastructure"],
    )
    return sub, plots, shown["ranking"], simplified_m


def _start_map(
    m: folium.Map | None, sub: Dataset, *, label: str, basemap: str, lang: str
) -> folium.Map:
    """Return ``m`` or a new map on the district, with assets, credits and title."""
    if m is None:
        minx, miny, maxx, maxy = sub.districts.total_bounds
        m = _new_map(latlon((minx + maxx) / 2, (miny + maxy) / 2), basemap=basemap)
    else:
        _own_assets(m)
    _attribute(m, sub)
    root = m.get_root()
    if isinstance(root, Figure):
        root.title = _text(f"{label} \u2014 {_i18n.label('title_suffix', lang)}")
    return m


def _minimap(
    dataset: Dataset, name: str, *, basemap: str | None, lang: str
) -> dict[str, Any]:
    """Return the minimap's options: every district's outline, this one marked."""
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
    return {
        "tiles": None if basemap is None else _tiles_option(basemap),
        "outlines": outlines,
        "title": _text(_i18n.label("minimap", lang)),
    }


def _finish(
    m: folium.Map, options: dict[str, Any], total_bounds: Sequence[float]
) -> None:
    """Add the controls (replacing earlier ones), the layer control and the view."""
    m._children.pop(_CONTROLS_KEY, None)
    m.add_child(_Controls(options), name=_CONTROLS_KEY)
    _add_layer_control(m)
    _fit(m, total_bounds, options["legend"]["sections"] if options["legend"] else [])


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
    raster: RasterLayer | Sequence[RasterLayer] | None = None,
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
    raster : RasterLayer or sequence of RasterLayer, optional
        Rasters drawn under the vector layers, each clipped to the district,
        with its own legend entry and a switch in the layer control: shaded
        relief of a DEM, classed slope, or any raster in classes (see
        :class:`zonegeo.RasterLayer`). The image is embedded in the page, so
        a self-contained page stays offline. A raster that does not overlap
        the district is left out with a :class:`DataWarning`.

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
        If ``ranking``, ``buffers`` or a raster has no CRS.
    ReadError
        If a raster file is missing or cannot be read.

    Warns
    -----
    DataWarning
        Naming a raster that does not overlap the district (or has no valid
        cell in it); the map is drawn without that layer.

    See Also
    --------
    save_map, region_map, zonegeo.write_atlas, zonegeo.RasterLayer

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
    _check_options(dataset, m=m, lang=lang, basemap=basemap, renderer=renderer)
    _check_classes(scheme, k)
    rasters = _as_layers(raster)
    name = dataset.check_district(district)
    sub, ranking, buffers = _in_district(dataset, name, ranking, buffers)
    area = sub.districts.geometry.union_all()  # the full outline clips the rasters
    plots = _plots_to_draw(dataset, sub.plots, ranking, access=access)
    _check_color_by(plots, color_by, name)
    # measures above used the full geometry; the page gets outlines that fit
    # the vertex budget
    sub, plots, ranking, simplified_m = _fit_budget(
        sub, plots, ranking, max_vertices=max_vertices, simplify_m=simplify_m
    )

    label = _district_label(sub.districts, name, lang)
    given = m is not None
    m = _start_map(m, sub, label=label, basemap=basemap, lang=lang)
    where = {"lang": lang, "renderer": renderer, "suffix": label if given else ""}

    raster_legend = _raster_overlays(
        m, rasters, area, district=name, lang=lang, suffix=where["suffix"]
    )
    legend = [_context_layers(m, sub, buffers, label=label, **where)]
    plot_legend, subtitle = _plot_layers(
        m,
        plots,
        sub.zones,
        color_by=color_by,
        as_of=as_of,
        scheme=scheme,
        k=k,
        simplify_m=None,
        **where,
    )
    legend.extend(plot_legend)
    legend.extend(_infra_layers(m, sub.infrastructure, simplify_m=None, **where))
    legend.extend(_settlement_layer(m, sub.settlements, **where))
    if ranking is not None and len(ranking):
        legend.extend(
            _candidate_layers(
                m, ranking, rank_labels=rank_labels, simplify_m=None, **where
            )
        )
    legend.extend(raster_legend)

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
        _minimap(dataset, name, basemap=None if given else basemap, lang=lang),
        simplified_m,
    )
    _finish(m, options, sub.districts.total_bounds)
    log.info(
        "district map of %s: %d plots, %d infrastructure features, %d ranked sites",
        name,
        len(plots),
        len(sub.infrastructure),
        0 if ranking is None else len(ranking),
    )
    return m
