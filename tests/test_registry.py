"""The plot registry on GeoPackage folders and PostGIS: statuses, reclaim, history."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

import zonegeo
from tests._tiny import AS_OF, tiny_dataset
from zonegeo import registry
from zonegeo.errors import SchemaError, StoreBusyError, ValidationError, ZonegeoError
from zonegeo.io.store import write_dataset

KINDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The tiny dataset written to a GeoPackage folder or a fresh PostGIS schema."""
    if request.param == "gpkg":
        target = str(tmp_path / "ds")
    else:
        target = request.getfixturevalue("pg_url")
    write_dataset(tiny_dataset(), target)
    return target


def _plots(target: str) -> pd.DataFrame:
    return zonegeo.read_dataset(target).plots.set_index("plot_id")


def _digest(folder: Path) -> dict[str, str]:
    """Hash every data file (not the store's lock file, which names its last holder)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".plots.gpkg.lock"
    }


# -- set_plot_status ---------------------------------------------------------------


def test_set_status_updates_plot_and_writes_history(store: str) -> None:
    change = registry.set_plot_status(store, "P-3", "construction", as_of="2024-07-15")
    assert (change.plot_id, change.old_status, change.new_status) == (
        "P-3",
        "allocated",
        "construction",
    )
    assert change.changed
    assert change.changed_at == pd.Timestamp("2024-07-15", tz="UTC").to_pydatetime()
    plots = _plots(store)
    assert plots.loc["P-3", "status"] == "construction"
    assert plots.loc["P-3", "investor"] == "Steppe Ltd"  # only the status changes
    assert plots.loc["P-2", "status"] == "allocated"
    history = zonegeo.plot_history(store)
    assert history[
        ["plot_id", "old_status", "new_status", "action"]
    ].values.tolist() == [["P-3", "allocated", "construction", "set-status"]]
    assert history["changed_at"].iloc[0] == pd.Timestamp("2024-07-15", tz="UTC")


def test_set_status_default_time_is_now(store: str) -> None:
    before = pd.Timestamp.now(tz="UTC")
    change = registry.set_plot_status(store, "P-1", "allocated")
    after = pd.Timestamp.now(tz="UTC")
    assert before <= pd.Timestamp(change.changed_at) <= after
    stored = zonegeo.plot_history(store)["changed_at"].iloc[0]
    assert abs(stored - pd.Timestamp(change.changed_at)) < pd.Timedelta(milliseconds=2)


def test_same_status_changes_nothing(store: str) -> None:
    change = registry.set_plot_status(store, "P-1", "free")
    assert not change.changed
    assert change.old_status == change.new_status == "free"
    assert zonegeo.plot_history(store).empty


def test_history_of_one_plot(store: str) -> None:
    registry.set_plot_status(store, "P-1", "allocated", as_of="2024-01-01")
    registry.set_plot_status(store, "P-3", "construction", as_of="2024-01-02")
    registry.set_plot_status(store, "P-1", "construction", as_of="2024-01-03")
    h = zonegeo.plot_history(store, plot_id="P-1")
    assert h["new_status"].tolist() == ["allocated", "construction"]
    assert h["old_status"].tolist() == ["free", "allocated"]
    assert h["history_id"].is_monotonic_increasing


def test_unknown_status_is_a_clean_error(store: str) -> None:
    with pytest.raises(
        SchemaError,
        match=r"status 'idle' is not a plot status; allowed: "
        r"free, allocated, construction, operating",
    ):
        registry.set_plot_status(store, "P-1", "idle")
    with pytest.raises(SchemaError, match=r"'Operating'.*Did you mean 'operating'"):
        registry.set_plot_status(store, "P-1", "Operating")
    assert _plots(store).loc["P-1", "status"] == "free"


def test_unknown_plot_is_a_clean_error(store: str) -> None:
    with pytest.raises(
        ValidationError,
        match=r"no plot with plot_id='P-9' among its 4 "
        r"plots\. Did you mean 'P-4', 'P-3', 'P-2'\?",
    ):
        registry.set_plot_status(store, "P-9", "free")
    assert zonegeo.plot_history(store).empty


def test_bad_arguments(store: str) -> None:
    with pytest.raises(TypeError, match="plot_id must be a str, got int 7"):
        registry.set_plot_status(store, 7, "free")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="as_of='yesterday' is not a date"):
        registry.set_plot_status(store, "P-1", "allocated", as_of="yesterday")


def test_failed_history_insert_leaves_store_unchanged(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(self: object, row: dict) -> None:
        raise RuntimeError("disk full while writing the history row")

    monkeypatch.setattr(registry._GpkgTx, "add_history", boom)
    monkeypatch.setattr(registry._PgTx, "add_history", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        registry.set_plot_status(store, "P-3", "operating")
    monkeypatch.undo()
    assert _plots(store).loc["P-3", "status"] == "allocated"
    assert zonegeo.plot_history(store).empty


def _reject_operating(store: str) -> None:
    """Make the database itself refuse history rows with new_status 'operating'."""
    if store.startswith("postgresql://"):
        from zonegeo.io import postgis
        target = postgis.parse_url(store)
        with postgis.connect(target) as conn:
            conn.execute(postgis.history_ddl(target.schema))
            conn.execute(
                f'ALTER TABLE "{target.schema}".plot_status_history ADD CONSTRAINT '
                f"no_operating CHECK (new_status <> 'operating')"
            )
        return
    path = Path(store) / "plots" / "plots.gpkg"
    con = sqlite3.connect(path)
    registry.gpkg_ensure_history(con)
    con.execute(
        "CREATE TRIGGER no_operating BEFORE INSERT ON plot_status_history "
        "WHEN NEW.new_status = 'operating' "
        "BEGIN SELECT RAISE(ABORT, 'no operating plots today'); END"
    )
    con.commit()
    con.close()


def test_database_failure_rolls_back(store: str) -> None:
    _reject_operating(store)
    with pytest.raises(
        ZonegeoError,
        match=r"setting plot 'P-4' to 'operating' failed and "
        r"was rolled back; the store is unchanged",
    ):
        registry.set_plot_status(store, "P-4", "operating")
    assert _plots(store).loc["P-4", "status"] == "construction"
    assert zonegeo.plot_history(store).empty
    # The store still works for other changes.
    registry.set_plot_status(store, "P-4", "allocated")
    assert _plots(store).loc["P-4", "status"] == "allocated"


def test_concurrent_writers_never_lose_an_update(store: str) -> None:
    """Two writers hammer the same plots; the history is one unbroken chain per plot."""
    cycle = ["allocated", "construction", "operating", "free"]
    results: list[registry.StatusChange] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(offset: int) -> None:
        try:
            for i in range(20):
                for plot_id in ("P-1", "P-4"):
                    status = cycle[(i + offset) % len(cycle)]
                    change = registry.set_plot_status(store, plot_id, status)
                    with lock:
                        results.append(change)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in (0, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 80
    history = zonegeo.plot_history(store)
    plots = _plots(store)
    for plot_id, initial in (("P-1", "free"), ("P-4", "construction")):
        h = history[history["plot_id"] == plot_id]
        mine = [r for r in results if r.plot_id == plot_id]
        # Every applied change is in the history, and nothing else is.
        assert len(h) == sum(r.changed for r in mine)
        # Each change starts from the status the previous one left: no lost update.
        olds = h["old_status"].tolist()
        news = h["new_status"].tolist()
        assert olds == [initial, *news[:-1]]
        assert all(o != n for o, n in zip(olds, news, strict=True))
        assert plots.loc[plot_id, "status"] == news[-1]
        # Each writer saw the state the previous writer left.
        assert sorted(
            (r.old_status, r.new_status) for r in mine if r.changed
        ) == sorted(zip(olds, news, strict=True))


# -- reclaim -------------------------------------------------------------------------


def test_reclaim_dry_run_lists_and_changes_nothing(store: str, tmp_path: Path) -> None:
    before = _digest(tmp_path / "ds") if not store.startswith("postgresql") else None
    idle = zonegeo.reclaim(store, as_of=AS_OF, dry_run=True)
    assert idle["plot_id"].tolist() == ["P-2"]
    assert idle["days_overdue"].tolist() == [143]
    assert idle["investor"].tolist() == ["Acme <b>LLP</b>"]
    assert _plots(store).loc["P-2", "status"] == "allocated"
    assert zonegeo.plot_history(store).empty
    if before is not None:
        assert _digest(tmp_path / "ds") == before


def test_reclaim_frees_idle_plots_and_keeps_history(store: str) -> None:
    done = zonegeo.reclaim(store, as_of=AS_OF)
    assert done["plot_id"].tolist() == ["P-2"]
    plots = _plots(store)
    p2 = plots.loc["P-2"]
    assert p2["status"] == "free"
    for col in registry.RECLAIM_CLEARS:
        assert pd.isna(p2[col]), col
    # Other plots are untouched.
    assert plots.loc["P-3", "investor"] == "Steppe Ltd"
    assert plots.loc["P-4", "status"] == "construction"
    history = zonegeo.plot_history(store)
    assert history[
        ["plot_id", "old_status", "new_status", "action"]
    ].values.tolist() == [["P-2", "allocated", "free", "reclaim"]]
    assert history["changed_at"].iloc[0] == pd.Timestamp(AS_OF, tz="UTC")
    note = json.loads(history["note"].iloc[0])
    assert note["cleared"] == {
        "investor": "Acme <b>LLP</b>",
        "project": "Bricks & Tiles",
        "sector": "construction materials",
        "investment_kzt": 1.5e9,
        "jobs_planned": 40,
        "jobs_created": 0,
        "allocated_on": "2023-01-10",
        "build_by": "2024-01-10",
    }
    assert "143 days overdue as of 2024-06-01" in note["reason"]
    # Nothing is idle any more.
    assert zonegeo.reclaim(store, as_of=AS_OF).empty
    assert len(zonegeo.plot_history(store)) == 1


def test_reclaim_grace_days(store: str) -> None:
    assert zonegeo.reclaim(store, as_of=AS_OF, grace_days=143, dry_run=True).empty
    idle = zonegeo.reclaim(store, as_of=AS_OF, grace_days=142, dry_run=True)
    assert idle["days_overdue"].tolist() == [1]
    # Later, both allocated plots are overdue, the most overdue first.
    late = zonegeo.reclaim(store, as_of="2025-03-01", dry_run=True)
    assert late["plot_id"].tolist() == ["P-2", "P-3"]


def test_reclaim_skips_a_plot_changed_meanwhile(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zonegeo import parcels

    real = parcels.idle_plots

    def then_someone_starts_building(plots: pd.DataFrame, **kw: object) -> pd.DataFrame:
        out = real(plots, **kw)
        registry.set_plot_status(store, "P-2", "construction", as_of="2024-05-31")
        return out

    monkeypatch.setattr(parcels, "idle_plots", then_someone_starts_building)
    done = zonegeo.reclaim(store, as_of=AS_OF)
    assert done.empty
    p2 = _plots(store).loc["P-2"]
    assert (p2["status"], p2["investor"]) == ("construction", "Acme <b>LLP</b>")
    assert zonegeo.plot_history(store)["action"].tolist() == ["set-status"]


def test_reclaim_failure_reclaims_nothing(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_gpkg, real_pg = registry._GpkgTx.add_history, registry._PgTx.add_history

    def fail_second(self: object, row: dict) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut after the first plot")
        (real_pg if isinstance(self, registry._PgTx) else real_gpkg)(self, row)

    monkeypatch.setattr(registry._GpkgTx, "add_history", fail_second)
    monkeypatch.setattr(registry._PgTx, "add_history", fail_second)
    with pytest.raises(RuntimeError, match="power cut"):
        zonegeo.reclaim(store, as_of="2025-03-01")
    monkeypatch.undo()
    plots = _plots(store)
    assert plots.loc[["P-2", "P-3"], "status"].tolist() == ["allocated", "allocated"]
    assert plots.loc["P-2", "investor"] == "Acme <b>LLP</b>"
    assert zonegeo.plot_history(store).empty


def test_reclaim_bad_arguments(store: str) -> None:
    with pytest.raises(ValidationError, match="grace_days must be 0 or more, got -1"):
        zonegeo.reclaim(store, as_of=AS_OF, grace_days=-1)
    with pytest.raises(ValidationError, match="as_of='soon' is not a date"):
        zonegeo.reclaim(store, as_of="soon")


# -- GeoPackage specifics -------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "ds"
    write_dataset(tiny_dataset(), out)
    return out


def test_geopackage_stays_valid_and_readable(folder: Path) -> None:
    registry.set_plot_status(str(folder), "P-1", "allocated")
    zonegeo.reclaim(folder, as_of=AS_OF)
    path = folder / "plots" / "plots.gpkg"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kinds = dict(
        con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    )
    con.close()
    assert kinds == {"plots": "features", "plot_status_history": "attributes"}
    layers = dict(pyogrio.list_layers(path))
    assert layers["plots"] == "Polygon" and layers["plot_status_history"] is None
    # GDAL reads the history table too.
    history = pyogrio.read_dataframe(
        path, layer="plot_status_history", read_geometry=False
    )
    assert history["new_status"].tolist() == ["allocated", "free"]
    assert len(zonegeo.read_plots(path)) == 4
    # No journal or temporary file is left behind; the store's lock file stays.
    assert sorted(p.name for p in path.parent.iterdir()) == [
        ".plots.gpkg.lock",
        "plots.gpkg",
        "zones.gpkg",
    ]


def test_a_single_geopackage_file_is_a_store(folder: Path) -> None:
    path = folder / "plots" / "plots.gpkg"
    registry.set_plot_status(path, "P-1", "allocated")
    assert zonegeo.plot_history(path)["plot_id"].tolist() == ["P-1"]
    assert zonegeo.plot_history(folder)["plot_id"].tolist() == ["P-1"]


def test_history_survives_overwrite_of_the_folder(folder: Path) -> None:
    registry.set_plot_status(folder, "P-1", "allocated", as_of="2024-02-01")
    write_dataset(zonegeo.read_dataset(folder), folder, overwrite=True)
    h = zonegeo.plot_history(folder)
    assert h["new_status"].tolist() == ["allocated"]
    registry.set_plot_status(folder, "P-1", "free", as_of="2024-03-01")
    assert zonegeo.plot_history(folder)["history_id"].tolist() == [1, 2]


def test_reading_history_changes_nothing(folder: Path) -> None:
    registry.set_plot_status(folder, "P-1", "allocated")
    before = _digest(folder)
    zonegeo.plot_history(folder)
    zonegeo.read_dataset(folder)
    assert _digest(folder) == before


def test_stores_that_cannot_be_edited(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(ValidationError, match="no such file or folder"):
        registry.set_plot_status(tmp_path / "nowhere", "P-1", "free")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValidationError, match="no plots layer in this folder"):
        registry.set_plot_status(empty, "P-1", "free")
    parquet = tmp_path / "pq"
    (parquet / "plots").mkdir(parents=True)
    zonegeo.read_plots(folder / "plots" / "plots.gpkg").to_parquet(
        parquet / "plots" / "plots.parquet"
    )
    with pytest.raises(
        ValidationError,
        match=r"plots\.parquet: plots in \.parquet format "
        r"cannot be edited in place",
    ):
        registry.set_plot_status(parquet, "P-1", "free")
    not_gpkg = tmp_path / "plots.gpkg"
    not_gpkg.write_text("not a database")
    with pytest.raises(ValidationError, match="plots.gpkg: not a GeoPackage"):
        registry.set_plot_status(not_gpkg, "P-1", "free")
    assert not_gpkg.read_text() == "not a database"


def test_write_dataset_refuses_duplicate_plot_ids(tmp_path: Path) -> None:
    from dataclasses import replace

    ds = tiny_dataset()
    plots = ds.plots.copy()
    plots.loc[plots.index[1], "plot_id"] = "P-1"
    with pytest.raises(
        SchemaError, match=r"plots\.gpkg: plot_id values are not unique"
    ):
        write_dataset(replace(ds, plots=plots), tmp_path / "dup")
    assert not (tmp_path / "dup" / "plots" / "plots.gpkg").exists()
    assert sorted(p.name for p in (tmp_path / "dup" / "plots").iterdir()) == [
        ".plots.gpkg.lock",
        "zones.gpkg",
    ]


def test_write_dataset_refuses_to_overwrite(folder: Path) -> None:
    before = _digest(folder)
    with pytest.raises(
        ValidationError,
        match=r"already holds \['boundaries/districts"
        r".*nothing was written",
    ):
        write_dataset(tiny_dataset(), folder)
    assert _digest(folder) == before
    with pytest.raises(ValidationError, match="writes a folder of GeoPackages"):
        write_dataset(tiny_dataset(), folder / "one.gpkg")


# -- the history is part of the store (issue 12, items 3 and 4) ----------------------


def _assert_history_agrees(target: str) -> pd.DataFrame:
    """Every plot's last history row names its status; ids are unique and rising."""
    plots = _plots(target)
    history = zonegeo.read_dataset(target).history
    assert history["history_id"].is_unique
    assert history["history_id"].is_monotonic_increasing
    last = history.groupby("plot_id")["new_status"].last()
    for plot_id, status in last.items():
        if plot_id in plots.index:
            assert plots.loc[plot_id, "status"] == status, (plot_id, history)
    return history


def test_overwrite_during_status_changes_loses_nothing(store: str) -> None:
    """Overwrite and status changes at once: no acknowledged history row is lost."""
    stale = zonegeo.read_dataset(store)  # read before any change: its statuses lag
    cycle = ["allocated", "construction", "operating", "free"]
    acknowledged: list[registry.StatusChange] = []
    errors: list[BaseException] = []

    def change_statuses() -> None:
        try:
            for i in range(24):
                plot_id = ("P-1", "P-3", "P-4")[i % 3]
                change = registry.set_plot_status(store, plot_id, cycle[i % 4])
                if change.changed:
                    acknowledged.append(change)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def overwrite() -> None:
        try:
            for _ in range(4):
                write_dataset(stale, store, overwrite=True)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=f) for f in (change_statuses, overwrite)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    history = _assert_history_agrees(store)
    kept = set(
        zip(
            history["plot_id"],
            history["old_status"],
            history["new_status"],
            history["changed_at"].dt.floor("ms"),
            strict=True,
        )
    )
    for c in acknowledged:
        when = pd.Timestamp(c.changed_at).floor("ms")
        assert (c.plot_id, c.old_status, c.new_status, when) in kept, c
    assert len(acknowledged) >= 12
    # Each status the overwrite reverted has its own history row.
    assert set(history["action"]) <= {"set-status", "write-dataset"}


def test_overwrite_records_the_statuses_it_changes(store: str) -> None:
    registry.set_plot_status(store, "P-3", "construction", as_of="2024-07-01")
    ds = zonegeo.read_dataset(store)
    plots = ds.plots.copy()
    plots.loc[plots["plot_id"] == "P-1", "status"] = "allocated"
    from dataclasses import replace

    write_dataset(replace(ds, plots=plots), store, overwrite=True)
    history = _assert_history_agrees(store)
    assert history[
        ["plot_id", "old_status", "new_status", "action"]
    ].values.tolist() == [
        ["P-3", "allocated", "construction", "set-status"],
        ["P-1", "free", "allocated", "write-dataset"],
    ]
    # Writing back what was read (statuses unchanged) adds nothing.
    write_dataset(zonegeo.read_dataset(store), store, overwrite=True)
    assert len(zonegeo.plot_history(store)) == 2
    # A stale copy reverts P-3: the history says so.
    write_dataset(tiny_dataset(), store, overwrite=True)
    history = _assert_history_agrees(store)
    assert history.iloc[-2:][
        ["plot_id", "old_status", "new_status"]
    ].values.tolist() == [
        ["P-1", "allocated", "free"],
        ["P-3", "construction", "allocated"],
    ]


COPIES = [
    ("gpkg", "gpkg"),
    pytest.param("gpkg", "postgis", marks=pytest.mark.postgis),
    pytest.param("postgis", "gpkg", marks=pytest.mark.postgis),
]


@pytest.mark.parametrize(("src_kind", "dst_kind"), COPIES)
def test_copying_a_store_copies_its_history(
    src_kind: str, dst_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    def target(kind: str, name: str) -> str:
        if kind == "gpkg":
            return str(tmp_path / name)
        return request.getfixturevalue("pg_url")

    src = target(src_kind, "a")
    write_dataset(tiny_dataset(), src)
    for day, (pid, status) in enumerate(
        [("P-1", "allocated"), ("P-3", "construction"), ("P-1", "construction")], 1
    ):
        registry.set_plot_status(src, pid, status, as_of=f"2024-07-0{day}")
    registry.reclaim(src, as_of=AS_OF)
    source = zonegeo.read_dataset(src)
    assert len(source.history) == 4
    pd.testing.assert_frame_equal(source.history, zonegeo.plot_history(src))
    dst = target(dst_kind, "b")
    write_dataset(source, dst)
    copied = zonegeo.plot_history(dst)
    pd.testing.assert_frame_equal(copied, zonegeo.plot_history(src))
    _assert_history_agrees(dst)
    # Copying again on top changes nothing; new changes number on.
    write_dataset(zonegeo.read_dataset(dst), dst, overwrite=True)
    registry.set_plot_status(dst, "P-4", "operating", as_of="2024-08-01")
    ids = zonegeo.plot_history(dst)["history_id"].tolist()
    assert ids == [*copied["history_id"].tolist(), copied["history_id"].max() + 1]


def test_district_subset_keeps_its_plots_history(folder: Path) -> None:
    registry.set_plot_status(folder, "P-3", "construction", as_of="2024-07-01")
    ds = zonegeo.read_dataset(folder)
    assert ds.district("Sauran").history["plot_id"].tolist() == ["P-3"]
    assert zonegeo.load_demo().history.empty


# -- waiting for a busy store (issue 12, item 5) -----------------------------------

_HOLD = """
import sys, time
from pathlib import Path
from zonegeo.io.store import store_lock
with store_lock(Path(sys.argv[1]), exclusive=True, timeout=5,
                what="reclaiming 12 idle plot(s)", display="test"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def _child(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """Run ``code`` in another process until it prints "held"; kill it at the end."""
    with subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "held"
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()


def test_a_busy_store_names_its_holder_after_the_timeout(folder: Path) -> None:
    with _child(_HOLD, str(folder / "plots" / "plots.gpkg"), "30") as proc:
        start = time.monotonic()
        with pytest.raises(
            StoreBusyError,
            match=rf"the store is busy: pid {proc.pid} on .* is reclaiming 12 idle "
            rf"plot\(s\) \(since .* UTC\), try again \(waited 0\.5 s",
        ):
            registry.set_plot_status(folder, "P-3", "operating", lock_timeout=0.5)
        assert 0.5 <= time.monotonic() - start < 5
        with pytest.raises(StoreBusyError, match="the store is busy"):
            zonegeo.read_dataset(folder, lock_timeout=0.2)
        with pytest.raises(StoreBusyError, match="the store is busy"):
            write_dataset(tiny_dataset(), folder, overwrite=True, lock_timeout=0.2)
    assert zonegeo.plot_history(folder).empty


def test_a_writer_waits_for_the_lock(folder: Path) -> None:
    with _child(_HOLD, str(folder / "plots" / "plots.gpkg"), "1.5") as proc:
        start = time.monotonic()
        change = registry.set_plot_status(folder, "P-3", "operating", lock_timeout=30)
        assert change.changed and time.monotonic() - start > 0.5
        assert proc.wait() == 0
    assert _plots(str(folder)).loc["P-3", "status"] == "operating"


_SQLITE_HOLD = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(30)
"""


def test_another_program_holding_the_geopackage(folder: Path) -> None:
    """An SQLite lock from another program (QGIS, sqlite3): wait, then say so."""
    with _child(_SQLITE_HOLD, str(folder / "plots" / "plots.gpkg")), pytest.raises(
        StoreBusyError,
        match=r"the store is busy: another program holds the GeoPackage's "
        r"lock \(database is locked\), try again",
    ):
        registry.set_plot_status(folder, "P-3", "operating", lock_timeout=0.5)
    registry.set_plot_status(folder, "P-3", "operating", lock_timeout=0.5)


@pytest.mark.postgis
def test_postgis_lock_timeout_names_the_holder(pg_url: str) -> None:
    from zonegeo.io import postgis
    write_dataset(tiny_dataset(), pg_url)
    target = postgis.parse_url(pg_url)
    with postgis.connect(target) as other:
        other.execute(
            f'SELECT status FROM "{target.schema}".plots '
            f"WHERE plot_id = 'P-3' FOR UPDATE"
        )
        pid = other.info.backend_pid
        with pytest.raises(
            StoreBusyError, match=rf"the store is busy: pid {pid} \(.*\), try again"
        ):
            registry.set_plot_status(pg_url, "P-3", "operating", lock_timeout=0.5)
        with pytest.raises(StoreBusyError, match=rf"pid {pid}"):
            write_dataset(tiny_dataset(), pg_url, overwrite=True, lock_timeout=0.5)
        other.rollback()
    registry.set_plot_status(pg_url, "P-3", "operating", lock_timeout=0.5)
    assert zonegeo.plot_history(pg_url)["new_status"].tolist() == ["operating"]
