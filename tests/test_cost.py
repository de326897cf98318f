"""Tests of zonegeo.access.cost: connection costs from distances and unit costs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

import zonegeo
from zonegeo.access.cost import (
    DEFAULT_UNIT_COSTS,
    UnitCost,
    connection_costs,
    load_unit_costs,
)
from zonegeo.errors import SchemaError, ValidationError


@pytest.fixture
def distances() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plot_id": ["A", "B", "C"],
            "dist_gas_m": [250.0, 0.0, np.nan],
            "dist_electricity_m": [2000.0, 500.0, 100.0],
        },
        index=pd.Index([7, 3, 11], name="row"),
    )


def test_hand_computed_with_defaults(distances):
    out = connection_costs(distances)
    gas, el = DEFAULT_UNIT_COSTS["gas"], DEFAULT_UNIT_COSTS["electricity"]
    assert out["cost_gas_kzt"].iloc[0] == 0.25 * gas.per_km_kzt + gas.fixed_kzt
    # Touching: the fixed charge alone.
    assert out["cost_gas_kzt"].iloc[1] == gas.fixed_kzt
    assert np.isnan(out["cost_gas_kzt"].iloc[2])
    assert out["cost_electricity_kzt"].tolist() == [
        2.0 * el.per_km_kzt + el.fixed_kzt,
        0.5 * el.per_km_kzt + el.fixed_kzt,
        0.1 * el.per_km_kzt + el.fixed_kzt,
    ]
    assert out["cost_total_kzt"].iloc[0] == (
        out["cost_gas_kzt"].iloc[0] + out["cost_electricity_kzt"].iloc[0]
    )
    # An unreachable kind makes the total unknown.
    assert np.isnan(out["cost_total_kzt"].iloc[2])
    assert "cost_water_kzt" not in out.columns


def test_frame_contract(distances):
    before = distances.copy()
    out = connection_costs(distances)
    pd.testing.assert_frame_equal(distances, before)
    assert out.index.equals(distances.index)
    assert list(out.columns[:3]) == list(distances.columns)
    assert list(out.columns[3:]) == [
        "cost_gas_kzt",
        "cost_electricity_kzt",
        "cost_total_kzt",
    ]


def test_geodataframe_in_geodataframe_out(tiny_plots, tiny_infrastructure):
    d = zonegeo.infrastructure_distances(tiny_plots, tiny_infrastructure)
    out = zonegeo.connection_costs(
        d, unit_costs={"gas": {"per_km_kzt": 1e6, "fixed_kzt": 0}}
    )
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == tiny_plots.crs
    assert_geodataframe_equal(out[d.columns], d)
    # 250.07 m of pipe at 1 M KZT/km.
    assert out["cost_gas_kzt"].iloc[0] == pytest.approx(250_069.2, abs=0.1)


def test_mapping_override_keeps_other_defaults():
    costs = load_unit_costs({"water": {"fixed_kzt": 0}, "gas": UnitCost(1.0, 2.0)})
    assert costs["water"] == UnitCost(
        DEFAULT_UNIT_COSTS["water"].per_km_kzt, 0.0, "unit_costs"
    )
    assert costs["gas"] == UnitCost(1.0, 2.0)
    assert costs["electricity"] == DEFAULT_UNIT_COSTS["electricity"]
    assert load_unit_costs() == dict(DEFAULT_UNIT_COSTS)


@pytest.mark.parametrize("under_table", [False, True])
def test_toml_file(tmp_path, distances, under_table):
    prefix = "unit_costs." if under_table else ""
    path = tmp_path / "costs.toml"
    path.write_text(
        f"[{prefix}gas]\nper_km_kzt = 40_000_000\nfixed_kzt = 0\n"
        f'source = "utility TU 2025"\n\n[{prefix}electricity]\nper_km_kzt = 1e7\n',
        encoding="utf-8",
    )
    costs = load_unit_costs(path)
    assert costs["gas"] == UnitCost(40e6, 0.0, "utility TU 2025")
    assert costs["electricity"].per_km_kzt == 1e7
    assert costs["electricity"].fixed_kzt == DEFAULT_UNIT_COSTS["electricity"].fixed_kzt
    out = connection_costs(distances, unit_costs=str(path))
    assert out["cost_gas_kzt"].iloc[0] == 10_000_000.0


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (
            {"sewage": {"per_km_kzt": 1}},
            r"unit_costs: unknown key 'sewage'; allowed keys: gas, electricity, water",
        ),
        (
            {"gas": {"per_km": 1}},
            r"unknown key gas\.per_km \(in 'gas'\); allowed keys: per_km_kzt, "
            r"fixed_kzt, source",
        ),
        (
            {"gas": {"per_km_kzt": -1}},
            r"gas\.per_km_kzt must be a number of tenge >= 0, got -1",
        ),
        ({"gas": {"fixed_kzt": "5"}}, r"gas\.fixed_kzt must be a number .* got '5'"),
        ({"gas": {"fixed_kzt": True}}, r"got True"),
        ({"gas": {"fixed_kzt": float("inf")}}, r"got inf"),
        ({"gas": 5}, r"'gas' must be a table with per_km_kzt and/or fixed_kzt, got 5"),
        (
            {"gas": {}, "unit_costs": {}},
            r"either at the top level or under \[unit_costs\]",
        ),
        ({"unit_costs": 3}, r"'unit_costs' must be a table of kinds"),
    ],
)
def test_bad_unit_costs_name_the_key(spec, match):
    with pytest.raises(ValidationError, match=match):
        load_unit_costs(spec)


def test_bad_toml_key_names_file_and_key(tmp_path):
    path = tmp_path / "costs.toml"
    path.write_text("[water]\nper_metre = 5\n", encoding="utf-8")
    with pytest.raises(
        ValidationError, match=rf"{path.name}: unknown key water\.per_metre"
    ):
        connection_costs(pd.DataFrame({"dist_water_m": [1.0]}), unit_costs=path)


def test_invalid_toml_and_missing_file(tmp_path):
    path = tmp_path / "costs.toml"
    path.write_text("[gas\nper_km_kzt = 1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"costs\.toml: not valid TOML"):
        load_unit_costs(path)
    with pytest.raises(ValidationError, match=r"nope\.toml: no such unit-cost file"):
        load_unit_costs(tmp_path / "nope.toml")


def test_no_distance_columns():
    with pytest.raises(
        SchemaError,
        match=r"needs distance columns .* found \['plot_id'\]"
        r".*run zonegeo\.infrastructure_distances",
    ):
        connection_costs(pd.DataFrame({"plot_id": ["A"]}))


def test_wrong_types():
    with pytest.raises(TypeError, match="must be a \\(Geo\\)DataFrame, got list"):
        connection_costs([1, 2])
    with pytest.raises(TypeError, match="a TOML path or None, got int"):
        load_unit_costs(5)


def test_defaults_are_documented_as_illustrative():
    for kind, cost in DEFAULT_UNIT_COSTS.items():
        assert cost.source.startswith("illustrative"), kind
        assert cost.per_km_kzt > 0 and cost.fixed_kzt > 0
    doc = (zonegeo.access.cost.__doc__ or "") + (connection_costs.__doc__ or "")
    assert "illustrative" in doc
