"""Dataset folders, district subsets and the bundled demo (zonegeo.dataset)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import zonegeo
from zonegeo.datasets import get_path
from zonegeo.errors import UnknownDistrictError, ValidationError


def test_demo_has_every_layer(demo: zonegeo.Dataset) -> None:
    for name, layer in demo:
        assert layer.crs.to_epsg() == 4326, name
    assert len(demo.districts) == 17
    assert len(demo.settlements) > 0 and len(demo.exclusions) > 0
    assert "area_ha" in demo.plots.columns and "area_ha" in demo.zones.columns


def test_district_subset(demo: zonegeo.Dataset) -> None:
    sauran = demo.district("Sauran")
    assert sauran.districts["district"].tolist() == ["Sauran"]
    assert set(sauran.plots["district"]) == {"Sauran"}
    assert set(sauran.zones["district"]) == {"Sauran"}
    area = sauran.districts.geometry.iloc[0]
    assert sauran.infrastructure.intersects(area).all()
    assert len(sauran.infrastructure) > 0
    assert demo.district("sauran").districts["district"].tolist() == ["Sauran"]


def test_unknown_district_suggests(demo: zonegeo.Dataset) -> None:
    with pytest.raises(
        UnknownDistrictError,
        match=r"unknown district 'Sauram'.*Did you mean "
        r"[^?]*'Sauran'[^?]*\?.*Known districts: .*Ordabasy",
    ):
        demo.district("Sauram")
    with pytest.raises(UnknownDistrictError, match=r"Did you mean 'Ordabasy'\?"):
        demo.district("Ordabassy")


def test_read_dataset_folder_copy(tmp_path: Path) -> None:
    shutil.copytree(
        get_path("demo"), tmp_path / "d", ignore=shutil.ignore_patterns("*.py")
    )
    ds = zonegeo.read_dataset(tmp_path / "d")
    assert len(ds.plots) == len(zonegeo.load_demo().plots)
    (tmp_path / "d" / "plots" / "plots.gpkg").unlink()
    with pytest.raises(
        ValidationError, match=r"missing layers: plots \(looked for plots/plots"
    ):
        zonegeo.read_dataset(tmp_path / "d")
    with pytest.raises(ValidationError, match="not a folder"):
        zonegeo.read_dataset(tmp_path / "nothing")


def test_get_path_unknown() -> None:
    with pytest.raises(ValidationError, match=r"unknown dataset 'x'; available: demo"):
        get_path("x")
