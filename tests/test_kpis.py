"""Zone and district key figures (zonegeo.kpis) on a hand-built dataset."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

import zonegeo
from zonegeo.io.validate import validate_layer

UTM = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


def _square(x: float, y: float, side: float) -> object:
    return box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


@pytest.fixture
def hand() -> zonegeo.Dataset:
    """Two districts; zone A has four plots, zone B one; one plot outside zones."""
    districts = gpd.GeoDataFrame(
        {"district": ["Sauran", "Ordabasy"]},
        geometry=[_square(-5000, -5000, 20000), _square(20000, -5000, 20000)],
        crs=UTM,
    )
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ["A", "B"],
            "name": ["Alpha", "Beta"],
            "district": ["Sauran", "Ordabasy"],
            "kind": ["small_site", "private"],
            "established": [2024, 2019],
            "budget_kzt": [1e9, None],
        },
        geometry=[_square(0, 0, 1000), _square(25000, 0, 1000)],
        crs=UTM,
    )
    plots = gpd.GeoDataFrame(
        {
            "plot_id": ["A1", "A2", "A3", "A4", "B1", "X1"],
            "zone_id": ["A", "A", "A", "A", "B", None],
            "district": ["Sauran"] * 4 + ["Ordabasy", "Sauran"],
            "status": [
                "free",
                "allocated",
                "construction",
                "operating",
                "allocated",
                "allocated",
            ],
            "investor": [None, "I1", "I2", "I2", "I3", "I4"],
            "project": [None, "Bricks", "Furniture", "Furniture", "Steel", "Tiles"],
            "sector": [
                None,
                "construction materials",
                "furniture",
                "furniture",
                "metallurgy",
                "construction materials",
            ],
            "investment_kzt": [None, 1e9, 2e9, 3e9, 5e9, 0.5e9],
            "jobs_planned": [0, 10, 20, 30, 50, 5],
            "jobs_created": [0, 0, 5, 30, 0, 0],
            "allocated_on": [
                "",
                "2022-01-01",
                "2022-01-01",
                "2021-01-01",
                "2023-05-01",
                "2023-01-01",
            ],
            "build_by": [
                "",
                "2023-01-01",
                "2023-01-01",
                "2022-01-01",
                "2026-01-01",
                "2024-01-01",
            ],
        },
        geometry=[
            _square(0, 0, 100),
            _square(100, 0, 100),
            _square(200, 0, 100),
            _square(300, 0, 200),
            _square(25000, 0, 100),
            _square(3000, 3000, 100),
        ],
        crs=UTM,
    )
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G"], "kind": ["gas"]},
        geometry=[_square(0, -100, 10).centroid],
        crs=UTM,
    )
    return zonegeo.Dataset(
        districts=validate_layer(districts, "districts", source="hand"),
        zones=validate_layer(zones, "zones", source="hand"),
        plots=validate_layer(plots, "plots", source="hand"),
        infrastructure=validate_layer(infra, "infrastructure", source="hand"),
        source="hand",
    )


def test_zone_kpis_hand_computed(hand: zonegeo.Dataset) -> None:
    k = zonegeo.zone_kpis(hand, as_of="2024-06-01").set_index("zone_id")
    a = k.loc["A"]
    unit = hand.plots["area_ha"].iloc[0]  # one 100 m square, in ellipsoidal hectares
    assert a["plots"] == 4 and a["plots_free"] == 1 and a["plots_operating"] == 1
    assert a["projects"] == 2  # Bricks, Furniture (two plots)
    assert a["investment_kzt"] == 6e9
    assert a["jobs_planned"] == 60 and a["jobs_created"] == 35
    assert a["jobs_created_pct"] == pytest.approx(100 * 35 / 60)
    # plots: 1 + 1 + 1 + 4 units; free: 1 unit -> occupancy 6/7
    assert a["plots_area_ha"] == pytest.approx(7 * unit, rel=1e-5)
    assert a["occupancy_pct"] == pytest.approx(100 * 6 / 7, rel=1e-5)
    assert a["idle_plots"] == 1 and a["idle_ha"] == pytest.approx(unit, rel=1e-5)
    assert a["investment_per_budget_kzt"] == pytest.approx(6.0)
    b = k.loc["B"]
    assert b["idle_plots"] == 0  # build_by in 2026
    assert pd.isna(b["investment_per_budget_kzt"])
    assert a["area_ha"] == pytest.approx(100 * unit, rel=1e-5)


def test_zone_kpis_empty_zone_and_order(hand: zonegeo.Dataset) -> None:
    from dataclasses import replace

    ds = replace(hand, plots=hand.plots[hand.plots["zone_id"] != "B"])
    k = zonegeo.zone_kpis(ds, as_of="2024-06-01")
    assert k["zone_id"].tolist() == ["A", "B"]
    b = k.iloc[1]
    assert b["plots"] == 0 and b["investment_kzt"] == 0 and pd.isna(b["occupancy_pct"])


def test_district_kpis_with_total(hand: zonegeo.Dataset) -> None:
    d = zonegeo.district_kpis(hand, as_of="2024-06-01")
    assert d["district"].tolist() == ["Sauran", "Ordabasy", "Region total"]
    sauran = d.iloc[0]
    assert sauran["plots"] == 5  # includes the plot outside zones
    assert sauran["zones"] == 1
    assert sauran["idle_plots"] == 2  # A2 and X1
    total = d.iloc[-1]
    assert total["plots"] == 6 and total["projects"] == 4
    assert total["investment_kzt"] == pytest.approx(11.5e9)
    assert total["zones_ha"] == pytest.approx(d["zones_ha"].iloc[:2].sum())


def test_kpis_without_optional_plot_columns_report_unknown_figures(
    hand: zonegeo.Dataset,
) -> None:
    # an in-memory Dataset whose plots carry only the required columns
    # (docs/schema.md): the figures that need an absent column are missing
    # (unknown), never 0, and the others are unchanged
    from dataclasses import replace

    bare = replace(
        hand, plots=hand.plots[["plot_id", "district", "status", "geometry"]]
    )
    full = zonegeo.district_kpis(hand, as_of="2024-06-01")
    d = zonegeo.district_kpis(bare, as_of="2024-06-01")
    for col in (
        "projects",
        "investment_kzt",
        "jobs_planned",
        "jobs_created",
        "jobs_created_pct",
        "idle_plots",
        "idle_ha",
    ):
        assert d[col].isna().all(), col
    # Ordabasy's only plot B1 is allocated too: without build_by it may be idle
    for col in ("plots", "plots_free", "plots_allocated", "zones"):
        assert d[col].tolist() == full[col].tolist(), col
    assert d["plots_area_ha"].to_numpy() == pytest.approx(full["plots_area_ha"])
    assert d["occupancy_pct"].to_numpy() == pytest.approx(full["occupancy_pct"])
    assert str(d["idle_plots"].dtype) == "Int64"
    z = zonegeo.zone_kpis(bare, as_of="2024-06-01")  # no zone_id: plots not placed
    assert z["plots"].isna().all() and z["zone_id"].tolist() == ["A", "B"]


def test_idle_figures_unknown_where_an_allocated_plot_has_no_build_by(
    hand: zonegeo.Dataset,
) -> None:
    from dataclasses import replace

    plots = hand.plots.copy()
    plots.loc[plots["plot_id"] == "B1", "build_by"] = pd.NaT  # Ordabasy, allocated
    d = zonegeo.district_kpis(replace(hand, plots=plots), as_of="2024-06-01")
    d = d.set_index("district")
    assert d.loc["Sauran", "idle_plots"] == 2  # known: A2 and X1
    assert pd.isna(d.loc["Ordabasy", "idle_plots"])
    assert pd.isna(d.loc["Ordabasy", "idle_ha"])
    assert pd.isna(d.loc["Region total", "idle_plots"])
    assert d.loc["Region total", "plots"] == 6
