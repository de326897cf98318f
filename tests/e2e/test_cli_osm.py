"""``zonegeo osm`` end to end: extract -> infrastructure -> distances -> map."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

import zonegeo
from tests import osm_data
from tests._need import need

pytestmark = pytest.mark.e2e


def _zonegeo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zonegeo", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """A dataset folder in the extract's area: one district, one zone, three plots."""
    folder = tmp_path / "region"
    folder.mkdir()
    gpd.GeoDataFrame(
        {"district": ["Sauran"], "name_kk": ["Сауран ауданы"]},
        geometry=[osm_data.BOUNDARY],
        crs=4326,
    ).to_file(folder / "districts.gpkg")
    gpd.GeoDataFrame(
        {"zone_id": ["Z-1"], "name": ["Shornak site"], "district": ["Sauran"],
         "kind": ["small_site"]},
        geometry=[shapely.box(68.049, 43.3525, 68.081, 43.3575)],
        crs=4326,
    ).to_file(folder / "zones.gpkg")  # fmt: skip
    gpd.GeoDataFrame(
        {
            "plot_id": ["P-1", "P-2", "P-3"],
            "zone_id": ["Z-1"] * 3,
            "district": ["Sauran"] * 3,
            "status": ["free", "allocated", "operating"],
        },
        geometry=[
            shapely.box(68.05 + 0.01 * i, 43.354, 68.051 + 0.01 * i, 43.355)
            for i in range(3)
        ],
        crs=4326,
    ).to_file(folder / "plots.gpkg")
    return folder


def test_osm_then_distances_then_map(tmp_path: Path, region: Path) -> None:
    need("osmium")
    extract = osm_data.write_pbf(tmp_path / "sauran.osm.pbf")
    infra_path = region / "infrastructure.gpkg"
    proc = _zonegeo(
        "osm", str(extract), "--boundary", str(region / "districts.gpkg"),
        "-o", str(infra_path), "--settlements", str(region / "settlements.gpkg"),
        "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    # the summary per kind, with subtypes
    assert "road                6  (primary 2" in proc.stderr
    assert "rail                2" in proc.stderr
    assert "settlement          5  (2 with population)" in proc.stderr
    infra = zonegeo.read_infrastructure(infra_path)
    assert set(infra["infra_id"]) == set(osm_data.EXPECTED_INFRA)
    towns = zonegeo.read_settlements(region / "settlements.gpkg")
    assert set(towns["district"]) == {"Sauran"}

    out = tmp_path / "distances.gpkg"
    proc = _zonegeo(
        "distances", str(region / "plots.gpkg"), str(infra_path), "-o", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "gas, electricity, water, road, rail" in proc.stderr
    d = gpd.read_file(out)
    # plot P-1 (68.050-68.051 E, 43.354-43.355 N): the tertiary road runs along
    # 43.348 N, the railway along 43.360 N, with vertices every 0.02 degrees
    geod = pyproj.Geod(ellps="WGS84")
    assert list(d["nearest_road_id"]) == ["osm:way/110"] * 3
    assert list(d["nearest_rail_id"]) == ["osm:way/112"] * 3
    np.testing.assert_allclose(
        d["dist_road_m"], geod.inv(68.05, 43.354, 68.05, 43.348)[2], rtol=1e-3
    )
    np.testing.assert_allclose(
        d["dist_rail_m"], geod.inv(68.05, 43.355, 68.05, 43.360)[2], rtol=1e-3
    )
    assert "cost_road_kzt" not in d and d["cost_total_kzt"].notna().all()

    # the map of the district, plots coloured by their distance to a road
    plots = d.drop(columns=[c for c in d.columns if c.startswith("cost_")])
    plots.to_file(region / "plots.gpkg")
    html = tmp_path / "sauran.html"
    proc = _zonegeo(
        "map", "--data", str(region), "--district", "Sauran", "--color-by",
        "dist_road_m", "--basemap", "none", "--lang", "kk", "-o", str(html),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    page = html.read_text(encoding="utf-8")
    assert "zg-infra-road" in page and "zg-infra-rail" in page
    assert '"Жол"' in page and '"Темір жол"' in page
    assert "Gas station &lt;GRS&gt;" in page and "<GRS>" not in page


def test_osm_bbox_kinds_and_errors(tmp_path: Path) -> None:
    extract = osm_data.write_xml(tmp_path / "sauran.osm")
    out = tmp_path / "roads.geojson"
    proc = _zonegeo(
        "osm", str(extract), "--bbox", "68,43.3,68.1,43.4", "--kinds", "road,rail",
        "-o", str(out), "--no-progress", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    got = gpd.read_file(out)
    assert set(got["kind"]) == {"road", "rail"} and len(got) == 8
    assert "settlements not written" not in proc.stderr
    # a file that is not OSM data: a clear message, exit 1, no traceback, no output
    bad = tmp_path / "kazakhstan-latest.osm.pbf"
    bad.write_text("<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    proc = _zonegeo("osm", str(bad), "-o", str(tmp_path / "x.gpkg"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert (
        "kazakhstan-latest.osm.pbf: cannot be read as OpenStreetMap data" in proc.stderr
    )
    assert not (tmp_path / "x.gpkg").exists()
    # usage errors
    proc = _zonegeo(
        "osm", str(extract), "--bbox", "68,43", "-o", str(tmp_path / "y.gpkg"),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2 and "W,S,E,N" in proc.stderr
    proc = _zonegeo(
        "osm", str(extract), "--kinds", "power", "-o", str(tmp_path / "y.gpkg"),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and "unknown kind(s) ['power']" in proc.stderr
    assert not list(tmp_path.glob("y*"))
