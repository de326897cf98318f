"""Road network, road distance and time, labour within reach (zonegeo.access.network).

A small road grid in UTM 42N near its central meridian, where every shortest
distance is known by hand (geodesic lengths differ from the grid's by the UTM
scale factor 0.9996: 0.04 %).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import zonegeo
from zonegeo.errors import SchemaError, ValidationError

UTM = "EPSG:32642"
X0, Y0 = 500_000.0, 4_760_000.0
REL = 1e-3


def pt(x: float, y: float) -> shapely.Point:
    return shapely.Point(X0 + x, Y0 + y)


def line(*pts: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


@pytest.fixture
def roads() -> gpd.GeoDataFrame:
    """A 2 km x 2 km grid (motorway along y=0, tertiary elsewhere), a spur
    x=2600 joined only at the top, and an island road far east."""
    rows = [
        ("M", "motorway", line((0, 0), (1000, 0), (2000, 0))),
        ("H1", "tertiary", line((0, 1000), (1000, 1000), (2000, 1000))),
        ("H2", "tertiary", line((0, 2000), (1000, 2000), (2000, 2000), (2600, 2000))),
        ("V0", "tertiary", line((0, 0), (0, 1000), (0, 2000))),
        ("V1", "tertiary", line((1000, 0), (1000, 1000), (1000, 2000))),
        ("V2", "tertiary", line((2000, 0), (2000, 1000), (2000, 2000))),
        ("S", "tertiary_link", line((2600, 2000), (2600, 0))),
        ("ISL", "track", line((9000, 0), (9500, 0))),
        ("GAS", None, line((0, 0), (5000, 5000))),  # another kind: not a road
    ]
    return gpd.GeoDataFrame(
        {
            "infra_id": [r[0] for r in rows],
            "kind": ["road"] * 8 + ["gas"],
            "subtype": [r[1] for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs=UTM,
    )


@pytest.fixture
def net(roads):
    return zonegeo.road_network(roads)


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Far", "Near"], "population": [10_000, 3_000]},
        geometry=[pt(0, -100), pt(2600, -100)],
        crs=UTM,
    ).to_crs(4326)


def test_network_nodes_at_shared_vertices(net):
    # grid 9 nodes + spur bottom (2600,0) + top (2600,2000) + 2 island nodes
    assert net.n_nodes == 13
    assert net.n_edges == 12 + 1 + 1 + 1
    assert net.length_m.sum() == pytest.approx(12_000 + 600 + 2000 + 500, rel=REL)
    assert set(net.road_class) == {"motorway", "tertiary", "tertiary_link", "track"}


def test_speed_table_and_unknown_class(roads):
    net = zonegeo.road_network(roads, speeds={"motorway": 110})
    assert net.speed_kmh[net.road_class == "motorway"].tolist() == [110.0, 110.0]
    assert set(net.speed_kmh[net.road_class == "tertiary_link"]) == {50.0}
    roads.loc[1, "subtype"] = "bridleway"
    with pytest.raises(SchemaError, match=r"\['bridleway'\] in infra_id=H1.*speeds="):
        zonegeo.road_network(roads)


def test_hand_computed_distance_and_time(net):
    sites = gpd.GeoDataFrame(
        {"candidate_id": ["A"]}, geometry=[pt(0, -100).buffer(10)], crs=UTM
    )
    target = gpd.GeoDataFrame({"name": ["Top"]}, geometry=[pt(2000, 2100)], crs=UTM)
    out = zonegeo.network_access(sites, net, target, name="top")
    # 90 m off-road (from the 10 m buffer), 4000 m by road, 100 m off-road
    assert out["road_dist_top_m"].iloc[0] == pytest.approx(90 + 4000 + 100, rel=REL)
    # fastest: up V0 (2 km at 50) and along H2 (2 km at 50) = 4.8 min, or motorway
    # 2 km at 90 then V2 2 km at 50 = 1.333 + 2.4 = 3.733 min; + 190 m at 20 km/h
    expected = 2 / 90 * 60 + 2 / 50 * 60 + 0.19 / 20 * 60
    assert out["road_time_top_min"].iloc[0] == pytest.approx(expected, rel=REL)
    assert out["road_nearest_top"].iloc[0] == "Top"
    assert out["road_note_top"].iloc[0] == ""


def test_nearest_by_air_is_not_nearest_by_road(net, towns):
    site = gpd.GeoDataFrame(geometry=[pt(2000, -100)], crs=UTM, index=["s1"])
    by_air = towns.to_crs(UTM).distance(site.geometry.iloc[0])
    assert by_air.idxmin() == 1  # "Near", 600 m by air
    out = zonegeo.network_access(site, net, towns, name="town")
    assert out["road_nearest_town"].iloc[0] == "Far"
    assert out["road_dist_town_m"].iloc[0] == pytest.approx(100 + 2000 + 100, rel=REL)
    near_only = zonegeo.network_access(site, net, towns.iloc[[1]], name="town")
    assert near_only["road_dist_town_m"].iloc[0] == pytest.approx(
        100 + 2000 + 600 + 2000 + 100, rel=REL
    )


def test_multi_source_equals_min_of_single_runs(net, towns):
    pts = [pt(x, y) for x, y in [(500, 50), (1500, 1700), (2300, 900), (50, 1400)]]
    sites = gpd.GeoDataFrame(geometry=pts, crs=UTM)
    both = zonegeo.network_access(sites, net, towns, name="t")
    single = [
        zonegeo.network_access(sites, net, towns.iloc[[k]], name="t")
        for k in range(len(towns))
    ]
    for col in ("road_dist_t_m", "road_time_t_min"):
        expect = np.minimum(single[0][col], single[1][col])
        np.testing.assert_allclose(both[col], expect, rtol=1e-9)


def test_unreachable_sites_are_nan_with_a_reason(net, towns):
    sites = gpd.GeoDataFrame(
        {"candidate_id": ["island", "desert", "ok"]},
        geometry=[pt(9200, 50), pt(30_000, 30_000), pt(1000, 500)],
        crs=UTM,
        index=[5, 2, 9],
    )
    out = zonegeo.network_access(sites, net, towns, name="town")
    assert list(out.index) == [5, 2, 9] and out.crs == sites.crs
    d = out["road_dist_town_m"]
    assert np.isnan(d.loc[5]) and np.isnan(d.loc[2]) and d.loc[9] > 0
    assert np.isnan(out["road_time_town_min"].loc[5])
    assert "no town target reachable" in out["road_note_town"].loc[5]
    assert "no road within 5000 m" in out["road_note_town"].loc[2]
    assert out["road_note_town"].loc[9] == ""


def test_targets_far_from_roads_are_refused(net):
    far = gpd.GeoDataFrame(geometry=[pt(50_000, 0)], crs=UTM)
    sites = gpd.GeoDataFrame(geometry=[pt(0, 0)], crs=UTM)
    with pytest.raises(ValidationError, match="within 5000 m of a road"):
        zonegeo.network_access(sites, net, far, name="rail")


def test_labour_within_counts_towns_in_time(net, towns):
    site = gpd.GeoDataFrame(
        geometry=[pt(2000, -100), pt(9200, 50), pt(0, 40_000)], crs=UTM
    )
    # Far: 0.3 + 2 km at 90 + 0.3 = 1.93 min; Near: 0.3 + 4.6 km at 50 + 0.3 = 6.12
    five = zonegeo.labour_within(site, net, towns, minutes=5)
    seven = zonegeo.labour_within(site, net, towns, minutes=7)
    assert five["labour_5min"].iloc[0] == 10_000
    assert seven["labour_7min"].iloc[0] == 13_000
    assert seven["labour_7min"].iloc[1] == 0  # joined, nobody within reach
    assert np.isnan(seven["labour_7min"].iloc[2])  # no road: unknown, not 0
    assert "no road" in seven["labour_note_7min"].iloc[2]
    # chunking does not change the answer
    one = zonegeo.labour_within(site, net, towns, minutes=7, chunk=1)
    np.testing.assert_array_equal(one["labour_7min"], seven["labour_7min"])


def test_bad_name_is_refused(net, towns):
    with pytest.raises(ValidationError, match="identifier"):
        zonegeo.network_access(towns, net, towns, name="rail station")
