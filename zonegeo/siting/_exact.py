"""Feeding exactextract quickly: WKB features north to south, rows read in bands.

exactextract (``exact_extract``) computes the exact share of every cell a polygon
covers. Given a file name and a GeoDataFrame it reads one raster window per site
through rasterio and turns every site into GeoJSON text; for 10,000 sites most
of its time went there. Here the same engine gets:

- the sites as WKB, sorted by their northern edge, so that
- the raster can be read a band of whole rows at a time (:class:`RowBands`)
  and every site's window is a slice of the band in memory.

The cells, their masks and the coverage fractions are those exactextract's own
rasterio source would give (the band is read by that very class), so the
statistics are the same to the bit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.raster import RasterioRasterSource

#: Rows of the raster read at once, at most ...
BAND_ROWS = 512
#: ... and cells: a band of a very wide raster has fewer rows (16 at least).
BAND_CELLS = 8_000_000


def band_rows(width: int) -> int:
    """Rows of a band of a raster ``width`` columns wide.

    Examples
    --------
    >>> band_rows(10_000), band_rows(147_600)
    (512, 54)
    """
    return int(min(BAND_ROWS, max(16, BAND_CELLS // max(int(width), 1))))


class RowBands(RasterioRasterSource):
    """Band 1 of a raster, read ``rows`` whole rows at a time.

    A window inside the band in memory is a slice of it; any other window
    reads a new band starting at the window's first row. Windows requested
    north to south read each row about once (the blocks a band shares with
    the one before are still in GDAL's cache, see
    :func:`zonegeo.siting.terrain.gdal_cache`).
    """

    def __init__(self, ds: Any, rows: int = BAND_ROWS) -> None:
        super().__init__(ds, 1)
        self.rows = max(int(rows), 1)
        self.lo = self.hi = 0
        self.band: Any = None

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> Any:
        """Cells of the window, with their mask (as exactextract's source)."""
        height, width = int(self.ds.height), int(self.ds.width)
        if y0 < 0 or x0 < 0 or y0 + ny > height or x0 + nx > width:
            return super().read_window(x0, y0, nx, ny)
        if not (self.lo <= y0 and y0 + ny <= self.hi):
            self.lo = y0
            self.hi = min(max(self.lo + self.rows, y0 + ny), height)
            self.band = super().read_window(0, self.lo, width, self.hi - self.lo)
        return self.band[y0 - self.lo : y0 - self.lo + ny, x0 : x0 + nx]


class _WkbFeature(Feature):
    """A site: its WKB and its row number (the only field, ``_row``)."""

    def __init__(self, row: int = -1, wkb: bytes | None = None) -> None:
        Feature.__init__(self)
        self.row = row
        self.wkb = wkb

    def get(self, name: str) -> int:  # noqa: ARG002 - the only field
        return self.row

    def set(self, name: str, value: Any) -> None:  # noqa: ARG002
        self.row = int(value)

    def geometry(self) -> bytes | None:
        return self.wkb

    def set_geometry(self, wkb: bytes | None) -> None:
        self.wkb = wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def fields(self) -> list[str]:
        return ["_row"]


class _WkbSites(FeatureSource):
    def __init__(self, rows: np.ndarray, geoms: np.ndarray, srs_wkt: str) -> None:
        super().__init__()
        self.rows = [int(r) for r in rows]
        self.wkbs = shapely.to_wkb(geoms)
        self.wkt = srs_wkt

    def count(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[_WkbFeature]:
        for row, wkb in zip(self.rows, self.wkbs, strict=True):
            yield _WkbFeature(row, wkb)

    def srs_wkt(self) -> str:
        return self.wkt


def north_to_south(geoms: np.ndarray, transform: Any) -> np.ndarray:
    """Order of the geometries by the raster row of their first (top) row."""
    bounds = shapely.bounds(geoms)
    edge = bounds[:, 3] if transform.e < 0 else bounds[:, 1]
    order: np.ndarray = np.argsort((edge - transform.f) / transform.e, kind="stable")
    return order


def extract(
    ds: Any,
    geoms: np.ndarray,
    rows: np.ndarray,
    ops: Sequence[str],
    srs_wkt: str,
    *,
    band_rows: int = BAND_ROWS,
) -> pd.DataFrame:
    """``exact_extract`` of band 1 of the open raster ``ds`` over ``geoms``.

    ``geoms`` are in the raster's CRS (``srs_wkt``). Returns a row per
    geometry, in the order of ``rows`` (which must ascend), with ``_row`` and
    a column per operation.
    """
    order = north_to_south(geoms, ds.transform)
    table: pd.DataFrame = exact_extract(
        RowBands(ds, band_rows),
        _WkbSites(rows[order], geoms[order], srs_wkt),
        list(ops),
        include_cols=["_row"],
        output="pandas",
    )
    return table.sort_values("_row", kind="stable").reset_index(drop=True)
