"""Roads and railways are infrastructure kinds: distances, costs, coverage, maps."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, box

import zonegeo
import zonegeo.access.cost
from tests.test_distance import _brute_force
from zonegeo import schema
from zonegeo.errors import ValidationError

GEOD = pyproj.Geod(ellps="WGS84")
KINDS = ("gas", "electricity", "water", "road", "rail")


def _layers(seed: int, n_plots: int = 200) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Random plots and features of all five kinds over UTM zones 41-43."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = 64.0, 41.0, 73.5, 44.0
    lon = rng.uniform(lon0, lon1, n_plots)
    lat = rng.uniform(lat0, lat1, n_plots)
    size = rng.uniform(50, 3000, n_plots)
    dx = size / (111_320 * np.cos(np.radians(lat)))
    plots = gpd.GeoDataFrame(
        geometry=list(shapely.box(lon, lat, lon + dx, lat + size / 110_574)), crs=4326
    )
    geoms, ids, kinds = [], [], []
    for k in KINDS:
        px, py = rng.uniform(lon0, lon1, 40), rng.uniform(lat0, lat1, 40)
        geoms += list(shapely.points(px, py))
        ids += [f"{k}-{i}" for i in range(40)]
        kinds += [k] * 40
        for j in range(3):
            n = int(rng.uniform(50, 200))
            head = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.05, n))
            step = rng.uniform(500, 3000)
            x0, y0 = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
            yy = y0 + np.cumsum(step * np.sin(head)) / 110_574
            xx = x0 + np.cumsum(step * np.cos(head)) / (
                111_320 * np.cos(np.radians(yy))
            )
            geoms.append(LineString(np.c_[xx, yy]))
            ids.append(f"{k}-line-{j}")
            kinds.append(k)
    layer = gpd.GeoDataFrame({"infra_id": ids, "kind": kinds}, geometry=geoms, crs=4326)
    return plots, layer


def test_schema_lists_road_and_rail() -> None:
    assert schema.INFRA_KINDS == KINDS
    assert schema.UTILITY_KINDS == ("gas", "electricity", "water")
    assert schema.INFRA_SUBTYPES["road"] == (
        "motorway", "trunk", "primary", "secondary", "tertiary"
    )  # fmt: skip
    assert schema.INFRA_SUBTYPES["rail"] == ("rail", "station")


@pytest.mark.parametrize("seed", [0, 1])
def test_distances_to_roads_and_railways_match_brute_force(seed) -> None:
    plots, layer = _layers(seed)
    out = zonegeo.infrastructure_distances(plots, layer)
    for kind in KINDS:
        best, best_id = _brute_force(plots, layer, kind)
        np.testing.assert_allclose(out[f"dist_{kind}_m"], best, rtol=1e-9)
        assert list(out[f"nearest_{kind}_id"]) == list(best_id)


def test_kinds_option_names_roads_and_railways() -> None:
    plots, layer = _layers(2, n_plots=20)
    out = zonegeo.infrastructure_distances(plots, layer, kinds=["rail", "road"])
    added = [c for c in out.columns if c not in plots.columns]
    assert added == ["dist_rail_m", "nearest_rail_id", "dist_road_m", "nearest_road_id"]
    with pytest.raises(
        ValidationError, match=r"unknown kind\(s\) \['roads'\].*road, rail"
    ):
        zonegeo.infrastructure_distances(plots, layer, kinds=["roads"])


def test_hand_computed_road_distance() -> None:
    """A plot ~1 km east of a north-south road (a meridian): the geodesic minimum."""
    lon, lat = 68.25, 43.3
    lo, _la, _ = GEOD.fwd(lon, lat, 90.0, 1000.0)
    plot = gpd.GeoDataFrame(
        {"plot_id": ["P-1"]},
        geometry=[box(lo, lat - 0.001, lo + 0.001, lat + 0.001)],
        crs=4326,
    )
    road = gpd.GeoDataFrame(
        {"infra_id": ["osm:way/1"], "kind": ["road"], "subtype": ["primary"]},
        # a vertex every ~50 m, as OSM roads have: no question what an edge means
        geometry=[
            LineString([(lon, y) for y in np.linspace(lat - 0.1, lat + 0.1, 401)])
        ],
        crs=4326,
    )
    out = zonegeo.infrastructure_distances(plot, road)
    # independent: the shortest geodesic from the plot's west edge to the meridian
    lats = np.linspace(lat - 0.02, lat + 0.02, 40_001)
    edge = np.linspace(lat - 0.001, lat + 0.001, 21)
    truth = min(
        GEOD.inv(np.full(lats.size, lo), np.full(lats.size, e), np.full(lats.size, lon),
                 lats)[2].min()
        for e in edge
    )  # fmt: skip
    assert 999.0 < truth < 1000.0  # slightly under 1 km: the geodesic bends north
    assert out["dist_road_m"].iloc[0] == pytest.approx(truth, abs=0.01)
    assert out["nearest_road_id"].iloc[0] == "osm:way/1"


def test_capacity_aware_measures_roads_plainly() -> None:
    plots, layer = _layers(3, n_plots=30)
    layer["spare_capacity"] = np.where(layer["kind"] == "gas", 1e9, np.nan)
    layer["unit"] = np.where(layer["kind"] == "gas", "m3/h", None)
    plots["demand_gas_m3h"] = 10.0
    out = zonegeo.infrastructure_distances(plots, layer, capacity_aware=True)
    plain = zonegeo.infrastructure_distances(plots, layer)
    np.testing.assert_allclose(out["dist_road_m"], plain["dist_road_m"])
    assert not out["unserved_road"].any()


def test_read_infrastructure_accepts_road_and_rail(tmp_path) -> None:
    gdf = gpd.GeoDataFrame(
        {"infra_id": ["r1", "s1", "x1"], "kind": ["road", "rail", "roads"]},
        geometry=[LineString([(68, 43), (68.1, 43)]), Point(68, 43), Point(68, 43.1)],
        crs=4326,
    )
    gdf.iloc[:2].to_file(tmp_path / "ok.gpkg")
    assert list(zonegeo.read_infrastructure(tmp_path / "ok.gpkg")["kind"]) == [
        "road", "rail"
    ]  # fmt: skip
    gdf.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(zonegeo.ZonegeoError, match=r"(?s)roads.*road, rail"):
        zonegeo.read_infrastructure(tmp_path / "bad.gpkg")


# ---------------------------------------------------------------- costs


def test_access_road_cost_only_when_given() -> None:
    d = pd.DataFrame(
        {"dist_gas_m": [1000.0], "dist_road_m": [2500.0], "dist_rail_m": [9000.0]}
    )
    plain = zonegeo.connection_costs(d)
    assert "cost_road_kzt" not in plain and "cost_rail_kzt" not in plain
    assert plain["cost_total_kzt"].iloc[0] == 60e6 + 8e6
    road = zonegeo.connection_costs(d, unit_costs={"road": {"per_km_kzt": 100e6}})
    assert road["cost_road_kzt"].iloc[0] == 250e6  # 2.5 km x 100 M, no fixed part
    assert road["cost_total_kzt"].iloc[0] == 68e6 + 250e6
    with pytest.raises(ValidationError, match=r"unknown key 'rail' \(railways have no"):
        zonegeo.connection_costs(d, unit_costs={"rail": {"per_km_kzt": 1.0}})


def test_access_road_cost_from_toml(tmp_path) -> None:
    path = tmp_path / "costs.toml"
    path.write_text("[road]\nper_km_kzt = 80_000_000\nfixed_kzt = 1_000_000\n")
    costs = zonegeo.load_unit_costs(path)
    assert costs["road"].per_km_kzt == 80e6 and costs["road"].fixed_kzt == 1e6
    assert costs["gas"] == zonegeo.access.cost.DEFAULT_UNIT_COSTS["gas"]


# ---------------------------------------------------------------- demo with roads


@pytest.fixture(scope="module")
def demo_with_roads():
    """The demo with a road and a railway through Sauran district's sites."""
    ds = zonegeo.load_demo()
    west = ds.zones[ds.zones["district"] == "Sauran"].total_bounds[0] - 0.05
    extra = gpd.GeoDataFrame(
        {
            "infra_id": ["osm:way/10", "osm:way/11", "osm:node/12"],
            "kind": ["road", "rail", "rail"],
            "subtype": ["primary", "rail", "station"],
            "name": ["A-2", "Arys-Kandyagash", "Turkistan <station>"],
        },
        geometry=[
            LineString([(west, 43.0), (west, 43.7)]),
            LineString([(68.6, 43.0), (68.6, 43.7)]),
            Point(68.6, 43.3),
        ],
        crs=4326,
    )
    infra = pd.concat([ds.infrastructure, extra], ignore_index=True)
    return replace(ds, infrastructure=gpd.GeoDataFrame(infra, crs=4326))


def test_coverage_names_the_kinds_it_used(demo_with_roads) -> None:
    plain = zonegeo.service_coverage(zonegeo.load_demo(), within_m=5000)
    assert plain.attrs["kinds"] == ["gas", "electricity", "water"]
    assert "road_pct" not in plain.columns
    table = zonegeo.service_coverage(demo_with_roads, within_m=5000)
    assert table.attrs["kinds"] == list(KINDS)
    assert list(table.columns[-6:]) == [
        "gas_pct", "electricity_pct", "water_pct", "road_pct", "rail_pct", "lacking"
    ]  # fmt: skip
    # the utility columns are what they were without roads
    pd.testing.assert_frame_equal(
        table.drop(columns=["road_pct", "rail_pct", "lacking"]),
        plain.drop(columns=["lacking"]),
    )
    only = zonegeo.service_coverage(demo_with_roads, within_m=5000, kinds="road")
    assert only.attrs["kinds"] == ["road"]
    assert [c for c in only.columns if c.endswith("_pct")] == ["road_pct"]
    # hand check: a zone's road share is the plot area within 5 km of the road
    d = zonegeo.infrastructure_distances(
        demo_with_roads.plots, demo_with_roads.infrastructure, kinds="road"
    )
    z = "SAU-SS-01"
    mine = d[d["zone_id"] == z]
    want = (
        100
        * mine.loc[mine["dist_road_m"] <= 5000, "area_ha"].sum()
        / mine["area_ha"].sum()
    )
    got = float(only.set_index("zone_id").loc[z, "road_pct"])
    assert got == pytest.approx(want)


def test_report_says_which_kinds_coverage_used(demo_with_roads, tmp_path) -> None:
    out = zonegeo.write_report(demo_with_roads, tmp_path / "r.csv", as_of="2025-02-01")
    about = pd.read_csv(out / "about.csv")
    row = about[about.iloc[:, 0] == "Coverage kinds"].iloc[0, 1]
    assert row == "gas, electricity, water, road, rail"


def test_scenario_criteria_may_name_road_and_rail_columns(demo_with_roads) -> None:
    from zonegeo.siting.scenario import criterion_columns, parse_scenario, run_scenario

    assert {"dist_road_m", "dist_rail_m", "cost_road_kzt"} <= set(criterion_columns())
    assert "cost_rail_kzt" not in criterion_columns()
    s = parse_scenario(
        {
            "district": "Sauran",
            "area_ha": 20,
            "candidates": {"max_candidates": 12},
            "criteria": [
                {"column": "dist_road_m", "better": "lower", "weight": 2},
                {"column": "dist_rail_m", "better": "lower", "weight": 1},
                {"column": "dist_gas_m", "better": "lower", "weight": 1},
            ],
        }
    )
    ranked = run_scenario(s, demo_with_roads)
    assert {"dist_road_m", "nearest_road_id", "dist_rail_m"} <= set(ranked.columns)
    assert ranked["dist_road_m"].notna().all()


@pytest.mark.parametrize(
    ("lang", "road", "rail"),
    [("en", "Road", "Railway"), ("kk", "Жол", "Темір жол"),
     ("ru", "Автодорога", "Железная дорога")],
)  # fmt: skip
def test_maps_draw_roads_and_railways_with_their_own_style(
    demo_with_roads, lang, road, rail
) -> None:
    from zonegeo.maps.district import INFRA_STYLES, district_map

    styles = {k: (s["color"], s["dash"], s["symbol"]) for k, s in INFRA_STYLES.items()}
    assert len(set(styles.values())) == len(styles) == 5
    # colour, dash pattern and point symbol each tell the five kinds apart alone
    for part in range(3):
        assert len({s[part] for s in styles.values()}) == 5
    html = district_map(demo_with_roads, "Sauran", basemap="none", lang=lang)
    page = html.get_root().render()
    assert "zg-infra-road" in page and "zg-infra-rail" in page
    assert f'"{road}"' in page and f'"{rail}"' in page  # legend entries
    assert INFRA_STYLES["rail"]["color"] in page
    assert "Turkistan &lt;station&gt;" in page and "<station>" not in page
