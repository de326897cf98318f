"""The plots layer: status or class colours, idle-plot outlines, plot popups."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from zonegeo import dates as _dates
from zonegeo import i18n as _i18n
from zonegeo.maps.elements import _DataLayer
from zonegeo.maps.geojson import _collection
from zonegeo.maps.legend import _legend_item
from zonegeo.maps.popups import (
    _PLOT_COLUMNS,
    _is_missing,
    _ordered_columns,
    _table,
    _text,
)
from zonegeo.maps.styles import (
    _IDLE_OUTLINE,
    _PLOT_STYLE,
    NO_DATA_COLOR,
    STATUS_COLORS,
    _classify,
    _colors,
    _polygon_style,
)
from zonegeo.maps.view import _unique_name
from zonegeo.parcels import idle_mask, to_timestamp

Styling = tuple[list[dict[str, Any]], list[int], list[dict[str, Any]], str]


def _idle_state(
    plots: gpd.GeoDataFrame, frame: pd.DataFrame, as_of: object | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return which plots are idle, whose idle state is unknown, days overdue."""
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
    return idle, idle_unknown, overdue


def _zone_text(frame: pd.DataFrame, zones: gpd.GeoDataFrame) -> list[str | None]:
    """Return each plot's zone as "name (zone_id)", escaped; None without one."""
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
    return zone_text


def _status_text(
    frame: pd.DataFrame, idle: np.ndarray, idle_unknown: np.ndarray, lang: str
) -> list[str | None]:
    """Return each plot's status, marked idle (or idle unknown), escaped."""
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
    return status_text


def _by_status(frame: pd.DataFrame, idle: np.ndarray, lang: str) -> Styling:
    """Colour plots by status, idle apart: styles, style of each, legend, subtitle."""
    keys = [*(k for k in STATUS_COLORS if k != "idle"), "idle"]
    styles = [_polygon_style(_PLOT_STYLE, fillColor=STATUS_COLORS[key]) for key in keys]
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
    legend = [{"title": _text(_i18n.label("plot_status", lang)), "items": items}]
    return styles, style_idx, legend, _i18n.label("plot_status", lang)


def _section(title: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"title": _text(title), "items": [item]}


def _by_class(
    m: folium.Map,
    frame: pd.DataFrame,
    idle: np.ndarray,
    *,
    color_by: str,
    scheme: str,
    k: int,
    lang: str,
) -> Styling:
    """Colour plots in classes of ``color_by`` (colour bar on ``m``), idle outlined."""
    legend: list[dict[str, Any]] = []
    classes, edges = _classify(frame[color_by], scheme=scheme, k=k)
    n_classes = max(len(edges) - 1, 1) if edges else 0
    palette = _colors(n_classes) if n_classes else []
    styles = [_polygon_style(_PLOT_STYLE, fillColor=c) for c in palette]
    styles.append(_polygon_style(_PLOT_STYLE, fillColor=NO_DATA_COLOR, fillOpacity=0.5))
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
        value = _i18n.format_number(edges[0], lang, decimals=2) or ""
        item = _legend_item(value, "polygon", fill=palette[0], stroke="#404040")
        legend.append(_section(caption, item))
    if (classes < 0).any():
        item = _legend_item(
            _i18n.label("no_data", lang),
            "polygon",
            fill=NO_DATA_COLOR,
            stroke="#404040",
        )
        legend.append(_section(caption, item))
    if idle.any():
        item = _legend_item(
            _i18n.label("idle_plots", lang),
            "polygon",
            stroke="#000000",
            dash="5 3",
            weight=2,
            fillOpacity=0,
        )
        legend.append(_section(_i18n.label("plot_status", lang), item))
    return styles, style_idx, legend, caption


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
    frame = pd.DataFrame(plots.drop(columns=plots.geometry.name))
    idle, idle_unknown, overdue = _idle_state(plots, frame, as_of)
    frame["days_overdue"] = overdue
    zone_text = _zone_text(frame, zones)
    status_text = _status_text(frame, idle, idle_unknown, lang)
    frame["zone"] = None
    columns = _ordered_columns(list(frame.columns), _PLOT_COLUMNS)
    labels, values = _table(
        frame, columns, lang, overrides={"zone": zone_text, "status": status_text}
    )
    if color_by == "status":
        styles, style_idx, legend, subtitle = _by_status(frame, idle, lang)
    else:
        styles, style_idx, legend, subtitle = _by_class(
            m, frame, idle, color_by=color_by, scheme=scheme, k=k, lang=lang
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
