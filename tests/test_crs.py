"""Metric and equal-area CRS choice (zonegeo.crs)."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import Point, box

import zonegeo
from zonegeo.crs import check_lonlat_order, equal_area_crs, utm_epsg
from zonegeo.errors import CRSError


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (68.25, 43.30, 32642),
        (65.9, 44.8, 32641),
        (51.9, 47.1, 32639),
        (84.9, 47.5, 32645),
        (72.0, 43.0, 32643),
    ],
)
def test_utm_epsg(lon: float, lat: float, epsg: int) -> None:
    assert utm_epsg(lon, lat) == epsg


def test_metric_crs_logs_choice(caplog: pytest.LogCaptureFixture) -> None:
    pts = gpd.GeoSeries([Point(68.25, 43.3), Point(69.6, 42.3)], crs=4326)
    with caplog.at_level(logging.INFO, logger="zonegeo"):
        crs = zonegeo.metric_crs(pts)
    assert crs.to_epsg() == 32642
    assert "EPSG:32642" in caplog.text


def test_metric_crs_accepts_projected_and_several_frames() -> None:
    a = gpd.GeoSeries([Point(68.0, 43.0)], crs=4326).to_crs(3857)
    b = gpd.GeoDataFrame(geometry=[Point(68.5, 43.5)], crs=4326)
    assert zonegeo.metric_crs(a, b).to_epsg() == 32642


def test_metric_crs_refuses_missing_crs() -> None:
    with pytest.raises(CRSError, match="no CRS"):
        zonegeo.metric_crs(gpd.GeoSeries([Point(68, 43)]))


@pytest.mark.parametrize("lon", [50.0, 68.25, 86.0])
def test_utm_distance_within_0_1_percent_of_geodesic(lon: float) -> None:
    """In its own zone, 20 km in UTM is within 0.1 % of the geodesic distance."""
    geod = Geod(ellps="WGS84")
    lon2, lat2, _ = geod.fwd(lon, 43.0, 60.0, 20_000.0)
    pts = gpd.GeoSeries([Point(lon, 43.0), Point(lon2, lat2)], crs=4326)
    utm = pts.to_crs(zonegeo.metric_crs(pts))
    d = utm.iloc[0].distance(utm.iloc[1])
    assert d == pytest.approx(20_000.0, rel=1e-3)


def test_equal_area_matches_geodesic_area() -> None:
    poly = box(67.9, 43.1, 68.3, 43.4)
    gs = gpd.GeoSeries([poly], crs=4326)
    ea = gs.to_crs(equal_area_crs(gs)).area.iloc[0]
    geod_area = abs(Geod(ellps="WGS84").geometry_area_perimeter(poly)[0])
    # edges are geodesics for Geod but straight in the projection: 3e-6 at 30 km
    assert ea == pytest.approx(geod_area, rel=1e-5)


def test_check_lonlat_order() -> None:
    assert check_lonlat_order((43.2, 68.1, 43.4, 68.3))
    assert not check_lonlat_order((68.1, 43.2, 68.3, 43.4))
    assert not check_lonlat_order(
        (2.0, 48.0, 2.5, 49.0)
    )  # Paris: not swapped, just elsewhere
    assert not check_lonlat_order(np.array([10.0, 10.0, 11.0, 11.0]))


def _random_polygon(rng: np.random.Generator, lon: float, lat: float):
    """A star-shaped polygon (valid, possibly concave) of 3-12 vertices near lon/lat."""
    from shapely.geometry import Polygon

    n = int(rng.integers(3, 13))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radius = rng.uniform(0.0005, 0.01, n)  # 50 m to 1 km
    return Polygon(
        np.column_stack([lon + radius * np.cos(angles), lat + radius * np.sin(angles)])
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_area_ha_fast_path_equals_geos(seed: int) -> None:
    """Shoelace on projected vertices == GEOS area of the projected polygons."""
    from shapely.geometry import MultiPolygon, Polygon

    rng = np.random.default_rng(seed)
    geoms = [
        _random_polygon(rng, rng.uniform(63, 72), rng.uniform(40.5, 45))
        for _ in range(300)
    ]
    # Shapes the fast path leaves to GEOS: a hole, two parts, a line.
    geoms[5] = Polygon(
        box(68.0, 43.0, 68.01, 43.01).exterior.coords,
        [box(68.002, 43.002, 68.004, 43.004).exterior.coords],
    )
    geoms[7] = MultiPolygon(
        [box(68.0, 43.0, 68.001, 43.001), box(68.1, 43, 68.2, 43.1)]
    )
    from shapely.geometry import LineString

    geoms[9] = LineString([(68, 43), (68.1, 43.1)])
    index = rng.permutation(1000)[:300]
    series = gpd.GeoSeries(geoms, index=index, crs=4326)
    got = zonegeo.area_ha(series)
    want = series.to_crs(equal_area_crs(series)).area / 10_000.0
    assert got.index.equals(series.index)
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=0)
    assert got.iloc[9] == 0.0


def test_area_ha_of_a_utm_square_by_hand() -> None:
    """A 100 m UTM square is 1 ha on the grid; the ellipsoid adds the scale factor."""
    from zonegeo.crs import ring_areas

    square = np.array([box(600_000, 4_790_000, 600_100, 4_790_100)])
    assert ring_areas(square, None).tolist() == [10_000.0]
    # k = 0.9996 on the central meridian; 100 km east of it k ~ 0.99972: area grows.
    got = float(zonegeo.area_ha(gpd.GeoSeries(square, crs=32642)).iloc[0])
    assert 1.0004 < got < 1.0008


def test_transform_xy_in_threads_equals_one_call():
    """Blocks run side by side give the single call's numbers, in input order."""
    from zonegeo.crs import transform_xy

    rng = np.random.default_rng(3)
    lon = rng.uniform(66.0, 70.0, 450_001)
    lat = rng.uniform(41.0, 45.0, 450_001)
    t = Transformer.from_crs(4326, 32642, always_xy=True)
    before = lon.copy()
    x, y = transform_xy(t, lon, lat, threads=3)
    ex, ey = t.transform(lon, lat)
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
    np.testing.assert_array_equal(lon, before)  # the input is left alone
