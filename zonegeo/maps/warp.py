"""A raster's values over one district, on the Web Mercator grid of a map image.

:func:`_district_grid` reads only the cells that cover a district's bounding
box (coarser when the window is much larger than the image), optionally turns
a DEM into hillshade on the DEM's own grid, warps the values to Web Mercator
(EPSG:3857, in which Leaflet stretches an image overlay linearly) over the
district's bounds and marks the pixels whose centre lies in the district.
The raster file is only read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from zonegeo.siting.terrain import open_raster, raster_read_errors

if TYPE_CHECKING:
    import os

    from shapely.geometry.base import BaseGeometry

WEB_MERCATOR = "EPSG:3857"

# The image's longest side is at least this many pixels (or max_size), so the
# clipped edge follows the district even when the raster's cells are coarse.
_MIN_SIDE = 256


@dataclass(frozen=True)
class _Warped:
    """Values on a Web Mercator grid, and which pixels show (in the district, valid).

    ``bounds`` are the image's lon/lat bounds ``(west, south, east, north)``.
    """

    values: np.ndarray
    inside: np.ndarray
    bounds: tuple[float, float, float, float]


def _in_crs(area: BaseGeometry, crs: Any) -> BaseGeometry | None:
    """Return a lon/lat geometry in ``crs``, or None where it cannot be placed."""
    import geopandas as gpd

    moved = gpd.GeoSeries([area], crs="EPSG:4326").to_crs(crs.to_wkt()).iloc[0]
    if moved is None or moved.is_empty or not np.isfinite(moved.bounds).all():
        return None
    return moved


def _footprint(src: Any) -> BaseGeometry:
    from shapely.geometry import Polygon

    t, w, h = src.transform, src.width, src.height
    return Polygon([t @ (0, 0), t @ (w, 0), t @ (w, h), t @ (0, h)])


def _window(src: Any, area: BaseGeometry | None) -> tuple[int, int, int, int] | None:
    """Rows and columns ``(r0, r1, c0, c1)`` covering ``area`` plus one cell around.

    The extra cell gives the hillshade's 3 x 3 window real neighbours at the
    district's edge. None when the raster does not overlap ``area``.
    """
    if area is None or not _footprint(src).intersects(area):
        return None
    minx, miny, maxx, maxy = area.bounds
    inv = ~src.transform
    cols, rows = zip(
        *(inv @ (x, y) for x in (minx, maxx) for y in (miny, maxy)), strict=True
    )
    c0 = max(math.floor(min(cols)) - 1, 0)
    c1 = min(math.ceil(max(cols)) + 1, src.width)
    r0 = max(math.floor(min(rows)) - 1, 0)
    r1 = min(math.ceil(max(rows)) + 1, src.height)
    if c1 <= c0 or r1 <= r0:
        return None
    return r0, r1, c0, c1


def _covers(path: str | os.PathLike[str], area: BaseGeometry) -> bool:
    """Whether a raster overlaps a district (``area`` in EPSG:4326)."""
    with open_raster(path) as src:
        return _window(src, _in_crs(area, src.crs)) is not None


def _read(
    src: Any, window: tuple[int, int, int, int], *, max_size: int, average: bool
) -> tuple[np.ndarray, Any]:
    """Read band 1 in ``window`` as float64 (NaN = no data) and its transform.

    A window more than twice ``max_size`` cells across is read at a coarser
    resolution (averaged for a DEM, nearest cell otherwise, so classes keep
    their values); the image is no sharper than ``max_size`` anyway.
    """
    from affine import Affine
    from rasterio.enums import Resampling
    from rasterio.windows import Window

    r0, r1, c0, c1 = window
    win = Window(c0, r0, c1 - c0, r1 - r0)
    h, w = r1 - r0, c1 - c0
    factor = max(h, w) / (2 * max_size)
    shape = (h, w)
    if factor > 1:
        shape = (max(2, math.ceil(h / factor)), max(2, math.ceil(w / factor)))
    resampling = Resampling.average if average else Resampling.nearest
    with raster_read_errors(src.name):
        band = src.read(
            1, window=win, out_shape=shape, masked=True, resampling=resampling
        )
    values = np.ma.filled(band.astype(np.float64), np.nan)
    # (src.window_transform would use affine's deprecated ``*``)
    transform = (
        src.transform
        @ Affine.translation(c0, r0)
        @ Affine.scale(w / shape[1], h / shape[0])
    )
    return values, transform


def _shade(values: np.ndarray, transform: Any, crs: Any, source: str) -> np.ndarray:
    """Hillshade (0-1) of a DEM on its own grid, cell sizes in metres."""
    import pyproj

    from zonegeo.siting.terrain import cell_size_m, hillshade

    dx, dy = cell_size_m(
        pyproj.CRS.from_user_input(crs.to_wkt()), transform, values.shape[0], source
    )
    return hillshade(values, dx, dy)


def _cell_in_mercator(transform: Any, crs: Any, at: tuple[float, float]) -> float:
    """Side in Web Mercator metres of a square as large as the cell at ``at``.

    (rasterio's ``calculate_default_transform`` would do, but it uses affine's
    deprecated ``*``.)
    """
    import pyproj

    to = pyproj.Transformer.from_crs(crs.to_wkt(), WEB_MERCATOR, always_xy=True)
    row, col = at
    corners = [transform @ (col + dc, row + dr) for dc, dr in ((0, 0), (1, 0), (0, 1))]
    (x0, y0), (x1, y1), (x2, y2) = (to.transform(x, y) for x, y in corners)
    return math.sqrt(abs((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)))


def _grid(
    shape: tuple[int, int],
    transform: Any,
    crs: Any,
    area: BaseGeometry,
    max_size: int,
) -> tuple[tuple[float, float, float, float], int, int] | None:
    """Web Mercator bounds and size of the image: the district's box on the raster.

    Pixels are about the size of the raster's cells, but the longest side is
    at most ``max_size`` and at least ``min(256, max_size)`` pixels.
    """
    from rasterio.warp import transform_bounds

    h, w = shape
    xs, ys = zip(*(transform @ (c, r) for c in (0, w) for r in (0, h)), strict=True)
    src_bounds = (min(xs), min(ys), max(xs), max(ys))
    foot = transform_bounds(crs, WEB_MERCATOR, *src_bounds, densify_pts=21)
    dminx, dminy, dmaxx, dmaxy = area.bounds
    minx, miny = max(dminx, foot[0]), max(dminy, foot[1])
    maxx, maxy = min(dmaxx, foot[2]), min(dmaxy, foot[3])
    if maxx <= minx or maxy <= miny:
        return None
    cell = _cell_in_mercator(transform, crs, (h / 2, w / 2))
    width, height = (maxx - minx) / cell, (maxy - miny) / cell
    longest = max(width, height)
    scale = min(max(longest, min(_MIN_SIDE, max_size)), max_size) / longest
    cols = max(1, min(max_size, round(width * scale)))
    rows = max(1, min(max_size, round(height * scale)))
    return (minx, miny, maxx, maxy), cols, rows


def _to_lonlat(
    bounds: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """Web Mercator bounds to lon/lat (exact: Mercator keeps x and y apart)."""
    import pyproj

    to = pyproj.Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
    lon0, lat0 = to.transform(bounds[0], bounds[1])
    lon1, lat1 = to.transform(bounds[2], bounds[3])
    return float(lon0), float(lat0), float(lon1), float(lat1)


def _warp(
    values: np.ndarray,
    transform: Any,
    crs: Any,
    area: BaseGeometry,
    *,
    max_size: int,
    smooth: bool,
) -> _Warped | None:
    """Warp values to Web Mercator over the district (``area`` in EPSG:3857)."""
    from affine import Affine
    from rasterio.features import geometry_mask
    from rasterio.warp import Resampling, reproject

    grid = _grid(values.shape, transform, crs, area, max_size)
    if grid is None:
        return None
    bounds, cols, rows = grid
    minx, miny, maxx, maxy = bounds
    dst_transform = Affine(
        (maxx - minx) / cols, 0.0, minx, 0.0, -(maxy - miny) / rows, maxy
    )
    out = np.full((rows, cols), np.nan)
    reproject(
        source=values,
        destination=out,
        src_transform=transform,
        src_crs=crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=WEB_MERCATOR,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear if smooth else Resampling.nearest,
    )
    inside = geometry_mask(
        [area], out_shape=out.shape, transform=dst_transform, invert=True
    )
    return _Warped(out, inside & np.isfinite(out), _to_lonlat(bounds))


def _district_grid(
    path: str | os.PathLike[str],
    area: BaseGeometry,
    *,
    max_size: int,
    hillshade: bool,
) -> _Warped | None:
    """Return a raster's values over a district (``area`` in EPSG:4326).

    With ``hillshade`` the raster is a DEM and the values are its hillshade
    (0-1), computed before warping. None when the raster does not overlap
    the district.
    """
    import geopandas as gpd

    with open_raster(path) as src:
        window = _window(src, _in_crs(area, src.crs))
        if window is None:
            return None
        values, transform = _read(src, window, max_size=max_size, average=hillshade)
        crs = src.crs
    if hillshade:
        values = _shade(values, transform, crs, str(path))
    mercator = gpd.GeoSeries([area], crs="EPSG:4326").to_crs(WEB_MERCATOR).iloc[0]
    return _warp(values, transform, crs, mercator, max_size=max_size, smooth=hillshade)
