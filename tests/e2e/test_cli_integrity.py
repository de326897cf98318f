"""The command line on office data with broken links or misplaced plots.

Districts are looked up by any of their names; a dataset whose plots name an
unknown district, or lie where their CRS cannot be right, is a clean error
(exit 1, no traceback, nothing written).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from shapely.geometry import box

import zonegeo
from tests.test_integrity import relabel, write_folder
from tests.test_location import _write, demo_folder
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("name", ["Сауран", "Sauran district", "Сауранский район"])
def test_map_district_by_kazakh_or_russian_name(tmp_path: Path, name: str) -> None:
    out = tmp_path / "sauran.html"
    result = _run(
        "map",
        "--district",
        name,
        "-o",
        str(out),
        "--basemap",
        "none",
        "--as-of",
        "2025-02-01",
    )
    assert result.exit_code == 0, result.output
    assert "SAU-KAR-001" in out.read_text(encoding="utf-8")


def test_map_unknown_name_suggests_in_kazakh(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = _run("map", "--district", "Сарыаган", "-o", str(out))
    assert result.exit_code == 1
    assert "Did you mean 'Saryagash' (Kazakh name_kk 'Сарыағаш')" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_report_refuses_kazakh_district_names(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    folder = write_folder(
        relabel(demo, "plots", "district", "Saryagash", "Сарыағаш"), tmp_path / "kk"
    )
    out = tmp_path / "kpis.xlsx"
    result = _run("report", "-o", str(out), "--data", str(folder))
    assert result.exit_code == 1, result.output
    assert "error: " in result.output
    assert "'Сарыағаш' in 29 row(s)" in result.output
    assert "it is 'Saryagash' (Kazakh name_kk 'Сарыағаш')" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_map_refuses_a_wrong_prj(demo: zonegeo.Dataset, tmp_path: Path) -> None:
    plots = demo.plots.to_crs(32642).set_crs(32641, allow_override=True)
    folder = demo_folder(tmp_path, plots)
    out = tmp_path / "m.html"
    result = _run("map", "--district", "Sauran", "-o", str(out), "--data", str(folder))
    assert result.exit_code == 1, result.output
    assert "error: " in result.output
    assert "would fit EPSG:32642, not the declared EPSG:32641" in result.output
    assert not out.exists()


def test_distances_refuses_a_plot_in_london(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    """The London plot was measured (4,057 km to gas) and its cost summed."""
    plots = demo.plots.head(5).copy()
    plots.loc[plots.index[0], "geometry"] = box(-0.13, 51.50, -0.125, 51.503)
    plots_path = _write(plots, tmp_path / "plots.gpkg")
    infra_path = _write(demo.infrastructure, tmp_path / "infra.gpkg")
    out = tmp_path / "d.gpkg"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "distances",
            str(plots_path),
            str(infra_path),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "1 row(s) lie outside Kazakhstan" in proc.stderr
    assert "plot_id=TRK-RZ-001 at lon -0.1" in proc.stderr
    assert "Traceback" not in proc.stderr and not out.exists()
