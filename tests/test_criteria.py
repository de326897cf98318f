"""Criteria, sanitary zones and exclusion rules, on tiny hand-built layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from zonegeo import Criterion, SchemaError, ValidationError
from zonegeo.siting.criteria import (
    SANITARY_SOURCE,
    SANITARY_WIDTHS_M,
    apply_exclusions,
    exclusion_zones,
    hazard_class_number,
    roman,
    sanitary_width_m,
)

UTM = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0
EXCL_TEXT = (
    "exclusion 'Sauran ancient settlement' (archaeological site) with its 100 m buffer"
)


def test_criterion_is_frozen_and_normalised() -> None:
    c = Criterion("dist_gas_m", 2, better="lower")
    assert c.weight == 2.0 and isinstance(c.weight, float)
    assert not c.higher_is_better
    assert Criterion("area_ha", better="higher").weight == 1.0
    with pytest.raises(AttributeError):
        c.weight = 3.0  # type: ignore[misc]
    assert c == Criterion("dist_gas_m", 2.0, better="lower")
    assert hash(c) == hash(Criterion("dist_gas_m", 2.0, better="lower"))


def test_criterion_errors() -> None:
    with pytest.raises(
        ValidationError,
        match=r"better='Lower' is not allowed.*Did you "
        r"mean 'lower'",
    ):
        Criterion("x", better="Lower")
    with pytest.raises(ValidationError, match=r"weight of criterion 'x' is inf"):
        Criterion("x", float("inf"), better="lower")
    with pytest.raises(
        TypeError,
        match=r"weight of criterion 'x' must be a number, got "
        r"str '2'",
    ):
        Criterion("x", "2", better="lower")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="non-empty string"):
        Criterion("", better="lower")


def test_sanitary_widths_and_source() -> None:
    assert dict(SANITARY_WIDTHS_M) == {1: 1000, 2: 500, 3: 300, 4: 100, 5: 50}
    assert "ҚР ДСМ-2" in SANITARY_SOURCE and "11 January 2022" in SANITARY_SOURCE
    with pytest.raises(TypeError):
        SANITARY_WIDTHS_M[1] = 2000  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "number"),
    [(1, 1), ("I", 1), ("ii", 2), ("class III", 3), ("4", 4), (np.int64(5), 5)],
)
def test_hazard_class_number(value, number) -> None:
    assert hazard_class_number(value) == number


@pytest.mark.parametrize("value", [0, 6, "VI", "three", True, 2.5, None])
def test_hazard_class_errors(value) -> None:
    with pytest.raises(ValidationError, match=r"use 1-5 or I-V"):
        hazard_class_number(value)


def test_sanitary_width_override() -> None:
    assert sanitary_width_m("III") == 300.0
    assert sanitary_width_m(3, widths={3: 450}) == 450.0
    assert roman(4) == "IV"
    with pytest.raises(
        ValidationError, match="no sanitary zone width for hazard class II"
    ):
        sanitary_width_m(2, widths={3: 450})
    with pytest.raises(ValidationError, match="it must be >= 0 m"):
        sanitary_width_m(2, widths={2: -5})


@pytest.fixture
def layers():
    """A settlement, an exclusion polygon with a 100 m buffer, an existing zone."""
    settlements = gpd.GeoDataFrame(
        {"name": ["Shornak", "Babaykurgan"]},
        geometry=[Point(X0, Y0), Point(X0 + 20_000, Y0)],
        crs=UTM,
    )
    exclusions = gpd.GeoDataFrame(
        {
            "name": ["Sauran ancient settlement"],
            "reason": ["archaeological site"],
            "buffer_m": [100.0],
        },
        geometry=[box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)],
        crs=UTM,
    )
    zones = gpd.GeoDataFrame(
        {"zone_id": ["SZ-1"], "name": ["Sauran small site"]},
        geometry=[box(X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000)],
        crs=UTM,
    )
    return settlements, exclusions, zones


def _site(x0: float, y0: float, size: float = 100.0):
    return box(x0, y0, x0 + size, y0 + size)


def test_exclusion_zone_texts(layers) -> None:
    settlements, exclusions, zones = layers
    z = exclusion_zones(
        crs=UTM,
        exclusions=exclusions,
        settlements=settlements,
        zones=zones,
        hazard_class="II",
    )
    assert z["rule"].tolist() == ["exclusion", "sanitary", "sanitary", "existing_zone"]
    assert z["because"].tolist() == [
        EXCL_TEXT,
        "sanitary zone class II (500 m) of settlement 'Shornak'",
        "sanitary zone class II (500 m) of settlement 'Babaykurgan'",
        "existing zone 'Sauran small site' (SZ-1)",
    ]
    assert z["distance_m"].tolist() == [100.0, 500.0, 500.0, 0.0]
    assert z.crs == UTM


def test_no_hazard_class_means_no_sanitary_zone(layers) -> None:
    settlements, _, _ = layers
    assert len(exclusion_zones(crs=UTM, settlements=settlements)) == 0
    empty = exclusion_zones(crs=UTM)
    assert len(empty) == 0 and list(empty.columns) == [
        "rule",
        "distance_m",
        "because",
        "geometry",
    ]


def test_sanitary_boundary_is_strict(layers) -> None:
    """A site exactly 500 m away is allowed; 499 m is not (class II)."""
    settlements, _, _ = layers
    z = exclusion_zones(crs=UTM, settlements=settlements.iloc[:1], hazard_class=2)
    sites = gpd.GeoDataFrame(
        geometry=[
            _site(X0 + 500, Y0 - 50),
            _site(X0 + 499, Y0 - 50),
            _site(X0 - 30, Y0 - 30),
        ],
        crs=UTM,
    )
    out = apply_exclusions(sites, z)
    assert out["eligible"].tolist() == [True, False, False]
    assert out["excluded_because"].tolist() == [
        "",
        "sanitary zone class II (500 m) of settlement 'Shornak'",
        "sanitary zone class II (500 m) of settlement 'Shornak'",
    ]


def test_exclusion_buffer_and_zone_overlap(layers) -> None:
    settlements, exclusions, zones = layers
    z = exclusion_zones(
        crs=UTM,
        exclusions=exclusions,
        settlements=settlements,
        zones=zones,
        hazard_class=5,
    )
    sites = gpd.GeoDataFrame(
        {"site": ["in buffer", "clear", "touches zone", "in zone", "far"]},
        geometry=[
            _site(X0 + 4850, Y0 + 100),  # 50 m west of the exclusion: inside its buffer
            _site(X0 + 4750, Y0 + 100),  # 150 m west: clear
            _site(X0 + 9900, Y0 + 100),  # shares the zone's west edge only
            _site(X0 + 10_500, Y0 + 100),
            _site(X0 + 30_000, Y0),
        ],
        crs=UTM,
    )
    out = apply_exclusions(sites, z)
    assert out["eligible"].tolist() == [False, True, True, False, True]
    assert out["excluded_because"].iloc[0] == EXCL_TEXT
    assert out["excluded_because"].iloc[3] == "existing zone 'Sauran small site' (SZ-1)"


def test_apply_exclusions_keeps_index_crs_and_input(layers) -> None:
    settlements, exclusions, zones = layers
    z = exclusion_zones(
        crs=UTM,
        exclusions=exclusions,
        settlements=settlements,
        zones=zones,
        hazard_class=1,
    )
    sites = gpd.GeoDataFrame(
        {"eligible": [True, False, True]},
        geometry=[
            _site(X0 + 200, Y0),
            _site(X0 + 40_000, Y0),
            _site(X0 + 40_000, Y0 + 5000),
        ],
        index=["a", "b", "c"],
        crs=UTM,
    ).to_crs(4326)
    before = sites.copy()
    out = apply_exclusions(sites, z)
    pd.testing.assert_index_equal(out.index, sites.index)
    assert out.crs == sites.crs
    assert before.equals(sites)
    # An existing eligible=False stays False (with no new reason).
    assert out["eligible"].tolist() == [False, False, True]
    assert out["excluded_because"].tolist()[1:] == ["", ""]


def test_many_reasons_are_capped() -> None:
    villages = gpd.GeoDataFrame(
        {"name": [f"V{i}" for i in range(5)]},
        geometry=[Point(X0 + 10 * i, Y0) for i in range(5)],
        crs=UTM,
    )
    z = exclusion_zones(crs=UTM, settlements=villages, hazard_class=1)
    out = apply_exclusions(gpd.GeoDataFrame(geometry=[_site(X0, Y0 + 10)], crs=UTM), z)
    text = out["excluded_because"].iloc[0]
    assert text.endswith("; and 2 more")
    assert text.count("sanitary zone class I (1,000 m)") == 3


def test_exclusion_errors(layers) -> None:
    settlements, exclusions, _ = layers
    bad = exclusions.assign(buffer_m=[-5.0])
    with pytest.raises(
        ValidationError,
        match=r"buffer_m must be >= 0 m; found \[-5.0\] "
        r"for \['Sauran ancient settlement'\]",
    ):
        exclusion_zones(crs=UTM, exclusions=bad)
    with pytest.raises(ValidationError, match="exclusions have no CRS"):
        exclusion_zones(
            crs=UTM, exclusions=exclusions.set_crs(None, allow_override=True)
        )
    sites = gpd.GeoDataFrame({"eligible": ["maybe"]}, geometry=[_site(X0, Y0)], crs=UTM)
    with pytest.raises(
        SchemaError,
        match=r"'eligible' must hold True/False only; found "
        r"'maybe'",
    ):
        apply_exclusions(sites, exclusion_zones(crs=UTM))
