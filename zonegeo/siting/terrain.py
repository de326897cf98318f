"""Terrain and hazard rasters as siting criteria: slope, and zonal statistics per site.

:func:`terrain_slope` turns a digital elevation model (DEM) into a slope raster in
degrees; :func:`zonal_stats` summarises any raster (slope, a flood depth, a hazard
class) over each candidate site with exact cell-coverage weights, so the results
can be ranked like any other criterion (``slope_mean``, better lower) or used as an
exclusion (``slope_frac_above_8 > 0.2``).

Units
-----
Elevations are read as metres (SRTM, Copernicus GLO-30 and ASTER GDEM all are).
Cell sizes are metres on the ellipsoid: for a projected DEM the CRS's linear unit is
converted to metres; for a geographic DEM (degrees) the east-west and north-south
size of a cell is computed for every row with :class:`pyproj.Geod` (WGS 84), since
a degree of longitude at 43 deg N is only 81.5 km, not 111 km.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zonegeo.errors import CRSError, DataWarning, ReadError, ValidationError
from zonegeo.messages import describe_rows

__all__ = [
    "SLOPE_BLOCK_ROWS",
    "ZONAL_STATS",
    "cell_size_m",
    "hillshade",
    "horn_gradients",
    "open_raster",
    "raster_read_errors",
    "slope_degrees",
    "terrain_slope",
    "zonal_stats",
]

log = logging.getLogger(__name__)

#: Statistics :func:`zonal_stats` computes, each weighted by the share of every
#: cell that the site covers (exactextract's operations of the same names).
ZONAL_STATS: tuple[str, ...] = ("mean", "min", "max", "median", "stdev")

_GEOD = pyproj.Geod(ellps="WGS84")


def _rasterio() -> Any:
    try:
        import rasterio
    except ImportError as exc:  # pragma: no cover - a dependency of zonegeo
        msg = "rasterio is needed for rasters: pip install rasterio"
        raise ImportError(msg) from exc
    return rasterio


#: The fix named when a raster cannot be read.
RASTER_FORMAT_FIX = "Fix: give a GeoTIFF (or any single-band raster rasterio reads)"
#: The fix named when a raster has no CRS.
RASTER_CRS_FIX = (
    "Fix: assign it with gdal_edit.py -a_srs EPSG:4326 (SRTM, Copernicus) or "
    "its UTM zone (EPSG:32642 for most of Turkistan region)"
)


def open_raster(path: str | os.PathLike[str], *, what: str = "raster") -> Any:
    """Open a raster to read; refuse a missing or unreadable file or one without CRS.

    Parameters
    ----------
    path : str or path-like
        A raster file rasterio reads (GeoTIFF, ...). Only read.
    what : str, default "raster"
        What the file is, for messages ("DEM", "raster").

    Returns
    -------
    rasterio.DatasetReader
        Open; close it (``with open_raster(p) as src:``).

    Raises
    ------
    ReadError
        If the file does not exist or rasterio cannot read it.
    CRSError
        If the raster has no CRS.
    """
    rasterio = _rasterio()
    file = Path(path)
    if not file.is_file():
        msg = f"{file}: no such {what} file. {RASTER_FORMAT_FIX}"
        raise ReadError(msg)
    try:
        src = rasterio.open(file)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"{file}: cannot read the {what} ({exc}). {RASTER_FORMAT_FIX}"
        raise ReadError(msg) from exc
    if src.crs is None:
        src.close()
        msg = f"{file}: the {what} has no CRS. {RASTER_CRS_FIX}"
        raise CRSError(msg)
    return src


@contextlib.contextmanager
def raster_read_errors(
    path: str | os.PathLike[str], *, what: str = "raster"
) -> Iterator[None]:
    """Turn a failed read of an open raster's cells into a ReadError naming the file.

    GDAL opens a damaged or truncated GeoTIFF (its header is intact) and fails
    only when the cells are read, with "Read failed. See previous exception
    for details."; this names the file, says what that means and the fix.
    """
    rasterio = _rasterio()
    try:
        yield
    except rasterio.errors.RasterioIOError as exc:
        cause = str(exc.__cause__ or exc)  # GDAL's own words, not "see previous"
        msg = (
            f"{Path(path)}: cannot read the cells of the {what}: the file is damaged "
            f"or cut short ({cause}). Fix: copy or export the {what} again"
        )
        raise ReadError(msg) from exc


def horn_gradients(
    z: np.ndarray, dx: np.ndarray | float, dy: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """East and south gradients of an elevation grid by Horn's 3 x 3 method.

    Parameters
    ----------
    z : ndarray, shape (rows, cols)
        Elevations in metres; NaN marks no data.
    dx, dy : float or ndarray of shape (rows,)
        East-west and north-south size of a cell in metres (per row for a
        geographic grid).

    Returns
    -------
    dzdx, dzdy : ndarray of float64
        Rise per metre towards the east (along a row) and towards the south
        (down the columns, the order rows are stored in). A cell whose 3 x 3
        window holds a NaN is NaN. Edge cells use a window extended by linear
        extrapolation, so a plane has the same gradient at its edges as inside.

    Notes
    -----
    Horn (1981), as in ``gdaldem``: ``dz/dx = ((c + 2f + i) - (a + 2d + g))
    / (8 dx)`` and ``dz/dy = ((g + 2h + i) - (a + 2b + c)) / (8 dy)``.

    Examples
    --------
    >>> z = np.add.outer(np.arange(3) * 5.0, np.arange(4) * 10.0)
    >>> gx, gy = horn_gradients(z, 10.0, 10.0)
    >>> float(gx[1, 1]), float(gy[1, 1])
    (1.0, 0.5)
    """
    z = np.asarray(z, dtype=np.float64)
    _check_grid(z.shape)
    return _horn(_pad(z), dx, dy)


def _check_grid(shape: tuple[int, ...]) -> None:
    if len(shape) != 2 or min(shape) < 2:
        msg = f"an elevation grid needs at least 2 x 2 cells, got shape {shape}"
        raise ValidationError(msg)


def _pad(z: np.ndarray, *, top: bool = True, bottom: bool = True) -> np.ndarray:
    """Extend a grid by one cell on each side by odd reflection (2 * edge - inner).

    The columns are always extended; the rows only at ``top`` / ``bottom``, so
    that a block of rows read with a one-row halo from its neighbours is padded
    exactly like the same rows of the whole grid.
    """
    return np.pad(
        z, ((int(top), int(bottom)), (1, 1)), mode="reflect", reflect_type="odd"
    )


def _horn(
    p: np.ndarray, dx: np.ndarray | float, dy: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Horn's gradients of the inner cells of a padded grid ``p``.

    Each step is done in place on one of two output arrays, in the order of
    ``((c + 2f + i) - (a + 2d + g)) / (8 dx)`` (IEEE addition commutes), so
    the result is the same to the bit at a fraction of the temporary memory.
    """
    rows = p.shape[0] - 2
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dxr = np.broadcast_to(np.asarray(dx, dtype=np.float64), (rows,))[:, None]
    dyr = np.broadcast_to(np.asarray(dy, dtype=np.float64), (rows,))[:, None]
    tmp = np.empty(f.shape)

    def weighted(
        e1: np.ndarray, mid: np.ndarray, e2: np.ndarray, out: np.ndarray
    ) -> np.ndarray:
        np.multiply(mid, 2.0, out=out)  # e1 + 2 mid + e2, left to right
        np.add(e1, out, out=out)
        np.add(out, e2, out=out)
        return out

    dzdx = weighted(c, f, i, np.empty(f.shape))
    np.subtract(dzdx, weighted(a, d, g, tmp), out=dzdx)
    np.divide(dzdx, 8.0 * dxr, out=dzdx)
    dzdy = weighted(g, h, i, np.empty(f.shape))
    np.subtract(dzdy, weighted(a, b, c, tmp), out=dzdy)
    np.divide(dzdy, 8.0 * dyr, out=dzdy)
    return dzdx, dzdy


def _slope_padded(
    p: np.ndarray, dx: np.ndarray | float, dy: np.ndarray | float
) -> np.ndarray:
    """Slope in degrees of the inner cells of a padded grid (see :func:`_pad`)."""
    dzdx, dzdy = _horn(p, dx, dy)
    slope = np.hypot(dzdx, dzdy, out=dzdx)
    del dzdy
    np.arctan(slope, out=slope)
    np.degrees(slope, out=slope)
    slope[np.isnan(p[1:-1, 1:-1])] = np.nan  # Horn skips the centre
    return slope


def slope_degrees(
    z: np.ndarray, dx: np.ndarray | float, dy: np.ndarray | float
) -> np.ndarray:
    """Slope in degrees of an elevation grid by Horn's 3 x 3 method.

    Parameters
    ----------
    z : ndarray, shape (rows, cols)
        Elevations in metres; NaN marks no data (and gives NaN there).
    dx, dy : float or ndarray of shape (rows,)
        East-west and north-south size of a cell in metres (per row for a
        geographic grid).

    Returns
    -------
    ndarray of float64
        Slope in degrees, 0 (flat) to 90. A cell whose 3 x 3 window holds a NaN
        is NaN. Edge cells use a window extended by linear extrapolation, so a
        plane has the same slope at its edges as inside.

    See Also
    --------
    horn_gradients : the two gradients the slope is made of.

    Examples
    --------
    >>> z = np.add.outer(np.zeros(4), np.arange(5) * 10.0)  # rises 10 m per 10 m
    >>> np.round(slope_degrees(z, 10.0, 10.0), 6)[1:3, 1:4]
    array([[45., 45., 45.],
           [45., 45., 45.]])
    """
    z = np.asarray(z, dtype=np.float64)
    _check_grid(z.shape)
    return _slope_padded(_pad(z), dx, dy)


def hillshade(
    z: np.ndarray,
    dx: np.ndarray | float,
    dy: np.ndarray | float,
    *,
    azimuth: float = 315.0,
    altitude: float = 45.0,
) -> np.ndarray:
    """Shaded relief of an elevation grid, lit from ``azimuth`` at ``altitude``.

    Parameters
    ----------
    z : ndarray, shape (rows, cols)
        Elevations in metres; NaN marks no data.
    dx, dy : float or ndarray of shape (rows,)
        Cell size in metres, as for :func:`slope_degrees`.
    azimuth : float, default 315
        Direction the light comes from, degrees clockwise from north (315 is
        the cartographic north-west).
    altitude : float, default 45
        Height of the light above the horizon in degrees.

    Returns
    -------
    ndarray of float64
        Illumination from 0 (in shadow) to 1 (facing the light); flat ground
        is ``sin(altitude)``. NaN where the slope is NaN.

    Notes
    -----
    The cosine of the angle between the surface normal ``(-dz/dE, -dz/dN, 1)``
    and the light ``(sin A cos h, cos A cos h, sin h)``, clipped at 0, the
    quantity ``gdaldem hillshade`` scales to 1-255.

    Examples
    --------
    >>> flat = np.zeros((3, 3))
    >>> round(float(hillshade(flat, 10.0, 10.0)[1, 1]), 4)  # sin 45 deg
    0.7071
    """
    dzdx, dzdy = horn_gradients(z, dx, dy)
    az, alt = np.radians(azimuth), np.radians(altitude)
    # rows run south, so dz/dN = -dzdy
    lit = (
        -dzdx * np.sin(az) * np.cos(alt) + dzdy * np.cos(az) * np.cos(alt) + np.sin(alt)
    ) / np.sqrt(1.0 + dzdx * dzdx + dzdy * dzdy)
    shade = np.clip(lit, 0.0, 1.0)
    shade[np.isnan(np.asarray(z, dtype=np.float64))] = np.nan
    return shade


def cell_size_m(
    crs: pyproj.CRS, transform: Any, height: int, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """East-west and north-south cell size in metres, for every row of a grid.

    Parameters
    ----------
    crs : pyproj.CRS
        The grid's CRS: projected (its linear unit converted to metres) or
        geographic (sizes measured on the WGS 84 ellipsoid at each row's
        latitude).
    transform : affine.Affine
        The grid's north-up geotransform.
    height : int
        Number of rows.
    source : str
        Name of the raster, for messages.

    Returns
    -------
    dx, dy : ndarray of float64, shape (height,)

    Raises
    ------
    ValidationError
        If the grid is rotated.
    CRSError
        If a geographic grid reaches beyond +-90 deg latitude.
    """
    if transform.b != 0 or transform.d != 0:
        msg = (
            f"{source}: the raster is rotated (geotransform {tuple(transform)[:6]}); "
            f"slope needs a north-up grid. Fix: gdalwarp it to a north-up grid first"
        )
        raise ValidationError(msg)
    if crs.is_geographic:
        rows = np.arange(height) + 0.5
        lat = transform.f + transform.e * rows
        half = abs(transform.e) / 2.0
        if np.any(np.abs(lat) + half > 90):
            msg = f"{source}: latitudes beyond +-90 deg; is the CRS right?"
            raise CRSError(msg)
        lon0 = np.full(height, float(transform.c))
        _, _, dx = _GEOD.inv(lon0, lat, lon0 + abs(transform.a), lat)
        _, _, dy = _GEOD.inv(lon0, lat - half, lon0, lat + half)
        return np.asarray(dx, float), np.asarray(dy, float)
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    dx = np.full(height, abs(transform.a) * factor)
    dy = np.full(height, abs(transform.e) * factor)
    return dx, dy


#: Least size of GDAL's block cache while zonegeo reads a raster (bytes).
MIN_CACHE_BYTES = 64 * 2**20


def gdal_cache(rasterio: Any, ds: Any, rows: int) -> AbstractContextManager[Any]:
    """Hold GDAL's block cache to what reading ``rows`` rows of ``ds`` at a time needs.

    GDAL keeps the blocks it decompresses (and the blocks written but not yet
    flushed) in a cache of 5 % of the RAM by default, 1.2 GB on a 24 GB
    machine. Reading or writing a raster a band of rows at a time needs only
    the band's blocks and those it shares with the next band, so while zonegeo
    does so the cache is held to ``max(64 MiB, 8 bytes x width x (rows + 2
    block heights))``. A ``GDAL_CACHEMAX`` the user has set (in the
    environment or a ``rasterio.Env``) is left alone.

    Parameters
    ----------
    rasterio : module
        The rasterio module.
    ds : rasterio dataset
        The open raster (its width and block height size the cache).
    rows : int
        Rows read or written at a time.

    Returns
    -------
    context manager
        A ``rasterio.Env`` setting ``GDAL_CACHEMAX`` (in bytes), or a no-op.
    """
    if "GDAL_CACHEMAX" in os.environ or (
        rasterio.env.hasenv() and "GDAL_CACHEMAX" in rasterio.env.getenv()
    ):
        return contextlib.nullcontext()
    block = int(ds.block_shapes[0][0]) if ds.block_shapes else 1
    need = 8 * int(ds.width) * (int(rows) + 2 * block)
    return rasterio.Env(GDAL_CACHEMAX=max(MIN_CACHE_BYTES, need))


#: Rows of the DEM :func:`terrain_slope` holds at once (a multiple of the
#: 256-row tiles it writes).
SLOPE_BLOCK_ROWS = 512


def terrain_slope(
    dem: str | Path, out: str | Path, *, block_rows: int = SLOPE_BLOCK_ROWS
) -> Path:
    """Write a slope raster in degrees from a DEM GeoTIFF in any CRS.

    Parameters
    ----------
    dem : str or Path
        A single-band elevation raster (metres) that rasterio can read, in a
        projected CRS (cell size converted to metres) or a geographic one such
        as SRTM or Copernicus GLO-30 in EPSG:4326 (cell size in metres computed
        for every row on the WGS 84 ellipsoid).
    out : str or Path
        The slope GeoTIFF to write: float32 degrees, same grid and CRS as the
        DEM, NaN as no data. Written to a temporary file first, then renamed.
    block_rows : int, default 512
        Rows read, computed and written at a time (see Notes).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ReadError
        If the DEM cannot be read.
    CRSError
        If the DEM has no CRS.
    ValidationError
        If the DEM is rotated or smaller than 2 x 2 cells, or ``block_rows``
        is below 1.

    Notes
    -----
    Horn's method (see :func:`slope_degrees`); a cell next to a no-data cell is
    no data. The DEM is read, and the slope written, ``block_rows`` rows at a
    time, each block with the row above and the row below it, so the result is
    the same to the bit as :func:`slope_degrees` of the whole grid (the edge
    rows of the raster, and only those, are extended by reflection). Memory is
    bounded by the block, not the DEM: about ``block_rows x columns x 50``
    bytes for the arrays of a block plus GDAL's block cache, held near one
    block (see :func:`gdal_cache`): 290 MB in all for 10,000 columns at the
    default 512 rows, whatever the number of rows. A national DEM needs no
    clipping for memory; clip it for speed (the time grows with the cells).

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os
    >>> from affine import Affine
    >>> d = tempfile.mkdtemp()
    >>> z = np.add.outer(np.zeros(5), np.arange(5) * 30.0).astype("float32")
    >>> with rasterio.open(os.path.join(d, "dem.tif"), "w", driver="GTiff",
    ...         height=5, width=5, count=1, dtype="float32", crs="EPSG:32642",
    ...         transform=Affine(30, 0, 500000, 0, -30, 4760000)) as f:
    ...     f.write(z, 1)
    >>> p = terrain_slope(os.path.join(d, "dem.tif"), os.path.join(d, "slope.tif"))
    >>> with rasterio.open(p) as f:
    ...     round(float(f.read(1)[2, 2]), 3)
    45.0
    """
    rasterio = _rasterio()
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)):
        msg = f"block_rows must be a whole number, got {type(block_rows).__name__}"
        raise TypeError(msg)
    if block_rows < 1:
        msg = f"block_rows must be at least 1, got {block_rows!r}"
        raise ValidationError(msg)
    src_path, out_path = Path(dem), Path(out)
    with open_raster(src_path, what="DEM") as src:
        crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
        height, width = src.height, src.width
        dx, dy = cell_size_m(crs, src.transform, height, str(src_path))
        _check_grid((height, width))
        log.info(
            "%s: slope of %d x %d cells in blocks of %d rows "
            "(cell %.1f x %.1f m at the centre row)",
            src_path,
            height,
            width,
            block_rows,
            dx[height // 2],
            dy[height // 2],
        )
        profile = _slope_profile(src.profile)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".tif", dir=out_path.parent)
        os.close(fd)
        try:
            with (
                gdal_cache(rasterio, src, block_rows),
                rasterio.open(tmp, "w", **profile) as dst,
            ):
                for r0 in range(0, height, int(block_rows)):
                    r1 = min(r0 + int(block_rows), height)
                    # the block with a one-row halo; reflected only at the edges
                    z = _read_rows(src, max(r0 - 1, 0), min(r1 + 1, height), src_path)
                    p = _pad(z, top=r0 == 0, bottom=r1 == height)
                    del z
                    slope = _slope_padded(p, dx[r0:r1], dy[r0:r1])
                    del p
                    dst.write(
                        slope.astype(np.float32),
                        1,
                        window=((r0, r1), (0, width)),
                    )
                    del slope
                dst.set_band_description(1, "slope in degrees (Horn)")
            os.replace(tmp, out_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return out_path


def _read_rows(src: Any, lo: int, hi: int, path: Path) -> np.ndarray:
    """Rows ``lo:hi`` of band 1 as float64, no data as NaN."""
    with raster_read_errors(path, what="DEM"):
        band = src.read(1, window=((lo, hi), (0, src.width)), masked=True)
    out: np.ndarray = band.astype(np.float64).filled(np.nan)
    return out


def _slope_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the DEM's profile into a float32 slope GeoTIFF's (tiled 256 if large)."""
    out = dict(profile)
    out.update(
        driver="GTiff",
        dtype="float32",
        count=1,
        nodata=np.nan,
        compress="deflate",
        predictor=3,
    )
    for k in ("blockxsize", "blockysize", "tiled", "interleave", "photometric"):
        out.pop(k, None)
    if out["height"] >= 256 and out["width"] >= 256:
        out.update(tiled=True, blockxsize=256, blockysize=256)
    return out


def _threshold_name(value: float) -> str:
    """``8`` -> ``"8"``, ``0.5`` -> ``"0.5"``, ``-1`` -> ``"minus1"``."""
    text = f"{float(value):g}"
    return text.replace("-", "minus")


def frac_above_column(prefix: str, value: float) -> str:
    """Name of the share-above column, e.g. ``slope_frac_above_8``.

    Examples
    --------
    >>> frac_above_column("slope", 8), frac_above_column("flood", 0.5)
    ('slope_frac_above_8', 'flood_frac_above_0.5')
    """
    return f"{prefix}_frac_above_{_threshold_name(value)}"


def _check_stats(stats: Sequence[str]) -> tuple[str, ...]:
    if isinstance(stats, str):
        stats = (stats,)
    bad = [s for s in stats if s not in ZONAL_STATS]
    if bad:
        msg = f"unknown statistic(s) {bad}; allowed: {', '.join(ZONAL_STATS)}"
        raise ValidationError(msg)
    return tuple(dict.fromkeys(stats))


def zonal_stats(
    sites: gpd.GeoDataFrame,
    raster: str | Path,
    *,
    stats: Sequence[str] = ("mean", "max"),
    prefix: str | None = None,
    above: Sequence[float] | None = None,
) -> gpd.GeoDataFrame:
    """Summarise a raster over each site polygon with exact cell-coverage weights.

    Parameters
    ----------
    sites : GeoDataFrame
        Site polygons in any CRS (reprojected to the raster's CRS internally).
    raster : str or Path
        A single-band raster rasterio can read (slope from
        :func:`terrain_slope`, a flood depth, a hazard class...).
    stats : sequence of str, default ("mean", "max")
        Any of :data:`ZONAL_STATS`. Each cell counts with the share of it the
        site covers (exactextract), so a site that covers half a steep cell
        counts it half.
    prefix : str, optional
        Column prefix; default the raster file's stem (``slope.tif`` ->
        ``slope``).
    above : sequence of float, optional
        Thresholds v: adds ``<prefix>_frac_above_<v>``, the share (0 to 1) of
        the site's measured area where the raster is greater than v.

    Returns
    -------
    GeoDataFrame
        A copy of ``sites`` (same index, order, CRS and columns) plus
        ``<prefix>_<stat>`` for each stat, ``<prefix>_frac_above_<v>`` for each
        threshold and ``<prefix>_valid_frac``: the share of the site's area
        covered by valid (not no-data) cells.

    Raises
    ------
    ReadError
        If the raster cannot be read.
    CRSError
        If the raster or the sites have no CRS.
    ValidationError
        For an unknown statistic or a non-finite threshold.

    Warns
    -----
    DataWarning
        Naming the sites that touch no valid cell (outside the raster or on no
        data); their columns are NaN, never 0.

    Notes
    -----
    Shares are of the area covered by valid cells: no-data cells are not
    counted as below the threshold, so a flood layer should code dry land as
    0, not as no data (``<prefix>_valid_frac`` shows how much was measured).
    Cells are weighted by covered share, not by their area in m2; within one
    site the area of geographic cells varies by far less than 0.1 %.

    exactextract is the engine; zonegeo gives it the sites as WKB, north to
    south, and the raster a band of 512 whole rows at a time (fewer on a
    raster wider than 15,625 columns: 8 million cells at most), so each row
    is read about once whatever the order of the sites (10,000 sites of 50 ha on
    a 10,000 x 10,000 raster: 3 s, see ``benchmarks/README.md``). Memory: the
    band, GDAL's cache held near it (see :func:`gdal_cache`), and, with
    ``above``, the values of the cells under every site.

    Examples
    --------
    >>> import numpy as np, rasterio, tempfile, os, shapely, geopandas as gpd
    >>> from affine import Affine
    >>> p = os.path.join(tempfile.mkdtemp(), "flood.tif")
    >>> z = np.zeros((10, 10), "float32"); z[:, :3] = 1.0  # west 30 m flooded
    >>> with rasterio.open(p, "w", driver="GTiff", height=10, width=10, count=1,
    ...         dtype="float32", crs="EPSG:32642",
    ...         transform=Affine(10, 0, 500000, 0, -10, 4760100)) as f:
    ...     f.write(z, 1)
    >>> site = gpd.GeoDataFrame(geometry=[shapely.box(500000, 4760000,
    ...                                               500060, 4760060)], crs=32642)
    >>> out = zonal_stats(site, p, stats=["max"], above=[0.5])
    >>> float(out["flood_max"].iloc[0]), float(out["flood_frac_above_0.5"].iloc[0])
    (1.0, 0.5)
    """
    rasterio = _rasterio()
    if not isinstance(sites, gpd.GeoDataFrame):
        msg = f"sites must be a GeoDataFrame, got {type(sites).__name__}"
        raise TypeError(msg)
    if sites.crs is None:
        msg = "sites have no CRS. Fix: set it with sites.set_crs(...)"
        raise CRSError(msg)
    ops = _check_stats(stats)
    thresholds = [float(v) for v in (above or ())]
    if any(not math.isfinite(v) for v in thresholds):
        msg = f"above thresholds must be finite numbers, got {list(above or ())!r}"
        raise ValidationError(msg)
    path = Path(raster)
    name = prefix if prefix is not None else path.stem
    with open_raster(path) as src:
        return _zonal(sites, src, path, name, ops, thresholds, rasterio)


def _zonal(
    sites: gpd.GeoDataFrame,
    src: Any,
    path: Path,
    name: str,
    ops: tuple[str, ...],
    thresholds: list[float],
    rasterio: Any,
) -> gpd.GeoDataFrame:
    """:func:`zonal_stats` on the open raster ``src``."""
    from zonegeo.siting._exact import band_rows, extract

    rcrs = pyproj.CRS.from_user_input(src.crs.to_wkt())

    out = sites.copy()
    cols = [f"{name}_{s}" for s in ops]
    fcols = [frac_above_column(name, v) for v in thresholds]
    valid_col = f"{name}_valid_frac"
    n = len(sites)
    result = {c: np.full(n, np.nan) for c in [*cols, *fcols, valid_col]}
    geoms = sites.geometry
    usable = ~(geoms.isna() | geoms.is_empty).to_numpy()
    if usable.any():
        vec = geoms[usable].to_crs(rcrs).to_numpy()
        want = [*ops, "count"]
        if thresholds:
            want += ["values", "coverage"]  # of valid cells only
        rows_at_once = band_rows(src.width)
        with gdal_cache(rasterio, src, rows_at_once), raster_read_errors(path):
            table = extract(
                src,
                vec,
                np.flatnonzero(usable),
                want,
                rcrs.to_wkt(),
                band_rows=rows_at_once,
            )
        rows = table["_row"].to_numpy()
        counted = table["count"].to_numpy(float)  # covered share of valid cells
        for s, c in zip(ops, cols, strict=True):
            result[c][rows] = table[s].to_numpy(float)
        if thresholds:
            for v, c in zip(thresholds, fcols, strict=True):
                share = np.array(
                    [
                        float(np.sum(np.asarray(w)[np.asarray(x) > v]) / k)
                        if k > 0
                        else np.nan
                        for x, w, k in zip(
                            table["values"], table["coverage"], counted, strict=True
                        )
                    ]
                )
                result[c][rows] = share
        # cell area in the raster's own units (degrees squared when geographic)
        site_cells = shapely.area(vec) / abs(src.transform.a * src.transform.e)
        with np.errstate(invalid="ignore", divide="ignore"):
            result[valid_col][rows] = np.clip(counted / site_cells, 0.0, 1.0)
        none = np.zeros(n, bool)
        none[rows] = counted <= 0
        none |= ~usable
    else:
        none = np.ones(n, bool)
    for c in [*cols, *fcols]:
        result[c][none] = np.nan
    for c in [*cols, *fcols, valid_col]:
        out[c] = result[c]
    if none.any():
        labels = site_labels(sites, np.flatnonzero(none))
        msg = (
            f"{int(none.sum())} site(s) touch no valid cell of {path.name} "
            f"(outside the raster or on no data): {labels}; their "
            f"{name}_* columns are NaN"
        )
        warnings.warn(msg, DataWarning, stacklevel=2)
    out.attrs = {
        **sites.attrs,
        f"raster_{name}": {"path": str(path), "stats": list(ops), "above": thresholds},
    }
    return out


#: Id columns that name a site in messages, first found wins.
ID_COLUMNS: tuple[str, ...] = ("candidate_id", "plot_id", "zone_id", "site_id", "id")


def site_labels(sites: pd.DataFrame, positions: np.ndarray) -> str:
    """Name rows by their id column (``candidate_id=...``) or index label."""
    col = next((c for c in ID_COLUMNS if c in sites.columns), None)
    ids = (sites[col] if col else sites.index.to_series()).iloc[positions].tolist()
    return describe_rows(ids, id_column=col)
