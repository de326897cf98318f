"""Shared fixtures: the demo dataset and tiny layers with hand-computable answers."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

import zonegeo

# Fixture plugins contributed by topic modules (one line each).
pytest_plugins: list[str] = ["tests.pg"]

UTM42 = "EPSG:32642"
#: A false origin inside UTM 42N near Turkistan city (metres).
X0, Y0 = 600_000.0, 4_790_000.0


@pytest.fixture(scope="session")
def demo() -> zonegeo.Dataset:
    """The bundled demo dataset (read once per session)."""
    return zonegeo.load_demo()


@pytest.fixture
def tiny_plots() -> gpd.GeoDataFrame:
    """Two 100 m squares in UTM 42N, 250 m and 1,000 m north of a gas pipe at y=Y0."""
    geoms = [
        box(X0, Y0 + 250, X0 + 100, Y0 + 350),
        box(X0 + 500, Y0 + 1000, X0 + 600, Y0 + 1100),
    ]
    return gpd.GeoDataFrame(
        {
            "plot_id": ["P-1", "P-2"],
            "zone_id": ["Z-1", "Z-1"],
            "district": ["Sauran", "Sauran"],
            "status": ["free", "allocated"],
            "investor": [None, "Acme <b>LLP</b>"],
            "project": [None, "Bricks"],
            "sector": [None, "construction materials"],
            "investment_kzt": [None, 1.5e9],
            "jobs_planned": [0, 40],
            "jobs_created": [0, 0],
            "allocated_on": pd.to_datetime([None, "2023-01-10"]),
            "build_by": pd.to_datetime([None, "2024-01-10"]),
        },
        geometry=geoms,
        crs=UTM42,
    )


@pytest.fixture
def tiny_infrastructure() -> gpd.GeoDataFrame:
    """A gas pipe along y=Y0, a substation 2 km east, a water intake 3 km north."""
    return gpd.GeoDataFrame(
        {
            "infra_id": ["G-1", "E-1", "W-1"],
            "kind": ["gas", "electricity", "water"],
            "subtype": ["gas_pipeline", "substation", "water_intake"],
        },
        geometry=[
            LineString([(X0 - 5000, Y0), (X0 + 5000, Y0)]),
            Point(X0 + 2100, Y0 + 300),
            Point(X0 + 50, Y0 + 3350),
        ],
        crs=UTM42,
    )
