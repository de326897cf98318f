"""``zonegeo rank --scenario FILE -o OUT``: outputs, formats and clean errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

import zonegeo
from tests._need import need
from tests.test_candidates import dataset  # noqa: F401  (fixture)
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAURAN = ROOT / "scenarios" / "sauran_50ha_topsis.toml"
ORDABASY = ROOT / "scenarios" / "ordabasy_small_site_wsm.toml"


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_rank_writes_a_geopackage_with_python_m(tmp_path: Path) -> None:
    out = tmp_path / "ranking.gpkg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "rank",
            "--scenario",
            str(SAURAN),
            "-o",
            str(out),
            "--top",
            "3",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "candidate sites in Sauran" in proc.stderr and str(out) in proc.stderr
    assert "candidate_id" in proc.stdout and "Sauran-T" in proc.stdout
    ranked = gpd.read_file(out)
    assert ranked.crs.to_epsg() == 4326
    assert ranked["rank"].iloc[0] == 1
    assert ranked["rank"].dropna().is_monotonic_increasing
    assert {
        "score",
        "eligible",
        "excluded_because",
        "contrib_dist_gas_m",
        "p_top1",
        "rank_p95",
        "population_within_15km",
    } <= set(ranked.columns)
    assert (~ranked["eligible"]).any()
    assert (
        ranked["excluded_because"]
        .str.contains("Shornak irrigated fields (illustrative)", regex=False)
        .any()
    )
    assert not list(tmp_path.glob(".ranking.*"))  # no temporary file left


def test_rank_writes_csv_and_xlsx(tmp_path: Path) -> None:
    need("openpyxl")
    csv = tmp_path / "ranking.csv"
    result = _run("rank", "--scenario", str(ORDABASY), "-o", str(csv), "--top", "0")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(csv)
    assert "wkt" in table.columns and table["wkt"].str.startswith("POLYGON").all()
    assert table["rank"].iloc[0] == 1

    xlsx = tmp_path / "ranking.xlsx"
    result = _run("rank", "--scenario", str(ORDABASY), "-o", str(xlsx))
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert list(sheets) == ["ranking", "about"]
    assert len(sheets["ranking"]) == len(table)
    about = dict(zip(sheets["about"]["item"], sheets["about"]["value"], strict=True))
    assert about["scenario.method"] == "wsm"
    assert about["normalisation"] == "minmax"
    assert float(about["ahp.consistency_ratio"]) == pytest.approx(0.0115, abs=1e-4)
    assert "weight.dist_electricity_m (lower is better)" in about
    assert "ҚР ДСМ-2" in about["sanitary_source"]


def test_bad_scenario_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'district = "Sauran"\narea_ha = 50\nmethod = "topsys"\n'
        '[[criteria]]\ncolumn = "dist_gaz_m"\nbetter = "lower"\n',
        encoding="utf-8",
    )
    out = tmp_path / "ranking.gpkg"
    result = _run("rank", "--scenario", str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "2 problems in the scenario" in result.output
    assert "criteria[0].column: 'dist_gaz_m'" in result.output
    assert "did you mean 'dist_gas_m'?" in result.output
    assert "method: unknown method 'topsys'" in result.output
    assert not out.exists()


def test_missing_scenario_and_unknown_district(tmp_path: Path) -> None:
    result = _run(
        "rank",
        "--scenario",
        str(tmp_path / "nope.toml"),
        "-o",
        str(tmp_path / "r.gpkg"),
    )
    assert result.exit_code == 1
    assert "scenario file not found" in result.output
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        'district = "Sauram"\narea_ha = 50\n[[criteria]]\n'
        'column = "dist_gas_m"\nbetter = "lower"\n',
        encoding="utf-8",
    )
    result = _run("rank", "--scenario", str(wrong), "-o", str(tmp_path / "r.gpkg"))
    assert result.exit_code == 1
    assert "unknown district 'Sauram'" in result.output
    assert "Known districts: " in result.output and "Sauran" in result.output
    assert not (tmp_path / "r.gpkg").exists()


def test_bad_output_extension_is_a_usage_error(tmp_path: Path) -> None:
    result = _run(
        "rank", "--scenario", str(SAURAN), "-o", str(tmp_path / "ranking.shp")
    )
    assert result.exit_code == 2
    assert ".gpkg, .csv, .xlsx" in result.output
    assert not (tmp_path / "ranking.shp").exists()


def test_rank_with_a_data_folder(tmp_path: Path, dataset) -> None:  # noqa: F811
    folder = tmp_path / "data"
    files = {
        "districts": "boundaries/districts",
        "zones": "plots/zones",
        "plots": "plots/plots",
        "infrastructure": "infrastructure/infrastructure",
        "settlements": "boundaries/settlements",
        "exclusions": "boundaries/exclusions",
    }
    for layer, stem in files.items():
        zonegeo.write_layer(getattr(dataset, layer), folder / f"{stem}.gpkg")
    scenario = tmp_path / "test.toml"
    scenario.write_text(
        'name = "Test"\ndistrict = "Testdistrict"\narea_ha = 20\nhazard_class = 2\n'
        '[[criteria]]\ncolumn = "dist_gas_m"\nbetter = "lower"\nweight = 2\n'
        '[[criteria]]\ncolumn = "dist_water_m"\nbetter = "lower"\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.geojson"
    result = _run(
        "rank", "--scenario", str(scenario), "-o", str(out), "--data", str(folder)
    )
    assert result.exit_code == 0, result.output
    ranked = gpd.read_file(out)
    assert (ranked["district"] == "Testdistrict").all()
    assert (
        ranked["excluded_because"]
        .str.contains("sanitary zone class II (500 m)", regex=False)
        .any()
    )
