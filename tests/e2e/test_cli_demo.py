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
    out = subprocess.run([sys.executable, "-m", "zonegeo", "--version"], capture_output=True,
                         text=True, check=True)
    assert "zonegeo " in out.stdout and "geopandas " in out.stdout and "PROJ " in out.stdout


def test_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def test_demo_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Region total" in result.output
    assert (tmp_path / "out" / "zone_kpis.csv").exists()
    assert str((tmp_path / "out").resolve()) in result.output

