"""The ranked candidate sites layer and its rank labels, placed so none overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonegeo import i18n as _i18n
from zonegeo.maps.elements import _DataLayer
from zonegeo.maps.geojson import _DECIMALS, _collection
from zonegeo.maps.legend import _legend_item
from zonegeo.maps.popups import (
    _CANDIDATE_FIRST,
    _SITE_ID_COLUMNS,
    _ordered_columns,
    _table,
    _text,
)
from zonegeo.maps.styles import (
    _CANDIDATE,
    _CANDIDATE_TOP,
    _EXCLUDED,
    NO_DATA_COLOR,
    _classify,
    _colors,
    _polygon_style,
)
from zonegeo.maps.view import _unique_name

if TYPE_CHECKING:
    from collections.abc import Sequence

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


Table = tuple[list[str], list[list[str | None]]]


def _subset(values: list[list[str | None]], mask: np.ndarray) -> list[list[str | None]]:
    """Return the column-major ``values`` of the rows where ``mask`` holds."""
    return [[v for v, keep in zip(col, mask, strict=True) if keep] for col in values]


def _score_legend(
    palette: Sequence[str], edges: Sequence[float], *, lang: str
) -> list[dict[str, Any]]:
    """Return one legend item per score class: "score lo-hi"."""
    score = _i18n.column_label("score", lang)
    items = []
    for i, colour in enumerate(palette):
        lo, hi = (edges[i], edges[i + 1]) if len(edges) > i + 1 else (edges[0],) * 2
        span = (
            f"{_i18n.format_number(lo, lang, decimals=2)}"
            f"\u2013{_i18n.format_number(hi, lang, decimals=2)}"
        )
        items.append(
            _legend_item(f"{score} {span}", "polygon", fill=colour, stroke="#333333")
        )
    return items


def _eligible_layer(
    m: folium.Map,
    ranking: gpd.GeoDataFrame,
    frame: pd.DataFrame,
    eligible: np.ndarray,
    table: Table,
    *,
    columns: list[str],
    id_col: str,
    lang: str,
    renderer: str,
    suffix: str,
    rank_labels: int,
    simplify_m: float | None,
) -> list[dict[str, Any]]:
    """Draw the eligible sites by score class, best ranks labelled; return legend."""
    labels, values = table
    ranks = pd.to_numeric(frame["rank"], errors="coerce")
    geo = ranking.geometry[eligible]
    order = ranks[eligible].to_numpy()
    best = np.argsort(np.where(np.isnan(order), np.inf, order), kind="stable")
    top = [int(i) for i in best[: max(rank_labels, 0)] if not np.isnan(order[i])]
    # fill: score classes (viridis); the best sites also get a thick outline
    classes, edges = _classify(frame.loc[eligible, "score"], scheme="quantiles", k=5)
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
            geo,
            values=_subset(values, eligible),
            styles=style_idx,
            simplify_m=simplify_m,
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
        _DataLayer(spec, name=_unique_name(m, _i18n.label("candidates", lang), suffix))
    )
    items = _score_legend(palette, edges, lang=lang)
    if top:
        items.append(_legend_item(_i18n.label("rank_label", lang), "rank"))
    return items


def _excluded_layer(
    m: folium.Map,
    ranking: gpd.GeoDataFrame,
    eligible: np.ndarray,
    table: Table,
    *,
    tooltip: int,
    lang: str,
    renderer: str,
    suffix: str,
    simplify_m: float | None,
) -> dict[str, Any]:
    """Draw the ineligible sites in a hidden layer; return the legend item."""
    labels, values = table
    spec_x = {
        "data": _collection(
            ranking.geometry[~eligible],
            values=_subset(values, ~eligible),
            simplify_m=simplify_m,
        ),
        "styles": [_EXCLUDED],
        "fields": labels,
        "title": _text(_i18n.label("excluded_candidates", lang)),
        "tooltip": [tooltip],
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
    return _legend_item(
        _i18n.label("excluded_candidates", lang),
        "polygon",
        fill="#7F7F7F",
        stroke="#7F7F7F",
        dash="3 3",
        fillOpacity=0.15,
    )


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
    """Draw the ranked sites (eligible, then excluded); return the legend section."""
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
    table = _table(frame, columns, lang)
    legend_items = []
    if eligible.any():
        legend_items += _eligible_layer(
            m,
            ranking,
            frame,
            eligible,
            table,
            columns=columns,
            id_col=id_col,
            rank_labels=rank_labels,
            lang=lang,
            renderer=renderer,
            suffix=suffix,
            simplify_m=simplify_m,
        )
    if (~eligible).any():
        legend_items.append(
            _excluded_layer(
                m,
                ranking,
                eligible,
                table,
                tooltip=columns.index(id_col),
                lang=lang,
                renderer=renderer,
                suffix=suffix,
                simplify_m=simplify_m,
            )
        )
    return [{"title": _text(_i18n.label("candidates", lang)), "items": legend_items}]
