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
from zonegeo.siting.terrain import SLOPE_BLOCK_ROWS, cell_size_m, slope_degrees

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


def test_a_dem_cut_short_is_a_read_error_naming_it(tmp_path):
    """An interrupted copy opens (its header is there) but its cells do not read."""
    from tests._rasters import cut_short, write_raster

    rows = np.add.outer(np.arange(300.0), np.arange(300.0))
    whole = write_raster(
        tmp_path / "whole.tif",
        rows,
        transform=Affine(30, 0, 500_000, 0, -30, 4_760_000),
    )
    cut = cut_short(whole, tmp_path / "cut.tif")
    with pytest.raises(
        zonegeo.ReadError,
        match=r"cut\.tif: cannot read the cells of the DEM: the file is damaged or "
        r"cut short .*Fix: copy or export",
    ):
        zonegeo.terrain_slope(cut, tmp_path / "slope.tif")
    assert not (tmp_path / "slope.tif").exists()  # nothing half-written is left
    sites = gpd.GeoDataFrame(
        geometry=[shapely.box(500_000, 4_760_000 - 9000, 509_000, 4_760_000)], crs=UTM
    )
    with pytest.raises(
        zonegeo.ReadError, match=r"cut\.tif: cannot read the cells of the raster"
    ):
        zonegeo.zonal_stats(sites, cut)


# --- block-by-block slope: the same to the bit as the whole grid -------------


def _rough_dem(rows: int, cols: int, seed: int = 0) -> np.ndarray:
    """Hills with noise: every cell's slope differs from its neighbours'."""
    rng = np.random.default_rng(seed)
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    hills = 80 * np.sin(c / 7.0) * np.cos(r / 5.0) + 0.3 * c
    return (400 + hills + rng.normal(0, 2, (rows, cols))).astype("float32")


GRIDS = {
    "utm": (UTM, Affine(30, 0, 500_000, 0, -30, 4_760_000)),
    # 1 arc-second at 43 deg N, like SRTM: cell sizes differ from row to row
    "geographic": ("EPSG:4326", Affine(1 / 3600, 0, 68.0, 0, -1 / 3600, 43.2)),
}


def _whole_grid_slope(path: Path) -> np.ndarray:
    """slope_degrees of the whole band, as terrain_slope did before blocks."""
    with rasterio.open(path) as f:
        z = f.read(1, masked=True).astype(np.float64).filled(np.nan)
        crs = pyproj.CRS.from_user_input(f.crs.to_wkt())
        dx, dy = cell_size_m(crs, f.transform, f.height, path.name)
    return slope_degrees(z, dx, dy).astype(np.float32)


@pytest.mark.parametrize("grid", GRIDS, ids=list(GRIDS))
@pytest.mark.parametrize(
    ("rows", "block_rows"),
    [(100, 32), (100, 1), (100, 99), (65, 64), (3, 2)],
    ids=["100-by-32", "row-by-row", "one-row-left", "65-by-64", "3-by-2"],
)
def test_blocks_give_the_whole_grid_slope_to_the_bit(tmp_path, grid, rows, block_rows):
    crs, transform = GRIDS[grid]
    dem = write_raster(tmp_path / "dem.tif", _rough_dem(rows, 37), transform, crs)
    want = _whole_grid_slope(dem)
    got = read(zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=block_rows))
    np.testing.assert_array_equal(got.astype(np.float32), want)
    assert not np.isnan(want).any()


def test_geographic_rows_use_their_own_cell_size(tmp_path):
    """At 43 deg N a cell is 22.6 m east-west; each block takes its rows' sizes."""
    crs, transform = GRIDS["geographic"]
    dem = write_raster(tmp_path / "dem.tif", _rough_dem(90, 20), transform, crs)
    dx, dy = cell_size_m(pyproj.CRS(crs), transform, 90, "dem")
    assert dx[0] < dx[-1]  # further south, wider
    assert 22.5 < dx.mean() < 22.8 and 30.8 < dy.mean() < 31.0
    got = read(zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=16))
    np.testing.assert_array_equal(got.astype(np.float32), _whole_grid_slope(dem))


def test_nodata_on_a_block_boundary(tmp_path):
    z = _rough_dem(64, 30).astype(float)
    z[31, 10] = np.nan  # last row of the first block of 32
    z[32, 20] = np.nan  # first row of the second
    z[0, 5] = np.nan  # on the raster's top edge
    dem = write_raster(tmp_path / "dem.tif", z, GRIDS["utm"][1], UTM)
    got = read(zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=32))
    np.testing.assert_array_equal(got.astype(np.float32), _whole_grid_slope(dem))
    # a hole spoils its 3 x 3 neighbourhood across the block boundary
    assert np.isnan(got[30:33, 9:12]).all() and np.isnan(got[31:34, 19:22]).all()
    assert np.isnan(got[0:2, 4:7]).all()
    assert np.isfinite(got[29, 10]) and np.isfinite(got[34, 20])
    assert np.isnan(got).sum() == 9 + 9 + 6


def test_integer_dem_with_a_nodata_value(tmp_path):
    """SRTM comes as int16 with -32768 for voids."""
    z = np.round(_rough_dem(40, 25)).astype("int16")
    z[19:21, 7] = -32768
    path = tmp_path / "srtm.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=40,
        width=25,
        count=1,
        dtype="int16",
        crs="EPSG:4326",
        transform=GRIDS["geographic"][1],
        nodata=-32768,
    ) as f:
        f.write(z, 1)
    got = read(zonegeo.terrain_slope(path, tmp_path / "s.tif", block_rows=20))
    np.testing.assert_array_equal(got.astype(np.float32), _whole_grid_slope(path))
    assert np.isnan(got[18:22, 6:9]).all()


def test_dem_smaller_than_one_block(tmp_path):
    dem = write_raster(tmp_path / "dem.tif", _rough_dem(5, 7), GRIDS["utm"][1], UTM)
    got = read(zonegeo.terrain_slope(dem, tmp_path / "s.tif"))  # default block
    assert SLOPE_BLOCK_ROWS > 5
    np.testing.assert_array_equal(got.astype(np.float32), _whole_grid_slope(dem))


def test_large_dem_is_tiled_and_read_one_block_at_a_time(tmp_path, monkeypatch):
    from zonegeo.siting import terrain

    seen: list[tuple[int, int]] = []
    real = terrain._read_rows

    def spy(src, lo, hi, path):
        seen.append((lo, hi))
        return real(src, lo, hi, path)

    monkeypatch.setattr(terrain, "_read_rows", spy)
    dem = write_raster(tmp_path / "dem.tif", _rough_dem(600, 300), GRIDS["utm"][1], UTM)
    out = zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=256)
    # each read is a block and its halo: rows 0-257, 255-513, 511-600
    assert seen == [(0, 257), (255, 513), (511, 600)]
    with rasterio.open(out) as f:
        assert f.profile["tiled"] and f.block_shapes == [(256, 256)]
        assert np.isnan(f.nodata)
        assert f.descriptions == ("slope in degrees (Horn)",)
    np.testing.assert_array_equal(read(out).astype(np.float32), _whole_grid_slope(dem))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif", "s.tif"]


def test_block_rows_must_be_a_positive_whole_number(tmp_path):
    dem = write_raster(tmp_path / "d.tif", _rough_dem(4, 4), GRIDS["utm"][1], UTM)
    with pytest.raises(ValidationError, match="block_rows must be at least 1, got 0"):
        zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=0)
    with pytest.raises(TypeError, match="block_rows must be a whole number"):
        zonegeo.terrain_slope(dem, tmp_path / "s.tif", block_rows=2.5)  # type: ignore[arg-type]
    assert not (tmp_path / "s.tif").exists()


def test_one_row_dem_is_refused(tmp_path):
    dem = write_raster(tmp_path / "d.tif", np.zeros((1, 5)), GRIDS["utm"][1], UTM)
    with pytest.raises(ValidationError, match="2 x 2 cells, got shape \\(1, 5\\)"):
        zonegeo.terrain_slope(dem, tmp_path / "s.tif")
    assert not (tmp_path / "s.tif").exists()


# --- zonal statistics: the same numbers as exactextract reading the file -----


def _patchy_raster(path: Path, rows: int, cols: int) -> Path:
    z = _rough_dem(rows, cols, seed=3).astype(float) / 40.0
    rng = np.random.default_rng(4)
    z[rng.random((rows, cols)) < 0.02] = np.nan  # scattered no data
    z[rows // 2 : rows // 2 + 5, :] = np.nan  # and a whole band of it
    return write_raster(path, z, Affine(10, 0, 500_000, 0, -10, 4_770_000), UTM)


def _odd_sites(rows: int, cols: int, n: int) -> gpd.GeoDataFrame:
    """Squares, long strips, a ring, a multipolygon; some half off the raster."""
    rng = np.random.default_rng(5)
    x0, y1 = 500_000.0, 4_770_000.0
    x = x0 + rng.uniform(-50, cols * 10, n)
    y = y1 - rng.uniform(-50, rows * 10, n)
    size = rng.uniform(5, 300, n)
    geoms = list(shapely.box(x, y - size, x + size / 2, y))
    geoms[0] = shapely.box(x0 + 3, y1 - rows * 10 + 3, x0 + 97, y1 - 3)  # all rows
    geoms[1] = (
        shapely.box(x0, y1 - 10, x0 + 10, y1)
        .buffer(40)
        .difference(shapely.Point(x0 + 5, y1 - 5).buffer(20))
    )
    geoms[2] = shapely.MultiPolygon(
        [
            shapely.box(x0 + 5, y1 - 25, x0 + 35, y1 - 5),
            shapely.box(x0 + 5, 4_765_000, x0 + 35, 4_765_050),
        ]
    )
    order = rng.permutation(n)  # not north to south
    return gpd.GeoDataFrame(
        {"candidate_id": [f"S{i}" for i in range(n)]},
        geometry=[geoms[i] for i in order],
        crs=UTM,
    )


def _reference(sites: gpd.GeoDataFrame, path: Path, ops, above) -> pd.DataFrame:
    """exactextract on the file name and the GeoDataFrame, shares in numpy."""
    from exactextract import exact_extract

    table = exact_extract(
        str(path),
        sites[["geometry"]],
        [*ops, "count", "values", "coverage"],
        output="pandas",
    )
    out = pd.DataFrame({f"r_{s}": table[s].to_numpy(float) for s in ops})
    for v in above:
        out[f"r_frac_{v:g}"] = [
            float(np.sum(w[x > v]) / k) if k > 0 else np.nan
            for x, w, k in zip(
                table["values"], table["coverage"], table["count"], strict=True
            )
        ]
    out["count"] = table["count"].to_numpy(float)
    return out


def test_zonal_stats_equal_exactextract_reading_the_file(tmp_path):
    rows, cols = 1_300, 60  # taller than two bands of rows
    path = _patchy_raster(tmp_path / "r.tif", rows, cols)
    sites = _odd_sites(rows, cols, 300)
    ops = ["mean", "min", "max", "median", "stdev"]
    ref = _reference(sites, path, ops, [1.0, 8.5])
    with pytest.warns(DataWarning, match="touch no valid cell"):
        out = zonegeo.zonal_stats(sites, path, stats=ops, prefix="r", above=[1.0, 8.5])
    seen = ref["count"].to_numpy() > 0
    assert seen.sum() > 250 and (~seen).sum() > 0
    for col in [f"r_{s}" for s in ops] + ["r_frac_1", "r_frac_8.5"]:
        got = out[col.replace("r_frac_", "r_frac_above_")].to_numpy()
        np.testing.assert_array_equal(got[seen], ref[col].to_numpy()[seen])
        assert np.isnan(got[~seen]).all()


def test_rows_read_in_bands_change_nothing(tmp_path):
    from exactextract import exact_extract

    from zonegeo.siting._exact import extract

    rows, cols = 200, 30
    path = _patchy_raster(tmp_path / "r.tif", rows, cols)
    sites = _odd_sites(rows, cols, 80)
    ops = ["mean", "max", "count", "values", "coverage"]
    ref = exact_extract(str(path), sites[["geometry"]], ops, output="pandas")
    geoms = sites.geometry.to_numpy()
    for band_rows in (1, 3, 64, 10_000):
        with rasterio.open(path) as src:
            got = extract(
                src,
                geoms,
                np.arange(len(sites)),
                ops,
                sites.crs.to_wkt(),
                band_rows=band_rows,
            )
        assert got["_row"].tolist() == list(range(len(sites)))
        for c in ("mean", "max", "count"):
            np.testing.assert_array_equal(
                got[c].to_numpy(float), ref[c].to_numpy(float)
            )
        for c in ("values", "coverage"):
            for a, b in zip(got[c], ref[c], strict=True):
                np.testing.assert_array_equal(a, b)


def test_gdal_cache_is_held_while_reading_unless_the_user_set_it(tmp_path, monkeypatch):
    from zonegeo.siting.terrain import MIN_CACHE_BYTES, gdal_cache

    path = _patchy_raster(tmp_path / "r.tif", 20, 20)
    monkeypatch.delenv("GDAL_CACHEMAX", raising=False)
    with rasterio.open(path) as src:
        with gdal_cache(rasterio, src, 512):
            assert rasterio.env.getenv()["GDAL_CACHEMAX"] == MIN_CACHE_BYTES
        with rasterio.Env(GDAL_CACHEMAX=500_000_000), gdal_cache(rasterio, src, 512):
            assert rasterio.env.getenv()["GDAL_CACHEMAX"] == 500_000_000
        monkeypatch.setenv("GDAL_CACHEMAX", "2000")
        with gdal_cache(rasterio, src, 512):
            assert not rasterio.env.hasenv() or (
                "GDAL_CACHEMAX" not in rasterio.env.getenv()
            )
