"""Candidate sites on a hand-built district with known geometry, and on the demo."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

import zonegeo
from zonegeo import Criterion, UnknownDistrictError, ValidationError
from zonegeo.dataset import Dataset, empty_layer
from zonegeo.siting.candidates import labour_column, tile_district

UTM = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0
DISTRICT = box(X0, Y0, X0 + 10_000, Y0 + 6_000)
SEAT = Point(X0 + 1_000, Y0 + 1_000)
ZONE = box(X0 + 6_000, Y0 + 500, X0 + 7_500, Y0 + 2_000)
RELIC = box(X0 + 4_000, Y0 + 500, X0 + 5_000, Y0 + 1_500)
SETTLEMENTS = {  # name: (point, population)
    "Shornak": (Point(X0 + 2_000, Y0 + 3_000), 5_000.0),
    "Kumkent": (Point(X0 + 8_000, Y0 + 5_000), 2_000.0),
    "Neighbour": (Point(X0 + 10_500, Y0 + 3_000), 10_000.0),  # in the next district
}


def _to_4326(data: dict, geoms: list, crs: str = UTM) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs).to_crs(4326)


def _layer(layer: str, data: dict, geoms: list) -> gpd.GeoDataFrame:
    """A layer with every schema column (empty where not given), in EPSG:4326."""
    base = empty_layer(layer)
    frame = _to_4326(data, geoms)
    for col in base.columns:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame


@pytest.fixture
def dataset() -> Dataset:
    """Two districts; Testdistrict has a zone, a relic, villages and a pipe."""
    lon, lat = gpd.GeoSeries([SEAT], crs=UTM).to_crs(4326).iloc[0].coords[0]
    districts = _layer(
        "districts",
        {
            "district": ["Testdistrict", "Other"],
            "seat_lon": [lon, np.nan],
            "seat_lat": [lat, np.nan],
        },
        [DISTRICT, box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 6_000)],
    )
    zones = _layer(
        "zones",
        {
            "zone_id": ["Z-1"],
            "name": ["Test small site"],
            "district": ["Testdistrict"],
            "kind": ["small_site"],
        },
        [ZONE],
    )
    plots = _layer(
        "plots",
        {
            "plot_id": ["P-1", "P-2", "P-3", "P-4"],
            "zone_id": ["Z-1", "Z-1", "Z-1", None],
            "district": ["Testdistrict", "Testdistrict", "Testdistrict", "Other"],
            "status": ["free", "allocated", "free", "free"],
        },
        [
            box(X0 + 6_100, Y0 + 600, X0 + 6_350, Y0 + 800),  # 5 ha
            box(X0 + 6_400, Y0 + 600, X0 + 6_600, Y0 + 800),
            box(X0 + 6_100, Y0 + 900, X0 + 7_100, Y0 + 1_500),  # 60 ha
            box(X0 + 15_000, Y0 + 1_000, X0 + 15_500, Y0 + 1_500),
        ],
    )
    infrastructure = _layer(
        "infrastructure",
        {"infra_id": ["G-1", "E-1", "W-1"], "kind": ["gas", "electricity", "water"]},
        [
            LineString([(X0 - 5_000, Y0 + 2_500), (X0 + 15_000, Y0 + 2_500)]),
            Point(X0 + 3_000, Y0 + 2_000),
            LineString([(X0 + 3_500, Y0 - 1_000), (X0 + 3_500, Y0 + 7_000)]),
        ],
    )
    settlements = _layer(
        "settlements",
        {"name": list(SETTLEMENTS), "population": [p for _, p in SETTLEMENTS.values()]},
        [g for g, _ in SETTLEMENTS.values()],
    )
    exclusions = _layer(
        "exclusions",
        {
            "name": ["Sauran ancient settlement"],
            "reason": ["archaeological site"],
            "buffer_m": [200.0],
        },
        [RELIC],
    )
    return Dataset(
        districts=districts,
        zones=zones,
        plots=plots,
        infrastructure=infrastructure,
        settlements=settlements,
        exclusions=exclusions,
        source="test",
    )


def _utm(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return gdf.geometry.to_crs(UTM).to_numpy()


# ------------------------------------------------------------------- tiling


@pytest.mark.parametrize("shape", ["hexagon", "square"])
@pytest.mark.parametrize("area_ha", [1.0, 20.0, 150.0])
def test_tiles_are_whole_inside_and_of_the_target_area(dataset, shape, area_ha) -> None:
    sites = zonegeo.candidate_sites(
        dataset,
        "Testdistrict",
        area_ha=area_ha,
        shape=shape,
        free_plots=False,
        max_candidates=10_000,
    )
    assert (sites["source"] == "tile").all()
    district = dataset.districts.geometry.iloc[0]
    assert district.covers(sites.geometry).all()  # in EPSG:4326
    # (The stored district is the lon/lat polygon; the UTM box is only its source.)
    areas = zonegeo.area_ha(sites)
    assert ((areas - area_ha).abs() <= 0.05 * area_ha).all()
    assert areas.to_numpy() == pytest.approx(sites["area_ha"].to_numpy())
    # The tiles do not overlap: their union has the sum of their areas.
    union = shapely.union_all(_utm(sites)).area
    assert union == pytest.approx(shapely.area(_utm(sites)).sum(), rel=1e-6)
    n_vertices = {"hexagon": 7, "square": 5}[shape]
    assert (shapely.get_num_coordinates(sites.geometry.to_numpy()) == n_vertices).all()


def test_tile_count_is_what_fits() -> None:
    """A 1 km square holds exactly 9 x 9 squares of 1 ha (1 m inset kept)."""
    tiles, stride = tile_district(box(0, 0, 1000, 1000), area_m2=10_000, shape="square")
    assert (len(tiles), stride) == (81, 1)
    tiles, _ = tile_district(box(0, 0, 1000, 1000), area_m2=10_000, shape="hexagon")
    assert all(box(0, 0, 1000, 1000).contains(t) for t in tiles)
    assert np.allclose(shapely.area(tiles), 10_000)


def test_lattice_is_widened_when_too_large() -> None:
    tiles, stride = tile_district(
        box(0, 0, 10_000, 10_000), area_m2=10_000, shape="square", max_lattice=2_000
    )
    assert stride == 3
    assert len(tiles) <= 2_000
    assert shapely.union_all(tiles).area == pytest.approx(len(tiles) * 10_000)


# --------------------------------------------------------------- exclusions


def test_sanitary_zone_excludes_tiles_near_any_settlement(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset,
        "Testdistrict",
        area_ha=10,
        hazard_class=1,
        free_plots=False,
        max_candidates=10_000,
    )
    geoms = _utm(sites)
    for name, (point, _) in SETTLEMENTS.items():
        near = shapely.distance(geoms, point) < 1_000
        assert near.any(), name
        assert not sites.loc[near, "eligible"].any()
        text = f"sanitary zone class I (1,000 m) of settlement '{name}'"
        assert sites.loc[near, "excluded_because"].str.contains(text, regex=False).all()
    # The neighbouring district's village reaches across the border.
    assert sites["excluded_because"].str.contains("'Neighbour'").any()


def test_exclusion_and_zone_reasons(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset, "Testdistrict", area_ha=10, free_plots=False, max_candidates=10_000
    )
    geoms = _utm(sites)
    near_relic = shapely.distance(geoms, RELIC) < 200
    assert near_relic.any()
    assert (
        sites.loc[near_relic, "excluded_because"]
        .str.contains(
            "exclusion 'Sauran ancient settlement' (archaeological site) "
            "with its 200 m buffer",
            regex=False,
        )
        .all()
    )
    in_zone = shapely.intersects(geoms, ZONE) & ~shapely.touches(geoms, ZONE)
    assert in_zone.any()
    assert (
        sites.loc[in_zone, "excluded_because"]
        .str.contains("existing zone 'Test small site' (Z-1)", regex=False)
        .all()
    )
    clear = ~near_relic & ~in_zone
    assert sites.loc[clear, "eligible"].all()
    assert (sites.loc[clear, "excluded_because"] == "").all()
    # Without a hazard class there is no sanitary zone.
    assert not sites["excluded_because"].str.contains("sanitary").any()


def test_keep_excluded_false_drops_excluded_tiles(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset,
        "Testdistrict",
        area_ha=10,
        hazard_class=2,
        free_plots=False,
        keep_excluded=False,
        max_candidates=10_000,
    )
    assert sites["eligible"].all()


def test_extra_exclusions_argument(dataset) -> None:
    canal = gpd.GeoDataFrame(
        {"name": ["Canal"], "reason": ["water protection zone"], "buffer_m": [0.0]},
        geometry=[box(X0 + 500, Y0, X0 + 700, Y0 + 6_000)],
        crs=UTM,
    )
    sites = zonegeo.candidate_sites(
        dataset,
        "Testdistrict",
        area_ha=10,
        free_plots=False,
        exclusions=canal,
        max_candidates=10_000,
    )
    hit = shapely.intersects(_utm(sites), canal.geometry.iloc[0])
    assert hit.any()
    assert (
        sites.loc[hit, "excluded_because"]
        .str.contains("exclusion 'Canal' (water protection zone)", regex=False)
        .all()
    )
    with pytest.raises(TypeError, match="exclusions must be a GeoDataFrame"):
        zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=10, exclusions="canal")


# --------------------------------------------------------------- free plots


def test_free_plots_are_added_and_checked(dataset) -> None:
    sites = zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=50, hazard_class=5)
    free = sites[sites["source"] == "free_plot"].set_index("candidate_id")
    assert sorted(free.index) == ["P-1", "P-3"]  # free, in this district only
    assert list(sites["source"].iloc[:2]) == ["free_plot", "free_plot"]
    assert free.loc["P-1", "plot_id"] == "P-1" and free.loc["P-1", "zone_id"] == "Z-1"
    assert not free.loc["P-1", "eligible"]
    assert free.loc["P-1", "excluded_because"] == (
        "free plot of 5.0 ha is smaller than the 50 ha needed"
    )
    # P-3 lies in zone Z-1: the existing-zone rule does not apply to free plots.
    assert free.loc["P-3", "eligible"]
    assert free.loc["P-3", "area_ha"] == pytest.approx(60.0, rel=2e-3)


def test_free_plots_follow_sanitary_zones(dataset) -> None:
    # Move Kumkent next to P-3: a class III zone (300 m) now covers it.
    ds = dataset
    moved = gpd.GeoSeries([Point(X0 + 7_200, Y0 + 1_200)], crs=UTM).to_crs(4326).iloc[0]
    settlements = ds.settlements.copy()
    settlements.loc[1, "geometry"] = moved
    ds = Dataset(**{**{k: getattr(ds, k) for k, _ in ds}, "settlements": settlements})
    sites = zonegeo.candidate_sites(ds, "Testdistrict", area_ha=50, hazard_class="III")
    p3 = sites.set_index("candidate_id").loc["P-3"]
    assert not p3["eligible"]
    assert (
        p3["excluded_because"]
        == "sanitary zone class III (300 m) of settlement 'Kumkent'"
    )


# ----------------------------------------------------------------- criteria


def test_output_frame(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset, "testdistrict", area_ha=20, hazard_class=4, max_candidates=15
    )
    assert sites.crs.to_epsg() == 4326
    assert isinstance(sites.index, pd.RangeIndex)
    assert (sites["source"] == "tile").sum() == 15
    assert sites["candidate_id"].is_unique
    assert sites["candidate_id"].iloc[2] == "Testdistrict-T0001"
    assert (sites["district"] == "Testdistrict").all()
    assert sites["eligible"].dtype == bool
    for col in [
        "area_ha",
        "dist_gas_m",
        "dist_electricity_m",
        "dist_water_m",
        "nearest_gas_id",
        "cost_gas_kzt",
        "cost_total_kzt",
        "dist_settlement_m",
        "nearest_settlement",
        "dist_centre_m",
        "population_within_10km",
    ]:
        assert col in sites.columns, col
    assert sites.columns[-1] == "geometry"
    assert sites.attrs["district"] == "Testdistrict"
    assert sites.attrs["hazard_class"] == "IV"
    assert sites.attrs["sanitary_width_m"] == 100.0
    assert "ҚР ДСМ-2" in sites.attrs["sanitary_source"]


def test_criteria_values_by_hand(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset, "Testdistrict", area_ha=20, labour_radius_km=3, max_candidates=10_000
    )
    geoms = _utm(sites)
    # Distance to the seat and to the nearest settlement, from the boundary.
    np.testing.assert_allclose(
        sites["dist_centre_m"], shapely.distance(geoms, SEAT), rtol=1e-9
    )
    pts = {n: p for n, (p, _) in SETTLEMENTS.items()}
    d = np.column_stack([shapely.distance(geoms, p) for p in pts.values()])
    np.testing.assert_allclose(sites["dist_settlement_m"], d.min(axis=1), rtol=1e-9)
    assert sites["nearest_settlement"].tolist() == [
        list(pts)[k] for k in d.argmin(axis=1)
    ]
    # Labour: inhabitants of settlements within 3 km.
    pops = np.array([p for _, p in SETTLEMENTS.values()])
    col = labour_column(3)
    np.testing.assert_allclose(sites[col], ((d <= 3_000) * pops).sum(axis=1))
    assert sites[col].max() > 0
    # The water main is the line x = X0 + 3500: a tile's distance is its gap to it.
    xmin = shapely.bounds(geoms)[:, 0]
    xmax = shapely.bounds(geoms)[:, 2]
    gap = np.where(
        xmax < X0 + 3_500,
        X0 + 3_500 - xmax,
        np.where(xmin > X0 + 3_500, xmin - X0 - 3_500, 0.0),
    )
    np.testing.assert_allclose(sites["dist_water_m"], gap, rtol=2e-3, atol=0.5)


def test_tiles_nearest_infrastructure_come_first(dataset) -> None:
    every = zonegeo.candidate_sites(
        dataset, "Testdistrict", area_ha=10, free_plots=False, max_candidates=10_000
    )
    few = zonegeo.candidate_sites(
        dataset, "Testdistrict", area_ha=10, free_plots=False, max_candidates=12
    )
    assert len(few) == 12
    # The key: the largest of the centre's distances to gas, power and water.
    centres = shapely.centroid(_utm(every))
    infra = dataset.infrastructure.to_crs(UTM)
    key = np.max([shapely.distance(centres, g) for g in infra.geometry], axis=0)
    order = np.argsort(key, kind="stable")
    chosen = {every.geometry.iloc[i].wkb for i in order[:12]}
    assert {g.wkb for g in few.geometry} == chosen
    assert few.attrs["tiles_kept"] == 12
    assert few.attrs["tiles_in_district"] == len(every)


def test_ranking_prefers_sites_near_infrastructure(dataset) -> None:
    sites = zonegeo.candidate_sites(
        dataset, "Testdistrict", area_ha=10, hazard_class=3, max_candidates=10_000
    )
    crits = [
        Criterion(f"dist_{k}_m", 1, better="lower")
        for k in ("gas", "electricity", "water")
    ]
    ranked = zonegeo.rank(sites, crits)
    top = ranked[ranked["rank"] <= 5]
    eligible = ranked[ranked["eligible"]]
    for k in ("gas", "electricity", "water"):
        assert top[f"dist_{k}_m"].mean() < eligible[f"dist_{k}_m"].median()


# ------------------------------------------------------------------- errors


def test_errors(dataset) -> None:
    with pytest.raises(UnknownDistrictError, match="Testdistrict"):
        zonegeo.candidate_sites(dataset, "Testdistrikt", area_ha=10)
    with pytest.raises(
        ValidationError, match="area_ha must be a positive number of hectares, got -5"
    ):
        zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=-5)
    with pytest.raises(
        ValidationError,
        match="unknown tile shape 'circle'; valid shapes: hexagon, square",
    ):
        zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=5, shape="circle")
    with pytest.raises(
        ValidationError, match="max_candidates must be a positive integer"
    ):
        zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=5, max_candidates=0)
    with pytest.raises(ValidationError, match="hazard class 7"):
        zonegeo.candidate_sites(dataset, "Testdistrict", area_ha=5, hazard_class=7)
    with pytest.raises(
        ValidationError,
        match=r"no candidate site in 'Testdistrict'.*no "
        r"room for a whole 9000 ha hexagon",
    ):
        zonegeo.candidate_sites(
            dataset, "Testdistrict", area_ha=9_000, free_plots=False
        )
    with pytest.raises(TypeError, match="zonegeo.Dataset"):
        zonegeo.candidate_sites({}, "Testdistrict", area_ha=5)


def test_missing_seat_warns(dataset) -> None:
    with pytest.warns(zonegeo.DataWarning, match="'Other' has no seat_lon/seat_lat"):
        sites = zonegeo.candidate_sites(dataset, "Other", area_ha=50)
    assert sites["dist_centre_m"].notna().all()


# --------------------------------------------------------------------- demo


def test_demo_sauran_ranks_sites_near_gas_power_and_water_first(demo) -> None:
    sites = zonegeo.candidate_sites(
        demo, "Sauran", area_ha=50, hazard_class=3, max_candidates=800
    )
    assert (sites["source"] == "tile").sum() > 50
    assert sites["eligible"].sum() > 20
    district = demo.district("Sauran").districts.geometry.union_all()
    tiles = sites[sites["source"] == "tile"]
    assert district.covers(tiles.geometry).all()
    assert ((zonegeo.area_ha(tiles) - 50).abs() <= 2.5).all()
    crits = [
        Criterion("dist_gas_m", 3, better="lower"),
        Criterion("dist_electricity_m", 3, better="lower"),
        Criterion("dist_water_m", 2, better="lower"),
        Criterion(labour_column(10), 1, better="higher"),
    ]
    ranked = zonegeo.rank(sites, crits)
    top = ranked[ranked["rank"] <= 10]
    eligible = ranked[ranked["eligible"]]
    for kind in ("gas", "electricity", "water"):
        assert top[f"dist_{kind}_m"].median() < eligible[f"dist_{kind}_m"].median(), (
            kind
        )


# ----------------------------------------------------------------- taken land

TAKEN_OUTSIDE = box(X0 + 1_500, Y0 + 4_000, X0 + 2_500, Y0 + 5_000)  # no zone
OVERLAPPING_FREE = box(X0 + 6_450, Y0 + 550, X0 + 7_450, Y0 + 1_150)  # over P-2


def _with_plots(ds: Dataset) -> Dataset:
    """Add an operating plot outside any zone and a free plot overlapping P-2."""
    extra = _layer(
        "plots",
        {
            "plot_id": ["P-9", "P-8"],
            "zone_id": [None, "Z-1"],
            "district": ["Testdistrict", "Testdistrict"],
            "status": ["operating", "free"],
        },
        [TAKEN_OUTSIDE, OVERLAPPING_FREE],
    )
    plots = gpd.GeoDataFrame(
        pd.concat([ds.plots, extra[ds.plots.columns]], ignore_index=True), crs=4326
    )
    return Dataset(**{**{k: getattr(ds, k) for k, _ in ds}, "plots": plots})


def _overlaps(geoms: np.ndarray, other: shapely.Geometry) -> np.ndarray:
    return shapely.intersects(geoms, other) & ~shapely.touches(geoms, other)


def test_taken_plots_and_zones_are_excluded_by_default(dataset) -> None:
    ds = _with_plots(dataset)
    sites = zonegeo.candidate_sites(
        ds, "Testdistrict", area_ha=10, max_candidates=10_000
    )
    assert sites.attrs["exclude_taken"] is True
    tiles = sites[sites["source"] == "tile"]
    geoms = _utm(tiles)
    on_taken = _overlaps(geoms, TAKEN_OUTSIDE)
    assert on_taken.any()
    assert not tiles.loc[on_taken, "eligible"].any()
    assert (
        tiles.loc[on_taken, "excluded_because"]
        .str.contains("operating plot 'P-9'", regex=False)
        .all()
    )
    # A tile that only touches the plot's edge, or lies clear of it, is not excluded
    # by it.
    assert not tiles.loc[~on_taken, "excluded_because"].str.contains("P-9").any()
    on_zone = _overlaps(geoms, ZONE)
    assert on_zone.any() and not tiles.loc[on_zone, "eligible"].any()
    # The free plot that overlaps allocated P-2 is excluded for it; P-3 (free,
    # touching nothing taken) stays eligible inside its zone.
    free = sites[sites["source"] == "free_plot"].set_index("candidate_id")
    assert not free.loc["P-8", "eligible"]
    assert free.loc["P-8", "excluded_because"] == "allocated plot 'P-2'"
    assert free.loc["P-3", "eligible"]
    # No eligible site lies on taken land or on an existing zone.
    eligible = _utm(sites[sites["eligible"]])
    taken = _utm(ds.plots[ds.plots["status"] != "free"])
    for t in taken:
        assert not _overlaps(eligible, t).any()
    tile_ok = _utm(tiles[tiles["eligible"]])
    assert not _overlaps(tile_ok, ZONE).any()


def test_exclude_taken_false_allows_taken_land(dataset) -> None:
    ds = _with_plots(dataset)
    sites = zonegeo.candidate_sites(
        ds, "Testdistrict", area_ha=10, max_candidates=10_000, exclude_taken=False
    )
    assert sites.attrs["exclude_taken"] is False
    tiles = sites[sites["source"] == "tile"]
    geoms = _utm(tiles)
    on_taken = _overlaps(geoms, TAKEN_OUTSIDE)
    on_zone = _overlaps(geoms, ZONE)
    assert tiles.loc[on_taken, "eligible"].all()
    assert tiles.loc[on_zone & ~_overlaps(geoms, RELIC.buffer(200)), "eligible"].all()
    assert not sites["excluded_because"].str.contains("plot 'P-|existing zone").any()
    free = sites[sites["source"] == "free_plot"].set_index("candidate_id")
    assert free.loc["P-8", "eligible"]
    with pytest.raises(TypeError, match="exclude_taken must be True or False"):
        zonegeo.candidate_sites(ds, "Testdistrict", area_ha=10, exclude_taken="no")


def test_taken_plot_reasons() -> None:
    from zonegeo.siting.criteria import exclusion_zones

    plots = gpd.GeoDataFrame(
        {
            "plot_id": ["A", "B", "C", "D", None],
            "status": ["free", "construction", "operating", None, "allocated"],
        },
        geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(5)],
        crs=UTM,
    )
    zones = exclusion_zones(crs=UTM, plots=plots)
    assert zones["rule"].unique().tolist() == ["taken_plot"]
    assert zones["because"].tolist() == [
        "plot 'B' under construction",
        "operating plot 'C'",
        "taken plot 'D' (status missing)",
        "allocated plot '#5'",
    ]
    with pytest.raises(zonegeo.SchemaError, match="no 'status' column"):
        exclusion_zones(crs=UTM, plots=plots.drop(columns="status"))


def test_scenario_key_exclude_taken_reaches_candidate_sites(dataset, tmp_path) -> None:
    from zonegeo.siting.scenario import load_scenario, run_scenario

    ds = _with_plots(dataset)
    text = """
name = "test"
district = "Testdistrict"
area_ha = 10
[candidates]
max_candidates = 10000
{line}
[[criteria]]
column = "dist_gas_m"
better = "lower"
weight = 1
"""
    runs = {}
    for key, line in (("default", ""), ("off", "exclude_taken = false")):
        path = tmp_path / f"{key}.toml"
        path.write_text(text.format(line=line), encoding="utf-8")
        scenario = load_scenario(path)
        assert scenario.exclude_taken is (key == "default")
        runs[key] = run_scenario(scenario, ds)
    assert (
        runs["default"]["excluded_because"].str.contains("operating plot 'P-9'").any()
    )
    assert not runs["off"]["excluded_because"].str.contains("P-9").any()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.format(line='exclude_taken = "yes"'), encoding="utf-8")
    with pytest.raises(ValidationError, match="candidates.exclude_taken"):
        load_scenario(bad)


def _assert_nothing_eligible_on_taken_land(sites: gpd.GeoDataFrame, demo) -> None:
    eligible = sites[sites["eligible"].astype(bool)]
    geoms = _utm(eligible)
    taken = demo.plots[demo.plots["status"] != "free"]
    tree = shapely.STRtree(_utm(taken))
    a, b = tree.query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[a], tree.geometries[b])) > 0
    hits = sorted(
        {
            (eligible["candidate_id"].iloc[i], taken["plot_id"].iloc[j])
            for i, j in zip(a[overlap], b[overlap], strict=True)
        }
    )
    assert hits == [], hits
    tiles = eligible["source"].to_numpy() == "tile"
    zones = shapely.STRtree(_utm(demo.zones))
    a, b = zones.query(geoms[tiles], predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[tiles][a], zones.geometries[b]))
    assert not (overlap > 0).any()


def test_demo_sauran_no_eligible_site_on_taken_land(demo) -> None:
    """Sauran's plots outside any zone (SAU-OUT-001..003) are allocated/operating."""
    sites = zonegeo.candidate_sites(
        demo, "Sauran", area_ha=50, hazard_class=3, max_candidates=2000
    )
    _assert_nothing_eligible_on_taken_land(sites, demo)
    reasons = sites["excluded_because"]
    for text in ("allocated plot 'SAU-OUT-001'", "operating plot 'SAU-OUT-003'"):
        assert reasons.str.contains(text, regex=False).any(), text


def test_cli_rank_keeps_sites_off_taken_land(demo, tmp_path) -> None:
    from click.testing import CliRunner

    from zonegeo.cli import cli

    scenario = (
        Path(__file__).resolve().parents[1] / "scenarios" / "sauran_50ha_topsis.toml"
    )
    out = tmp_path / "ranked.gpkg"
    result = CliRunner().invoke(
        cli, ["rank", "--scenario", str(scenario), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    ranked = gpd.read_file(out)
    _assert_nothing_eligible_on_taken_land(ranked, demo)
    assert ranked["excluded_because"].str.contains("plot 'SAU-OUT-00").any()
