"""Raster layers of a district map: shaded relief, classed slope, any classed raster.

A :class:`RasterLayer` names a single-band raster file and how to draw it;
:func:`zonegeo.district_map` (``raster=``) and :func:`zonegeo.write_atlas`
draw it on each district's page as an image overlay with its legend entry.

For each district the raster is read for the district's bounding box only,
warped to Web Mercator (EPSG:3857: Leaflet stretches an image linearly in that
projection, so every pixel lands where it belongs), made at most ``max_size``
pixels on its longest side, clipped to the district (pixels outside it and
no-data cells are transparent) and embedded in the page as a PNG ``data:``
URI, so the page stays one self-contained file that opens offline. Input files
are only read.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import os
import warnings
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from zonegeo import i18n as _i18n
from zonegeo.errors import DataWarning, ValidationError
from zonegeo.maps.geojson import _bounds_latlon
from zonegeo.maps.legend import _legend_item, _number
from zonegeo.maps.popups import _text
from zonegeo.maps.styles import _SLOPE_RAMP, HILLSHADE_RAMP, _classify, _colors
from zonegeo.maps.view import _unique_name
from zonegeo.maps.warp import _covers, _district_grid, _Warped
from zonegeo.messages import MAX_IDS

if TYPE_CHECKING:
    from collections.abc import Sequence

    import folium
    import geopandas as gpd
    from shapely.geometry.base import BaseGeometry

__all__ = ["RASTER_STYLES", "SLOPE_BREAKS", "RasterLayer", "RasterStyle"]

log = logging.getLogger(__name__)

RasterStyle = Literal["hillshade", "slope", "classes"]

#: How a raster can be drawn (see :class:`RasterLayer`).
RASTER_STYLES: tuple[str, ...] = ("hillshade", "slope", "classes")

#: Default slope classes in degrees: flat, gentle, moderate, steep (8 deg is the
#: usual exclusion threshold for an industrial site), very steep.
SLOPE_BREAKS: tuple[float, ...] = (0.0, 2.0, 5.0, 8.0, 15.0, 90.0)

#: Largest ``max_size`` (pixels): browsers refuse bigger images.
MAX_IMAGE_SIZE = 8192

# A raster with at most this many distinct values (a hazard class) gets one
# class a value when no breaks are given.
_CATEGORIES = 7
# Quantile classes of a continuous raster when no breaks are given.
_QUANTILES = 5
# The Leaflet pane of raster overlays: above the basemap, under every vector layer.
_PANE, _PANE_KEY, _PANE_Z = "zgRaster", "zonegeo_raster_pane", 350


@dataclass(frozen=True)
class RasterLayer:
    """A raster to draw on a district map: shaded relief, classed slope or classes.

    Parameters
    ----------
    path : str or path-like
        A single-band raster that rasterio reads (GeoTIFF, ...), in any CRS;
        only its first band is drawn. The file is only read.
    style : {"slope", "hillshade", "classes"}, default "slope"
        ``"slope"``: a slope raster in degrees (as :func:`zonegeo.terrain_slope`
        writes), drawn in the classes of ``breaks`` (default
        :data:`SLOPE_BREAKS`, 0-2-5-8-15-90 deg, flat to steep) from pale
        yellow to dark red. ``"hillshade"``: a DEM in metres, drawn as grey
        shaded relief lit from the north-west (azimuth 315 deg) 45 deg above
        the horizon (:func:`zonegeo.siting.terrain.hillshade`, computed on the
        DEM's own grid with cell sizes in metres on the ellipsoid, also for a
        DEM in degrees). ``"classes"``: any raster (a flood depth, a hazard
        class) in the classes of ``breaks``; without breaks, a raster with at
        most seven distinct values in the district gets one class a value and
        any other five quantile classes of its valid cells in the district
        (mapclassify); viridis colours.
    name : str, optional
        The layer's name in the layer switcher and its legend title. Default:
        "Slope" or "Shaded relief" (in the map's language), or for
        ``"classes"`` the file's stem.
    opacity : float, default 0.6
        From 0 (invisible) to 1 (opaque).
    breaks : sequence of float, optional
        Class edges in increasing order: ``(0, 0.5, 1, 2)`` makes the classes
        0-0.5, 0.5-1 and 1-2. A class holds its lower edge. Values below the
        first edge join the first class and values above the last edge the
        last class (their legend entries then read "< 0.5" and "≥ 1"). Not for
        ``"hillshade"``.
    unit : str, optional
        Unit written after the class ranges ("m", "%"); default "°" for slope.
    show : bool, default True
        Whether the layer is switched on when the page opens.
    max_size : int, default 1500
        Longest side of the image in pixels (2 to 8192): a raster finer than
        that is resampled for display (the page grows by roughly 0.1 to 1 MB
        per million pixels).

    Raises
    ------
    ValidationError
        For an unknown ``style``, an ``opacity`` outside 0-1, ``breaks`` that
        are not increasing numbers (or given for ``"hillshade"``) or a bad
        ``max_size``; the message lists every problem and what is allowed.
    TypeError
        If ``path``, ``name`` or ``unit`` has a wrong type.

    See Also
    --------
    zonegeo.district_map, zonegeo.write_atlas, zonegeo.terrain_slope

    Examples
    --------
    >>> layer = RasterLayer("slope.tif", breaks=[0, 3, 8, 90], opacity=0.5)
    >>> layer.style, layer.breaks
    ('slope', (0.0, 3.0, 8.0, 90.0))
    >>> RasterLayer("dem.tif", style="contours")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    zonegeo.errors.ValidationError: ...style='contours' is not one of hillshade, ...
    """

    path: str | os.PathLike[str]
    _: KW_ONLY
    style: RasterStyle = "slope"
    name: str | None = None
    opacity: float = 0.6
    breaks: Sequence[float] | None = None
    unit: str | None = None
    show: bool = True
    max_size: int = 1500

    def __post_init__(self) -> None:
        """Check every option, then raise once listing all problems."""
        if not isinstance(self.path, (str, os.PathLike)):
            kind = type(self.path).__name__
            msg = f"RasterLayer path must be a str or path, got {kind}"
            raise TypeError(msg)
        for field, value in (("name", self.name), ("unit", self.unit)):
            if value is not None and not isinstance(value, str):
                msg = f"RasterLayer {field} must be a str, got {type(value).__name__}"
                raise TypeError(msg)
        problems = []
        if self.style not in RASTER_STYLES:
            problems.append(
                f"style={self.style!r} is not one of {', '.join(RASTER_STYLES)}"
            )
        if not _is_real(self.opacity) or not 0.0 <= float(self.opacity) <= 1.0:
            problems.append(
                f"opacity={self.opacity!r} must be a number from 0 (invisible) "
                f"to 1 (opaque)"
            )
        if not isinstance(self.max_size, int) or not (
            2 <= self.max_size <= MAX_IMAGE_SIZE
        ):
            problems.append(
                f"max_size={self.max_size!r} must be a whole number of pixels "
                f"from 2 to {MAX_IMAGE_SIZE}"
            )
        if not isinstance(self.show, bool):
            problems.append(f"show={self.show!r} must be True or False")
        breaks, problem = _check_breaks(self.breaks, self.style)
        if problem:
            problems.append(problem)
        if problems:
            where = f"RasterLayer({str(self.path)!r})"
            msg = (
                f"{where}: {problems[0]}"
                if len(problems) == 1
                else f"{where}: {len(problems)} problems\n"
                + "\n".join(f"  - {p}" for p in problems)
            )
            raise ValidationError(msg)
        object.__setattr__(self, "breaks", breaks)
        object.__setattr__(self, "opacity", float(self.opacity))


def _is_real(value: object) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _check_breaks(
    breaks: Sequence[float] | None, style: str
) -> tuple[tuple[float, ...] | None, str | None]:
    """Return the breaks as a tuple of floats, or a problem to report."""
    if breaks is None:
        return None, None
    if style == "hillshade":
        return None, "breaks are for style='slope' or 'classes', not 'hillshade'"
    example = "e.g. (0, 2, 5, 8, 15, 90)"
    if isinstance(breaks, (str, bytes)) or not hasattr(breaks, "__iter__"):
        return None, f"breaks={breaks!r} must be a sequence of numbers, {example}"
    values = list(breaks)
    if not all(_is_real(v) for v in values):
        return None, f"breaks={values!r} must be finite numbers, {example}"
    edges = tuple(float(v) for v in values)
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        return None, (
            f"breaks={values!r} must be at least two class edges in increasing "
            f"order, {example}"
        )
    return edges, None


def _as_layers(raster: object) -> list[RasterLayer]:
    """Return ``raster`` (None, a RasterLayer or a sequence of them) as a list."""
    if raster is None:
        return []
    if isinstance(raster, RasterLayer):
        return [raster]
    hint = "pass zonegeo.RasterLayer('dem.tif', style='hillshade') or a list of them"
    if isinstance(raster, (str, bytes, os.PathLike)) or not hasattr(raster, "__iter__"):
        msg = f"raster must be a RasterLayer, got {type(raster).__name__}; {hint}"
        raise TypeError(msg)
    layers = list(raster)
    bad = sorted({type(r).__name__ for r in layers if not isinstance(r, RasterLayer)})
    if bad:
        msg = f"raster must hold RasterLayer objects, got {', '.join(bad)}; {hint}"
        raise TypeError(msg)
    return layers


def _layer_name(layer: RasterLayer, lang: str) -> str:
    if layer.name is not None:
        return layer.name
    if layer.style == "classes":
        return Path(layer.path).stem
    return _i18n.label(f"raster_{layer.style}", lang)


# --------------------------------------------------------------- colouring


def _decimals(edges: Sequence[float] | np.ndarray) -> int:
    """Fewest decimals that write every edge exactly, else that tell them apart."""
    arr = np.asarray(edges, dtype=np.float64)
    for d in range(4):
        if np.allclose(np.round(arr, d), arr, rtol=0.0, atol=1e-9):
            return d
    for d in range(1, 7):
        if len(set(np.round(arr, d))) == len(arr):
            return d
    return 6


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("\u00b0", "%") else f"{text} {unit}"


def _range_labels(
    edges: Sequence[float], unit: str, lang: str, *, below: bool, above: bool
) -> list[str]:
    """Legend labels ``0–2°``, ...; open ends (``< 2``, ``≥ 15``) when data go past."""
    d = _decimals(edges)

    def num(v: float) -> str:
        return _number(v, lang, d)

    labels = [f"{num(a)}\u2013{num(b)}" for a, b in zip(edges, edges[1:], strict=False)]
    if len(labels) > 1 and below:
        labels[0] = f"< {num(edges[1])}"
    if len(labels) > 1 and above:
        labels[-1] = f"\u2265 {num(edges[-2])}"
    return [_with_unit(t, unit) for t in labels]


def _classes(
    v: np.ndarray, layer: RasterLayer, lang: str
) -> tuple[np.ndarray, list[str], list[str]]:
    """Class of each valid value, and each class's colour and legend label."""
    unit = layer.unit if layer.unit is not None else ""
    edges = layer.breaks
    if layer.style == "slope":
        edges = edges or SLOPE_BREAKS
        unit = layer.unit if layer.unit is not None else "\u00b0"
    ramp = _SLOPE_RAMP if layer.style == "slope" else None
    if edges is not None:
        cls = np.searchsorted(np.asarray(edges[1:-1]), v, side="right")
        labels = _range_labels(
            edges,
            unit,
            lang,
            below=bool((v < edges[0]).any()),
            above=bool((v > edges[-1]).any()),
        )
    else:
        uniq = np.unique(v)
        if len(uniq) <= _CATEGORIES:
            cls = np.searchsorted(uniq, v)
            d = _decimals(uniq)
            labels = [_with_unit(_number(u, lang, d), unit) for u in uniq]
        else:
            cls, found = _classify(pd.Series(v), scheme="quantiles", k=_QUANTILES)
            labels = _range_labels(found, unit, lang, below=False, above=False)
    colours = _colors(len(labels), ramp) if ramp else _colors(len(labels))
    return np.asarray(cls, dtype=np.int64), colours, labels


def _png(pixels: np.ndarray, palette: Sequence[str] | None = None) -> str:
    """Return a PNG ``data:`` URI of grey+alpha pixels, or palette indices (0 clear)."""
    from PIL import Image

    img = Image.fromarray(pixels)
    extra: dict[str, Any] = {}
    if palette is not None:
        rgb = [0, 0, 0]
        for colour in palette:
            rgb += [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
        img.putpalette(rgb)
        extra["transparency"] = 0
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", compress_level=6, **extra)  # 9: 4 % less, 10x slower
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# --------------------------------------------------------------- the layer


@dataclass(frozen=True)
class _RasterImage:
    """A raster layer ready for one district's map."""

    url: str
    bounds: list[list[float]]
    name: str
    legend: dict[str, Any]
    layer: RasterLayer
    size: tuple[int, int]


def _picture(
    warped: _Warped, layer: RasterLayer, title: str, lang: str
) -> tuple[str, dict[str, Any]]:
    """Colour the warped values; return the PNG data URI and the legend section."""
    valid = warped.inside
    if layer.style == "hillshade":
        grey = np.zeros(valid.shape, dtype=np.uint8)
        grey[valid] = np.round(np.clip(warped.values[valid], 0, 1) * 255)
        alpha = np.where(valid, 255, 0).astype(np.uint8)
        item = _legend_item(
            _i18n.label("hillshade_ramp", lang), "ramp", stops=list(HILLSHADE_RAMP)
        )
        return _png(np.dstack([grey, alpha])), {"title": title, "items": [item]}
    cls, colours, labels = _classes(warped.values[valid], layer, lang)
    index = np.zeros(valid.shape, dtype=np.uint8)
    index[valid] = cls + 1
    items = [
        _legend_item(
            label, "polygon", fill=c, stroke="#404040", fillOpacity=layer.opacity
        )
        for c, label in zip(colours, labels, strict=True)
    ]
    return _png(index, colours), {"title": title, "items": items}


def _skip(layer: RasterLayer, district: str, why: str, stacklevel: int) -> None:
    msg = (
        f"raster {Path(layer.path).name} {why} district {district}; the map is "
        f"drawn without it. Fix: give a raster that covers the district"
    )
    warnings.warn(msg, DataWarning, stacklevel=stacklevel + 1)


def _raster_image(
    layer: RasterLayer,
    area: BaseGeometry,
    *,
    district: str,
    lang: str,
    stacklevel: int = 2,
) -> _RasterImage | None:
    """Draw ``layer`` for a district (``area`` in EPSG:4326), or warn and skip it."""
    warped = _district_grid(
        layer.path,
        area,
        max_size=layer.max_size,
        hillshade=layer.style == "hillshade",
    )
    if warped is None or not warped.inside.any():
        why = "does not overlap" if warped is None else "has no valid cell in"
        _skip(layer, district, why, stacklevel)
        return None
    name = _text(_layer_name(layer, lang))
    url, legend = _picture(warped, layer, name, lang)
    rows, cols = warped.values.shape
    log.info(
        "raster %s on %s: %d x %d px, %.0f kB",
        layer.path,
        district,
        cols,
        rows,
        len(url) * 3 / 4 / 1e3,
    )
    return _RasterImage(
        url, _bounds_latlon(warped.bounds), name, legend, layer, (cols, rows)
    )


def _add_image(m: folium.Map, image: _RasterImage, *, suffix: str) -> None:
    """Put the image on the map in its own pane under the vector layers."""
    import folium

    if _PANE_KEY not in m._children:
        pane = folium.map.CustomPane(_PANE, z_index=_PANE_Z, pointer_events=False)
        m.add_child(pane, name=_PANE_KEY)
    overlay = folium.raster_layers.ImageOverlay(
        image.url,
        bounds=image.bounds,
        name=_unique_name(m, image.name, suffix),
        opacity=image.layer.opacity,
        show=image.layer.show,
        pane=_PANE,
        className="zg-raster",
        interactive=False,
        alt=image.name,
    )
    m.add_child(overlay)


def _raster_overlays(
    m: folium.Map,
    layers: Sequence[RasterLayer],
    area: BaseGeometry,
    *,
    district: str,
    lang: str,
    suffix: str,
) -> list[dict[str, Any]]:
    """Add each raster layer that covers the district; return their legend sections."""
    legend = []
    for layer in layers:
        image = _raster_image(layer, area, district=district, lang=lang, stacklevel=4)
        if image is not None:
            _add_image(m, image, suffix=suffix)
            legend.append(image.legend)
    return legend


def _rasters_by_district(
    layers: Sequence[RasterLayer], districts: gpd.GeoDataFrame
) -> dict[str, list[RasterLayer]]:
    """Return the layers that cover each district; warn once a raster for the rest."""
    names = [str(d) for d in districts["district"]]
    areas = dict(zip(names, districts.geometry, strict=True))
    here: dict[str, list[RasterLayer]] = {name: [] for name in names}
    for layer in layers:
        missed = []
        for name in names:
            if _covers(layer.path, areas[name]):
                here[name].append(layer)
            else:
                missed.append(name)
        if missed:
            shown = ", ".join(missed[:MAX_IDS])
            more = f" and {len(missed) - MAX_IDS} more" if len(missed) > MAX_IDS else ""
            msg = (
                f"raster {Path(layer.path).name} does not overlap {len(missed)} of "
                f"{len(names)} districts ({shown}{more}); their pages are drawn "
                f"without it"
            )
            warnings.warn(msg, DataWarning, stacklevel=3)
    return here
