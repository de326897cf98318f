"""A store survives a crash at any point: kill -9 at chosen and at random moments.

Issue 12: a killed ``zonegeo reclaim`` left a hot journal that GDAL (read-only)
could not roll back, after which map, report, reclaim, set-status and
write_dataset all failed. Here the CLI and the library are killed with SIGKILL,
at named points (the test-only ``ZONEGEO_TEST_CRASH_AT`` hook of
:func:`zonegeo.io.store.crash_point`) and at random moments, and after each kill
every command must read the store, and the plots and their history agree.

The store has 3,000 idle plots: reclaiming them all dirties more pages than
SQLite's page cache holds, so changes reach the file before the commit and a
kill leaves a *hot* journal, as the 20,000-plot store of the issue did.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

import zonegeo
from tests._tiny import UTM42, X0, Y0, tiny_dataset
from zonegeo.cli import cli
from zonegeo.io.validate import validate_layer

N_PLOTS = 3000
AS_OF = "2024-06-01"  # every big plot's build_by (2023-01-01) has passed
STATUSES = ["free", "allocated", "construction", "operating"]


def big_dataset(n: int = N_PLOTS) -> zonegeo.Dataset:
    """The tiny dataset with ``n`` allocated, idle 8 m x 8 m plots in zone Z-1."""
    side = int(n**0.5) + 1
    geoms = [
        box(
            X0 + 10 * (i % side),
            Y0 + 10 * (i // side),
            X0 + 10 * (i % side) + 8,
            Y0 + 10 * (i // side) + 8,
        )
        for i in range(n)
    ]
    plots = gpd.GeoDataFrame(
        {
            "plot_id": [f"B-{i:05d}" for i in range(n)],
            "zone_id": "Z-1",
            "district": "Sauran",
            "status": "allocated",
            "investor": "Ordabasy Qurylys",
            "project": "Кірпіш зауыты",
            "sector": "construction materials",
            "investment_kzt": 1.0e9,
            "jobs_planned": 10,
            "jobs_created": 0,
            "allocated_on": pd.Timestamp("2022-01-01"),
            "build_by": pd.Timestamp("2023-01-01"),
        },
        geometry=geoms,
        crs=UTM42,
    )
    plots = validate_layer(plots, "plots", source="big", check_overlaps=False)
    return replace(tiny_dataset(), plots=plots)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder store of 3,000 idle plots with two history rows already."""
    folder = tmp_path_factory.mktemp("big") / "ds"
    zonegeo.write_dataset(big_dataset(), folder)
    zonegeo.set_plot_status(folder, "B-00001", "construction", as_of="2024-05-01")
    zonegeo.set_plot_status(folder, "B-00002", "operating", as_of="2024-05-02")
    return folder


def _copy(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(template, folder)
    return folder


def _hot(folder: Path) -> bool:
    """True if the plots GeoPackage has a journal a read-only reader cannot pass."""
    path = folder / "plots" / "plots.gpkg"
    if not path.with_name("plots.gpkg-journal").exists():
        return False
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        return "readonly" in str(exc)
    finally:
        con.close()
    return False


def _agree(folder: Path) -> tuple[pd.Series, pd.DataFrame]:
    """Read the store; check every plot's last history row names its status."""
    ds = zonegeo.read_dataset(folder)
    status = ds.plots.set_index("plot_id")["status"]
    history = ds.history
    pd.testing.assert_frame_equal(history, zonegeo.plot_history(folder))
    assert history["history_id"].is_unique
    assert history["history_id"].is_monotonic_increasing
    last = history.groupby("plot_id")["new_status"].last()
    wrong = [p for p, s in last.items() if status[p] != s]
    assert not wrong, f"plots out of step with their history: {wrong[:5]}"
    return status, history


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def _every_command_works(folder: Path, out: Path, *, maps: bool = False) -> None:
    """The commands of the issue read (and write) the store after a crash."""
    out.mkdir(exist_ok=True)
    _run("reclaim", "--store", str(folder), "--as-of", AS_OF, "--dry-run")
    _run("report", "-o", str(out / "kpis.xlsx"), "--data", str(folder))
    if maps:
        _run("map", "--district", "Sauran", "-o", str(out / "m.html"),
             "--data", str(folder), "--basemap", "none")  # fmt: skip
    status, history = _agree(folder)
    pid, was = str(status.index[0]), str(status.iloc[0])
    other = "operating" if was != "operating" else "free"
    _run("plot", "set-status", "--store", str(folder), pid, other)
    _run("plot", "set-status", "--store", str(folder), pid, was)
    zonegeo.write_dataset(zonegeo.read_dataset(folder), folder, overwrite=True)
    status, after = _agree(folder)
    assert len(after) == len(history) + 2
    assert status[pid] == was


def _cli(folder: Path, point: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ZONEGEO_TEST_CRASH_AT": point}
    return subprocess.run(
        [sys.executable, "-m", "zonegeo", *args, "--store", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("point", "committed"),
    [
        ("tx-first-history", False),
        ("tx-before-commit", False),
        ("tx-after-commit", True),
    ],
)
def test_reclaim_killed_at_a_chosen_point(
    template: Path, tmp_path: Path, point: str, committed: bool
) -> None:
    folder = _copy(template, tmp_path)
    _, before = _agree(folder)
    run = _cli(folder, point, "reclaim", "--as-of", AS_OF)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert f"ZONEGEO_TEST_CRASH_AT={point}: killing this process" in run.stderr
    if point == "tx-before-commit":
        # The scenario of the issue: changes in the file, a journal GDAL cannot undo.
        assert _hot(folder)
        # report printed a traceback here; as a real process it now rolls back.
        env = {k: v for k, v in os.environ.items() if k != "ZONEGEO_TEST_CRASH_AT"}
        report = subprocess.run(
            [sys.executable, "-m", "zonegeo", "report", "-o", str(tmp_path / "k.csv"),
             "--data", str(folder), "--as-of", AS_OF],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert report.returncode == 0 and "Traceback" not in report.stderr, report
        idle = pd.read_csv(tmp_path / "k" / "idle_plots.csv")
        assert len(idle) == N_PLOTS - 2  # nothing of the killed reclaim remains
    status, history = _agree(folder)
    assert not (folder / "plots" / "plots.gpkg-journal").exists()
    if committed:
        assert (status == "free").sum() == N_PLOTS - 2
        assert len(history) == len(before) + N_PLOTS - 2
    else:  # rolled back: as before the run
        assert (status == "allocated").sum() == N_PLOTS - 2
        pd.testing.assert_frame_equal(history, before)
    _every_command_works(folder, tmp_path / "out", maps=point == "tx-before-commit")


WRITE_POINTS = [
    ("write-after-districts", "old"),
    ("write-plots-before-rename", "old"),
    ("write-after-plots", "new"),
]


@pytest.mark.parametrize(("point", "plots_are"), WRITE_POINTS)
def test_overwrite_killed_at_a_chosen_point(
    tmp_path: Path, point: str, plots_are: str
) -> None:
    folder = tmp_path / "ds"
    zonegeo.write_dataset(tiny_dataset(), folder)
    zonegeo.set_plot_status(folder, "P-3", "construction", as_of="2024-07-01")
    zonegeo.set_plot_status(folder, "P-4", "operating", as_of="2024-07-02")
    code = (
        "import sys, zonegeo\n"
        "from tests._tiny import tiny_dataset\n"
        "zonegeo.write_dataset(tiny_dataset(), sys.argv[1], overwrite=True)\n"
    )
    env = {**os.environ, "ZONEGEO_TEST_CRASH_AT": point}
    run = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == -signal.SIGKILL, run.stderr
    leftovers = sorted(
        p.name for p in (folder / "plots").iterdir() if p.name.startswith(".plots.")
    )
    if point == "write-plots-before-rename":  # the new plots, not yet in place
        assert len(leftovers) == 2 and leftovers[1] == ".plots.gpkg.lock"
    status, history = _agree(folder)  # opening the store removes the leftover
    assert sorted(
        p.name for p in (folder / "plots").iterdir() if p.name.startswith(".plots.")
    ) == [".plots.gpkg.lock"]
    acknowledged = history[history["action"] == "set-status"]
    assert acknowledged["plot_id"].tolist() == ["P-3", "P-4"]
    if plots_are == "old":
        assert len(history) == 2
        assert (status["P-3"], status["P-4"]) == ("construction", "operating")
    else:  # the tiny statuses, each reversal recorded
        assert (status["P-3"], status["P-4"]) == ("allocated", "construction")
        assert history["action"].tolist()[2:] == ["write-dataset"] * 2
    _every_command_works(folder, tmp_path / "out")


# -- 20 kills at random moments ----------------------------------------------------


def _busy_worker(folder: str, seed: int, started: object) -> None:
    """Reclaim every idle plot, then change statuses and overwrite, forever."""
    rng = random.Random(seed)
    started.set()  # type: ignore[attr-defined]
    zonegeo.reclaim(folder, as_of=AS_OF)
    ids = [f"B-{i:05d}" for i in range(0, N_PLOTS, 97)]
    while True:
        if rng.random() < 0.15:
            zonegeo.write_dataset(zonegeo.read_dataset(folder), folder, overwrite=True)
        else:
            zonegeo.set_plot_status(folder, rng.choice(ids), rng.choice(STATUSES))


@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL are POSIX")
def test_twenty_kills_at_random_moments(template: Path, tmp_path: Path) -> None:
    """kill -9 a writer 20 times at random moments; the store always recovers.

    The writer is forked from this process (no start-up cost) and runs a
    reclaim of 3,000 plots, then status changes and overwrites; it is
    killed 0 to 2.5 s after it starts, so kills land while it reads, inside the
    reclaim's transaction (hot journals), in commits and in overwrites.
    """
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(12)
    hot = 0
    for trial in range(20):
        folder = tmp_path / f"t{trial}"
        shutil.copytree(template, folder)
        started = ctx.Event()
        child = ctx.Process(target=_busy_worker, args=(str(folder), trial, started))
        child.start()
        assert started.wait(60)
        time.sleep(rng.uniform(0.0, 2.5))
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
        assert child.exitcode == -signal.SIGKILL, f"trial {trial}: not killed"
        hot += _hot(folder)
        status, history = _agree(folder)
        reclaimed = history["action"] == "reclaim"
        # The reclaim is one transaction: all of it or nothing.
        assert reclaimed.sum() in (0, N_PLOTS - 2), trial
        _run("reclaim", "--store", str(folder), "--as-of", AS_OF, "--dry-run")
        _run("plot", "set-status", "--store", str(folder), "B-00000", "operating")
        last = zonegeo.plot_history(folder).iloc[-1]
        assert (last["plot_id"], last["new_status"]) == ("B-00000", "operating")
        shutil.rmtree(folder)
    print(f"{hot} of 20 kills left a hot journal")  # noqa: T201


def test_the_guarantees_table_names_real_tests() -> None:
    """Every test the table in docs/registry.md names exists."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "registry.md").read_text(encoding="utf-8")
    table = text.split("## Crashes and two writers at once")[1].split("\n\n")[1]
    rows = [r for r in table.splitlines() if r.startswith("| ") and "`" in r]
    assert len(rows) == 7
    for row in rows:
        cell = row.rstrip(" |").rsplit("|", 1)[1]
        module = None
        for name in re.findall(r"`([^`]+)`", cell):
            if "::" in name:
                module, name = name.split("::")
            assert module is not None, row
            source = (root / module).read_text(encoding="utf-8")
            assert f"\ndef {name}(" in source, f"{module} has no test {name}"
