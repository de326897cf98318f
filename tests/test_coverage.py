"""Tests of zonegeo.access.coverage: share of each zone's plot area within reach."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

import zonegeo
from zonegeo.dataset import Dataset
from zonegeo.errors import SchemaError, ValidationError

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


def _dataset(infra_rows: list[tuple[str, str, object]] | None = None) -> Dataset:
    """Three zones: Z-1 has plots A (1 ha) and B (3 ha), Z-2 has C (2 ha), Z-3 none.

    A is 250 m north of a gas pipe along y=Y0, B is 2 km north of it, C is 10 km
    east. A power line runs along y=Y0+1500 over the whole area. No water.
    """
    districts = gpd.GeoDataFrame(
        {"district": ["Sauran"]},
        geometry=[box(X0 - 50_000, Y0 - 50_000, X0 + 50_000, Y0 + 50_000)],
        crs=UTM42,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["Z-1", "Z-2", "Z-3"],
            "name": ["North park", "East site", "Empty"],
            "district": ["Sauran"] * 3,
            "kind": ["regional", "small_site", "private"],
        },
        geometry=[
            box(X0 - 100, Y0 + 100, X0 + 400, Y0 + 2500),
            box(X0 + 9900, Y0 + 100, X0 + 10_300, Y0 + 500),
            box(X0 + 20_000, Y0, X0 + 20_100, Y0 + 100),
        ],
        crs=UTM42,
    )
    plots = gpd.GeoDataFrame(
        {
            "plot_id": ["A", "B", "C", "D"],
            "zone_id": ["Z-1", "Z-1", "Z-2", None],
            "district": ["Sauran"] * 4,
            "status": ["free"] * 4,
            "area_ha": [1.0, 3.0, 2.0, 5.0],
        },
        geometry=[
            box(X0, Y0 + 250, X0 + 100, Y0 + 350),
            box(X0, Y0 + 2000, X0 + 300, Y0 + 2100),
            box(X0 + 10_000, Y0 + 200, X0 + 10_200, Y0 + 300),
            box(X0, Y0 + 400, X0 + 10, Y0 + 410),
        ],
        crs=UTM42,
    )
    rows = (
        infra_rows
        if infra_rows is not None
        else [
            ("G-1", "gas", LineString([(X0 - 5000, Y0), (X0 + 5000, Y0)])),
            (
                "E-1",
                "electricity",
                LineString([(X0 - 5000, Y0 + 1500), (X0 + 15_000, Y0 + 1500)]),
            ),
        ]
    )
    infra = gpd.GeoDataFrame(
        {"infra_id": [r[0] for r in rows], "kind": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=UTM42,
    )
    return Dataset(districts=districts, zones=zones, plots=plots, infrastructure=infra)


def test_hand_computed_shares():
    table = zonegeo.service_coverage(_dataset(), within_m=1000.0)
    assert list(table.columns) == [
        "zone_id",
        "name",
        "district",
        "kind",
        "plots",
        "plots_area_ha",
        "gas_pct",
        "electricity_pct",
        "water_pct",
        "lacking",
    ]
    t = table.set_index("zone_id")
    assert t.loc["Z-1", "plots"] == 2
    assert t.loc["Z-1", "plots_area_ha"] == 4.0
    # A (1 ha) is 250 m from gas, B (3 ha) 2 km: 25 % of the area.
    assert t.loc["Z-1", "gas_pct"] == 25.0
    # Power line at y=Y0+1500: A is 1150 m away, B 500 m: 75 %.
    assert t.loc["Z-1", "electricity_pct"] == 75.0
    assert t.loc["Z-1", "water_pct"] == 0.0
    assert t.loc["Z-1", "lacking"] == "gas, electricity, water"
    # C: gas 5 km away (beyond the pipe's end), power 1.2 km.
    assert t.loc["Z-2", ["gas_pct", "electricity_pct"]].tolist() == [0.0, 0.0]
    # No plots: counts 0, shares unknown.
    assert t.loc["Z-3", "plots"] == 0
    assert np.isnan(t.loc["Z-3", "gas_pct"])
    assert pd.isna(t.loc["Z-3", "lacking"])
    assert t.loc["Z-2", "kind"] == "small_site"


def test_per_kind_reach_and_threshold():
    table = zonegeo.service_coverage(
        _dataset(), within_m={"gas": 2500, "electricity": 1300}, lacking_below_pct=50.0
    )
    t = table.set_index("zone_id")
    assert t.loc["Z-1", "gas_pct"] == 100.0
    assert t.loc["Z-1", "electricity_pct"] == 100.0
    assert t.loc["Z-2", "electricity_pct"] == 100.0
    assert t.loc["Z-1", "lacking"] == "water"
    assert t.loc["Z-2", "lacking"] == "gas, water"


def test_fully_served_zone_lacks_nothing():
    rows = [
        ("G", "gas", Point(X0 + 50, Y0 + 300)),
        ("G2", "gas", Point(X0 + 100, Y0 + 2050)),
        ("G3", "gas", Point(X0 + 10_100, Y0 + 250)),
        ("E", "electricity", LineString([(X0 - 9e3, Y0 + 300), (X0 + 20e3, Y0 + 300)])),
        ("W", "water", LineString([(X0 - 9e3, Y0 + 2050), (X0 + 20e3, Y0 + 2050)])),
    ]
    t = zonegeo.service_coverage(_dataset(rows), within_m=2000).set_index("zone_id")
    assert t.loc["Z-1", "lacking"] == ""
    assert t.loc["Z-1", ["gas_pct", "electricity_pct", "water_pct"]].tolist() == [
        100.0,
        100.0,
        100.0,
    ]


def test_empty_infrastructure_reaches_nobody():
    t = zonegeo.service_coverage(_dataset([])).set_index("zone_id")
    assert (
        t.loc["Z-1", ["gas_pct", "electricity_pct", "water_pct"]].tolist() == [0.0] * 3
    )


@pytest.mark.parametrize(
    ("within", "error", "match"),
    [
        (
            {"sewage": 100},
            ValidationError,
            r"unknown kind 'sewage'; allowed keys: gas, "
            r"electricity, water",
        ),
        (
            -1.0,
            ValidationError,
            r"within_m\['gas'\] must be a finite number .* got -1\.0",
        ),
        (
            {"water": "far"},
            TypeError,
            r"within_m\['water'\] must be a number of metres, "
            r"got 'far'",
        ),
    ],
)
def test_bad_reach(within, error, match):
    with pytest.raises(error, match=match):
        zonegeo.service_coverage(_dataset(), within_m=within)


def test_plots_without_zone_id():
    ds = _dataset()
    ds = Dataset(
        districts=ds.districts,
        zones=ds.zones,
        plots=ds.plots.drop(columns="zone_id"),
        infrastructure=ds.infrastructure,
    )
    with pytest.raises(SchemaError, match=r"plots: missing column 'zone_id'"):
        zonegeo.service_coverage(ds)


def test_demo_runs(demo):
    table = zonegeo.service_coverage(demo, within_m=5000)
    assert len(table) == len(demo.zones)
    assert (
        table["plots"].sum() == demo.plots["zone_id"].isin(demo.zones["zone_id"]).sum()
    )
    pct = table[["gas_pct", "electricity_pct", "water_pct"]].stack()
    assert pct.between(0, 100).all()
