"""The bundled demo dataset reproduces every published figure and is consistent.

Published figures come from the two source articles (see ``data/README.md``).
Areas are checked on an independent path: geodesic areas from
``pyproj.Geod.geometry_area_perimeter``, not zonegeo's own area code.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

import zonegeo
from tests._need import in_ci
from zonegeo import schema

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SHARED = REPO.parent / "shared" / "data"
GEOD = pyproj.Geod(ellps="WGS84")
ARTICLE_DATE = "2025-02-01"

#: The 17 units of Turkistan region (English names of geokz / OCHA COD-AB 2024; geokz
#: has no Sauran district).
DISTRICTS_2024 = {
    "Turkestan": "city",
    "Arys": "city",
    "Kentau": "city",
    "Baydibek": "district",
    "Zhetysai": "district",
    "Kazygurt": "district",
    "Keles": "district",
    "Maktaaral": "district",
    "Ordabasy": "district",
    "Otrar": "district",
    "Saryagash": "district",
    "Sauran": "district",
    "Sayram": "district",
    "Suzak": "district",
    "Tolebi": "district",
    "Tyulkubas": "district",
    "Shardara": "district",
}
SAURAN_SITES = {"Karashyk", "Iassy", "Shornak", "Ushkayyk", "Zhuynek"}
REGIONAL_SECTORS = {
    "construction materials",
    "finished metal products",
    "metallurgy",
    "machine building",
    "light industry",
    "furniture",
}
SMALL_SITE_SECTORS = {
    "construction materials",
    "furniture",
    "plastics and rubber",
    "chemical products",
    "light industry",
}


def geod_ha(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 10_000.0


@pytest.fixture(scope="module")
def zones(demo) -> gpd.GeoDataFrame:
    z = demo.zones.copy()
    z["geod_ha"] = [geod_ha(g) for g in z.geometry]
    return z


@pytest.fixture(scope="module")
def plots(demo) -> gpd.GeoDataFrame:
    return demo.plots


def zone_plots(demo, zone_ids) -> pd.DataFrame:
    return demo.plots[demo.plots["zone_id"].isin(list(zone_ids))]


def one_zone(zones, **where) -> pd.Series:
    mask = np.ones(len(zones), dtype=bool)
    for col, value in where.items():
        mask &= (zones[col] == value).to_numpy()
    assert mask.sum() == 1, f"expected one zone with {where}, found {int(mask.sum())}"
    return zones[mask].iloc[0]


# ---------------------------------------------------------------------------------
# Article 000: regional and private industrial zones
# ---------------------------------------------------------------------------------


def test_fourteen_regional_zones_cover_1700_ha(zones) -> None:
    regional = zones[zones["kind"] == "regional"]
    assert len(regional) == 14
    assert regional["geod_ha"].sum() == pytest.approx(1700.0, abs=0.01)
    # zonegeo's own areas agree with the geodesic ones
    assert regional["area_ha"].sum() == pytest.approx(1700.0, abs=0.01)


def test_five_regional_zones_created_in_the_last_year(zones) -> None:
    regional = zones[zones["kind"] == "regional"]
    assert int((regional["established"] == 2024).sum()) == 5
    assert int((regional["established"] < 2024).sum()) == 9


def test_two_private_zones_mega_agat_in_arys_and_bokei_in_ordabasy(zones) -> None:
    private = zones[zones["kind"] == "private"]
    assert sorted(zip(private["name"], private["district"], strict=True)) == [
        ("Bokei", "Ordabasy"),
        ("Mega-Agat", "Arys"),
    ]
    assert int(zones["kind"].isin(["regional", "private"]).sum()) == 16


def test_82_projects_worth_120_bn_in_the_16_zones(demo, zones) -> None:
    ids = zones.loc[zones["kind"].isin(["regional", "private"]), "zone_id"]
    p = zone_plots(demo, ids)
    projects = p["project"].dropna()
    projects = projects[projects.str.strip() != ""]
    assert projects.nunique() == 82
    assert p["investment_kzt"].sum() == 120e9
    assert set(p["sector"].dropna()) <= REGIONAL_SECTORS
    assert set(p["sector"].dropna()) == REGIONAL_SECTORS  # every listed sector present


def test_18_projects_approved_in_2024(demo, zones) -> None:
    ids = zones.loc[zones["kind"].isin(["regional", "private"]), "zone_id"]
    p = zone_plots(demo, ids).dropna(subset=["project"])
    year = pd.to_datetime(p["allocated_on"]).dt.year
    assert p.loc[year == 2024, "project"].nunique() == 18
    # a project's plots share one allocation date
    assert (p.groupby("project")["allocated_on"].nunique() == 1).all()


# ---------------------------------------------------------------------------------
# Article 002: the Small Industrial Park near Turkistan
# ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def park(zones) -> pd.Series:
    return one_zone(zones, kind="small_park")


def test_park_is_100_ha_near_turkistan(demo, park) -> None:
    assert park["district"] == "Turkestan"
    assert park["geod_ha"] == pytest.approx(100.0, abs=0.01)
    turkistan = Point(68.2704, 43.3019)  # OSM node 214887132
    _, _, dist = GEOD.inv(
        turkistan.x, turkistan.y, park.geometry.centroid.x, park.geometry.centroid.y
    )
    assert dist < 15_000


def test_park_has_152_buildings_40_built_32_projects(demo, park) -> None:
    p = zone_plots(demo, [park["zone_id"]])
    assert len(p) == 152
    built = p[p["status"] == "operating"]
    assert len(built) == 40
    assert built["project"].nunique() == 32
    assert geod_total(p) < 100.0  # room left for roads


def geod_total(p: pd.DataFrame) -> float:
    return sum(geod_ha(g) for g in p.geometry)


def test_park_jobs_created_1220_planned_6040(demo, park) -> None:
    p = zone_plots(demo, [park["zone_id"]])
    assert int(p["jobs_created"].fillna(0).sum()) == 1220
    assert int(p["jobs_planned"].fillna(0).sum()) == 6040
    assert (p["jobs_created"].fillna(0) <= p["jobs_planned"].fillna(0)).all()
    assert (p.loc[p["status"] != "operating", "jobs_created"].fillna(0) == 0).all()


def test_park_attracts_8_5_tenge_per_tenge_of_budget(demo, park) -> None:
    p = zone_plots(demo, [park["zone_id"]])
    assert p["investment_kzt"].sum() / park["budget_kzt"] == 8.5


def test_park_sectors(demo, park) -> None:
    p = zone_plots(demo, [park["zone_id"]])
    operating = set(p.loc[p["status"] == "operating", "sector"])
    assert operating == {
        "furniture",
        "sprinkler irrigation",
        "beverages",
        "refrigerators",
        "construction materials",
    }
    planned = set(p.loc[p["status"].isin(["allocated", "construction"]), "sector"])
    assert {"video cameras", "medical furniture", "household chemicals"} <= planned


# ---------------------------------------------------------------------------------
# Article 002: small industrial sites
# ---------------------------------------------------------------------------------


def test_21_small_sites_with_192_buildings_under_construction(demo, zones) -> None:
    sites = zones[zones["kind"] == "small_site"]
    assert len(sites) == 21
    p = zone_plots(demo, sites["zone_id"])
    assert int((p["status"] == "construction").sum()) == 192
    assert set(p["sector"].dropna()) == SMALL_SITE_SECTORS


def test_small_sites_planned_in_every_district_and_city(zones) -> None:
    sites = zones[zones["kind"] == "small_site"]
    assert set(sites["district"]) == set(DISTRICTS_2024)


def test_sauran_five_sites(demo, zones) -> None:
    sites = zones[(zones["kind"] == "small_site") & (zones["district"] == "Sauran")]
    assert set(sites["name"]) == SAURAN_SITES
    assert sites["geod_ha"].sum() == pytest.approx(55.0, abs=0.01)
    p = zone_plots(demo, sites["zone_id"])
    assert p["project"].dropna().nunique() == 115
    assert p["investment_kzt"].sum() == 30e9
    assert int(p["jobs_planned"].fillna(0).sum()) == 1124
    assert int((p["status"] == "construction").sum()) == 37


def test_ordabasy_temirlan_site(demo, zones) -> None:
    site = one_zone(zones, kind="small_site", name="Temirlan")
    assert site["district"] == "Ordabasy"
    assert site["geod_ha"] == pytest.approx(10.5, abs=0.01)
    p = zone_plots(demo, [site["zone_id"]])
    assert p["investment_kzt"].sum() == 10.4e9
    assert int(p["jobs_planned"].fillna(0).sum()) == 100
    assert int((p["status"] == "construction").sum()) == 5


# ---------------------------------------------------------------------------------
# Idle plots: allocated, deadline passed, no construction
# ---------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [ARTICLE_DATE, "2026-11-25"])
def test_idle_plots_exist_in_several_districts(plots, as_of) -> None:
    build_by = pd.to_datetime(plots["build_by"])
    ref = pd.Timestamp(as_of)
    idle = plots[(plots["status"] == "allocated") & (build_by < ref)]
    assert 20 <= len(idle) <= 40
    assert idle["district"].nunique() >= 5
    assert idle["investor"].notna().all()
    # the same plots are idle at the article date and later: deadlines are fixed
    at_article = plots[
        (plots["status"] == "allocated") & (build_by < pd.Timestamp(ARTICLE_DATE))
    ]
    assert set(idle["plot_id"]) == set(at_article["plot_id"])


def test_idle_plots_through_zonegeo(plots) -> None:
    idle = zonegeo.idle_plots(plots, as_of=ARTICLE_DATE)
    assert 20 <= len(idle) <= 40
    assert (idle["days_overdue"] > 0).all()


def test_free_plots_and_plots_outside_zones_in_sauran(plots) -> None:
    assert int((plots["status"] == "free").sum()) > 0
    outside = plots[plots["zone_id"].isna()]
    assert len(outside) >= 3
    assert set(outside["district"]) == {"Sauran"}


# ---------------------------------------------------------------------------------
# Integrity
# ---------------------------------------------------------------------------------


def test_all_17_districts_of_2024_with_kazakh_and_russian_names(demo) -> None:
    d = demo.districts
    assert dict(zip(d["district"], d["status"], strict=True)) == DISTRICTS_2024
    for col in ("name_kk", "name_ru", "seat"):
        assert d[col].notna().all() and (d[col].str.len() > 0).all(), col
    assert d["name_kk"].is_unique and d["name_ru"].is_unique


def test_districts_are_valid_polygons_containing_their_seat(demo) -> None:
    d = demo.districts
    assert d.geometry.is_valid.all()
    assert set(d.geom_type) <= {"Polygon", "MultiPolygon"}
    for _, row in d.iterrows():
        assert row.geometry.contains(Point(row["seat_lon"], row["seat_lat"])), row[
            "district"
        ]


def test_districts_do_not_overlap_and_leave_shymkent_out(demo) -> None:
    d = demo.districts.to_crs(zonegeo.equal_area_crs(demo.districts))
    total = d.area.sum()
    assert d.geometry.union_all().area == pytest.approx(total, rel=1e-6)
    shymkent = Point(69.59, 42.32)
    assert not demo.districts.contains(shymkent).any()
    # the approximate outline is within 15 % of the official ~117,000 km2
    assert 100_000 < total / 1e6 < 135_000


#: Areas (km2) of the OSM units as the source states them (Albers equal-area on
#: WGS 84), keyed by OSM relation. Baydibek's polygon also covers an enclave of Arys
#: of 71.1 km2, which belongs to Arys in the partition.
OSM_AREA_KM2 = {
    3407442: 6478.5, 17322798: 674.3, 8768984: 1056.1, 5496171: 4058.4,
    9210172: 3471.3, 3407205: 820.2, 3407634: 2640.2, 3407147: 17944.8,
    3407558: 7216.8 - 71.1, 5496738: 1051.5, 5497131: 4173.5, 3407078: 7110.4,
    3407031: 41149.8, 5498152: 3038.5, 5496366: 196.2, 5498009: 2343.6,
    3407327: 12866.3,
}  # fmt: skip
OSM_RELATION = {
    "Arys": 3407442, "Kentau": 17322798, "Zhetysai": 8768984, "Kazygurt": 5496171,
    "Keles": 9210172, "Maktaaral": 3407205, "Ordabasy": 3407634, "Otrar": 3407147,
    "Baydibek": 3407558, "Sayram": 5496738, "Saryagash": 5497131, "Sauran": 3407078,
    "Suzak": 3407031, "Tolebi": 5498152, "Turkestan": 5496366, "Tyulkubas": 5498009,
    "Shardara": 3407327,
}  # fmt: skip


def test_district_areas_are_the_osm_areas(demo) -> None:
    """Simplifying to ~50 m keeps every unit's area within 0.1 % of OSM's."""
    d = demo.districts.set_index("district")
    for name, rel in OSM_RELATION.items():
        km2 = geod_ha(d.geometry[name]) / 100.0
        assert km2 == pytest.approx(OSM_AREA_KM2[rel], rel=1e-3), name
    total = sum(geod_ha(g) for g in d.geometry) / 100.0
    assert total == pytest.approx(116_219, rel=1e-3)  # the union of the OSM units
    assert geod_ha(d.geometry["Turkestan"]) < 25_000  # the city is small


def test_districts_are_a_coverage_without_gaps(demo) -> None:
    import shapely

    d = demo.districts.to_crs(zonegeo.equal_area_crs(demo.districts))
    assert shapely.coverage_is_valid(d.geometry.to_numpy())
    region = d.geometry.union_all()
    # one outline with one hole (Shymkent, about 1,170 km2): no gap between units
    assert region.geom_type == "Polygon" and len(region.interiors) == 1
    hole = shapely.Polygon(region.interiors[0])
    assert hole.area / 1e6 == pytest.approx(1_170, rel=0.01)
    assert hole.contains(
        gpd.GeoSeries([Point(69.59, 42.32)], crs=4326).to_crs(d.crs).iloc[0]
    )


@pytest.mark.parametrize("layer", list(schema.LAYERS))
def test_layers_are_epsg4326_with_schema_columns(demo, layer) -> None:
    gdf = getattr(demo, layer)
    assert gdf.crs.equals("EPSG:4326")
    assert set(schema.LAYERS[layer].column_names) <= set(gdf.columns)
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()


def test_files_store_no_area_column_and_dates_as_dates() -> None:
    import pyogrio

    for rel in ("plots/plots.gpkg", "plots/zones.gpkg"):
        info = pyogrio.read_info(DATA / rel)
        assert "area_ha" not in list(info["fields"])
        assert info["crs"] == "EPSG:4326"
    info = pyogrio.read_info(DATA / "plots/plots.gpkg")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["allocated_on"] == "datetime64[D]"
    assert types["build_by"] == "datetime64[D]"


def test_ids_are_unique(demo) -> None:
    assert demo.zones["zone_id"].is_unique
    assert demo.plots["plot_id"].is_unique
    assert demo.infrastructure["infra_id"].is_unique
    assert demo.plots["plot_id"].str.fullmatch(r"[A-Z]+(-[A-Z]+)*-\d{3}").all()
    assert demo.zones["zone_id"].str.fullmatch(r"[A-Z]{3}-(RZ|PZ|SP|SS)-\d{2}").all()


def test_plots_lie_inside_their_zone_and_district(demo) -> None:
    zones = demo.zones.set_index("zone_id").geometry
    districts = demo.districts.set_index("district").geometry
    p = demo.plots
    in_zone = p[p["zone_id"].notna()]
    assert set(in_zone["zone_id"]) <= set(zones.index)
    inside = [
        g.within(zones[z])
        for g, z in zip(in_zone.geometry, in_zone["zone_id"], strict=True)
    ]
    assert all(inside)
    assert all(
        g.within(districts[d]) for g, d in zip(p.geometry, p["district"], strict=True)
    )
    # a plot's district is its zone's district
    zd = demo.zones.set_index("zone_id")["district"]
    assert (in_zone["district"] == in_zone["zone_id"].map(zd)).all()


def test_zones_lie_inside_their_district(demo) -> None:
    districts = demo.districts.set_index("district").geometry
    z = demo.zones
    assert all(
        g.within(districts[d]) for g, d in zip(z.geometry, z["district"], strict=True)
    )


@pytest.mark.parametrize("layer", ["plots", "zones"])
def test_no_overlaps(demo, layer) -> None:
    gdf = getattr(demo, layer).reset_index(drop=True)
    left, right = gdf.sindex.query(gdf.geometry, predicate="intersects")
    assert [(a, b) for a, b in zip(left, right, strict=True) if a != b] == []


def test_zones_avoid_exclusions(demo) -> None:
    ex = demo.exclusions
    assert set(ex["reason"]) >= {"archaeological site", "water body", "protected area"}
    assert not gpd.sjoin(demo.zones, ex, predicate="intersects").shape[0]


def test_plot_attributes_follow_status(plots) -> None:
    free = plots[plots["status"] == "free"]
    assert free["project"].isna().all() and free["investor"].isna().all()
    taken = plots[plots["status"] != "free"]
    assert taken["project"].notna().all() and taken["allocated_on"].notna().all()
    assert taken["build_by"].notna().all()
    assert (
        pd.to_datetime(taken["build_by"]) > pd.to_datetime(taken["allocated_on"])
    ).all()
    assert (taken["investment_kzt"] > 0).all()
    assert (plots["jobs_created"].fillna(0) <= plots["jobs_planned"].fillna(0)).all()


def test_zones_lie_beside_their_namesake_or_the_district_seat(demo, make_demo) -> None:
    towns = demo.settlements
    seat = demo.districts.set_index("district")["seat"]
    approx = make_demo.APPROX_PLACES  # namesakes in neither OSM nor GeoNames
    for _, z in demo.zones.iterrows():
        c = z.geometry.centroid
        here = towns[towns["district"] == z["district"]]
        points = [
            (g.x, g.y)
            for n, g in zip(here["name"], here.geometry, strict=True)
            if n in z["name"] and len(n) > 3
        ]
        points += [xy for n, xy in approx.items() if n in z["name"]]
        if not points:  # "Lenger industrial zone": beside the seat, Lengir
            s = towns[towns["name"] == seat[z["district"]]].geometry
            points = [(g.x, g.y) for g in s]
        dist = min(GEOD.inv(c.x, c.y, x, y)[2] for x, y in points)
        assert dist < 10_000, (z["name"], dist)


def test_settlements_are_the_real_places_with_population(demo) -> None:
    s = demo.settlements
    assert len(s) > 600  # every OSM city, town and village of the region
    known = s["population"].dropna()
    assert len(known) > 250 and (known > 0).all()
    assert set(s["district"]) == set(DISTRICTS_2024)
    assert set(demo.districts["seat"]) <= set(s["name"])
    big = s.set_index("name")["population"]
    assert big["Turkistan"] == big.max() == 228_003  # OSM population tag
    # each settlement lies in its district
    d = demo.districts.set_index("district").geometry
    assert all(d[k].contains(g) for g, k in zip(s.geometry, s["district"], strict=True))


# ---------------------------------------------------------------------------------
# Infrastructure
# ---------------------------------------------------------------------------------


def _distances_km(demo) -> pd.DataFrame:
    crs = zonegeo.metric_crs(demo.zones)
    z = demo.zones.to_crs(crs)
    inf = demo.infrastructure.to_crs(crs)
    out = pd.DataFrame(index=z["zone_id"])
    for kind in ("gas", "electricity", "water"):
        k = inf[inf["kind"] == kind].geometry
        out[kind] = [k.distance(g).min() / 1000.0 for g in z.geometry]
    return out


def test_infrastructure_kinds_subtypes_units(demo) -> None:
    inf = demo.infrastructure
    assert set(inf["kind"]) == {"gas", "electricity", "water"}
    for kind in schema.UTILITY_KINDS:  # the demo has no roads or railways
        subtypes = schema.INFRA_SUBTYPES[kind]
        assert set(inf.loc[inf["kind"] == kind, "subtype"]) == set(subtypes)
    units = {"gas": "m3/h", "electricity": "kW", "water": "m3/d"}
    assert (inf["unit"] == inf["kind"].map(units)).all()
    points = inf[inf.geom_type == "Point"]
    assert (points["capacity"] > 0).all()
    assert (points["spare_capacity"] <= points["capacity"]).all()
    names = " ".join(inf["name"])
    for corridor in (
        "Beineu-Bozoi-Shymkent",
        "Bukhara-Tashkent-Bishkek-Almaty",
        "Central Asia-China",
        "500 kV",
        "220 kV",
        "110 kV",
        "Syr Darya",
        "Arys river",
        "Badam",
    ):
        assert corridor in names


def test_lines_have_a_vertex_every_two_km(demo) -> None:
    inf = demo.infrastructure
    lines = inf[inf.geom_type != "Point"]
    for _, row in lines.iterrows():
        coords = np.asarray(row.geometry.coords)
        _, _, seg = GEOD.inv(
            coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]
        )
        assert np.max(seg) < 2_100, row["name"]


def test_every_zone_has_infrastructure_nearby_and_some_lack_service(demo) -> None:
    d = _distances_km(demo)
    nearest = d.min(axis=1)
    assert (nearest >= 0.5).all() and (nearest <= 15).all(), nearest.describe()
    assert (d["gas"] > 5).sum() >= 3
    assert (d["water"] > 5).sum() >= 3
    assert ((d["gas"] <= 5) & (d["electricity"] <= 5) & (d["water"] <= 5)).sum() >= 15


def test_sauran_sites_rank_differently_on_each_service(demo, zones) -> None:
    d = _distances_km(demo)
    ids = zones.loc[zones["name"].isin(SAURAN_SITES), "zone_id"]
    sau = d.loc[list(ids)]
    assert (sau.min() < 5).all()  # gas, electricity and water all near some site
    for kind in sau.columns:
        assert sau[kind].nunique() == len(sau)
    assert sau.rank().drop_duplicates().shape[0] > 1  # no site is nearest on all three


# ---------------------------------------------------------------------------------
# KPIs through zonegeo
# ---------------------------------------------------------------------------------


def test_published_figures_through_zone_kpis(demo) -> None:
    k = zonegeo.zone_kpis(demo).set_index("zone_id")
    regional = k[k["kind"] == "regional"]
    assert regional["area_ha"].sum() == pytest.approx(1700.0, abs=0.01)
    in16 = k[k["kind"].isin(["regional", "private"])]
    assert in16["projects"].sum() == 82  # project names are unique across zones
    assert in16["investment_kzt"].sum() == 120e9
    park = k[k["kind"] == "small_park"].iloc[0]
    assert park["plots"] == 152
    assert park["area_ha"] == pytest.approx(100.0, abs=0.01)
    assert park["jobs_created"] == 1220
    assert park["jobs_planned"] == 6040
    sites = k[k["kind"] == "small_site"]
    sauran = sites[sites["district"] == "Sauran"]
    assert sauran["area_ha"].sum() == pytest.approx(55.0, abs=0.01)
    assert sauran["projects"].sum() == 115
    assert sauran["investment_kzt"].sum() == 30e9
    assert sauran["jobs_planned"].sum() == 1124
    temirlan = sites[sites["name"] == "Temirlan"].iloc[0]
    assert temirlan["area_ha"] == pytest.approx(10.5, abs=0.01)
    assert temirlan["investment_kzt"] == 10.4e9
    assert temirlan["jobs_planned"] == 100
    assert ((k["occupancy_pct"] >= 0) & (k["occupancy_pct"] <= 100)).all()


# ---------------------------------------------------------------------------------
# Regeneration
# ---------------------------------------------------------------------------------


def _load_make_demo():
    spec = importlib.util.spec_from_file_location("make_demo", DATA / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_demo():
    return _load_make_demo()


@pytest.fixture(scope="module")
def regenerated(make_demo, tmp_path_factory) -> tuple[Path, Path]:
    """Run make_demo twice: once with the default sources, once naming each file."""
    src = make_demo.DEFAULT_SOURCES
    for path in vars(src).values():
        _shared(*Path(path).relative_to(SHARED).parts)
    named = [f"--{k}={v}" for k, v in vars(src).items()]
    runs = []
    for name, extra in (("first", []), ("second", named)):
        out = tmp_path_factory.mktemp(name)
        written = make_demo.main(["--out", str(out), *extra])
        assert sorted(written) == sorted(LAYER_FILES)
        assert all(path.is_file() for path in written.values())
        runs.append(out)
    return runs[0], runs[1]


LAYER_FILES = {
    "districts": "boundaries/districts.gpkg",
    "settlements": "boundaries/settlements.gpkg",
    "exclusions": "boundaries/exclusions.gpkg",
    "zones": "plots/zones.gpkg",
    "plots": "plots/plots.gpkg",
    "infrastructure": "infrastructure/infrastructure.gpkg",
}


@pytest.mark.parametrize("rel", list(LAYER_FILES.values()))
def test_regenerating_gives_the_bundled_data(regenerated, rel) -> None:
    import pyogrio

    first, second = regenerated
    layer = Path(rel).stem
    assert pyogrio.list_layers(first / rel)[:, 0].tolist() == [layer]
    new = gpd.read_file(first / rel, layer=layer)
    old = gpd.read_file(DATA / rel, layer=layer)
    assert_geodataframe_equal(new, old, check_less_precise=True)
    # deterministic down to the byte (the GeoPackage last_change stamp is pinned)
    assert (first / rel).read_bytes() == (second / rel).read_bytes()


def test_a_missing_source_file_names_the_option(make_demo, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"(?s)district boundaries.*nowhere"):
        make_demo.main(
            ["--out", str(tmp_path), "--districts", str(tmp_path / "nowhere")]
        )
    assert list(tmp_path.iterdir()) == []


def test_readme_schema_tables_match_zonegeo_schema(make_demo) -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    start = text.index(make_demo.SCHEMA_START) + len(make_demo.SCHEMA_START)
    end = text.index(make_demo.SCHEMA_END)
    assert text[start:end].strip() == make_demo.schema_markdown().strip(), (
        "data/README.md is out of date: run python data/make_demo.py --readme"
    )
    for layer in schema.LAYERS.values():
        for column in layer.column_names:
            assert f"| `{column}` |" in text


def test_data_folder_is_small() -> None:
    size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert size < 3_000_000


# ---------------------------------------------------------------------------------
# Against the public source files (development workspace only: ../shared/data)
# ---------------------------------------------------------------------------------


def _shared(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if in_ci():
            pytest.fail(f"{path} is missing (CI=true: the shared data must be present)")
        pytest.skip(
            f"{path} is not available (the source data are not beside the repo)"
        )
    return path


def test_districts_follow_the_osm_source_to_about_50_m(demo) -> None:
    src = gpd.read_file(
        _shared("osm-turkistan-districts", "turkistan_districts_osm_polygons.geojson")
    )
    crs = zonegeo.equal_area_crs(demo.districts)
    ours = demo.districts.to_crs(crs).set_index("district").geometry
    theirs = src.to_crs(crs).set_index("osm_relation").geometry
    # the partition gives Arys's enclave to Arys
    theirs[3407558] = theirs[3407558].difference(theirs[3407442])
    for name, rel in OSM_RELATION.items():
        a, b = ours[name], theirs[rel]
        assert a.intersection(b).area / a.union(b).area > 0.985, name
        # ~50 m simplification: no boundary point moves more than a few hundred m
        assert a.boundary.hausdorff_distance(b.boundary) < 300, name


# ---------------------------------------------------------------------------------
# Licences and attribution
# ---------------------------------------------------------------------------------


def test_readme_states_source_licence_and_attribution_of_each_file() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for needle in (
        "© OpenStreetMap contributors, ODbL",
        "geokz / OCHA COD-AB, CC BY 4.0",
        "GeoNames, CC BY 4.0",
        "ODbL 1.0",
    ):
        assert needle in text
    table = text[text.index("## Sources and licences") :]
    for rel in LAYER_FILES.values():
        assert f"`{rel}`" in table, rel


@pytest.mark.parametrize("which", ["region", "district"])
def test_maps_of_the_demo_carry_the_data_attribution(demo, which) -> None:
    from zonegeo.maps.district import DEMO_ATTRIBUTION, district_map, region_map

    m = (
        region_map(demo, basemap="none")
        if which == "region"
        else district_map(demo, "Sauran", basemap="none")
    )
    page = m.get_root().render()
    assert page.count("attributionControl.addAttribution(") == 1
    for part in ("OpenStreetMap contributors, ODbL", "geokz / OCHA COD-AB", "GeoNames"):
        assert part in page and part in DEMO_ATTRIBUTION


def test_maps_of_other_data_carry_no_demo_attribution(demo) -> None:
    from dataclasses import replace

    from zonegeo.maps.district import district_map

    mine = replace(demo, source="my_region/")
    page = district_map(mine, "Sauran", basemap="none").get_root().render()
    assert "addAttribution(" not in page
