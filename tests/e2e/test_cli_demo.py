"""The ``zonegeo`` command: version, demo and clean data errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from zonegeo.cli import cli

pytestmark = pytest.mark.e2e


def test_python_m_zonegeo_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "zonegeo", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        "zonegeo " in out.stdout
        and "geopandas " in out.stdout
        and "PROJ " in out.stdout
    )


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def test_demo_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["demo", "--output", str(out), "--basemap", "none"]
    )
    assert result.exit_code == 0, result.output
    assert "Region total" in result.output
    assert "the five best candidate sites" in result.output
    for name in (
        "kpi_report.xlsx",
        "sauran_plot_distances.gpkg",
        "sauran_ranking.gpkg",
        "atlas/index.html",
        "atlas/sauran.html",
    ):
        assert (out / name).exists(), name
    assert (
        f"Open the atlas (works offline): {(out / 'atlas' / 'index.html').resolve()}"
        in (result.output)
    )
