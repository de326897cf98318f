"""Map styles: basemaps, status colours, infrastructure and layer styles, classes.

Colours follow the Okabe-Ito palette (safe for colour-blind readers); a
numeric ``color_by`` column is cut into classes with mapclassify and coloured
with viridis.
"""

from __future__ import annotations

import logging
import warnings
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "BASEMAPS",
    "HILLSHADE_RAMP",
    "INFRA_STYLES",
    "NO_DATA_COLOR",
    "SCHEMES",
    "STATUS_COLORS",
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


#: Yellow-orange-red (ColorBrewer YlOrRd, 5 classes): flat ground pale, steep dark red.
_SLOPE_RAMP = ("#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026")

#: Grey ramp of shaded relief: in shadow (0) to facing the light (1).
HILLSHADE_RAMP = ("#000000", "#808080", "#FFFFFF")


def _colors(n: int, ramp: Sequence[str] = _VIRIDIS) -> list[str]:
    """Return ``n`` colours sampled evenly along ``ramp`` (viridis by default)."""
    import branca.colormap as cm

    scale = cm.LinearColormap(list(ramp), vmin=0.0, vmax=1.0)
    if n == 1:
        return [scale.rgb_hex_str(0.5)]
    return [scale.rgb_hex_str(i / (n - 1)) for i in range(n)]


def _polygon_style(base: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    style = dict(base)
    style.update({k: v for k, v in changes.items() if v is not None})
    return style
