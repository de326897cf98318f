"""Tests of zonegeo.access.outlines: numpy nearest points against GEOS, pair by pair.

The numpy kernel must give GEOS's distance and nearest points for every pair it
settles, and leave every doubtful pair (touching, inside, parallel ties,
holes, multipolygons, many edges) to shapely. The reference here is shapely
itself (``distance`` and ``shortest_line``) on the same projected shapes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

import zonegeo
from zonegeo.access import distances as zdistance
from zonegeo.access.outlines import MAX_FAST_EDGES, nearest_points, outlines

X0, Y0 = 600_000.0, 4_790_000.0


def _pieces(feats: list[shapely.Geometry]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xy0 = np.array([shapely.get_coordinates(f)[0] for f in feats])
    xy1 = np.array([shapely.get_coordinates(f)[-1] for f in feats])
    is_point = np.array([f.geom_type == "Point" for f in feats])
    return xy0, xy1, is_point


def _check(plots: list[shapely.Geometry], feats: list[shapely.Geometry]):
    """Every plot against every piece: numpy result equals GEOS's."""
    rows = np.repeat(np.arange(len(plots)), len(feats))
    fi = np.tile(np.arange(len(feats)), len(plots))
    xy0, xy1, is_point = _pieces(feats)
    geoms = np.array(feats, dtype=object)
    got = nearest_points(
        outlines(np.array(plots, dtype=object), None),
        rows,
        xy0[fi],
        xy1[fi],
        is_point[fi],
        lambda pairs: geoms[fi[pairs]],
    )
    a, b = np.array(plots, dtype=object)[rows], geoms[fi]
    want = shapely.distance(a, b)
    np.testing.assert_allclose(got.distance, want, rtol=1e-12, atol=1e-9)
    assert np.array_equal(got.distance == 0, want == 0)
    apart = want > 0
    line = shapely.get_coordinates(shapely.shortest_line(a[apart], b[apart]))
    np.testing.assert_allclose(got.plot_xy[apart], line[0::2], rtol=0, atol=1e-6)
    np.testing.assert_allclose(got.piece_xy[apart], line[1::2], rtol=0, atol=1e-6)
    return got


def test_point_outside_a_square_is_settled_in_numpy():
    got = _check([box(0, 0, 100, 100)], [Point(130, 140), Point(50, -20)])
    assert got.fast.tolist() == [True, True]
    assert got.distance.tolist() == [50.0, 20.0]
    assert got.plot_xy.tolist() == [[100.0, 100.0], [50.0, 0.0]]


def test_inside_touching_and_crossing_go_to_geos_and_give_zero():
    plots = [box(0, 0, 100, 100)]
    feats = [
        Point(50, 50),  # inside
        Point(100, 30),  # on an edge
        Point(0, 0),  # on a corner
        LineString([(-10, 50), (110, 50)]),  # crosses
        LineString([(20, 20), (30, 30)]),  # inside
        LineString([(100, 0), (200, 0)]),  # touches at a corner, runs along nothing
    ]
    got = _check(plots, feats)
    assert not got.fast.any()
    assert (got.distance == 0).all()


def test_parallel_edge_tie_keeps_geos_choice():
    # A pipe parallel to the square's bottom edge: every point of that edge is
    # 250 m away; GEOS picks one pair, and so must zonegeo.
    plots = [box(X0, Y0 + 250, X0 + 100, Y0 + 350)]
    feats = [LineString([(X0 - 5000, Y0), (X0 + 5000, Y0)])]
    got = _check(plots, feats)
    assert not got.fast[0]
    assert got.distance[0] == 250.0


def test_holes_multipolygons_and_many_edges_go_to_geos():
    ring = box(0, 0, 100, 100).exterior
    holed = Polygon(ring, [box(40, 40, 60, 60).exterior.coords[::-1]])
    multi = MultiPolygon([box(0, 0, 10, 10), box(50, 0, 60, 10)])
    many = Point(0, 0).buffer(100, quad_segs=32)  # 128 edges
    assert len(many.exterior.coords) - 1 > MAX_FAST_EDGES
    o = outlines(np.array([holed, multi, many, box(0, 0, 1, 1)]), None)
    assert o.fast.tolist() == [False, False, False, True]
    np.testing.assert_allclose(
        o.bounds, shapely.bounds(np.array([holed, multi, many, box(0, 0, 1, 1)]))
    )
    # A point in the hole is 10 m from the plot, not 0.
    got = _check([holed, multi, many], [Point(50, 50), Point(30, 5), Point(500, 0)])
    assert got.distance[0] == 10.0
    assert not got.fast.any()


def test_outlines_project_like_shapely_transform():
    tr = pyproj.Transformer.from_crs(4326, 32642, always_xy=True)
    plots = np.array(
        [box(68.0, 43.0, 68.002, 43.0015), box(69.1, 42.5, 69.103, 42.502)]
    )
    o = outlines(plots, tr.transform)

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))

    want = shapely.transform(plots, move)
    assert shapely.equals_exact(o.projected(np.arange(2)), want, tolerance=0).all()
    np.testing.assert_array_equal(o.bounds, shapely.bounds(want))
    sub = o[np.array([1])]
    assert sub.fast.tolist() == [True]
    np.testing.assert_array_equal(sub.bounds, o.bounds[[1]])


coord = st.floats(-500, 500, allow_nan=False, allow_infinity=False)


@st.composite
def shapes(draw):
    """Convex or concave small polygons and points/segments around them."""
    n = draw(st.integers(3, 9))
    ang = np.sort(draw(st.lists(st.floats(0, 2 * np.pi), min_size=n, max_size=n)))
    rad = draw(st.lists(st.floats(20, 300), min_size=n, max_size=n))
    cx, cy = X0 + draw(coord), Y0 + draw(coord)
    poly = Polygon(np.c_[cx + np.cos(ang) * rad, cy + np.sin(ang) * rad])
    if not poly.is_valid or poly.area < 1:
        poly = box(cx, cy, cx + 50, cy + 80)
    feats = []
    for _ in range(draw(st.integers(1, 5))):
        a = (X0 + draw(coord), Y0 + draw(coord))
        if draw(st.booleans()):
            feats.append(Point(a))
        else:
            b = (X0 + draw(coord), Y0 + draw(coord))
            feats.append(LineString([a, b]) if a != b else Point(a))
    return poly, feats


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes())
def test_property_numpy_equals_geos(data):
    poly, feats = data
    _check([poly], feats)


def test_threads_share_plots_and_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(3)
    lon = rng.uniform(65.0, 71.0, 300)
    lat = rng.uniform(41.0, 44.0, 300)
    plots = zonegeo_frame(shapely.box(lon, lat, lon + 0.002, lat + 0.0015))
    px, py = rng.uniform(65.0, 71.0, 90), rng.uniform(41.0, 44.0, 90)
    line = LineString(np.c_[np.linspace(65, 71, 40), np.linspace(41.5, 43.5, 40)])
    infra = zonegeo_infra(
        [*shapely.points(px, py), line],
        [f"P{i}" for i in range(90)] + ["L"],
        ["gas", "water", "electricity"] * 30 + ["gas"],
    )
    prepared = zdistance._prepare(infra, kinds=None, capacity_aware=False)
    one = zdistance._distances_frame(
        plots, prepared, max_distance=None, capacity_aware=False, threads=1
    )
    monkeypatch.setattr(zdistance, "_THREAD_CHUNK", 7)  # 43 tasks over 2 threads
    ticks: list[int] = []
    two = zdistance._distances_frame(
        plots,
        prepared,
        max_distance=None,
        capacity_aware=False,
        threads=2,
        progress=ticks.append,
    )
    pd.testing.assert_frame_equal(pd.DataFrame(one), pd.DataFrame(two))
    assert sum(ticks) == len(plots)
    assert max(ticks) == 7
    assert len(ticks) >= len(plots) // 7  # many small tasks, each ticked once


def zonegeo_frame(geoms):
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"plot_id": [f"S-{i}" for i in range(len(geoms))]}, geometry=geoms, crs=4326
    )


def zonegeo_infra(geoms, ids, kinds):
    import geopandas as gpd

    return gpd.GeoDataFrame({"infra_id": ids, "kind": kinds}, geometry=geoms, crs=4326)


@pytest.mark.parametrize("crs", [4326, 3857, 32642])
def test_public_call_matches_shapely_path_on_mixed_plots(crs):
    """Simple, holed and multi-part plots in one frame: same as GEOS alone."""
    base = [
        box(68.0, 43.0, 68.002, 43.0015),
        Polygon(
            box(68.1, 43.1, 68.11, 43.11).exterior,
            [box(68.104, 43.104, 68.106, 43.106).exterior.coords[::-1]],
        ),
        MultiPolygon(
            [box(68.2, 43.0, 68.201, 43.001), box(68.3, 43.0, 68.301, 43.001)]
        ),
    ]
    plots = zonegeo_frame(base).to_crs(crs)
    infra = zonegeo_infra(
        [
            Point(68.105, 43.105),
            Point(68.25, 43.0005),
            LineString([(67.9, 42.9), (68.5, 42.95)]),
        ],
        ["in-hole", "between", "pipe"],
        ["gas", "gas", "water"],
    ).to_crs(crs)
    out = zonegeo.infrastructure_distances(plots, infra)
    assert out["nearest_gas_id"].tolist() == ["in-hole", "in-hole", "between"]
    assert out["dist_gas_m"].iloc[1] > 0  # in the hole, not in the plot
    assert (out["dist_water_m"] > 0).all()
