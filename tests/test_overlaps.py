"""The overlapping-plots check: shared areas by vectorised clipping and by GEOS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

from zonegeo.io._clip import convex_rings, shared_area
from zonegeo.io.validate import overlapping_pairs

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


def _plots(geoms, crs=UTM42) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs).to_crs(4326)


def test_shared_areas_by_hand() -> None:
    """A 100 m square; B overlaps its east half; C touches B; D sits inside A."""
    a = box(X0, Y0, X0 + 100, Y0 + 100)
    b = box(X0 + 50, Y0, X0 + 150, Y0 + 100)  # 50 x 100 = 5,000 m2 with A
    c = box(X0 + 150, Y0, X0 + 250, Y0 + 100)  # touches B only
    d = box(X0 + 10, Y0 + 10, X0 + 30, Y0 + 30)  # 400 m2 inside A
    pairs = overlapping_pairs(_plots([a, b, c, d]))
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (0, 3)]
    # Equal-area areas match the UTM areas to the UTM scale error (< 0.1 %).
    assert pairs[0][2] == pytest.approx(5000.0, rel=1e-3)
    assert pairs[1][2] == pytest.approx(400.0, rel=1e-3)


def test_non_convex_and_holed_plots_go_through_geos() -> None:
    ell = Polygon(
        [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 40), (X0 + 40, Y0 + 40),
         (X0 + 40, Y0 + 100), (X0, Y0 + 100)]
    )  # fmt: skip
    square = box(X0 + 20, Y0 + 20, X0 + 80, Y0 + 80)  # 60x60 less the 40x40 notch
    holed = box(X0 + 200, Y0, X0 + 300, Y0 + 100).difference(
        box(X0 + 220, Y0 + 20, X0 + 280, Y0 + 80)
    )
    filler = box(X0 + 220, Y0 + 20, X0 + 280, Y0 + 80)  # fills the hole: touches
    xy, n, ok = convex_rings(_plots([ell, square, holed, filler]).geometry.values)
    assert ok.tolist() == [False, True, False, True]
    pairs = overlapping_pairs(_plots([ell, square, holed, filler]))
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] == pytest.approx(3600.0 - 1600.0, rel=1e-3)


def test_slivers_below_a_square_metre_do_not_count() -> None:
    a = box(X0, Y0, X0 + 100, Y0 + 100)
    sliver = box(X0 + 99.995, Y0, X0 + 200, Y0 + 100)  # 0.005 m x 100 m = 0.5 m2
    wide = box(X0 + 99.0, Y0 + 200, X0 + 200, Y0 + 300)
    assert overlapping_pairs(_plots([a, sliver, wide])) == []
    pairs = overlapping_pairs(_plots([a, sliver]), min_area_m2=0.1)
    assert pairs[0][2] == pytest.approx(0.5, rel=0.02)


def test_clipping_matches_geos_on_random_convex_polygons() -> None:
    rng = np.random.default_rng(7)
    polys = []
    for _ in range(3000):
        pts = rng.random((int(rng.integers(3, 12)), 2)) * 100 + rng.random(2) * 60
        hull = shapely.convex_hull(shapely.MultiPoint(pts))
        if hull.geom_type == "Polygon":
            ring = list(hull.exterior.coords)
            polys.append(Polygon(ring[::-1] if rng.random() < 0.5 else ring))
    polys = np.array(polys)
    xy, n, ok = convex_rings(polys)
    assert ok.all()
    a = rng.integers(0, len(polys), 10_000)
    b = rng.integers(0, len(polys), 10_000)
    got = shared_area(xy[a], n[a], xy[b], n[b])
    want = shapely.area(shapely.intersection(polys[a], polys[b]))
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    dx=st.floats(-150, 150),
    dy=st.floats(-150, 150),
    angle=st.floats(0, 90),
    size=st.floats(5, 120),
)
def test_overlapping_pairs_equals_geos(dx, dy, angle, size) -> None:
    """Shared area from the check equals GEOS's on the same projected shapes."""
    a = box(X0, Y0, X0 + 100, Y0 + 100)
    b = shapely.affinity.rotate(
        box(X0 + dx, Y0 + dy, X0 + dx + size, Y0 + dy + size / 2), angle
    )
    plots = _plots([a, b])
    from zonegeo.crs import equal_area_crs

    ea = plots.to_crs(equal_area_crs(plots)).geometry.values
    want = shapely.area(shapely.intersection(ea[0], ea[1]))
    pairs = overlapping_pairs(plots)
    if want > 1.0 + 1e-6:
        assert len(pairs) == 1 and pairs[0][2] == pytest.approx(want, rel=1e-9)
    elif want < 1.0 - 1e-6:
        assert pairs == []
