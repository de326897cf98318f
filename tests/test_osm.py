"""zonegeo.read_osm on a small extract with a known feature of every mapped tag."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import zonegeo
from tests import osm_data
from tests._need import need
from zonegeo.errors import ValidationError
from zonegeo.io.osm import OSM_TAGS, read_osm


@pytest.fixture(scope="module", params=["osm", "osm.pbf"])
def extract(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("osm")
    if request.param == "osm":
        return osm_data.write_xml(folder / "test.osm")
    need("osmium")
    return osm_data.write_pbf(folder / "test.osm.pbf")


@pytest.fixture(scope="module")
def boundary() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"district": ["Sauran"]}, geometry=[osm_data.BOUNDARY], crs=4326
    )


@pytest.fixture(scope="module")
def layers(extract, boundary) -> dict[str, gpd.GeoDataFrame]:
    return read_osm(extract, boundary=boundary)


def test_every_mapped_tag_gives_its_kind_subtype_and_id(layers) -> None:
    infra = layers["infrastructure"]
    got = {
        i: (k, s, t)
        for i, k, s, t in zip(
            infra["infra_id"], infra["kind"], infra["subtype"], infra.geom_type,
            strict=True,
        )
    }  # fmt: skip
    assert got == osm_data.EXPECTED_INFRA
    # every value of the mapping table is exercised by the extract
    mapped = {(t.kind, v) for t in OSM_TAGS if t.kind != "settlement" for v in t.values}
    assert mapped == {(k, s) for k, s, _t in got.values()}


def test_unmapped_features_are_left_out(layers) -> None:
    ids = set(layers["infrastructure"]["infra_id"])
    # oil pipeline, residential street, sewage pumping station, a cafe
    assert not ids & {"osm:way/105", "osm:way/111", "osm:node/7", "osm:node/13"}


def test_infrastructure_is_valid_and_ordered(layers) -> None:
    from zonegeo.io.validate import validate_layer

    infra = layers["infrastructure"]
    again = validate_layer(infra, "infrastructure", source="test")
    assert list(again["infra_id"]) == list(infra["infra_id"])
    assert infra.crs.equals("EPSG:4326")
    kinds = list(dict.fromkeys(infra["kind"]))
    assert kinds == ["gas", "electricity", "water", "road", "rail"]
    assert infra["capacity"].isna().all() and infra["spare_capacity"].isna().all()
    assert infra.attrs["counts"] == {
        "gas": 3, "electricity": 7, "water": 6, "road": 6, "rail": 2, "settlement": 5
    }  # fmt: skip


def test_voltage_diameter_and_capacity_columns(layers) -> None:
    infra = layers["infrastructure"].set_index("infra_id")
    assert infra.loc["osm:way/100", "voltage_kv"] == 110.0  # "110000;35000"
    assert infra.loc["osm:way/101", "voltage_kv"] == 10.0
    assert np.isnan(infra.loc["osm:way/102", "voltage_kv"])
    assert infra.loc["osm:way/103", "diameter_mm"] == 530.0
    assert infra.loc["osm:way/122", "osm_capacity"] == "500"  # unit unknown: text


def test_names_are_kept_and_escaped_on_maps_later(layers) -> None:
    infra = layers["infrastructure"].set_index("infra_id")
    assert infra.loc["osm:node/3", "name"] == "Gas station <GRS>"
    assert infra.loc["osm:way/108", "name"] == "A-2"


def test_areas_become_their_outline(layers) -> None:
    infra = layers["infrastructure"].set_index("infra_id")
    ring = infra.loc["osm:way/120"].geometry
    assert ring.geom_type == "LineString" and ring.is_ring
    x0, y0, x1, y1 = ring.bounds
    assert (x0, y0) == pytest.approx((68.02, 43.38)) and x1 - x0 == pytest.approx(0.002)


def test_lines_are_cut_at_the_boundary(layers) -> None:
    infra = layers["infrastructure"].set_index("infra_id")
    cut = infra.loc["osm:way/113"].geometry
    assert cut.bounds[0] == pytest.approx(68.05)
    assert cut.bounds[2] == pytest.approx(68.10)  # the boundary's east edge
    assert shapely.covers(osm_data.BOUNDARY.buffer(1e-9), cut)


def test_clipping_by_bbox_and_without(extract) -> None:
    whole = read_osm(extract)
    far = whole["settlements"].set_index("name")
    assert "Outside" in far.index and far.loc["Outside", "population"] == 9000
    assert whole["infrastructure"].set_index("infra_id").loc[
        "osm:way/113"
    ].geometry.bounds[2] == pytest.approx(68.15)
    box = read_osm(extract, bbox=(68.0, 43.3, 68.1, 43.4))
    assert "Outside" not in set(box["settlements"]["name"])
    assert set(box["infrastructure"]["infra_id"]) == set(osm_data.EXPECTED_INFRA)


def test_settlements(layers) -> None:
    s = layers["settlements"].set_index("name")
    got = {
        n: (None if np.isnan(p) else p, pl)
        for n, p, pl in zip(s.index, s["population"], s["place"], strict=True)
    }
    assert got == osm_data.EXPECTED_SETTLEMENTS
    assert set(s.geom_type) == {"Point"}
    assert set(s["district"]) == {"Sauran"}
    assert s.loc["Шорнақ", "osm_id"] == "node/9"
    assert s.loc["Area village", "osm_id"] == "way/123"
    assert osm_data.BOUNDARY.covers(s.loc["Area village"].geometry)


def test_kinds_option(extract) -> None:
    out = read_osm(extract, kinds=["road", "rail"])
    assert set(out["infrastructure"]["kind"]) == {"road", "rail"}
    assert len(out["settlements"]) == 0
    only = read_osm(extract, kinds="settlement")
    assert len(only["infrastructure"]) == 0 and len(only["settlements"]) == 6
    with pytest.raises(ValidationError, match=r"unknown kind\(s\) \['power'\].*road"):
        read_osm(extract, kinds=["power"])


def test_ready_for_infrastructure_distances(layers) -> None:
    """A plot 0.01 degrees north of the primary road A-2 (way 108 at 43.344 N)."""
    plot = gpd.GeoDataFrame(
        {"plot_id": ["P-1"]},
        geometry=[shapely.box(68.05, 43.354, 68.051, 43.355)],
        crs=4326,
    )
    out = zonegeo.infrastructure_distances(plot, layers["infrastructure"])
    import pyproj

    truth = pyproj.Geod(ellps="WGS84").inv(68.05, 43.354, 68.05, 43.348)[2]
    # nearest road: tertiary way 110 at 43.348 N (0.006 degrees south, ~666 m)
    assert out["nearest_road_id"].iloc[0] == "osm:way/110"
    assert out["dist_road_m"].iloc[0] == pytest.approx(truth, rel=1e-4)
    assert out["nearest_rail_id"].iloc[0] == "osm:way/112"


@pytest.mark.parametrize(
    ("content", "name", "match"),
    [
        ("<html><body>Not found</body></html>", "kazakhstan.osm.pbf", "cannot be read"),
        ('{"type": "FeatureCollection", "features": []}', "roads.geojson",
         "not an OpenStreetMap file name"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_osm_is_refused(tmp_path, content, name, match) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError, match=match) as info:
        read_osm(path)
    assert name in str(info.value)


def test_missing_file_and_bad_options(tmp_path, extract, boundary) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        read_osm(tmp_path / "nowhere.osm.pbf")
    with pytest.raises(ValidationError, match="either boundary= or bbox="):
        read_osm(extract, boundary=boundary, bbox=(68, 43, 69, 44))
    with pytest.raises(ValidationError, match="west < east"):
        read_osm(extract, bbox=(69, 43, 68, 44))


def test_progress_callback_sees_every_step(extract) -> None:
    steps: list[str] = []
    read_osm(extract, progress=steps.append)
    assert steps == [
        "reading points",
        "reading lines",
        "reading multilinestrings",
        "reading multipolygons",
        "mapping tags",
        "done",
    ]


def test_tag_table_is_in_the_docs() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "data.md").read_text(
        encoding="utf-8"
    )
    for tag in OSM_TAGS:
        for value in tag.values:
            assert f"`{tag.key}={value}`" in text, (tag.key, value)
