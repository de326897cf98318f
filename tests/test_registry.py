"""The plot registry on GeoPackage folders and PostGIS: statuses, reclaim, history."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

import zonegeo
from tests._tiny import AS_OF, tiny_dataset
from zonegeo import registry
from zonegeo.errors import SchemaError, ValidationError, ZonegeoError
from zonegeo.store import write_dataset

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
        from zonegeo import postgis

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
