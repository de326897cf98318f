"""A tiny hand-built region for the map and atlas tests (two districts, nine plots).

Known answers: Sauran has 8 plots (2 free, 3 allocated of which 2 are idle on
2025-02-01, 1 under construction, 2 operating); Ordabasy has 1 plot. Some text
values are hostile on purpose (HTML, a closing script tag, Jinja braces).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

import zonegeo
from zonegeo.io.validate import validate_layer

UTM = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0
AS_OF = "2025-02-01"

#: An XSS probe: if it ever runs, window.__xss becomes 1.
XSS = '<img src=x onerror="window.__xss=1">'
#: Breaking out of the script element: if it works, window.__xss becomes 2.
SCRIPT_BREAK = "</script><script>window.__xss=2</script>"
#: The classic probe: if it ever runs, the page opens an alert dialog.
ALERT = "<img src=x onerror=alert(1)>"
#: A Jinja probe: if a template evaluates it, 49 appears in the page.
JINJA = "{{ 7*7 }} {% raw %}"

SAURAN_PLOTS = 8


def _sq(x: float, y: float, side: float = 100.0) -> object:
    return box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


def hand_dataset(
    *, district_names: tuple[str, str] = ("Sauran", "Ordabasy")
) -> zonegeo.Dataset:
    """Return the tiny region; ``district_names`` renames the two districts."""
    a, b = district_names
    districts = gpd.GeoDataFrame(
        {
            "district": [a, b],
            "name_kk": ["Сауран", "Ордабасы"],
            "name_ru": ["Сауран", "Ордабасы"],
            "status": ["district", "district"],
        },
        geometry=[_sq(-2000, -2000, 6000), _sq(4000, -2000, 6000)],
        crs=UTM,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["Z-1", "Z-2", "Z-3"],
            "name": ["Alpha park", JINJA, "Beta"],
            "district": [a, a, b],
            "kind": ["small_park", "private", "small_site"],
            "established": [2021, 2019, 2024],
        },
        geometry=[_sq(0, 0, 400), _sq(0, 600, 400), _sq(5000, 0, 400)],
        crs=UTM,
    )
    plots = gpd.GeoDataFrame(
        {
            "plot_id": ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", XSS, "S-8", "O-1"],
            "zone_id": ["Z-1", "Z-1", "Z-1", "Z-1", "Z-2", "Z-2", "Z-2", None, "Z-3"],
            "district": [a] * 8 + [b],
            "status": [
                "free",
                "free",
                "allocated",
                "allocated",
                "allocated",
                "construction",
                "operating",
                "operating",
                "free",
            ],
            "investor": [
                None,
                None,
                "Idle One LLP",
                "Late & Co",
                "On Time JSC",
                "Build LLP",
                XSS,
                "Works LLP",
                None,
            ],
            "project": [
                None,
                None,
                "Bricks",
                "Tiles",
                "Glass",
                "Steel",
                SCRIPT_BREAK,
                "Cotton",
                None,
            ],
            "sector": [
                None,
                None,
                "construction materials",
                "construction materials",
                "glass",
                "metallurgy",
                ALERT,
                "textiles",
                None,
            ],
            "investment_kzt": [
                None,
                None,
                1.0e9,
                2.5e9,
                3.0e9,
                4.0e9,
                5.0e9,
                6.0e9,
                None,
            ],
            "jobs_planned": [0, 0, 10, 20, 30, 40, 50, 60, 0],
            "jobs_created": [0, 0, 0, 0, 0, 10, 50, 55, 0],
            "allocated_on": [
                "",
                "",
                "2022-01-10",
                "2022-06-01",
                "2024-09-01",
                "2021-01-01",
                "2019-05-01",
                "2018-01-01",
                "",
            ],
            "build_by": [
                "",
                "",
                "2023-01-10",
                "2023-06-01",
                "2026-09-01",
                "2022-01-01",
                "2020-05-01",
                "2019-01-01",
                "",
            ],
        },
        geometry=[
            _sq(0, 0),
            _sq(150, 0),
            _sq(300, 0),
            _sq(0, 150),
            _sq(0, 600),
            _sq(150, 600),
            _sq(300, 600),
            _sq(1500, 1500, 200),
            _sq(5000, 0),
        ],
        crs=UTM,
    )
    infra = gpd.GeoDataFrame(
        {
            "infra_id": ["G-1", "E-1", "W-1", "W-2"],
            "kind": ["gas", "electricity", "water", "water"],
            "subtype": ["gas_pipeline", "substation", "water_main", "water_intake"],
            "name": ["Pipe <b>A</b>", "Substation 110 kV", "Main", "Intake"],
            "capacity": [5000.0, 40000.0, None, 900.0],
            "spare_capacity": [1200.0, 8000.0, None, 100.0],
            "unit": ["m3/h", "kW", None, "m3/d"],
        },
        geometry=[
            LineString([(X0 - 1500, Y0 - 500), (X0 + 3000, Y0 - 500)]),
            Point(X0 + 800, Y0 + 300),
            LineString([(X0 - 1000, Y0 + 2000), (X0 + 2500, Y0 + 2000)]),
            Point(X0 + 2000, Y0 + 2500),
        ],
        crs=UTM,
    )
    settlements = gpd.GeoDataFrame(
        {"name": ["Shornak", XSS], "population": [12000.0, 800.0], "district": [a, a]},
        geometry=[Point(X0 - 1000, Y0 + 3000), Point(X0 + 3000, Y0 - 1500)],
        crs=UTM,
    )
    exclusions = gpd.GeoDataFrame(
        {"name": ["Reserve"], "reason": ["protected area"], "buffer_m": [200.0]},
        geometry=[_sq(2500, 2500, 500)],
        crs=UTM,
    )
    return zonegeo.Dataset(
        districts=validate_layer(districts, "districts", source="hand"),
        zones=validate_layer(zones, "zones", source="hand"),
        plots=validate_layer(plots, "plots", source="hand"),
        infrastructure=validate_layer(infra, "infrastructure", source="hand"),
        settlements=validate_layer(settlements, "settlements", source="hand"),
        exclusions=validate_layer(exclusions, "exclusions", source="hand"),
        source="hand",
    )


def hand_ranking(ds: zonegeo.Dataset) -> gpd.GeoDataFrame:
    """Rank the two free Sauran plots and two tiles (one of them ineligible)."""
    plots = ds.plots
    free = plots[plots["plot_id"].isin(["S-1", "S-2"])]
    sites = gpd.GeoDataFrame(
        {
            "plot_id": [*free["plot_id"], None, None],
            "site_id": ["S-1", "S-2", "H-1", "H-2"],
            "dist_gas_m": [500.0, 520.0, 200.0, 50.0],
            "area_ha": [1.0, 1.0, 20.0, 20.0],
            "eligible": [True, True, True, False],
            "excluded_because": [
                None,
                None,
                None,
                f"sanitary zone of settlement {XSS}",
            ],
            "score": [0.61, 0.58, 0.83, float("nan")],
            "rank": pd.array([2, 3, 1, pd.NA], dtype="Int64"),
            "contrib_dist_gas_m": [0.05, 0.04, 0.30, float("nan")],
            "contrib_area_ha": [0.06, 0.04, 0.03, float("nan")],
            "p_top3": [0.95, 0.80, 1.0, float("nan")],
        },
        geometry=[
            *free.geometry.to_crs(UTM),
            _sq(1000, 1000, 450),
            _sq(2000, 300, 450),
        ],
        crs=UTM,
    )
    return sites.to_crs("EPSG:4326")


def packed_ranking(ds: zonegeo.Dataset) -> gpd.GeoDataFrame:
    """The hand ranking plus five sites (ranks 4-8) packed 60 m apart.

    At the opening zoom of a district map the labels of S-1 and S-2 (150 m
    apart) and of the packed sites would overlap unless they are placed.
    """
    extra = gpd.GeoDataFrame(
        {
            "site_id": [f"P-{i}" for i in range(5)],
            "score": [0.5 - i / 100 for i in range(5)],
            "rank": pd.array([4 + i for i in range(5)], dtype="Int64"),
            "eligible": [True] * 5,
        },
        geometry=[_sq(1500 + 60 * i, 1000, 40) for i in range(5)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    return pd.concat([hand_ranking(ds), extra], ignore_index=True)
