"""Plot areas and idle plots (zonegeo.parcels)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

import zonegeo
from zonegeo.errors import SchemaError, ValidationError


def test_area_ha_hand_computed(tiny_plots: gpd.GeoDataFrame) -> None:
    area = zonegeo.area_ha(tiny_plots)
    # A 100 m square in UTM 42N near 68 E: 1 ha over the squared scale factor.
    geod = Geod(ellps="WGS84")
    expect = [
        abs(geod.geometry_area_perimeter(g)[0]) / 1e4
        for g in tiny_plots.to_crs(4326).geometry
    ]
    assert area.tolist() == pytest.approx(expect, rel=1e-6)
    assert area.iloc[0] == pytest.approx(1.0, rel=2e-3)
    pd.testing.assert_index_equal(area.index, tiny_plots.index)


@pytest.mark.parametrize(
    "index", [pd.RangeIndex(2), pd.Index(["a", "b"]), pd.Index([10, 3])]
)
def test_area_ha_keeps_index(tiny_plots: gpd.GeoDataFrame, index: pd.Index) -> None:
    plots = tiny_plots.set_axis(index)
    assert zonegeo.area_ha(plots).index.equals(index)


def test_area_ha_needs_crs() -> None:
    with pytest.raises(ValidationError, match="no CRS"):
        zonegeo.area_ha(gpd.GeoSeries([box(0, 0, 1, 1)]))


def test_idle_plots(tiny_plots: gpd.GeoDataFrame) -> None:
    idle = zonegeo.idle_plots(tiny_plots, as_of="2024-02-01")
    assert idle["plot_id"].tolist() == ["P-2"]
    assert idle["days_overdue"].tolist() == [22]
    assert idle.index.tolist() == [1]
    assert zonegeo.idle_plots(tiny_plots, as_of="2024-02-01", grace_days=30).empty
    assert zonegeo.idle_plots(
        tiny_plots, as_of="2024-01-10"
    ).empty  # deadline day itself


def test_idle_plots_order_and_status(tiny_plots: gpd.GeoDataFrame) -> None:
    more = pd.concat(
        [
            tiny_plots,
            tiny_plots.assign(
                plot_id=["P-3", "P-4"],
                build_by=pd.to_datetime(["2023-01-01", "2023-06-01"]),
                status=["allocated", "construction"],
            ),
        ],
        ignore_index=True,
    )
    idle = zonegeo.idle_plots(more, as_of="2024-02-01")
    assert idle["plot_id"].tolist() == [
        "P-3",
        "P-2",
    ]  # most overdue first; construction is not idle


def test_idle_plots_bad_input(tiny_plots: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValidationError, match=r"as_of='soon' is not a date"):
        zonegeo.idle_plots(tiny_plots, as_of="soon")
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['build_by'\]"):
        zonegeo.idle_plots(tiny_plots.drop(columns="build_by"))
    with pytest.raises(ValidationError, match="grace_days must be 0 or more"):
        zonegeo.idle_plots(tiny_plots, grace_days=-1)
