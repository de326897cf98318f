"""Dates on the command line: --as-of day first, --date-format, refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import zonegeo
from tests import _office_dates as office
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _store_from_csv(tmp_path: Path, **kwargs: object) -> str:
    """A GeoPackage store written from a dataset folder whose plots are the CSV."""
    folder = office.write_folder(tmp_path / "office", **kwargs)
    store = tmp_path / "store"
    zonegeo.write_dataset(zonegeo.read_dataset(folder), store)
    return str(store)


def _listed(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()[1:] if line.strip()]


def test_reclaim_dry_run_as_of_day_first(tmp_path: Path) -> None:
    store = _store_from_csv(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "reclaim",
            "--store",
            store,
            "--as-of",
            office.AS_OF_TEXT,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert _listed(r.stdout) == office.IDLE
    rows = {line.split()[0]: line for line in r.stdout.splitlines()[1:]}
    assert "2026-01-10" in rows["T-05"] and rows["T-05"].rstrip().endswith(" 2")
    assert "2023-03-11" in rows["T-01"]
    assert f"dry run: {len(office.IDLE)} idle plot(s)" in r.stderr
    assert "as of 2026-01-12; nothing changed" in r.stderr
    assert zonegeo.plot_history(store).empty


def test_reclaim_for_real_keeps_the_right_dates(tmp_path: Path) -> None:
    store = _store_from_csv(tmp_path)
    r = _run("reclaim", "--store", store, "--as-of", "12/01/2026")
    assert r.exit_code == 0, r.output
    assert f"reclaimed {len(office.IDLE)} plot(s)" in r.stderr
    history = zonegeo.plot_history(store)
    assert history["plot_id"].tolist() == office.IDLE
    assert (history["changed_at"] == pd.Timestamp("2026-01-12", tz="UTC")).all()
    note = history.set_index("plot_id").loc["T-01", "note"]
    assert '"build_by": "2023-03-11"' in note and '"allocated_on": "2021-03-15"' in note


def test_us_export_needs_date_format(tmp_path: Path) -> None:
    def us(text: str) -> str:
        d, m, y = text.split(".")
        return f"{m}/{d}/{y}"

    folder = office.write_folder(tmp_path / "us", reformat=us)
    out = tmp_path / "kpis"
    refused = _run(
        "report", "-o", str(out), "--data", str(folder), "--as-of", "01/12/2026"
    )
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    assert "look(s) month first" in refused.stderr
    assert "--date-format '%m/%d/%Y'" in refused.stderr
    ok = _run(
        "report",
        "-o",
        str(out),
        "--data",
        str(folder),
        "--as-of",
        "01/12/2026",
        "--date-format",
        "%m/%d/%Y",
    )
    assert ok.exit_code == 0, ok.output
    idle = pd.read_csv(out / "idle_plots.csv")
    assert idle["plot_id"].tolist() == office.IDLE


def test_report_as_of_day_first(tmp_path: Path) -> None:
    folder = office.write_folder(tmp_path / "office")
    out = tmp_path / "kpis"
    r = _run("report", "-o", str(out), "--data", str(folder), "--as-of", "12.01.2026")
    assert r.exit_code == 0, r.output
    idle = pd.read_csv(out / "idle_plots.csv")
    assert idle["plot_id"].tolist() == office.IDLE


def test_mixed_dates_are_refused_without_traceback(tmp_path: Path) -> None:
    rows = list(office.ROWS)
    rows[4] = ("T-05", "allocated", "2022-07-14", "2026-01-10")
    folder = office.write_folder(tmp_path / "office", rows=rows)
    r = _run(
        "report",
        "-o",
        str(tmp_path / "k"),
        "--data",
        str(folder),
        "--as-of",
        "12.01.2026",
    )
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "error: " in r.stderr
    assert "plots.csv" in r.stderr
    assert "column 'build_by' must be a date but mixes date formats" in r.stderr
    assert "('2026-01-10') in 1 row(s) plot_id=T-05" in r.stderr
    assert "--date-format" in r.stderr
    assert not (tmp_path / "k").exists()


def test_bad_as_of_and_bad_date_format(tmp_path: Path) -> None:
    store = _store_from_csv(tmp_path)
    r = _run("reclaim", "--store", store, "--as-of", "Jan 12", "--dry-run")
    assert r.exit_code == 1
    assert "as_of='Jan 12' is not a date; write it as dd.mm.yyyy" in r.stderr
    r = _run("reclaim", "--store", store, "--as-of", "12.01.26", "--dry-run")
    assert r.exit_code == 1 and "two digits" in r.stderr
    r = _run(
        "reclaim",
        "--store",
        store,
        "--as-of",
        "12.01.2026",
        "--dry-run",
        "--date-format",
        "mm/dd",
    )
    assert r.exit_code == 1
    assert "date_format='mm/dd' is not a date format zonegeo knows" in r.stderr
    r = _run(
        "plot",
        "set-status",
        "--store",
        store,
        "--as-of",
        "12.01.2026 10:30",
        "T-03",
        "construction",
    )
    assert r.exit_code == 0, r.output
    assert "(as of 2026-01-12 10:30 UTC)" in r.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["atlas"],
        ["map"],
        ["rank"],
        ["report"],
        ["demo"],
        ["plot", "set-status"],
        ["reclaim"],
    ],
)
def test_date_format_on_every_command_that_reads_dates(command: list[str]) -> None:
    r = _run(*command, "--help")
    assert r.exit_code == 0
    assert "--date-format FORMAT" in r.stdout
