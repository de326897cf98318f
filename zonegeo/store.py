"""Where a dataset is kept: a folder of GeoPackages (the default) or a PostGIS schema.

A *store* is either

* a dataset **folder** laid out as :func:`zonegeo.read_dataset` reads it
  (``boundaries/districts.gpkg``, ``plots/zones.gpkg``, ``plots/plots.gpkg``,
  ``infrastructure/infrastructure.gpkg``, ``boundaries/settlements.gpkg``,
  ``boundaries/exclusions.gpkg``), GeoPackage being the embedded default; or
* a **PostGIS schema**, named by a ``postgresql://...?schema=NAME`` URL (see
  :mod:`zonegeo.postgis` for the URL convention), for many users at once.

The plot registry (:mod:`zonegeo.registry`) edits plots in either kind of
store; it also accepts a single plots ``.gpkg`` file.

Crashes and concurrency (see ``docs/registry.md`` for the table of guarantees)
-------------------------------------------------------------------------------
* Every GeoPackage is opened read-write once before it is read, so SQLite
  rolls back a write that a killed process left half-done (a *hot journal*);
  GDAL, which opens files read-only, could not.
* Writers of a folder store (status changes, reclaims, ``write_dataset``) take
  one lock, an OS lock on the hidden file ``.plots.gpkg.lock`` beside the
  plots, which also records who holds it; readers of a whole dataset take it
  shared. The OS drops the lock when its holder dies, even by ``kill -9``.
  A PostGIS store uses an advisory lock of the same meaning.
* Waiting is bounded by ``lock_timeout`` (default :data:`LOCK_TIMEOUT`, 60 s);
  then :class:`~zonegeo.errors.StoreBusyError` says who holds the store.
* The status history is part of the store: ``write_dataset`` keeps the
  target's history, adds the history the :class:`~zonegeo.Dataset` carries,
  and records a ``write-dataset`` row for every plot whose status it changes.
* Temporary files that a killed write left behind are removed the next time
  the store is opened (under the lock, so never a live writer's file).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from zonegeo import postgis
from zonegeo.errors import SchemaError, StoreBusyError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import geopandas as gpd

    from zonegeo.dataset import Dataset

__all__ = [
    "CRASH_ENV",
    "FOLDER_LAYOUT",
    "HISTORY_COLUMNS",
    "LOCK_TIMEOUT",
    "Store",
    "StoreBusyError",
    "resolve_store",
    "write_dataset",
]

log = logging.getLogger(__name__)

#: Where :func:`write_dataset` puts each layer inside a dataset folder.
FOLDER_LAYOUT: dict[str, str] = {
    "districts": "boundaries/districts.gpkg",
    "zones": "plots/zones.gpkg",
    "plots": "plots/plots.gpkg",
    "infrastructure": "infrastructure/infrastructure.gpkg",
    "settlements": "boundaries/settlements.gpkg",
    "exclusions": "boundaries/exclusions.gpkg",
}


#: Seconds a store operation waits for another writer before it gives up with
#: :class:`~zonegeo.errors.StoreBusyError` (``lock_timeout=None`` means this;
#: the CLI's ``--lock-timeout``).
LOCK_TIMEOUT = 60.0

#: Test-only environment variable: the name of a :func:`crash_point` at which
#: the process kills itself (SIGKILL), to test recovery from a crash at a
#: chosen moment. Unset in normal use, where crash points do nothing.
CRASH_ENV = "ZONEGEO_TEST_CRASH_AT"

#: Columns of the status history, as :func:`zonegeo.plot_history` returns them.
HISTORY_COLUMNS = (
    "history_id",
    "plot_id",
    "changed_at",
    "old_status",
    "new_status",
    "action",
    "note",
)
_HISTORY = postgis.HISTORY_TABLE


def crash_point(name: str) -> None:
    """Kill this process if ``ZONEGEO_TEST_CRASH_AT`` names this point (tests only).

    The crash tests set the variable to make a CLI run die like ``kill -9``
    at a moment they control: ``tx-first-history`` (a status change or
    reclaim has written its first history row), ``tx-before-commit``,
    ``tx-after-commit``, ``write-plots-before-rename`` and
    ``write-after-<layer>`` (:func:`write_dataset`). Without the variable
    this does nothing.
    """
    if os.environ.get(CRASH_ENV) == name:
        log.critical("%s=%s: killing this process (crash test)", CRASH_ENV, name)
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        os._exit(137)  # pragma: no cover - only where SIGKILL does not exist


def lock_seconds(lock_timeout: float | None) -> float:
    """Return ``lock_timeout`` in seconds, :data:`LOCK_TIMEOUT` for None; refuse others.

    Examples
    --------
    >>> lock_seconds(None), lock_seconds(2)
    (60.0, 2.0)
    """
    if lock_timeout is None:
        return float(LOCK_TIMEOUT)
    if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)):
        msg = f"lock_timeout must be a number of seconds, got {lock_timeout!r}"
        raise TypeError(msg)
    if not lock_timeout >= 0:
        msg = f"lock_timeout={lock_timeout!r}: give 0 or more seconds"
        raise ValidationError(msg)
    return float(lock_timeout)


class Deadline:
    """A point in time that several waits share, so together they take ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self._end - time.monotonic())


def busy_error(display: str, holder: str, seconds: float) -> StoreBusyError:
    """Return the error of a store that stayed locked for ``seconds``."""
    msg = (
        f"{display}: the store is busy: {holder}, try again (waited {seconds:.1f} s; "
        f"wait longer with --lock-timeout SECONDS or lock_timeout=)"
    )
    return StoreBusyError(msg)


# -- the store lock of a GeoPackage folder --------------------------------------


def lock_file(plots: Path) -> Path:
    """Return the lock file of the store whose plots are the GeoPackage ``plots``."""
    return plots.parent / f".{plots.name}.lock"


def _try_lock(fd: int, *, exclusive: bool) -> bool:
    """Take the OS lock of an open lock file without waiting; True if taken."""
    if sys.platform == "win32":  # pragma: no cover - one exclusive byte lock
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


def _writer(path: Path) -> str | None:
    """Describe the zonegeo writer that holds the lock file ``path``, if one does."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        if _try_lock(fd, exclusive=False):
            return None
        os.lseek(fd, 1, os.SEEK_SET)  # byte 0 may be locked (Windows)
        text = os.read(fd, 1000).decode("utf-8", "replace").strip("\x00 \n")
    finally:
        os.close(fd)
    return text or "another zonegeo process is writing it"


def _holder(path: Path) -> str:
    """Describe who holds the lock file ``path`` (for a busy message)."""
    return _writer(path) or "another program is reading it"


@contextlib.contextmanager
def store_lock(
    plots: Path,
    *,
    exclusive: bool,
    timeout: float,
    what: str,
    display: str,
) -> Iterator[None]:
    """Hold the lock of the GeoPackage store whose plots file is ``plots``.

    Writers take it exclusive (and record ``what`` they do, with their pid,
    host and start time, in the lock file, which they create); readers of a
    whole dataset take it shared, if the file exists (a store no zonegeo
    writer has touched has none, and reading creates nothing). The OS
    releases the lock when the process ends, however it ends.

    Raises
    ------
    StoreBusyError
        If the lock is not free within ``timeout`` seconds; the message
        names what holds it.
    """
    path = lock_file(plots)
    try:
        if exclusive:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        else:  # a reader never creates it: no writer has used the store yet
            fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exclusive:
            msg = (
                f"{display}: cannot create the store's lock file {path} ({exc}). "
                f"Fix: write the store as a user who may write {path.parent}"
            )
            raise ValidationError(msg) from None
        log.debug("%s: read without the store lock (%s)", display, exc)
        yield
        return
    try:
        deadline = Deadline(timeout)
        while not _try_lock(fd, exclusive=exclusive):
            if deadline.left() <= 0:
                raise busy_error(display, _holder(path), timeout)
            time.sleep(min(0.05, deadline.left()) or 0.001)
        if exclusive:
            since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            text = (
                f"pid {os.getpid()} on {socket.gethostname()} is {what} "
                f"(since {since} UTC)"
            )
            os.ftruncate(fd, 1)
            os.lseek(fd, 1, os.SEEK_SET)
            os.write(fd, text.encode())
        yield
    finally:
        os.close(fd)


def _temp_pattern(final: Path) -> re.Pattern[str]:
    """Match the temporary files :func:`zonegeo.io.atomic_path` makes for ``final``."""
    return re.compile(
        rf"^\.{re.escape(final.stem)}\.[A-Za-z0-9_]{{8}}{re.escape(final.suffix)}"
        rf"(-journal|-wal|-shm)?$"
    )


def clean_temp_files(finals: list[Path]) -> list[Path]:
    """Delete temporary files a killed write left beside ``finals``; return them.

    Call only while holding the store lock, so no live writer's file goes.
    """
    removed = []
    for final in finals:
        if not final.parent.is_dir():
            continue
        pattern = _temp_pattern(final)
        for leftover in final.parent.iterdir():
            if pattern.match(leftover.name) and leftover.is_file():
                with contextlib.suppress(OSError):
                    leftover.unlink()
                    removed.append(leftover)
    if removed:
        log.warning(
            "removed %d temporary file(s) left by an interrupted write: %s",
            len(removed),
            ", ".join(str(p) for p in removed),
        )
    return removed


def _folder_finals(folder: Path) -> list[Path]:
    return [folder / rel for rel in FOLDER_LAYOUT.values()]


def ready_gpkg(path: Path, *, timeout: float, display: str | None = None) -> None:
    """Make a GeoPackage readable: roll back an interrupted write, wait for a writer.

    A process killed while writing leaves a *hot journal* (``NAME-journal``)
    that SQLite rolls back the next time a connection that may write opens
    the file; GDAL opens read-only and fails instead. This opens the file
    read-write (when allowed) and reads it once, which rolls the journal
    back, waiting up to ``timeout`` seconds for another writer.

    Raises
    ------
    StoreBusyError
        If another program keeps the database locked for ``timeout`` seconds.
    ValidationError
        If the file is not a GeoPackage, or it needs a roll-back that this
        user may not write.
    """
    display = display or str(path)
    journal = path.with_name(path.name + "-journal")
    had_journal = journal.exists()
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    uri = f"{path.resolve().as_uri()}?mode={'rw' if writable else 'ro'}"
    try:
        with _Closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as con:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            holder = _writer(lock_file(path)) or (
                f"another program holds the GeoPackage's lock ({text})"
            )
            raise busy_error(display, holder, timeout) from None
        if not writable and journal.exists():
            msg = (
                f"{path}: a write to this GeoPackage was interrupted (its journal "
                f"{journal.name} is beside it) and this user may not write "
                f"{path.parent} to roll it back. Fix: open the store once as a user "
                f"who may write there (any zonegeo command does the roll-back)"
            )
            raise ValidationError(msg) from None
        msg = f"{path}: not a GeoPackage ({exc})"
        raise ValidationError(msg) from None
    except sqlite3.DatabaseError as exc:
        msg = f"{path}: not a GeoPackage ({exc})"
        raise ValidationError(msg) from None
    if had_journal and not journal.exists():
        log.info("%s: rolled back a write that was interrupted", path)
    elif writable and journal.exists():
        _drop_stale_journal(path)


def _drop_stale_journal(path: Path) -> None:
    """Remove a journal that a write killed before its first sync left behind.

    Such a journal is empty at its start, so SQLite ignores it, but the file
    stays until the next write. If no one is writing now (the write lock is
    free), a write of the unchanged ``user_version`` makes SQLite replace and
    delete it.
    """
    uri = f"{path.resolve().as_uri()}?mode=rw"
    with _Closing(
        sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    ) as con:
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # a live writer: the journal is its own
            return
        version = int(con.execute("PRAGMA user_version").fetchone()[0])
        con.execute(f"PRAGMA user_version = {version}")
        con.execute("COMMIT")
    log.info("%s: removed the empty journal of an interrupted write", path)


# -- resolving a store ----------------------------------------------------------


@dataclass(frozen=True)
class Store:
    """Where the plots of a store live, as :func:`resolve_store` found them.

    Attributes
    ----------
    kind : {"gpkg", "postgis"}
        The kind of store.
    location : str
        The GeoPackage file holding the plots, or the PostGIS URL.
    table : str
        The plots layer (GeoPackage) or table (PostGIS).
    display : str
        How messages name the store (a password in a URL is masked).
    """

    kind: Literal["gpkg", "postgis"]
    location: str
    table: str
    display: str


def resolve_store(
    target: str | os.PathLike[str], *, lock_timeout: float | None = None
) -> Store:
    """Find the plots table of a store: a PostGIS URL, a dataset folder or a .gpkg file.

    Parameters
    ----------
    target : str or path-like
        ``postgresql://...?schema=NAME[&table=NAME]``, a dataset folder, or a
        GeoPackage holding the plots.
    lock_timeout : float, optional
        Seconds to wait for a GeoPackage another program is writing
        (default :data:`LOCK_TIMEOUT`).

    Returns
    -------
    Store

    Raises
    ------
    ValidationError
        If the folder has no plots GeoPackage (a plots file in another format
        cannot be edited in place), the file does not exist or is not a
        GeoPackage, or the GeoPackage has no plots layer.
    StoreBusyError
        If the GeoPackage stays locked for ``lock_timeout`` seconds.

    Notes
    -----
    A GeoPackage that a killed writer left with a hot journal is rolled back
    here (see :func:`ready_gpkg`).
    """
    text = os.fspath(target)
    if postgis.is_url(text):
        parsed = postgis.parse_url(text)
        table = parsed.table or "plots"
        return Store("postgis", text, table, parsed.where(table))
    path = Path(text)
    if path.is_dir():
        from zonegeo.dataset import _find_layer

        found = _find_layer(path, "plots")
        if found is None:
            msg = (
                f"{path}: no plots layer in this folder (looked for "
                f"plots/plots.gpkg and plots.gpkg). Fix: point --store at a "
                f"dataset folder, a plots .gpkg or "
                f"a postgresql:// URL"
            )
            raise ValidationError(msg)
        path = found
    if not path.is_file():
        msg = f"{path}: no such file or folder"
        raise ValidationError(msg)
    if path.suffix.lower() != ".gpkg":
        msg = (
            f"{path}: plots in {path.suffix or 'this'} format cannot be edited in "
            f"place; the registry edits GeoPackages and PostGIS. Fix: convert the "
            f"dataset with "
            f"zonegeo.write_dataset(zonegeo.read_dataset(...), 'folder/')"
        )
        raise ValidationError(msg)
    table = gpkg_features_table(path, "plots", timeout=lock_seconds(lock_timeout))
    return Store("gpkg", str(path), table, f'{path} (layer "{table}")')


def gpkg_features_table(
    path: Path, layer: str, *, timeout: float = LOCK_TIMEOUT
) -> str:
    """Return the features table of a GeoPackage that holds ``layer``.

    The table named ``layer`` wins; otherwise the only features table. An
    interrupted write is rolled back first (:func:`ready_gpkg`).
    """
    ready_gpkg(Path(path), timeout=timeout)
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        with _Closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as con:
            rows = con.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
                "ORDER BY table_name"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        msg = f"{path}: not a GeoPackage ({exc})"
        raise ValidationError(msg) from None
    names = [r[0] for r in rows]
    if layer in names:
        return layer
    if len(names) == 1:
        return names[0]
    msg = (
        f"{path}: the GeoPackage has features tables {names} and none is called "
        f"{layer!r}. Fix: rename the plots layer to {layer!r}"
    )
    raise ValidationError(msg)


class _Closing:
    """Close a sqlite3 connection on exit (its own context manager only commits)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()


# -- the status history ---------------------------------------------------------


def history_frame(rows: Any) -> pd.DataFrame:
    """Return history rows (tuples or a DataFrame) typed as ``plot_history`` returns."""
    if isinstance(rows, pd.DataFrame):
        frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)).reset_index(drop=True)
    else:
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(HISTORY_COLUMNS))
    frame["history_id"] = frame["history_id"].astype("int64")
    frame["changed_at"] = pd.to_datetime(
        frame["changed_at"], utc=True, format="ISO8601"
    )
    for c in ("plot_id", "old_status", "new_status", "action", "note"):
        frame[c] = frame[c].astype("string")
    return frame


def empty_history() -> pd.DataFrame:
    """Return an empty status history, with the columns of :func:`plot_history`."""
    return history_frame([])


def gpkg_ensure_history(con: sqlite3.Connection) -> None:
    """Create the history table in a GeoPackage, registered as an attributes table."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {_HISTORY} ("
        "history_id INTEGER PRIMARY KEY AUTOINCREMENT, plot_id TEXT NOT NULL, "
        "changed_at DATETIME NOT NULL, old_status TEXT, new_status TEXT NOT NULL, "
        "action TEXT NOT NULL, note TEXT)"
    )
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
        "description, last_change) VALUES (?, 'attributes', ?, ?, "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        (_HISTORY, _HISTORY, "zonegeo plot status history"),
    )


def gpkg_time(value: object) -> str:
    """Format a time as a GeoPackage DATETIME (UTC, milliseconds)."""
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def gpkg_read_history(
    con: sqlite3.Connection, *, plot_id: str | None = None
) -> pd.DataFrame:
    """Read the status history of an open GeoPackage (empty if it has none)."""
    exists = con.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_HISTORY,)
    ).fetchone()
    if exists is None:
        return empty_history()
    where = "" if plot_id is None else " WHERE plot_id = ?"
    args: tuple[str, ...] = () if plot_id is None else (plot_id,)
    cols = ", ".join(HISTORY_COLUMNS)
    q = f"SELECT {cols} FROM {_HISTORY}{where} ORDER BY history_id"
    return history_frame(con.execute(q, args).fetchall())


def gpkg_history(path: Path, *, timeout: float = LOCK_TIMEOUT) -> pd.DataFrame:
    """Read the status history kept in the plots GeoPackage ``path``."""
    ready_gpkg(path, timeout=timeout)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with _Closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as con:
        return gpkg_read_history(con)


def _gpkg_statuses(path: Path, *, timeout: float) -> dict[str, str]:
    """Return plot_id -> status of the plots in GeoPackage ``path`` (empty if none)."""
    table = gpkg_features_table(path, "plots", timeout=timeout)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with _Closing(sqlite3.connect(uri, uri=True, timeout=timeout)) as con:
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            rows = con.execute(f"SELECT plot_id, status FROM {quoted}").fetchall()
        except sqlite3.OperationalError:  # a plots table without those columns
            return {}
    return {str(p): str(s) for p, s in rows if p is not None and s is not None}


def history_to_add(
    existing: pd.DataFrame,
    carried: pd.DataFrame | None,
    old_statuses: Mapping[str, str],
    plots: gpd.GeoDataFrame,
    *,
    when: dt.datetime,
) -> pd.DataFrame:
    """Plan the history rows a write of ``plots`` adds to a store's history.

    Parameters
    ----------
    existing : DataFrame
        The history already in the store (kept as it is).
    carried : DataFrame or None
        The history the dataset carries (:attr:`zonegeo.Dataset.history`);
        its rows that the store lacks are added, in their order.
    old_statuses : mapping
        plot_id -> status of the plots the write replaces.
    plots : GeoDataFrame
        The plots being written.
    when : datetime
        ``changed_at`` of the rows the write itself adds.

    Returns
    -------
    DataFrame
        Rows to append (``history_id`` numbered after the store's, or the
        carried ids when the store has no history yet): the carried rows the
        store lacks, then one ``write-dataset`` row for each plot whose status
        the write changes, so the last history row of every plot names its
        status.
    """
    existing = history_frame(existing)
    carried = empty_history() if carried is None else history_frame(carried)

    def keys(frame: pd.DataFrame) -> list[tuple[object, ...]]:
        when_ms = frame["changed_at"].dt.floor("ms")
        cols = [
            frame[c].astype(object).where(frame[c].notna(), None)
            for c in ("plot_id", "old_status", "new_status", "action", "note")
        ]
        return list(zip(cols[0], when_ms, *cols[1:], strict=True))

    have = collections.Counter(keys(existing))
    keep = []
    for key in keys(carried):
        keep.append(have[key] == 0)
        if have[key]:
            have[key] -= 1
    added = carried[pd.Series(keep, index=carried.index, dtype=bool)]
    added = added.reset_index(drop=True)
    ids = added["history_id"]
    if not (
        existing.empty
        and ids.is_unique
        and ids.is_monotonic_increasing
        and (len(ids) == 0 or ids.iloc[0] > 0)
    ):
        start = int(existing["history_id"].max()) + 1 if len(existing) else 1
        added["history_id"] = range(start, start + len(added))
    last = (
        pd.concat([existing, added])
        .sort_values("history_id")
        .groupby("plot_id", sort=False)["new_status"]
        .last()
    )
    rows = []
    next_id = (
        int(
            max(
                existing["history_id"].max() if len(existing) else 0,
                added["history_id"].max() if len(added) else 0,
            )
        )
        + 1
    )
    note = json.dumps({"reason": "write_dataset replaced the plots layer"})
    if {"plot_id", "status"} <= set(plots.columns):
        for pid, status in zip(plots["plot_id"], plots["status"], strict=True):
            if pid is None or status is None or pd.isna(status):
                continue
            before = last.get(str(pid), old_statuses.get(str(pid)))
            if before is None or pd.isna(before) or str(before) == str(status):
                continue
            rows.append(
                (
                    next_id,
                    str(pid),
                    when,
                    str(before),
                    str(status),
                    "write-dataset",
                    note,
                )
            )
            next_id += 1
    return history_frame(pd.concat([added, history_frame(rows)]) if rows else added)


def _gpkg_append_history(path: Path, rows: pd.DataFrame) -> None:
    """Insert history rows (with their ids) into the GeoPackage ``path``."""
    with _Closing(sqlite3.connect(path, isolation_level=None)) as con:
        con.execute("BEGIN IMMEDIATE")
        gpkg_ensure_history(con)
        con.executemany(
            f"INSERT INTO {_HISTORY} (history_id, plot_id, changed_at, old_status, "
            f"new_status, action, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    int(r.history_id),
                    r.plot_id,
                    gpkg_time(r.changed_at),
                    None if pd.isna(r.old_status) else r.old_status,
                    r.new_status,
                    r.action,
                    None if pd.isna(r.note) else r.note,
                )
                for r in rows.itertuples(index=False)
            ],
        )
        con.execute("COMMIT")


def _index_plot_ids(path: Path, final: Path) -> None:
    """Add a unique index on plot_id: fast registry lookups, no duplicate ids."""
    with _Closing(sqlite3.connect(path)) as con:
        try:
            con.execute(
                'CREATE UNIQUE INDEX "plots_plot_id_idx" ON "plots" ("plot_id")'
            )
        except sqlite3.IntegrityError:
            msg = (
                f"{final}: plot_id values are not unique; nothing was written. Fix: "
                f"validate the plots (zonegeo.read_plots lists the duplicates)"
            )
            raise SchemaError(msg) from None
        con.commit()


# -- writing a dataset ----------------------------------------------------------


def _write_folder(
    dataset: Dataset, folder: Path, *, overwrite: bool, timeout: float
) -> None:
    import pyogrio

    from zonegeo.io import atomic_path

    if folder.exists() and not folder.is_dir():
        msg = (
            f"{folder}: exists and is not a folder; "
            f"write_dataset writes a dataset folder"
        )
        raise ValidationError(msg)
    deadline = Deadline(timeout)
    plots_final = folder / FOLDER_LAYOUT["plots"]
    with store_lock(
        plots_final,
        exclusive=True,
        timeout=timeout,
        what="writing the dataset (write_dataset)",
        display=str(folder),
    ):
        clean_temp_files(_folder_finals(folder))
        present = [rel for rel in FOLDER_LAYOUT.values() if (folder / rel).exists()]
        if present and not overwrite:
            msg = (
                f"{folder}: already holds {present}; nothing was written. Fix: pass "
                f"overwrite=True or choose an empty folder"
            )
            raise ValidationError(msg)
        existing, old = empty_history(), {}
        if plots_final.exists():  # read before anything is replaced
            existing = gpkg_history(plots_final, timeout=deadline.left())
            old = _gpkg_statuses(plots_final, timeout=deadline.left())
        added = history_to_add(
            existing,
            dataset.history,
            old,
            dataset.plots,
            when=dt.datetime.now(dt.UTC),
        )
        for layer, rel in FOLDER_LAYOUT.items():
            gdf = getattr(dataset, layer)
            final = folder / rel
            with atomic_path(final) as tmp:
                pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG")
                if layer == "plots":
                    _index_plot_ids(tmp, final)
                    _gpkg_append_history(tmp, pd.concat([existing, added]))
                    crash_point("write-plots-before-rename")
            crash_point(f"write-after-{layer}")
            log.info("wrote %d rows to %s", len(gdf), final)
        log.info(
            "%s: kept %d history rows, added %d", folder, len(existing), len(added)
        )


def write_dataset(
    dataset: Dataset,
    target: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lock_timeout: float | None = None,
) -> str:
    """Write every layer of a dataset, and its plots' status history, to a store.

    Parameters
    ----------
    dataset : Dataset
        The layers to write (usually validated by :func:`zonegeo.read_dataset`)
        and the status history they carry (``dataset.history``).
    target : str or path-like
        A folder (created if needed), or ``postgresql://...?schema=NAME``
        (the schema is created if needed; see :mod:`zonegeo.postgis`).
    overwrite : bool, default False
        Replace layers that already exist. Without it, an existing layer is
        an error and nothing is written.
    lock_timeout : float, optional
        Seconds to wait while another writer holds the store (default
        :data:`LOCK_TIMEOUT`, 60).

    Returns
    -------
    str
        The target, as written (a URL's password masked).

    Raises
    ------
    ValidationError
        If a layer exists and ``overwrite`` is false.
    StoreBusyError
        If another writer holds the store for ``lock_timeout`` seconds.
    TypeError
        If ``dataset`` is not a :class:`~zonegeo.Dataset`.

    Notes
    -----
    *History*: the status history is part of the store and is never
    dropped. The target's history is kept; the rows of ``dataset.history``
    that the target lacks are added (so copying a store copies its history,
    with the same ids when the target had none); and every plot whose status
    the write changes gets a ``write-dataset`` row (old and new status), so
    the last history row of a plot always names its status. The write takes
    the same lock as :func:`zonegeo.set_plot_status`: a status change waits
    for it, or it waits for the change, and none is lost.

    *PostGIS*: all tables and the history are written in one transaction;
    on any error the schema is left as it was. Plots get a unique
    ``plot_id`` and a CHECK on ``status``, so other clients cannot store an
    unknown status either.

    *Folder*: each GeoPackage is written to a temporary file and renamed into
    place, so no file is ever half-written; the history is written into the
    new ``plots.gpkg`` before it replaces the old one. A failure or a crash
    part-way leaves the layers before it new and those after it old, and
    the plots and their history always together, old or new.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> demo = zonegeo.load_demo()
    >>> folder = tempfile.mkdtemp()
    >>> _ = zonegeo.write_dataset(demo, folder)
    >>> len(zonegeo.read_dataset(folder).plots) == len(demo.plots)
    True
    """
    from zonegeo.dataset import Dataset

    if not isinstance(dataset, Dataset):
        msg = f"write_dataset expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.integrity import check_links

    check_links(dataset)
    timeout = lock_seconds(lock_timeout)
    text = os.fspath(target)
    if postgis.is_url(text):
        postgis.write_layers(
            text,
            dict(dataset),
            overwrite=overwrite,
            history=dataset.history,
            lock_timeout=timeout,
        )
        return postgis.parse_url(text).display
    folder = Path(text)
    if folder.suffix.lower() == ".gpkg":
        msg = (
            f"{folder}: write_dataset writes a folder of GeoPackages (one per layer), "
            f"not one .gpkg file. Fix: give a folder name"
        )
        raise ValidationError(msg)
    _write_folder(dataset, folder, overwrite=overwrite, timeout=timeout)
    return str(folder)


def _folder_plots(folder: Path) -> Path | None:
    """Return the plots GeoPackage of a dataset folder, or None if it has none."""
    from zonegeo.dataset import _find_layer

    found = _find_layer(folder, "plots")
    return found if found is not None and found.suffix.lower() == ".gpkg" else None


@contextlib.contextmanager
def folder_read_lock(folder: Path, *, timeout: float) -> Iterator[None]:
    """Hold a folder store's lock shared while its layers and history are read.

    :func:`zonegeo.read_dataset` reads under it, so no zonegeo writer changes
    the plots between reading them and reading their history. Temporary files
    of an interrupted write are removed here (no writer can be running).
    """
    plots = _folder_plots(folder)
    if plots is None:  # plots in another format: nothing to lock
        yield
        return
    with store_lock(
        plots, exclusive=False, timeout=timeout, what="reading", display=str(folder)
    ):
        if lock_file(plots).exists():  # a zonegeo store: its writers lock it
            clean_temp_files(_folder_finals(folder))
        ready_gpkg(plots, timeout=timeout, display=str(folder))
        yield


def folder_history(folder: Path, *, timeout: float) -> pd.DataFrame:
    """Return the status history kept in a dataset folder (empty if none)."""
    plots = _folder_plots(folder)
    if plots is None:
        return empty_history()
    return gpkg_history(plots, timeout=timeout)
