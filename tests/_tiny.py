"""A tiny hand-built dataset with known answers, for registry, PostGIS and report tests.

One district (Sauran), one zone (Z-1, budget 2 bn KZT), four 100 m x 100 m
plots (1 ha each in UTM 42N) and two infrastructure features:

========  ============  ==========  ==========  =========================
plot_id   status        build_by    investor    idle as of 2024-06-01
========  ============  ==========  ==========  =========================
P-1       free          -           -           no
P-2       allocated     2024-01-10  Acme <b>    yes, 143 days overdue
P-3       allocated     2025-01-01  Steppe Ltd  no (deadline ahead)
P-4       construction  2023-05-01  Ordabasy    no (building)
========  ============  ==========  ==========  =========================
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from zonegeo.dataset import Dataset
from zonegeo.io.validate import validate_layer

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0
AS_OF = "2024-06-01"


def _frame(data: dict, geoms: list, layer: str) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(data, geometry=geoms, crs=UTM42)
    return validate_layer(gdf, layer, source=f"tiny {layer}")


def tiny_plots() -> gpd.GeoDataFrame:
    """The four plots, validated (EPSG:4326, area_ha computed)."""
    geoms = [box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(4)]
    return _frame(
        {
            "plot_id": ["P-1", "P-2", "P-3", "P-4"],
            "zone_id": ["Z-1"] * 4,
            "district": ["Sauran"] * 4,
            "status": ["free", "allocated", "allocated", "construction"],
            "investor": [None, "Acme <b>LLP</b>", "Steppe Ltd", "Ordabasy Agro"],
            "project": [None, "Bricks & Tiles", "Cotton mill", "Greenhouse"],
            "sector": [None, "construction materials", "textiles", "agriculture"],
            "investment_kzt": [None, 1.5e9, 4.0e9, 2.5e9],
            "jobs_planned": [None, 40, 120, 60],
            "jobs_created": [None, 0, 0, 15],
            "allocated_on": pd.to_datetime(
                [None, "2023-01-10", "2024-02-01", "2022-05-01"]
            ),
            "build_by": pd.to_datetime(
                [None, "2024-01-10", "2025-01-01", "2023-05-01"]
            ),
        },
        geoms,
        "plots",
    )


def tiny_dataset() -> Dataset:
    """The whole tiny dataset, every layer validated."""
    districts = _frame(
        {"district": ["Sauran"], "name_kk": ["Сауран"], "status": ["district"]},
        [box(X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000)],
        "districts",
    )
    zones = _frame(
        {
            "zone_id": ["Z-1"],
            "name": ["Turkistan <industrial> zone"],
            "district": ["Sauran"],
            "kind": ["regional"],
            "established": [2019],
            "budget_kzt": [2.0e9],
        },
        [box(X0 - 100, Y0 - 100, X0 + 900, Y0 + 300)],
        "zones",
    )
    infrastructure = _frame(
        {
            "infra_id": ["G-1", "E-1"],
            "kind": ["gas", "electricity"],
            "subtype": ["gas_pipeline", "substation"],
            "name": ["Pipe", "Sub"],
            "capacity": [1000.0, 16000.0],
            "spare_capacity": [200.0, 4000.0],
            "unit": ["m3/h", "kW"],
        },
        [
            LineString([(X0 - 2000, Y0 - 250), (X0 + 2000, Y0 - 250)]),
            Point(X0 + 3000, Y0),
        ],
        "infrastructure",
    )
    settlements = _frame(
        {"name": ["Sauran village"], "population": [5200.0], "district": ["Sauran"]},
        [Point(X0 - 3000, Y0 + 1000)],
        "settlements",
    )
    exclusions = _frame(
        {"name": ["Sauran ruins"], "reason": ["heritage site"], "buffer_m": [500.0]},
        [box(X0 - 4000, Y0 + 2000, X0 - 3000, Y0 + 3000)],
        "exclusions",
    )
    return Dataset(
        districts=districts,
        zones=zones,
        plots=tiny_plots(),
        infrastructure=infrastructure,
        settlements=settlements,
        exclusions=exclusions,
        source="tiny",
    )
