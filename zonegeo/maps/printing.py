"""The printed atlas: a PDF for officials, one A4 landscape page per district.

:func:`print_atlas` writes a cover page (the region map, its key figures,
charts, the date and the data sources) and one page per district made by
:func:`district_page`: the district map with its zones in detail, legend, a
scale bar true on the ground, a north arrow, the district's key figures and
its idle plots. :func:`print_district` writes one such page as PNG, SVG or
PDF. Everything is drawn with matplotlib, so no browser and no network are
needed; a basemap is drawn only when asked for (with contextily, online).

Maps are drawn in the district's (or region's) UTM zone, so map units are
metres; the scale bar's length is corrected by the projection's point scale
factor at the bar, and the north arrow by the meridian convergence. Text is
set in DejaVu Sans, which has every Kazakh and Russian letter, and embedded as
TrueType (``pdf.fonttype = 42``), so the PDF's text can be searched and copied.

Styles (status colours, infrastructure colours, dashes and symbols, zone
dashes) are those of the HTML maps (:mod:`zonegeo.maps`); the key figures come
from :func:`zonegeo.district_kpis` and the idle plots from
:func:`zonegeo.idle_plots`.
"""

from __future__ import annotations

import logging
import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd
from shapely.geometry import box

from zonegeo import i18n as _i18n
from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.maps.district import _check_ranking
from zonegeo.maps.popups import _district_label
from zonegeo.maps.styles import (
    _BOUNDARY,
    _EXCLUSION,
    _IDLE_OUTLINE,
    _INFRA_DEFAULT,
    _KIND_ORDER,
    _SETTLEMENT,
    _ZONE_DASH,
    BASEMAPS,
    INFRA_STYLES,
    STATUS_COLORS,
)

if TYPE_CHECKING:
    import os

    import geopandas as gpd
    import pyproj
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PAGE_SIZE_IN",
    "PRINT_FORMATS",
    "district_page",
    "print_atlas",
    "print_district",
    "region_page",
]

log = logging.getLogger(__name__)

#: A4 landscape, inches.
PAGE_SIZE_IN = (297 / 25.4, 210 / 25.4)

#: Formats :func:`print_district` writes, by file suffix.
PRINT_FORMATS = ("pdf", "png", "svg")

PrintBasemap = Literal["osm", "esri", "none"]

_W_MM, _H_MM = 297.0, 210.0
_RC: Any = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "hatch.linewidth": 0.5,
    "axes.linewidth": 0.6,
    "savefig.dpi": 150,
}
_PX_TO_PT = 0.45  # HTML line widths (px) to print line widths (pt)
_SYMBOLS = {
    "circle": "o",
    "triangle": "^",
    "square": "s",
    "diamond": "D",
    "hexagon": "h",
}
_ZONE_EDGE, _ZONE_FILL = "#4D4D4D", "#999999"
_NEIGHBOUR = "#BBBBBB"
_MAX_DETAIL = 6
_DASH = "\u2013"
_IDLE_WEIGHT = cast("float", _IDLE_OUTLINE["weight"])  # px, as in the HTML maps
_PRINT_RESOLUTION = 3000  # outline simplification: the map's width / this
_MAX_SETTLEMENT_LABELS = 12  # the most populous settlements get their name


# --------------------------------------------------------------------------- helpers


def _rect(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """Figure rectangle from millimetres measured from the page's top left."""
    return (x / _W_MM, 1 - (y + h) / _H_MM, w / _W_MM, h / _H_MM)


def _dashes(dash: str | None, weight: float) -> Any:
    """Turn a folium dash pattern (px) into a matplotlib line style of that width."""
    if not dash:
        return "solid"
    return (0, tuple(float(x) / weight for x in dash.split()))


def _polygon_paths(geoms: gpd.GeoSeries) -> list[Any]:
    """One compound matplotlib Path per (multi)polygon; empty ones are skipped."""
    from matplotlib.path import Path as MplPath

    paths = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        rings = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            rings.append(np.asarray(poly.exterior.coords)[:, :2])
            rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
        if not rings:
            continue
        verts = np.concatenate(rings)
        codes = np.full(len(verts), MplPath.LINETO, dtype=np.uint8)
        start = 0
        for r in rings:
            codes[start] = MplPath.MOVETO
            codes[start + len(r) - 1] = MplPath.CLOSEPOLY
            start += len(r)
        paths.append(MplPath(verts, codes))
    return paths


def _polygons(ax: Axes, geoms: gpd.GeoSeries, **style: Any) -> None:
    from matplotlib.collections import PathCollection

    paths = _polygon_paths(geoms)
    if paths:
        ax.add_collection(PathCollection(paths, **style), autolim=False)


def _lines(ax: Axes, geoms: gpd.GeoSeries, **style: Any) -> None:
    from matplotlib.collections import LineCollection

    parts = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for line in getattr(geom, "geoms", [geom]):
            if line.geom_type == "LineString":
                parts.append(np.asarray(line.coords)[:, :2])
            elif line.geom_type == "Polygon":
                parts.append(np.asarray(line.exterior.coords)[:, :2])
    if parts:
        ax.add_collection(LineCollection(parts, **style), autolim=False)


def _points(geoms: gpd.GeoSeries) -> np.ndarray:
    pts = [
        (p.x, p.y)
        for g in geoms
        if g is not None and not g.is_empty
        for p in getattr(g, "geoms", [g])
        if p.geom_type == "Point"
    ]
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def _simplified(gdf: gpd.GeoDataFrame, crs: pyproj.CRS, tol: float) -> gpd.GeoSeries:
    geo = gdf.geometry.to_crs(crs)
    return geo.simplify(tol, preserve_topology=True) if tol > 0 else geo


def _text(ax: Axes, x: float, y: float, s: str, **kw: Any) -> Any:
    """Plain text: data strings never become mathtext."""
    return ax.text(x, y, s, parse_math=False, **kw)


def _wrap(text: str, ax: Axes, *, size_pt: float = 9.0) -> str:
    """Wrap a bold heading to the width of its axes (about 0.62 em a letter)."""
    width_pt = ax.get_position().width * _size_in(ax)[0] * 72
    return textwrap.fill(text, width=max(int(width_pt / (0.62 * size_pt)), 10))


def _size_in(ax: Axes) -> Any:
    """Return the size of the figure of ``ax`` in inches."""
    return cast("Figure", ax.figure).get_size_inches()


def _clip(s: object, n: int) -> str:
    text = "" if s is None or (isinstance(s, float) and math.isnan(s)) else str(s)
    if text in ("<NA>", "nan", "None"):
        text = ""
    return text if len(text) <= n else text[: max(n - 1, 1)] + "\u2026"


def _ground_scale(crs: pyproj.CRS, x: float, y: float) -> float:
    """Projected metres per ground metre at ``(x, y)`` (the point scale factor)."""
    import pyproj

    lon, lat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    factors = pyproj.Proj(crs).get_factors(lon, lat)
    return float(factors.meridional_scale)


def _nice(length: float) -> float:
    """Return the largest 1, 2 or 5 x 10^n not above ``length``."""
    exp = math.floor(math.log10(length))
    for m in (5, 2, 1):
        if m * 10**exp <= length:
            return float(m * 10**exp)
    return float(10**exp)


def _length_text(metres: float, lang: str) -> str:
    if metres >= 1000:
        km = metres / 1000
        text = _i18n.format_number(km, lang, decimals=0 if km >= 1 else 1) or ""
        return f"{text} {_i18n.label('unit_km', lang)}"
    return f"{_i18n.format_number(metres, lang) or ''} {_i18n.label('unit_m', lang)}"


def scale_bar(
    ax: Axes, crs: pyproj.CRS, *, lang: str = "en", fraction: float = 0.25
) -> tuple[float, float, float, float, float]:
    """Draw a scale bar true on the ground in the lower left of a metric map.

    The bar's ground length is a round number (1, 2 or 5 x 10^n metres) near
    ``fraction`` of the map's width; its drawn length in map units is that
    length times the projection's point scale factor at the bar, so it
    measures true on the ground, not on the grid.

    Parameters
    ----------
    ax : Axes
        A map drawn in ``crs`` with equal aspect; call after its limits are set.
    crs : pyproj.CRS
        The map's projected CRS (metres).
    lang : {"en", "kk", "ru"}, default "en"
    fraction : float, default 0.25
        Rough share of the map width the bar takes.

    Returns
    -------
    tuple of float
        ``(x0, y0, x1, y1, ground_m)``: the bar's ends in map units and its
        length on the ground in metres. The bar's line has the artist id
        (``gid``) ``"zonegeo-scalebar"``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    ax.apply_aspect()
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    width, height = x_hi - x_lo, y_hi - y_lo
    x0, y0 = x_lo + 0.04 * width, y_lo + 0.05 * height
    k = _ground_scale(crs, x0 + fraction * width / 2, y0)
    ground = _nice(fraction * width / k)
    drawn = ground * k
    bar_h = 0.012 * height
    n = 4
    for i in range(n):
        ax.add_patch(
            Rectangle(
                (x0 + drawn * i / n, y0),
                drawn / n,
                bar_h,
                facecolor="#000000" if i % 2 == 0 else "#FFFFFF",
                edgecolor="#000000",
                linewidth=0.5,
                zorder=20,
            )
        )
    ax.add_line(
        Line2D(
            [x0, x0 + drawn],
            [y0, y0],
            color="#000000",
            linewidth=0.6,
            zorder=21,
            gid="zonegeo-scalebar",
        )
    )
    box = {"facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.7, "pad": 1.2}
    _text(
        ax,
        x0,
        y0 + bar_h * 1.6,
        "0",
        ha="center",
        va="bottom",
        fontsize=6,
        zorder=21,
        bbox=box,
    )
    _text(
        ax,
        x0 + drawn,
        y0 + bar_h * 1.6,
        _length_text(ground, lang),
        ha="center",
        va="bottom",
        fontsize=6,
        zorder=21,
        bbox=box,
        gid="zonegeo-scalebar-label",
    )
    return x0, y0, x0 + drawn, y0, ground


def north_arrow(ax: Axes, crs: pyproj.CRS, *, lang: str = "en") -> float:
    """Draw a north arrow in the upper right of a map, pointing to true north.

    Returns the arrow's angle from the grid's up direction in degrees
    (clockwise positive), the meridian convergence at the arrow.
    """
    import pyproj

    ax.apply_aspect()
    x_lo, x_hi = ax.get_xlim()
    y_lo, y_hi = ax.get_ylim()
    x = x_hi - 0.06 * (x_hi - x_lo)
    y = y_hi - 0.12 * (y_hi - y_lo)
    to_ll = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_ll.transform(x, y)
    x2, y2 = to_ll.transform(lon, lat + 0.01, direction="INVERSE")
    angle = math.degrees(math.atan2(x2 - x, y2 - y))
    size = 0.07 * (y_hi - y_lo)
    dx, dy = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    ax.annotate(
        "",
        xy=(x + dx * size / 2, y + dy * size / 2),
        xytext=(x - dx * size / 2, y - dy * size / 2),
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.8",
            "color": "#000000",
            "linewidth": 1.2,
        },
        zorder=22,
    )
    _text(
        ax,
        x + dx * size * 0.62,
        y + dy * size * 0.62,
        _i18n.label("north", lang),
        ha="center",
        va="bottom",
        fontsize=8,
        fontweight="bold",
        zorder=22,
        gid="zonegeo-north",
    )
    return angle


def _add_basemap(ax: Axes, crs: pyproj.CRS, basemap: str) -> str | None:
    """Draw web tiles under the map (contextily, online); return the credit."""
    if basemap == "none":
        return None
    try:
        import contextily
    except ImportError as exc:
        msg = (
            f"basemap={basemap!r} needs the contextily package and a network "
            f"connection; install it with 'pip install contextily', or print "
            f"without a basemap (basemap='none', the default)"
        )
        raise ImportError(msg) from exc
    import xyzservices

    provider = xyzservices.providers.query_name(str(BASEMAPS[basemap]))
    contextily.add_basemap(ax, crs=crs, source=provider, attribution=False, zorder=0)
    return str(provider.get("attribution", ""))


def _check_basemap(basemap: str) -> None:
    if basemap not in BASEMAPS:
        msg = f"unknown basemap={basemap!r}; allowed: {', '.join(BASEMAPS)}"
        raise ValidationError(msg)


def _frame(ax: Axes, bounds: np.ndarray, margin: float = 0.04) -> None:
    """Frame ``bounds`` with equal x and y scale, filling the axes box."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    fig_w, fig_h = _size_in(ax)
    pos = ax.get_position()
    box = (pos.height * fig_h) / (pos.width * fig_w)  # height / width of the box
    if h / w < box:
        h = w * box
    else:
        w = h / box
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)


def _idle_flags(plots: gpd.GeoDataFrame, as_of: object | None) -> np.ndarray:
    from zonegeo.parcels import idle_mask

    if not len(plots) or "build_by" not in plots.columns:
        return np.zeros(len(plots), dtype=bool)
    return idle_mask(plots, as_of=as_of).to_numpy(dtype=bool)


def _draw_plots(
    ax: Axes, plots: gpd.GeoSeries, status: pd.Series, idle: np.ndarray, lw: float
) -> None:
    colours = [
        STATUS_COLORS["idle"] if i else STATUS_COLORS.get(str(s), "#BDBDBD")
        for s, i in zip(status.astype(object), idle, strict=True)
    ]
    keep = [g is not None and not g.is_empty for g in plots]
    _polygons(
        ax,
        plots,
        facecolors=[c for c, k in zip(colours, keep, strict=True) if k],
        edgecolors="#404040",
        linewidths=lw,
        zorder=4,
    )
    if idle.any():
        _polygons(
            ax,
            plots[idle],
            facecolors="none",
            edgecolors=str(_IDLE_OUTLINE["color"]),
            linewidths=max(lw * 2.5, 0.6),
            linestyles=[_dashes(str(_IDLE_OUTLINE["dashArray"]), _IDLE_WEIGHT)],
            zorder=5,
        )


def _draw_infra(ax: Axes, infra: gpd.GeoDataFrame, *, marker_size: float) -> list[str]:
    """Draw lines and points by kind with the HTML maps' styles; return kinds drawn."""
    if not len(infra):
        return []
    kinds = [k for k in _KIND_ORDER if (infra["kind"] == k).any()]
    kinds += sorted(set(map(str, infra["kind"].dropna())) - set(kinds))
    for kind in kinds:
        part = infra.geometry[(infra["kind"] == kind).to_numpy(dtype=bool)]
        st = INFRA_STYLES.get(kind, _INFRA_DEFAULT)
        lines = part[part.geom_type.isin(["LineString", "MultiLineString"])]
        if len(lines):
            _lines(
                ax,
                lines,
                colors=st["color"],
                linewidths=st["weight"] * _PX_TO_PT,
                linestyles=[_dashes(st["dash"], st["weight"])],
                capstyle="round",
                zorder=6,
            )
        pts = _points(part)
        if len(pts):
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=marker_size,
                marker=_SYMBOLS.get(st["symbol"], "D"),
                c=st["color"],
                edgecolors="#FFFFFF",
                linewidths=0.4,
                zorder=7,
            )
    return kinds


def _draw_zones(ax: Axes, zones: gpd.GeoDataFrame, geo: gpd.GeoSeries) -> None:
    for kind in zones["kind"].astype(str).unique():
        mask = (zones["kind"].astype(str) == kind).to_numpy()
        _polygons(
            ax,
            geo[mask],
            facecolors=_ZONE_FILL,
            alpha=None,
            edgecolors=_ZONE_EDGE,
            linewidths=0.8,
            linestyles=[_dashes(_ZONE_DASH.get(kind), 2)],
            zorder=3,
        )
        _polygons(
            ax, geo[mask], facecolors=(0.6, 0.6, 0.6, 0.12), edgecolors="none", zorder=2
        )


# --------------------------------------------------------------------------- legend


def _legend(
    ax: Axes,
    *,
    lang: str,
    statuses: list[str],
    idle: bool,
    zone_kinds: list[str],
    infra: gpd.GeoDataFrame,
    kinds: list[str],
    settlements: bool,
    candidates: bool,
    exclusions: bool,
) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Line2D(
            [],
            [],
            color=str(_BOUNDARY["color"]),
            linewidth=1.6,
            label=_i18n.label("district_boundary", lang),
        )
    ]
    for kind in zone_kinds:
        handles.append(
            Patch(
                facecolor=(0.6, 0.6, 0.6, 0.12),
                edgecolor=_ZONE_EDGE,
                linestyle=_dashes(_ZONE_DASH.get(kind), 2),
                linewidth=0.8,
                label=_i18n.zone_kind_label(kind, lang),
            )
        )
    for s in statuses:
        handles.append(
            Patch(
                facecolor=STATUS_COLORS[s],
                edgecolor="#404040",
                linewidth=0.4,
                label=_i18n.status_label(s, lang),
            )
        )
    if idle:
        handles.append(
            Patch(
                facecolor=STATUS_COLORS["idle"],
                edgecolor="#000000",
                linestyle=_dashes(str(_IDLE_OUTLINE["dashArray"]), _IDLE_WEIGHT),
                linewidth=1.0,
                label=_i18n.status_label("idle", lang),
            )
        )
    for kind in kinds:
        st = INFRA_STYLES.get(kind, _INFRA_DEFAULT)
        part = infra[infra["kind"] == kind]
        types = set(part.geom_type)
        name = _i18n.kind_label(kind, lang)
        if types & {"LineString", "MultiLineString"}:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=st["color"],
                    linewidth=st["weight"] * _PX_TO_PT,
                    linestyle=_dashes(st["dash"], st["weight"]),
                    solid_capstyle="round",
                    dash_capstyle="round",
                    label=name,
                )
            )
        if types & {"Point", "MultiPoint"}:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=st["color"],
                    linestyle="none",
                    marker=_SYMBOLS.get(st["symbol"], "D"),
                    markersize=5,
                    markeredgecolor="#FFFFFF",
                    label=name,
                )
            )
    if settlements:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=4,
                markerfacecolor=str(_SETTLEMENT["fillColor"]),
                markeredgecolor=str(_SETTLEMENT["color"]),
                label=_i18n.label("settlements", lang),
            )
        )
    if exclusions:
        handles.append(
            Patch(
                facecolor=str(_EXCLUSION["fillColor"]),
                alpha=0.3,
                edgecolor=str(_EXCLUSION["color"]),
                label=_i18n.label("exclusions", lang),
            )
        )
    if candidates:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=6,
                markerfacecolor="#21918C",
                markeredgecolor="#000000",
                label=_i18n.label("candidates", lang),
            )
        )
    ax.set_axis_off()
    legend = ax.legend(
        handles=handles,
        loc="upper left",
        ncol=3,
        frameon=False,
        fontsize=6.5,
        handlelength=2.6,
        columnspacing=1.2,
        borderaxespad=0,
    )
    for t in legend.get_texts():
        t.set_parse_math(False)


# --------------------------------------------------------------------------- tables


def _kpi_rows(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    from zonegeo.maps.atlas import KPI_TABLE_COLUMNS, _fmt

    return [
        (
            _i18n.column_label(key, lang),
            _fmt(row[col], lang, dec, column=col) or "\u2013",
        )
        for col, key, dec in KPI_TABLE_COLUMNS
        if col in row.index
    ]


def _kpi_table(ax: Axes, rows: list[tuple[str, str]], title: str) -> None:
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _text(ax, 0, 1, _wrap(title, ax), fontsize=9, fontweight="bold", va="top")
    step = min(0.85 / max(len(rows), 1), 0.085)
    y = 0.9
    for label, value in rows:
        y -= step
        _text(ax, 0, y, label, fontsize=7, va="bottom")
        _text(ax, 1, y, value, fontsize=7, va="bottom", ha="right")
        ax.plot([0, 1], [y - step * 0.15] * 2, color="#DDDDDD", linewidth=0.4)


def _idle_table(
    ax: Axes,
    idle: pd.DataFrame,
    zone_names: dict[str, str],
    *,
    lang: str,
    height_mm: float,
) -> None:
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _text(
        ax,
        0,
        1,
        _wrap(_i18n.label("idle_list", lang), ax),
        fontsize=9,
        fontweight="bold",
        va="top",
    )
    if not len(idle):
        _text(ax, 0, 0.9, _i18n.label("no_idle", lang), fontsize=7, va="top")
        return
    row_mm = 3.6
    step = row_mm / height_mm
    fits = max(int((0.9 - step) / step), 1)
    shown = idle if len(idle) <= fits else idle.iloc[: fits - 1]
    cols = [  # label, x, alignment, characters
        (_i18n.label("plot_id", lang), 0.0, "left", 12),
        (_i18n.label("zone", lang), 0.23, "left", 10),
        (_i18n.label("investor", lang), 0.43, "left", 14),
        (_i18n.label("chart_ha", lang), 0.8, "right", 6),
        (_i18n.label("days_overdue", lang), 1.0, "right", 6),
    ]
    y = 0.9
    for label, x, ha, _ in cols:
        # long headers take two lines: "Days\noverdue"
        shown_label = label.replace(" ", "\n", 1) if len(label) > 8 else label
        _text(
            ax,
            x,
            y,
            shown_label,
            fontsize=5.5,
            ha=ha,
            va="bottom",
            fontweight="bold",
            color="#333333",
            linespacing=1.0,
        )
    y += step * 0.2
    for _, r in shown.iterrows():
        y -= step
        zid = str(r.get("zone_id", ""))
        values = [
            r.get("plot_id"),
            zone_names.get(zid, zid),
            r.get("investor"),
            _i18n.format_number(r.get("area_ha"), lang, decimals=2),
            _i18n.format_number(r.get("days_overdue"), lang),
        ]
        for (_, x, ha, n), v in zip(cols, values, strict=True):
            _text(ax, x, y, _clip(v, n), fontsize=6, ha=ha, va="top")
    if len(shown) < len(idle):
        y -= step
        _text(
            ax,
            0,
            y,
            _i18n.label("and_more", lang).format(n=len(idle) - len(shown)),
            fontsize=6,
            va="top",
            style="italic",
        )


# --------------------------------------------------------------------------- pages


def _footer(
    fig: Figure,
    *,
    dataset: Dataset,
    lang: str,
    ref: pd.Timestamp,
    crs: pyproj.CRS,
    credit: str | None,
    page: tuple[int, int] | None,
) -> None:
    from matplotlib.lines import Line2D

    import zonegeo

    source = str(dataset.source or "").split("#", 1)[0]
    data = f"{_i18n.label('data_source', lang)}: {source or _DASH}"
    if source == "demo":
        data += f" ({_i18n.label('demo_source', lang)})"
    parts = [data]
    if credit:
        parts.append(f"{_i18n.label('basemap_credit', lang)}: {credit}")
    parts.append(f"{_i18n.label('projection', lang)}: {crs.name}")
    left = " \u00b7 ".join(parts)
    right = (
        f"{_i18n.label('as_of', lang)} {ref.strftime('%Y-%m-%d')} \u00b7 "
        f"{_i18n.label('printed_with', lang)} zonegeo {zonegeo.__version__}"
    )
    if page:
        right += " \u00b7 " + _i18n.label("page_of", lang).format(n=page[0], m=page[1])
    fig.text(10 / _W_MM, 6 / _H_MM, left, fontsize=6, color="#444444", parse_math=False)
    fig.text(
        1 - 10 / _W_MM,
        6 / _H_MM,
        right,
        fontsize=6,
        color="#444444",
        ha="right",
        parse_math=False,
    )
    fig.add_artist(
        Line2D(
            [10 / _W_MM, 1 - 10 / _W_MM],
            [9.5 / _H_MM] * 2,
            color="#999999",
            linewidth=0.4,
        )
    )


def _new_figure() -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=PAGE_SIZE_IN)


def _ranking_in(ranking: gpd.GeoDataFrame | None, name: str, area: Any) -> Any:
    if ranking is None:
        return None
    if "district" in ranking.columns and ranking["district"].notna().any():
        return ranking[ranking["district"].astype(str) == name]
    return ranking[ranking.geometry.representative_point().within(area)]


def _draw_candidates(ax: Axes, sites: gpd.GeoDataFrame, crs: pyproj.CRS) -> None:
    """Ranked sites: outlines, a dot coloured by score, and the top ten's ranks."""
    if sites is None or not len(sites):
        return
    geo = sites.geometry.to_crs(crs)
    _polygons(
        ax, geo, facecolors="none", edgecolors="#333333", linewidths=0.5, zorder=8
    )
    pts = geo.representative_point()
    score = pd.to_numeric(sites["score"], errors="coerce").to_numpy(dtype=float)
    rank = pd.to_numeric(sites["rank"], errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(rank)
    ax.scatter(
        pts.x[ok],
        pts.y[ok],
        c=score[ok],
        cmap="viridis",
        s=22,
        edgecolors="#000000",
        linewidths=0.5,
        zorder=9,
    )
    order = np.argsort(np.where(ok, rank, np.inf), kind="stable")[:10]
    for i in order:
        if not ok[i]:
            continue
        ax.annotate(
            str(int(rank[i])),
            (pts.x.iloc[i], pts.y.iloc[i]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=6.5,
            fontweight="bold",
            zorder=10,
            bbox={
                "boxstyle": "circle,pad=0.15",
                "facecolor": "#FFFFFF",
                "edgecolor": "#000000",
                "linewidth": 0.5,
            },
        )


def _zone_order(zones: gpd.GeoDataFrame, plots: gpd.GeoDataFrame) -> list[int]:
    counts = plots["zone_id"].astype(str).value_counts() if len(plots) else {}
    keys = [
        (-int(counts.get(str(z), 0)), str(z), i)
        for i, z in enumerate(zones["zone_id"].astype(str))
    ]
    return [i for _, _, i in sorted(keys)]


def district_page(
    dataset: Dataset,
    district: str,
    *,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    ranking: gpd.GeoDataFrame | None = None,
    basemap: PrintBasemap = "none",
    page: tuple[int, int] | None = None,
    kpis: pd.DataFrame | None = None,
    idle: pd.DataFrame | None = None,
) -> Figure:
    """Draw the printed page of one district (A4 landscape).

    Parameters
    ----------
    dataset : Dataset
    district : str
        District name in English, Kazakh or Russian.
    lang : {"en", "kk", "ru"}, default "en"
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    ranking : GeoDataFrame, optional
        Ranked candidate sites (output of :func:`zonegeo.rank`); the ones in
        this district are drawn, the ten best with their rank.
    basemap : {"none", "osm", "esri"}, default "none"
        Web tiles under the map; needs contextily and the network.
    page : (int, int), optional
        Page number and page count for the footer.
    kpis, idle : DataFrame, optional
        :func:`zonegeo.district_kpis` and :func:`zonegeo.idle_plots` of the
        dataset, when the caller has them (the atlas computes them once).

    Returns
    -------
    matplotlib.figure.Figure
        The page: the district map (boundary, zones numbered, plots by
        status with idle plots outlined, infrastructure, settlements,
        candidate sites) with a scale bar and a north arrow; up to six zones
        in detail; the legend; the key figures; the idle plots (most overdue
        first, "and N more" past what fits); and a footer with the data
        source, the date and the page number.

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.maps.printing import district_page
    >>> fig = district_page(zonegeo.load_demo(), "Sauran", as_of="2025-02-01")
    >>> [round(float(v), 2) for v in fig.get_size_inches()]
    [11.69, 8.27]
    """
    from matplotlib import rc_context

    from zonegeo.crs import metric_crs
    from zonegeo.kpis import district_kpis
    from zonegeo.parcels import idle_plots, to_timestamp

    _i18n.check_lang(lang)
    _check_basemap(basemap)
    name = dataset.check_district(district)
    ref = to_timestamp(as_of)
    sub = dataset.district(name)
    crs = metric_crs(sub.districts)
    if kpis is None:
        kpis = district_kpis(dataset, as_of=ref)
    if idle is None:
        idle = idle_plots(dataset.plots, as_of=ref)
    row = kpis[kpis["district"].astype(str) == name].iloc[0]
    idle_here = idle[idle["district"].astype(str) == name]
    area = sub.districts.geometry.union_all()
    sites = _ranking_in(_check_ranking(ranking), name, area)

    with rc_context(_RC):
        fig = _new_figure()
        label = _district_label(sub.districts, name, lang)
        fig.text(
            10 / _W_MM,
            1 - 13 / _H_MM,
            f"{label} \u2014 {_i18n.label('title_suffix', lang)}",
            fontsize=15,
            fontweight="bold",
            parse_math=False,
        )
        fig.text(
            10 / _W_MM,
            1 - 19 / _H_MM,
            f"{_i18n.label('region_title', lang)} \u00b7 "
            f"{_i18n.label('as_of', lang)} {ref.strftime('%Y-%m-%d')}",
            fontsize=8,
            color="#444444",
            parse_math=False,
        )

        # ---- the district map
        ax = fig.add_axes(_rect(10, 24, 135, 128))
        boundary = sub.districts.geometry.to_crs(crs)
        bounds = boundary.total_bounds
        tol = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / _PRINT_RESOLUTION
        _frame(ax, bounds)
        credit = _add_basemap(ax, crs, basemap)
        others = dataset.districts[dataset.districts["district"] != name]
        if len(others):
            view = others[
                others.intersects(box(*sub.districts.total_bounds).buffer(0.5))
            ]
            _polygons(
                ax,
                _simplified(view, crs, tol),
                facecolors="none",
                edgecolors=_NEIGHBOUR,
                linewidths=0.6,
                zorder=1,
            )
        if len(sub.exclusions):
            _polygons(
                ax,
                _simplified(sub.exclusions, crs, tol),
                facecolors=(0.53, 0.53, 0.53, 0.3),
                edgecolors=str(_EXCLUSION["color"]),
                linewidths=0.4,
                zorder=2,
            )
        zones = sub.zones.reset_index(drop=True)
        zone_geo = _simplified(zones, crs, tol).reset_index(drop=True)
        _draw_zones(ax, zones, zone_geo)
        plots = sub.plots
        flags = _idle_flags(plots, ref)
        _draw_plots(ax, _simplified(plots, crs, tol), plots["status"], flags, 0.15)
        infra = sub.infrastructure
        kinds = _draw_infra(ax, _with_geo(infra, crs, tol), marker_size=14)
        _polygons(
            ax,
            _simplified(sub.districts, crs, tol),
            facecolors="none",
            edgecolors=str(_BOUNDARY["color"]),
            linewidths=1.6,
            zorder=11,
        )
        if len(sub.settlements):
            _draw_settlements(ax, sub.settlements, crs)
        _draw_candidates(ax, sites, crs)

        # ---- zones in detail, numbered on the district map
        order = _zone_order(zones, plots)
        detail = order[:_MAX_DETAIL]
        for n, i in enumerate(detail, start=1):
            pt = zone_geo.iloc[i].representative_point()
            ax.annotate(
                str(n),
                (pt.x, pt.y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=6.5,
                fontweight="bold",
                zorder=12,
                color="#FFFFFF",
                bbox={
                    "boxstyle": "circle,pad=0.2",
                    "facecolor": "#222222",
                    "edgecolor": "#FFFFFF",
                    "linewidth": 0.5,
                },
                arrowprops={"arrowstyle": "-", "color": "#222222", "linewidth": 0.5},
            )
        scale_bar(ax, crs, lang=lang)
        north_arrow(ax, crs, lang=lang)
        _detail_panels(
            fig,
            zones,
            detail,
            plots,
            flags,
            infra,
            sites,
            crs,
            lang=lang,
            extra=len(order) - len(detail),
        )

        # ---- legend, key figures, idle plots
        statuses = [
            s
            for s in STATUS_COLORS
            if s != "idle"
            and ((plots["status"].astype(str) == s).to_numpy() & ~flags).any()
        ]
        _legend(
            fig.add_axes(_rect(10, 156, 135, 36)),
            lang=lang,
            statuses=statuses,
            idle=bool(flags.any()),
            zone_kinds=[k for k in _ZONE_DASH if (zones["kind"] == k).any()],
            infra=infra,
            kinds=kinds,
            settlements=bool(len(sub.settlements)),
            candidates=sites is not None and bool(len(sites)),
            exclusions=bool(len(sub.exclusions)),
        )
        _kpi_table(
            fig.add_axes(_rect(219, 24, 68, 62)),
            _kpi_rows(row, lang),
            _i18n.label("district_figures", lang),
        )
        names = dict(
            zip(
                dataset.zones["zone_id"].astype(str),
                dataset.zones["name"].astype(str),
                strict=True,
            )
        )
        _idle_table(
            fig.add_axes(_rect(219, 92, 68, 100)),
            idle_here,
            names,
            lang=lang,
            height_mm=100,
        )
        _footer(
            fig, dataset=dataset, lang=lang, ref=ref, crs=crs, credit=credit, page=page
        )
    return fig


def _with_geo(gdf: gpd.GeoDataFrame, crs: pyproj.CRS, tol: float) -> gpd.GeoDataFrame:
    if not len(gdf):
        return gdf
    out = gdf.to_crs(crs)
    lines = out.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    if tol > 0 and lines.any():
        geo = out.geometry.copy()
        geo[lines] = geo[lines].simplify(tol, preserve_topology=False)
        out = out.set_geometry(geo)
    return out


def _draw_settlements(ax: Axes, settlements: gpd.GeoDataFrame, crs: pyproj.CRS) -> None:
    """Draw every settlement; name the most populous ones."""
    points = settlements[settlements.geom_type == "Point"]
    if not len(points):
        return
    geo = points.geometry.to_crs(crs)
    ax.scatter(
        geo.x,
        geo.y,
        s=10,
        c=str(_SETTLEMENT["fillColor"]),
        edgecolors=str(_SETTLEMENT["color"]),
        linewidths=0.7,
        zorder=13,
    )
    if "name" not in points.columns:
        return
    population = (
        pd.to_numeric(points["population"], errors="coerce").fillna(-1.0)
        if "population" in points.columns
        else pd.Series(-1.0, index=points.index)
    )
    order = np.argsort(-population.to_numpy(), kind="stable")[:_MAX_SETTLEMENT_LABELS]
    box = {"facecolor": "#FFFFFF", "edgecolor": "none", "alpha": 0.6, "pad": 0.8}
    for i in order:
        label = points["name"].iloc[i]
        if isinstance(label, str) and label.strip():
            ax.annotate(
                label.strip(),
                (geo.x.iloc[i], geo.y.iloc[i]),
                xytext=(4, -3),
                textcoords="offset points",
                fontsize=6,
                zorder=13,
                va="top",
                bbox=box,
                annotation_clip=True,
                parse_math=False,
            )


def _detail_panels(
    fig: Figure,
    zones: gpd.GeoDataFrame,
    detail: list[int],
    plots: gpd.GeoDataFrame,
    flags: np.ndarray,
    infra: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame | None,
    crs: pyproj.CRS,
    *,
    lang: str,
    extra: int,
) -> None:
    """Draw up to six zones in detail beside the district map."""
    x0, y0, w, h = 150.0, 24.0, 64.0, 168.0
    head = fig.add_axes(_rect(x0, y0, w, 5))
    head.set_axis_off()
    _text(
        head,
        0,
        0.5,
        _i18n.label("zone_detail", lang),
        fontsize=9,
        fontweight="bold",
        va="center",
    )
    if not len(plots):
        _text(
            head,
            0,
            -3,
            _i18n.label("no_plots", lang),
            fontsize=7,
            va="top",
            wrap=True,
            gid="zonegeo-no-plots",
        )
    if not detail:
        return
    ncols = 1 if len(detail) <= 3 else 2
    nrows = math.ceil(len(detail) / ncols)
    gap = 4.0
    foot = 6.0 if extra else 0.0
    cell_w = (w - gap * (ncols - 1)) / ncols
    cell_h = (h - 7 - foot - gap * (nrows - 1)) / nrows
    plot_geo = plots.geometry.to_crs(crs) if len(plots) else plots.geometry
    infra_m = infra.to_crs(crs) if len(infra) else infra
    zone_ids = plots["zone_id"].astype(str).to_numpy() if len(plots) else np.array([])
    for n, i in enumerate(detail):
        r, c = divmod(n, ncols)
        ax = fig.add_axes(
            _rect(
                x0 + c * (cell_w + gap), y0 + 7 + r * (cell_h + gap), cell_w, cell_h - 4
            )
        )
        zone = zones.iloc[i]
        full = zones.geometry.iloc[[i]].to_crs(crs)
        _frame(ax, full.total_bounds, margin=0.08)
        _polygons(
            ax,
            full,
            facecolors=(0.6, 0.6, 0.6, 0.12),
            edgecolors=_ZONE_EDGE,
            linewidths=0.8,
            linestyles=[_dashes(_ZONE_DASH.get(str(zone["kind"])), 2)],
            zorder=3,
        )
        if len(plots):
            (x_lo, x_hi), (y_lo, y_hi) = ax.get_xlim(), ax.get_ylim()
            near = plot_geo.intersects(box(x_lo, y_lo, x_hi, y_hi)).to_numpy() | (
                zone_ids == str(zone["zone_id"])
            )
            _draw_plots(ax, plot_geo[near], plots["status"][near], flags[near], 0.3)
        if len(infra_m):
            _draw_infra(ax, infra_m, marker_size=18)
        _draw_candidates(ax, sites, crs)
        title = f"{n + 1} \u00b7 {_clip(zone['name'], 40)}"
        ax.set_title(
            title, loc="left", fontsize=7, fontweight="bold", pad=2, parse_math=False
        )
        scale_bar(ax, crs, lang=lang, fraction=0.3)
    if extra:
        tail = fig.add_axes(_rect(x0, y0 + h - foot, w, foot))
        tail.set_axis_off()
        _text(
            tail,
            0,
            0.5,
            _i18n.label("more_zones", lang).format(n=extra),
            fontsize=6.5,
            style="italic",
            va="center",
        )


def region_page(
    dataset: Dataset,
    *,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    basemap: PrintBasemap = "none",
    page: tuple[int, int] | None = None,
    kpis: pd.DataFrame | None = None,
) -> Figure:
    """Draw the atlas cover: the region map, its key figures and two charts.

    The map shows every district (named), the zones (a symbol per kind, as
    they are too small to see as shapes at this scale) and the gas,
    electricity and water lines, with a scale bar and a north arrow. Beside
    it: the region total of :func:`zonegeo.district_kpis`, and occupancy and
    idle hectares by district (:func:`zonegeo.maps.charts.key_charts`). The footer
    names the data source and the date.

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.maps.printing import region_page
    >>> fig = region_page(zonegeo.load_demo(), as_of="2025-02-01")
    >>> len(fig.axes) >= 4
    True
    """
    from matplotlib import rc_context

    from zonegeo.crs import metric_crs
    from zonegeo.kpis import district_kpis
    from zonegeo.maps.charts import draw_chart, key_charts
    from zonegeo.parcels import to_timestamp

    _i18n.check_lang(lang)
    _check_basemap(basemap)
    ref = to_timestamp(as_of)
    if kpis is None:
        kpis = district_kpis(dataset, as_of=ref)
    crs = metric_crs(dataset.districts)
    with rc_context(_RC):
        fig = _new_figure()
        fig.text(
            10 / _W_MM,
            1 - 14 / _H_MM,
            _i18n.label("region_title", lang),
            fontsize=17,
            fontweight="bold",
            parse_math=False,
        )
        fig.text(
            10 / _W_MM,
            1 - 20 / _H_MM,
            f"{_i18n.label('as_of', lang)} {ref.strftime('%Y-%m-%d')}",
            fontsize=9,
            color="#444444",
            parse_math=False,
        )
        ax = fig.add_axes(_rect(10, 25, 140, 150))
        districts = dataset.districts
        geo = districts.geometry.to_crs(crs)
        bounds = geo.total_bounds
        tol = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) / _PRINT_RESOLUTION
        _frame(ax, bounds, margin=0.02)
        credit = _add_basemap(ax, crs, basemap)
        simple = geo.simplify(tol, preserve_topology=True)
        _polygons(
            ax,
            simple,
            facecolors="#F7F7F7",
            edgecolors=str(_BOUNDARY["color"]),
            linewidths=0.7,
            zorder=1,
        )
        _draw_infra(ax, _with_geo(dataset.infrastructure, crs, tol), marker_size=6)
        zones = dataset.zones
        zone_markers = {
            "regional": "o",
            "private": "s",
            "small_park": "*",
            "small_site": "^",
        }
        zpts = zones.geometry.to_crs(crs).representative_point()
        kinds = [k for k in _ZONE_DASH if (zones["kind"] == k).any()]
        for kind in kinds:
            m = (zones["kind"] == kind).to_numpy()
            ax.scatter(
                zpts.x[m],
                zpts.y[m],
                marker=zone_markers.get(kind, "D"),
                s=30 if kind == "small_park" else 16,
                c="#222222",
                edgecolors="#FFFFFF",
                linewidths=0.5,
                zorder=8,
            )
        labels = [
            _district_label(districts, str(d), lang) for d in districts["district"]
        ]
        for pt, label in zip(simple.representative_point(), labels, strict=True):
            _text(
                ax,
                pt.x,
                pt.y,
                label,
                fontsize=6.5,
                ha="center",
                va="center",
                color="#333333",
                zorder=9,
                bbox={
                    "facecolor": "#FFFFFF",
                    "edgecolor": "none",
                    "alpha": 0.6,
                    "pad": 0.6,
                },
            )
        scale_bar(ax, crs, lang=lang, fraction=0.3)
        north_arrow(ax, crs, lang=lang)

        from matplotlib.lines import Line2D

        handles = [
            Line2D(
                [],
                [],
                linestyle="none",
                marker=zone_markers.get(k, "D"),
                markersize=7 if k == "small_park" else 5,
                color="#222222",
                label=_i18n.zone_kind_label(k, lang),
            )
            for k in kinds
        ]
        infra = dataset.infrastructure
        for kind in [k for k in _KIND_ORDER if (infra["kind"] == k).any()]:
            st = INFRA_STYLES.get(kind, _INFRA_DEFAULT)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=st["color"],
                    linewidth=st["weight"] * _PX_TO_PT,
                    linestyle=_dashes(st["dash"], st["weight"]),
                    marker=_SYMBOLS.get(st["symbol"], "D"),
                    markersize=4,
                    label=_i18n.kind_label(kind, lang),
                )
            )
        lax = fig.add_axes(_rect(10, 178, 140, 18))
        lax.set_axis_off()
        leg = lax.legend(
            handles=handles,
            loc="upper left",
            ncol=3,
            frameon=False,
            fontsize=6.5,
            handlelength=2.6,
            borderaxespad=0,
        )
        for t in leg.get_texts():
            t.set_parse_math(False)

        total = kpis.iloc[-1]
        _kpi_table(
            fig.add_axes(_rect(160, 25, 127, 58)),
            _kpi_rows(total, lang),
            _i18n.label("region_figures", lang),
        )
        charts = {
            c.key: c for c in key_charts(dataset, lang=lang, as_of=ref, kpis=kpis)
        }
        rc: Any = {"font.size": 6, "axes.titlesize": 7.5, "axes.labelsize": 6}
        with rc_context(rc):
            for j, key in enumerate(("occupancy", "idle_ha")):
                cax = fig.add_axes(_rect(183 + j * 56, 96, 36, 92))
                draw_chart(cax, charts[key], lang=lang, title=False)
                fig.text(
                    (162 + j * 56) / _W_MM,
                    1 - 88 / _H_MM,
                    textwrap.fill(charts[key].title, width=34),
                    fontsize=7.5,
                    fontweight="bold",
                    va="top",
                    parse_math=False,
                )
        _footer(
            fig, dataset=dataset, lang=lang, ref=ref, crs=crs, credit=credit, page=page
        )
    return fig


def print_atlas(
    dataset: Dataset,
    path: str | os.PathLike[str],
    *,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    ranking: gpd.GeoDataFrame | None = None,
    basemap: PrintBasemap = "none",
    progress: bool | None = None,
) -> Path:
    """Write the printed atlas: a cover page and one A4 landscape page per district.

    Parameters
    ----------
    dataset : Dataset
        The region's layers.
    path : str or path-like
        The PDF to write (replaced atomically: a failure leaves an existing
        file as it was).
    lang : {"en", "kk", "ru"}, default "en"
        Language of every text of the atlas.
    as_of : date-like, optional
        Reference date for idle plots, printed on every page; today by default.
    ranking : GeoDataFrame, optional
        Ranked candidate sites (output of :func:`zonegeo.rank`), drawn on
        their district's page.
    basemap : {"none", "osm", "esri"}, default "none"
        Web tiles under the maps. Only when asked: it needs the contextily
        package and the network; without, the atlas is made offline.
    progress : bool, optional
        Show a tqdm progress bar; by default only on a terminal.

    Returns
    -------
    Path
        The PDF written.

    Raises
    ------
    ValidationError
        For an unknown ``lang`` or ``basemap``, or a path not ending in ``.pdf``.
    ImportError
        For a basemap without contextily installed.

    See Also
    --------
    district_page, region_page, print_district, zonegeo.write_atlas

    Notes
    -----
    Page 1 is :func:`region_page`, then one :func:`district_page` per district
    in the dataset's order. Outlines are simplified for print to a tolerance
    of 1/3000 of the map's width (about 50 m on a 150 km district, under a
    tenth of a millimetre on paper); key figures are computed on the full
    geometry.

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "atlas.pdf"
    >>> zonegeo.print_atlas(zonegeo.load_demo(), out, as_of="2025-02-01",
    ...                     progress=False).name
    'atlas.pdf'
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages
    from tqdm.auto import tqdm

    import zonegeo
    from zonegeo.io.atomic import atomic_path
    from zonegeo.io.integrity import check_links
    from zonegeo.kpis import district_kpis
    from zonegeo.parcels import idle_plots, to_timestamp

    if not isinstance(dataset, Dataset):
        msg = f"print_atlas expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    _i18n.check_lang(lang)
    _check_basemap(basemap)
    final = Path(path)
    if final.suffix.lower() != ".pdf":
        msg = f"{final}: the printed atlas is a PDF; give a path ending in .pdf"
        raise ValidationError(msg)
    check_links(dataset)
    ref = to_timestamp(as_of)
    kpis = district_kpis(dataset, as_of=ref)
    idle = idle_plots(dataset.plots, as_of=ref)
    names = dataset.district_names
    count = len(names) + 1
    disable = None if progress is None else not progress
    metadata = {
        "Title": _i18n.label("region_title", lang),
        "Subject": f"{_i18n.label('as_of', lang)} {ref.strftime('%Y-%m-%d')}",
        "Creator": f"zonegeo {zonegeo.__version__}",
    }
    with (
        atomic_path(final) as tmp,
        rc_context(_RC),
        PdfPages(tmp, metadata=metadata) as pdf,
    ):
        cover = region_page(
            dataset, lang=lang, as_of=ref, basemap=basemap, page=(1, count), kpis=kpis
        )
        pdf.savefig(cover)
        for n, name in enumerate(
            tqdm(names, desc="print", unit="page", disable=disable), start=2
        ):
            fig = district_page(
                dataset,
                name,
                lang=lang,
                as_of=ref,
                ranking=ranking,
                basemap=basemap,
                page=(n, count),
                kpis=kpis,
                idle=idle,
            )
            pdf.savefig(fig)
    log.info("printed atlas of %d districts written to %s", len(names), final)
    return final


def print_district(
    dataset: Dataset,
    district: str,
    path: str | os.PathLike[str],
    *,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    ranking: gpd.GeoDataFrame | None = None,
    basemap: PrintBasemap = "none",
    dpi: int = 150,
) -> Path:
    """Write the printed page of one district as PDF, PNG or SVG.

    The page is the one :func:`print_atlas` prints (see :func:`district_page`),
    for a report or an e-mail. The format follows the file suffix
    (:data:`PRINT_FORMATS`); ``dpi`` sets a PNG's resolution (150 gives
    1754 x 1240 pixels). The file is written atomically.

    Raises
    ------
    ValidationError
        For another suffix, naming the allowed ones.

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> from zonegeo.maps.printing import print_district
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sauran.png"
    >>> print_district(zonegeo.load_demo(), "Sauran", out, as_of="2025-02-01",
    ...                dpi=50).stat().st_size > 10_000
    True
    """
    from zonegeo.io.atomic import atomic_path

    final = Path(path)
    fmt = final.suffix.lower().lstrip(".")
    if fmt not in PRINT_FORMATS:
        msg = (
            f"{final}: cannot print a page as "
            f"{'.' + fmt if fmt else 'a file without extension'}; "
            f"use one of: {', '.join('.' + f for f in PRINT_FORMATS)}"
        )
        raise ValidationError(msg)
    fig = district_page(
        dataset, district, lang=lang, as_of=as_of, ranking=ranking, basemap=basemap
    )
    from matplotlib import rc_context

    with atomic_path(final) as tmp, rc_context(_RC):
        fig.savefig(
            tmp,
            format=fmt,
            dpi=dpi,
            metadata=({"Date": None} if fmt == "svg" else None),
        )
    return final
