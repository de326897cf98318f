"""Slope rasters and zonal statistics (zonegeo.siting.terrain) on rasters built here."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

import zonegeo
from tests._need import need
from zonegeo.errors import CRSError, DataWarning, ValidationError
from zonegeo.siting.terrain import slope_degrees

rasterio = need("rasterio")
need("exactextract")
from affine import Affine  # noqa: E402  (comes with rasterio)

UTM = "EPSG:32642"
# A plane rising 0.10 m per m east and 0.05 m per m north.
GX, GY = 0.10, 0.05
PLANE_DEG = math.degrees(math.atan(math.hypot(GX, GY)))


def write_raster(path: Path, z: np.ndarray, transform: Affine, crs: str | None) -> Path:
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=z.shape[0],
        width=z.shape[1],
        count=1,
        dtype="float32",
        crs=crs,
        transform=transform,
        nodata=np.nan,
    ) as f:
        f.write(z.astype("float32"), 1)
    return path


def read(path: Path) -> np.ndarray:
    with rasterio.open(path) as f:
        return f.read(1).astype(float)


def test_inclined_plane_has_known_slope_everywhere(tmp_path):
    x0, y0, cell = 500_000.0, 4_760_000.0, 30.0
    cols, rows = np.meshgrid(np.arange(40) + 0.5, np.arange(30) + 0.5)
    x, y = x0 + cols * cell, y0 - rows * cell
    z = 200 + GX * (x - x0) + GY * (y - y0)
    dem = write_raster(tmp_path / "dem.tif", z, Affine(cell, 0, x0, 0, -cell, y0), UTM)
    out = zonegeo.terrain_slope(dem, tmp_path / "slope.tif")
    s = read(out)
    assert s.shape == z.shape
    np.testing.assert_allclose(s, PLANE_DEG, atol=1e-3)  # edges included
    with rasterio.open(out) as f:
        assert f.crs.to_epsg() == 32642
        assert f.transform == Affine(cell, 0, x0, 0, -cell, y0)


def test_flat_dem_is_zero_and_nodata_stays_nodata(tmp_path):
    z = np.full((10, 10), 300.0)
    z[5, 5] = np.nan
    dem = write_raster(tmp_path / "d.tif", z, Affine(30, 0, 5e5, 0, -30, 4.76e6), UTM)
    s = read(zonegeo.terrain_slope(dem, tmp_path / "s.tif"))
    assert np.isnan(s[4:7, 4:7]).all()  # the window touches the hole
    assert s[0, 0] == 0.0 and s[9, 9] == 0.0


def test_geographic_dem_at_43n_agrees_with_utm(tmp_path):
    """An SRTM-like DEM in EPSG:4326: cell sizes in metres per row, not degrees."""
    to_utm = pyproj.Transformer.from_crs(4326, UTM, always_xy=True)
    lon0, lat0, step = 68.0, 43.1, 1 / 3600  # 1 arc-second, like SRTM
    n = 120
    cols, rows = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5)
    lon, lat = lon0 + cols * step, lat0 - rows * step
    x, y = to_utm.transform(lon, lat)
    z = 400 + GX * (x - x.mean()) + GY * (y - y.mean())
    dem = write_raster(
        tmp_path / "geo.tif", z, Affine(step, 0, lon0, 0, -step, lat0), "EPSG:4326"
    )
    s = read(zonegeo.terrain_slope(dem, tmp_path / "geo_slope.tif"))
    # the same plane as a UTM DEM
    cell = 30.0
    ux, uy = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5)
    ux, uy = 600_000 + ux * cell, 4_770_000 - uy * cell
    zu = 400 + GX * ux + GY * uy
    dem_u = write_raster(
        tmp_path / "utm.tif", zu, Affine(cell, 0, 600_000, 0, -cell, 4_770_000), UTM
    )
    su = read(zonegeo.terrain_slope(dem_u, tmp_path / "utm_slope.tif"))
    assert abs(np.nanmedian(s) - np.nanmedian(su)) < 0.5
    assert np.nanmax(np.abs(s - PLANE_DEG)) < 0.5
    # taking degrees as metres would give about 90 degrees
    assert np.nanmax(s) < 10


def test_dem_without_crs_is_refused(tmp_path):
    dem = write_raster(
        tmp_path / "nocrs.tif", np.zeros((4, 4)), Affine(1, 0, 0, 0, -1, 4), None
    )
    with pytest.raises(CRSError, match="nocrs.tif.*no CRS"):
        zonegeo.terrain_slope(dem, tmp_path / "s.tif")


def test_slope_core_rejects_tiny_grid():
    with pytest.raises(ValidationError, match="2 x 2"):
        slope_degrees(np.zeros((1, 5)), 1.0, 1.0)


@pytest.fixture
def flood(tmp_path) -> Path:
    """10 m cells; the west 30 m (3 columns) flooded to 1.0, the rest 0."""
    z = np.zeros((10, 10))
    z[:, :3] = 1.0
    return write_raster(
        tmp_path / "flood.tif", z, Affine(10, 0, 500_000, 0, -10, 4_760_100), UTM
    )


def test_hazard_fraction_uses_exact_cell_coverage(flood):
    # x 500005..500065: 25 m of 60 m flooded, cutting cells in half at both ends
    site = shapely.box(500_005, 4_760_010, 500_065, 4_760_050)
    sites = gpd.GeoDataFrame(
        {"candidate_id": ["S-1"]}, geometry=[site], crs=UTM, index=["a"]
    )
    out = zonegeo.zonal_stats(sites, flood, stats=["mean", "max", "min"], above=[0.5])
    assert list(out.index) == ["a"]
    assert out["flood_frac_above_0.5"].iloc[0] == pytest.approx(25 / 60)
    assert out["flood_mean"].iloc[0] == pytest.approx(25 / 60)
    assert out["flood_max"].iloc[0] == 1.0 and out["flood_min"].iloc[0] == 0.0
    assert out["flood_valid_frac"].iloc[0] == pytest.approx(1.0)


def test_sites_in_another_crs_keep_index_order_and_columns(flood):
    boxes = [
        shapely.box(500_000, 4_760_000, 500_030, 4_760_100),  # all flooded
        shapely.box(500_050, 4_760_000, 500_100, 4_760_100),  # dry
    ]
    geo = gpd.GeoSeries(boxes, crs=UTM).segmentize(5).to_crs(4326).to_numpy()
    sites = gpd.GeoDataFrame(
        {"plot_id": ["P2", "P1"], "note": ["x", "y"]},
        geometry=geo,
        crs=4326,
        index=pd.Index([7, 3], name="k"),
    )
    out = zonegeo.zonal_stats(sites, flood, prefix="fl", above=[0.5])
    assert list(out.index) == [7, 3] and out.index.name == "k"
    assert out.crs == sites.crs and list(out["note"]) == ["x", "y"]
    np.testing.assert_allclose(out["fl_frac_above_0.5"], [1.0, 0.0], atol=0.01)
    assert "fl_mean" in out and "fl_max" in out
    assert "fl_mean" not in sites  # input untouched


def test_site_off_the_raster_gets_nan_and_a_named_warning(flood):
    sites = gpd.GeoDataFrame(
        {"candidate_id": ["IN", "OUT"]},
        geometry=[
            shapely.box(500_000, 4_760_000, 500_020, 4_760_020),
            shapely.box(600_000, 4_760_000, 600_020, 4_760_020),
        ],
        crs=UTM,
    )
    with pytest.warns(DataWarning, match="candidate_id=OUT"):
        out = zonegeo.zonal_stats(sites, flood, above=[0.5])
    assert out["flood_mean"].iloc[0] == 1.0
    assert np.isnan(out["flood_mean"].iloc[1])
    assert np.isnan(out["flood_frac_above_0.5"].iloc[1])  # never 0


def test_unknown_stat_lists_the_allowed(flood):
    sites = gpd.GeoDataFrame(geometry=[shapely.box(500_000, 4_760_000, 1, 1)], crs=UTM)
    with pytest.raises(ValidationError, match="allowed: mean, min, max"):
        zonegeo.zonal_stats(sites, flood, stats=["avg"])


def test_missing_raster_is_a_read_error(tmp_path):
    sites = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=UTM)
    with pytest.raises(zonegeo.ReadError, match="nothere.tif"):
        zonegeo.zonal_stats(sites, tmp_path / "nothere.tif")
