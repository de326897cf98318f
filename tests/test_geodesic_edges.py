"""Long edges: an edge between two vertices is the geodesic on the WGS 84 ellipsoid.

zonegeo measures in the UTM zone of each plot, where a segment between two
projected vertices is a straight chord. A geodesic is not straight in
transverse Mercator: it bows away from its chord by a sagitta that grows with
the square of its length. Edges longer than ``MAX_EDGE_M`` are therefore split
along their geodesic before they are projected. These tests

* prove the choice of ``MAX_EDGE_M`` (the bow of an edge of that length stays
  under the tolerance ``max(1 m, 0.1 % of the distance)`` in the worst place),
* compare zonegeo with an independent brute-force reading of the distance to
  the geodesic edges (``tests/_geodesic.py``: only ``Geod.npts`` and
  ``Geod.inv``) on the real GEM trunk pipelines (edges up to 624 km) and on
  synthetic 400 km edges at 40-55 deg N, in several input CRSs, and
* check the densification itself.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, Point

import zonegeo
from tests._geodesic import GEOD, boundary_samples, distance_to_line
from zonegeo.access.nearest import MAX_EDGE_M, densify_geodesic, explode_pieces

GEM = (
    Path(__file__).resolve().parents[2]
    / "shared/data/gem-pipelines-turkistan"
    / "gem_pipeline_routes_turkistan_shymkent.geojson"
)
#: Smallest radius of curvature of WGS 84 (meridional, at the equator), metres.
R_MIN = 6_335_439.0
#: Largest distance of a plot's centre from its zone's central meridian (3 deg
#: of longitude at the equator, times k0), metres.
X_PLOT = 334_000.0


def tolerance(d: np.ndarray | float) -> np.ndarray:
    """The issue's bound: max(1 m, 0.1 % of the distance)."""
    return np.maximum(1.0, 1e-3 * np.asarray(d, dtype=float))


def _gem() -> gpd.GeoDataFrame:
    from tests._need import in_ci

    if not GEM.exists():
        if in_ci():
            pytest.fail(f"shared data missing: {GEM}", pytrace=False)
        pytest.skip("shared data not beside the repo")
    gem = gpd.read_file(GEM)
    gem["infra_id"] = (
        gem["gem_project_id"]
        + "-"
        + gem.groupby("gem_project_id").cumcount().astype(str)
    )
    gem["kind"] = "gas"
    return gem[["infra_id", "kind", "geometry"]]


def tiny_plot(lon: float, lat: float, side_m: float = 1.0) -> shapely.Polygon:
    """A square of about ``side_m`` metres with its south-west corner at lon/lat."""
    dx = side_m / (111_320.0 * np.cos(np.radians(lat)))
    dy = side_m / 110_574.0
    return shapely.box(lon, lat, lon + dx, lat + dy)


def beside(
    a: tuple[float, float], b: tuple[float, float], t: float, offset_m: float
) -> tuple[float, float]:
    """The point ``offset_m`` to the right of the geodesic a-b at fraction ``t``."""
    az, _, length = GEOD.inv(a[0], a[1], b[0], b[1])
    lon, lat, back = GEOD.fwd(a[0], a[1], az, length * t)
    lon, lat, _ = GEOD.fwd(lon, lat, back + 180.0 + 90.0, offset_m)
    return float(lon), float(lat)


def reference(plots: gpd.GeoDataFrame, lines: list[np.ndarray]) -> np.ndarray:
    """Brute-force distance from each lon/lat plot to the nearest geodesic-edge line."""
    out = []
    for plot in plots.geometry:
        pts = boundary_samples(plot)
        c = plot.centroid
        best = np.inf
        for coords in lines:
            best = distance_to_line(pts, coords, centre=(c.x, c.y), upper=best)
        out.append(best)
    return np.array(out)


# ------------------------------------------------------------- the error bound


def chord_bow(a: tuple[float, float], b: tuple[float, float], epsg: int) -> tuple:
    """Largest bow (m) of geodesic a-b from its UTM chord, and its largest |x|."""
    tr = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    inner = np.array(GEOD.npts(a[0], a[1], b[0], b[1], 400))
    ends = np.array(tr.transform([a[0], b[0]], [a[1], b[1]])).T
    x, y = tr.transform(inner[:, 0], inner[:, 1])
    bow = shapely.distance(shapely.points(x, y), shapely.LineString(ends)).max()
    return float(bow), float(np.abs(np.r_[x, ends[:, 0]] - 500_000.0).max())


def edge_at(lat: float, easting_deg: float, azimuth: float, length: float) -> tuple:
    """A geodesic of ``length`` centred ``easting_deg`` east of 69 E (UTM 42N's CM)."""
    mid = (69.0 + easting_deg, lat)
    lon0, lat0, _ = GEOD.fwd(*mid, azimuth + 180.0, length / 2)
    lon1, lat1, _ = GEOD.fwd(*mid, azimuth, length / 2)
    return (float(lon0), float(lat0)), (float(lon1), float(lat1))


@pytest.mark.parametrize("lat", [0.0, 20.0, 40.0, 48.0, 56.0])
def test_max_edge_bow_stays_under_one_metre_anywhere_a_plot_can_be(lat):
    """The worst case: an edge at the very edge of the zone and beyond it.

    A plot is measured in the zone of its centre, so it lies at most ``X_PLOT``
    from the central meridian; an edge that touches it reaches at most
    ``MAX_EDGE_M`` farther. Every edge of length ``MAX_EDGE_M`` there, in every
    direction, bows less than 1 m from its chord, and within the bound
    ``|x| L^2 / (8 R^2)`` of docs/crs.md.
    """
    reach = X_PLOT + MAX_EDGE_M / 2
    deg = np.degrees(reach / (R_MIN * np.cos(np.radians(lat))))
    worst = 0.0
    for azimuth in (0.0, 20.0, 45.0, 70.0, 90.0, 135.0):
        a, b = edge_at(lat, deg, azimuth, MAX_EDGE_M)
        bow, xmax = chord_bow(a, b, 32642 if lat > 0 else 32642)
        assert bow <= 1.02 * xmax * MAX_EDGE_M**2 / (8 * R_MIN**2) + 1e-3
        worst = max(worst, bow)
    assert worst < 1.0
    # Twice as long would not do at the equator: the step is not arbitrary.
    if lat == 0.0:
        a, b = edge_at(lat, deg, 0.0, 2 * MAX_EDGE_M)
        assert chord_bow(a, b, 32642)[0] > 1.0


@pytest.mark.parametrize("far_km", [1, 10, 100, 1000, 2500])
@pytest.mark.parametrize("lat", [40.0, 55.0])
def test_max_edge_bow_far_away_stays_under_a_tenth_of_a_percent(lat, far_km):
    """An edge D beyond the zone's edge is at least D from any plot of the zone."""
    d = far_km * 1000.0
    reach = X_PLOT + MAX_EDGE_M / 2 + d
    deg = np.degrees(reach / (R_MIN * np.cos(np.radians(lat))))
    for azimuth in (0.0, 45.0, 90.0):
        a, b = edge_at(lat, deg, azimuth, MAX_EDGE_M)
        bow, _ = chord_bow(a, b, 32642)
        assert bow < tolerance(d)


# ------------------------------------------------------------- densification


def test_densify_splits_along_the_geodesic_and_keeps_the_vertices():
    a, b = (64.0, 41.0), (69.5, 42.3)  # about 470 km
    short = LineString([(68.0, 42.0), (68.1, 42.05)])
    geoms = np.array([Point(66.0, 42.0), LineString([a, b]), short])
    pieces = explode_pieces(geoms, np.array([0, 1, 2]))
    q, ll0, ll1 = densify_geodesic(
        pieces, pieces.xy0, pieces.xy1, geod=GEOD, from_lonlat=None
    )
    az, _, length = GEOD.inv(*a, *b)
    n = int(np.ceil(length / MAX_EDGE_M))
    assert len(q) == 2 + n
    assert q.feature.tolist() == [0, 2] + [1] * n
    assert q.is_point.tolist() == [True, False] + [False] * n
    # The point and the short segment are untouched.
    np.testing.assert_array_equal(q.xy0[:2], pieces.xy0[[0, 2]])
    np.testing.assert_array_equal(q.xy1[:2], pieces.xy1[[0, 2]])
    sub0, sub1 = q.xy0[2:], q.xy1[2:]
    # The ends are the original vertices, exactly; the stretches join up.
    assert tuple(sub0[0]) == a and tuple(sub1[-1]) == b
    np.testing.assert_array_equal(sub1[:-1], sub0[1:])
    # Every new vertex lies on the geodesic (its distances from both ends add up
    # to the length) at equal steps.
    _, _, from_a = GEOD.inv(np.full(n - 1, a[0]), np.full(n - 1, a[1]), *sub1[:-1].T)
    _, _, to_b = GEOD.inv(*sub1[:-1].T, np.full(n - 1, b[0]), np.full(n - 1, b[1]))
    np.testing.assert_allclose(from_a + to_b, length, atol=1e-6)
    np.testing.assert_allclose(from_a, length * np.arange(1, n) / n, atol=1e-6)
    _, _, each = GEOD.inv(*sub0.T, *sub1.T)
    assert (each <= MAX_EDGE_M).all()
    np.testing.assert_array_equal(ll0[2:], sub0)


def test_densify_converts_new_vertices_into_the_source_crs():
    utm = pyproj.Transformer.from_crs(4326, 32642, always_xy=True)
    a, b = (66.0, 40.5), (66.3, 44.0)  # about 390 km, nearly north-south
    xa, ya = utm.transform(*a)
    xb, yb = utm.transform(*b)
    pieces = explode_pieces(np.array([LineString([(xa, ya), (xb, yb)])]), np.array([7]))
    q, ll0, ll1 = densify_geodesic(
        pieces,
        np.array([a]),
        np.array([b]),
        geod=GEOD,
        from_lonlat=utm.transform,
    )
    assert len(q) == 20 and set(q.feature.tolist()) == {7}
    x, y = utm.transform(ll1[:-1, 0], ll1[:-1, 1])
    np.testing.assert_allclose(np.column_stack([x, y]), q.xy1[:-1], atol=1e-6)
    # The geodesic bows tens of metres away from the straight UTM line here.
    bow = shapely.distance(
        shapely.points(q.xy1[:-1]), shapely.LineString([(xa, ya), (xb, yb)])
    )
    assert bow.max() > 20.0


def test_densify_leaves_short_edges_and_unconvertible_ends_alone():
    geoms = np.array([LineString([(0, 0), (0.1, 0.1)]), MultiLineString([])])[:1]
    pieces = explode_pieces(geoms, np.array([0]))
    q, _, _ = densify_geodesic(
        pieces, pieces.xy0, pieces.xy1, geod=GEOD, from_lonlat=None
    )
    assert q is pieces
    nan = np.full((1, 2), np.nan)
    q, _, _ = densify_geodesic(pieces, nan, nan, geod=GEOD, from_lonlat=None)
    assert q is pieces


# ------------------------------------------------------------- end to end


def test_real_gem_routes_match_the_geodesic_edges():
    """Plots beside every GEM edge longer than 20 km (up to 624 km)."""
    gem = _gem()
    lines = [shapely.get_coordinates(g) for g in gem.geometry]
    places = [(0.5, 150.0), (0.3, -2_000.0), (0.6, 12_000.0), (0.8, -40.0)]
    plots, seen = [], set()
    for coords in lines:
        _, _, length = GEOD.inv(*coords[:-1].T, *coords[1:].T)
        for j in np.flatnonzero(length > MAX_EDGE_M):
            a, b = tuple(coords[j]), tuple(coords[j + 1])
            if (a, b) in seen:  # some routes repeat others' geometry
                continue
            seen.add((a, b))
            t, off = places[len(seen) % len(places)]
            plots.append(tiny_plot(*beside(a, b, t, off)))
    assert len(plots) > 50
    plots = gpd.GeoDataFrame(
        {"plot_id": [f"P{i}" for i in range(len(plots))]}, geometry=plots, crs=4326
    )
    out = zonegeo.infrastructure_distances(plots, gem)
    truth = reference(plots, lines)
    err = np.abs(out["dist_gas_m"].to_numpy() - truth)
    # Straight UTM chords were off by up to 5.85 m on these routes.
    assert (err <= tolerance(truth)).all(), (err.max(), truth[err.argmax()])


@pytest.mark.parametrize("crs", [4326, 32642, 3857, 32641])
@pytest.mark.parametrize("lat", [40.0, 47.5, 55.0])
def test_synthetic_400_km_edges(lat, crs):
    """400 km edges north-south, east-west and diagonal; plots along them.

    The answer does not depend on the CRS the layers come in: the edge is the
    geodesic between its vertices whatever the CRS.
    """
    edges = {
        "N-S": edge_at(lat, -1.0, 0.0, 400_000.0),
        "E-W": edge_at(lat, 1.5, 90.0, 400_000.0),
        "NE": edge_at(lat, 2.5, 45.0, 400_000.0),
    }
    plots, ids, feats = [], [], []
    for name, (a, b) in edges.items():
        feats.append(LineString([a, b]))
        ids.append(name)
        for t in (0.1, 0.35, 0.5, 0.8):
            for off in (60.0, -400.0, 3_000.0):
                plots.append(tiny_plot(*beside(a, b, t, off)))
    plots = gpd.GeoDataFrame(
        {"plot_id": [f"P{i}" for i in range(len(plots))]}, geometry=plots, crs=4326
    )
    infra = gpd.GeoDataFrame({"infra_id": ids, "kind": "gas"}, geometry=feats, crs=4326)
    out = zonegeo.infrastructure_distances(plots.to_crs(crs), infra.to_crs(crs))
    truth = reference(plots, [np.array([a, b]) for a, b in edges.values()])
    err = np.abs(out["dist_gas_m"].to_numpy() - truth)
    assert (err <= tolerance(truth)).all(), (err.max(), truth[err.argmax()])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lon=st.floats(50.0, 85.0),
    lat=st.floats(40.0, 55.0),
    azimuth=st.floats(0.0, 180.0),
    length_km=st.floats(21.0, 700.0),
    t=st.floats(0.0, 1.0),
    offset=st.floats(-30_000.0, 30_000.0),
)
def test_property_within_tolerance_of_the_geodesic_edge(
    lon, lat, azimuth, length_km, t, offset
):
    mid = (lon, lat)
    a = GEOD.fwd(*mid, azimuth + 180.0, length_km * 500.0)[:2]
    b = GEOD.fwd(*mid, azimuth, length_km * 500.0)[:2]
    a, b = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
    plots = gpd.GeoDataFrame(
        {"plot_id": ["P"]}, geometry=[tiny_plot(*beside(a, b, t, offset))], crs=4326
    )
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G"], "kind": ["gas"]}, geometry=[LineString([a, b])], crs=4326
    )
    got = float(zonegeo.infrastructure_distances(plots, infra)["dist_gas_m"].iloc[0])
    truth = float(reference(plots, [np.array([a, b])])[0])
    assert abs(got - truth) <= tolerance(truth)


def test_densify_screen_never_misses_a_long_edge():
    """The cheap length bound is an upper bound: every edge > MAX_EDGE_M is split."""
    rng = np.random.default_rng(3)
    n = 4000
    lon0 = rng.uniform(-180, 180, n)
    lat0 = rng.uniform(-89, 89, n)
    az = rng.uniform(0, 360, n)
    length = MAX_EDGE_M * rng.uniform(0.5, 1.5, n)
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, az, length)
    geoms = shapely.linestrings(np.stack([np.c_[lon0, lat0], np.c_[lon1, lat1]], 1))
    pieces = explode_pieces(geoms, np.arange(n))
    q, _, _ = densify_geodesic(
        pieces, pieces.xy0, pieces.xy1, geod=GEOD, from_lonlat=None
    )
    split = np.bincount(q.feature, minlength=n) > 1
    np.testing.assert_array_equal(split, length > MAX_EDGE_M)
