"""The plot, reclaim and report commands, end to end."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import zonegeo
from tests._tiny import AS_OF, tiny_dataset
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

KINDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "gpkg":
        target = str(tmp_path / "ds")
    else:
        target = request.getfixturevalue("pg_url")
    zonegeo.write_dataset(tiny_dataset(), target)
    return target


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _status(store: str, plot_id: str) -> str:
    plots = zonegeo.read_dataset(store).plots.set_index("plot_id")
    return str(plots.loc[plot_id, "status"])


def test_set_status(store: str) -> None:
    r = _run(
        "plot",
        "set-status",
        "--store",
        store,
        "--as-of",
        "2024-07-01",
        "P-3",
        "construction",
    )
    assert r.exit_code == 0, r.output
    assert "P-3: allocated -> construction (as of 2024-07-01 00:00 UTC)" in r.stdout
    assert _status(store, "P-3") == "construction"
    again = _run("plot", "set-status", "--store", store, "P-3", "construction")
    assert again.exit_code == 0
    assert "P-3: already construction; nothing changed" in again.stdout
    assert len(zonegeo.plot_history(store)) == 1


def test_set_status_errors(store: str) -> None:
    r = _run("plot", "set-status", "--store", store, "P-9", "free")
    assert r.exit_code == 1
    assert "no plot with plot_id='P-9'" in r.stderr
    assert "Traceback" not in r.output
    bad = _run("plot", "set-status", "--store", store, "P-1", "idle")
    assert bad.exit_code == 2
    assert "'idle' is not one of 'free', 'allocated', 'construction', 'operating'" in (
        bad.stderr
    )
    missing = _run("plot", "set-status", "P-1", "free")
    assert missing.exit_code == 2 and "Missing option '--store'" in missing.stderr
    assert zonegeo.plot_history(store).empty


def test_reclaim_dry_run_then_for_real(store: str) -> None:
    dry = _run("reclaim", "--store", store, "--as-of", AS_OF, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert (
        "P-2" in dry.stdout and "Acme <b>LLP</b>" in dry.stdout and "143" in dry.stdout
    )
    assert (
        "dry run: 1 idle plot(s), 1.00 ha would be reclaimed as of 2024-06-01; "
        "nothing changed" in dry.stderr
    )
    assert _status(store, "P-2") == "allocated"
    real = _run("reclaim", "--store", store, "--as-of", AS_OF)
    assert real.exit_code == 0, real.output
    assert "reclaimed 1 plot(s), 1.00 ha, as of 2024-06-01" in real.stderr
    assert _status(store, "P-2") == "free"
    assert zonegeo.plot_history(store)["action"].tolist() == ["reclaim"]
    none = _run("reclaim", "--store", store, "--as-of", AS_OF)
    assert none.exit_code == 0 and "reclaimed 0 plot(s)" in none.stderr


def test_reclaim_options(store: str) -> None:
    r = _run(
        "reclaim",
        "--store",
        store,
        "--as-of",
        AS_OF,
        "--grace-days",
        "200",
        "--dry-run",
    )
    assert r.exit_code == 0 and "dry run: 0 idle plot(s)" in r.stderr
    bad = _run("reclaim", "--store", store, "--as-of", AS_OF, "--grace-days", "-1")
    assert bad.exit_code == 2
    no_date = _run("reclaim", "--store", store)
    assert no_date.exit_code == 2 and "Missing option '--as-of'" in no_date.stderr
    wrong_date = _run("reclaim", "--store", store, "--as-of", "someday")
    assert (
        wrong_date.exit_code == 1
        and "as_of='someday' is not a date" in wrong_date.stderr
    )


@pytest.mark.parametrize("name", ["kpis.xlsx", "kpis.html", "kpis"])
def test_report_from_a_store(
    store: str, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from zonegeo import report

    monkeypatch.setattr(
        report,
        "_coverage_table",
        lambda ds, within_m: pd.DataFrame({"zone_id": ["Z-1"]}),
    )
    out = tmp_path / name
    r = _run("report", "-o", str(out), "--data", store, "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    assert out.exists()
    assert f"wrote {out}" in r.stderr


def test_report_bad_suffix(tmp_path: Path) -> None:
    r = _run("report", "-o", str(tmp_path / "kpis.pdf"))
    assert r.exit_code == 2
    assert "cannot write a report as '.pdf'" in r.stderr
    assert not (tmp_path / "kpis.pdf").exists()


def test_python_m_zonegeo_set_status(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    zonegeo.write_dataset(tiny_dataset(), folder)
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "plot",
            "set-status",
            "--store",
            str(folder),
            "P-1",
            "allocated",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "P-1: free -> allocated" in ok.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "plot",
            "set-status",
            "--store",
            str(folder),
            "P-77",
            "allocated",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "no plot with plot_id='P-77'" in bad.stderr and "Traceback" not in bad.stderr


_HOLD = """
import sys, time
from pathlib import Path
from zonegeo.io.store import store_lock
with store_lock(Path(sys.argv[1]), exclusive=True, timeout=5,
                what="reclaiming 12 idle plot(s)", display="test"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_busy_store_waits_then_says_who_holds_it(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    zonegeo.write_dataset(tiny_dataset(), folder)
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(folder / "plots" / "plots.gpkg")],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            busy = (
                f"the store is busy: pid {holder.pid} on {socket.gethostname()} is "
                f"reclaiming 12 idle plot(s) (since "
            )
            for args in (
                ["plot", "set-status", "--store", str(folder), "P-3", "operating"],
                ["reclaim", "--store", str(folder), "--as-of", AS_OF],
            ):
                r = _run(*args, "--lock-timeout", "0.5")
                assert r.exit_code == 1, r.output
                assert busy in r.stderr and "try again" in r.stderr, r.stderr
                assert "Traceback" not in r.output
            # Readers wait too, as long as --lock-timeout says.
            data = ["--data", str(folder), "--lock-timeout", "0.5"]
            for args in (
                ["report", "-o", str(tmp_path / "k.csv")],
                ["map", "--district", "Sauran", "-o", str(tmp_path / "m.html")],
                ["atlas", "-o", str(tmp_path / "atlas")],
            ):
                r = _run(*args, *data)
                assert r.exit_code == 1 and busy in r.stderr, r.output
                assert "Traceback" not in r.output
        finally:
            holder.kill()
    r = _run("plot", "set-status", "--store", str(folder), "P-3", "operating")
    assert r.exit_code == 0, r.output
    assert zonegeo.plot_history(folder)["new_status"].tolist() == ["operating"]


def test_lock_timeout_option() -> None:
    r = _run("plot", "set-status", "--help")
    assert "--lock-timeout SECONDS" in r.stdout and "[default: 60.0" in r.stdout
    bad = _run("reclaim", "--store", "x", "--as-of", AS_OF, "--lock-timeout", "-1")
    assert bad.exit_code == 2 and "-1" in bad.stderr
