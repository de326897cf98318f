"""Small GeoTIFFs with hand-computable answers for the raster-layer tests.

Each helper writes one single-band float32 raster into a folder the test owns
(``tmp_path``) and returns its path: inclined planes (a DEM whose hillshade and
slope are known everywhere), slope stripes (one class each) and rasters that
break a rule (no CRS, only no data, not a raster at all).

A plane rising ``g`` metres per metre towards the east faces west, and lit
from the north-west (azimuth 315 deg, altitude 45 deg) its hillshade is
``(g / 2 + sin 45 deg) / sqrt(1 + g**2)``; flat ground is ``sin 45 deg``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyproj
import rasterio
from affine import Affine

__all__ = [
    "SQRT_HALF",
    "expected_shade",
    "plane",
    "write_raster",
]

#: sin 45 deg: the hillshade of flat ground lit from 45 deg above the horizon.
SQRT_HALF = math.sqrt(0.5)
UTM = "EPSG:32642"
_GEOD = pyproj.Geod(ellps="WGS84")


def expected_shade(east: float, north: float = 0.0) -> float:
    """Hillshade of a plane rising ``east`` / ``north`` m per m, lit from 315/45."""
    az, alt = math.radians(315.0), math.radians(45.0)
    # the surface normal is (-east, -north, 1); the light (sin A cos h, cos A cos h,
    # sin h)
    lit = (
        -east * math.sin(az) * math.cos(alt)
        - north * math.cos(az) * math.cos(alt)
        + math.sin(alt)
    ) / math.sqrt(1.0 + east * east + north * north)
    return max(lit, 0.0)


def write_raster(
    path: Path,
    values: np.ndarray,
    *,
    transform: Affine,
    crs: str | None = UTM,
    nodata: float | None = -9999.0,
) -> Path:
    """Write ``values`` (rows from north to south) as a float32 GeoTIFF."""
    values = np.asarray(values, dtype="float32")
    profile = {
        "driver": "GTiff",
        "height": values.shape[0],
        "width": values.shape[1],
        "count": 1,
        "dtype": "float32",
        "transform": transform,
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values, 1)
    return path


def _cells(
    bounds: tuple[float, float, float, float], cell: float, margin: int
) -> tuple[np.ndarray, np.ndarray, Affine]:
    """Cell-centre x and y of a grid over ``bounds`` plus ``margin`` cells around."""
    minx, miny, maxx, maxy = bounds
    x0, y1 = minx - margin * cell, maxy + margin * cell
    width = math.ceil((maxx - minx) / cell) + 2 * margin
    height = math.ceil((maxy - miny) / cell) + 2 * margin
    xs = x0 + (np.arange(width) + 0.5) * cell
    ys = y1 - (np.arange(height) + 0.5) * cell
    return xs, ys, Affine(cell, 0.0, x0, 0.0, -cell, y1)


def plane(
    path: Path,
    bounds: tuple[float, float, float, float],
    *,
    crs: str = UTM,
    cell: float = 30.0,
    east: float = 0.0,
    north: float = 0.0,
    margin: int = 5,
) -> Path:
    """A DEM over ``bounds`` (in ``crs``) rising ``east`` / ``north`` m per metre.

    In a geographic ``crs`` (``cell`` in degrees) the rise is measured in metres
    on the ellipsoid along each row, so the plane's gradient is ``east`` at
    every latitude; ``north`` must then be 0.
    """
    xs, ys, transform = _cells(bounds, cell, margin)
    if pyproj.CRS.from_user_input(crs).is_geographic:
        assert north == 0.0, "a geographic plane rises towards the east only"
        lon0, lat = np.meshgrid(np.full(len(xs), xs[0]), ys)
        _, _, metres = _GEOD.inv(lon0, lat, np.meshgrid(xs, ys)[0], lat)
        z = 500.0 + east * np.asarray(metres)
    else:
        z = 500.0 + east * (xs[None, :] - xs[0]) + north * (ys[:, None] - ys[-1])
    return write_raster(path, z, transform=transform, crs=crs)


def cut_short(src: Path, dst: Path, *, keep: float = 0.4) -> Path:
    """Copy the first ``keep`` share of a GeoTIFF's bytes, as an interrupted copy does.

    The header (written first by GDAL) survives, so the file opens; its cells
    cannot all be read.
    """
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * keep)])
    with rasterio.open(dst) as f:  # the precondition: it still opens
        assert f.width > 0
    return Path(dst)
