"""The plot registry: change plot statuses and reclaim idle plots, with a history.

Every change runs in one database transaction that updates the plot and adds
a row to the ``plot_status_history`` table beside it::

    history_id  integer, increasing in commit order
    plot_id     text
    changed_at  timestamp (UTC): ``as_of``, or the time of the change
    old_status  text
    new_status  text
    action      'set-status' or 'reclaim'
    note        text; for a reclaim, JSON with the reason and the cleared values

A failure rolls the whole transaction back, so the store is left as it was.
Two writers never lose an update: PostGIS locks the plot's row
(``SELECT ... FOR UPDATE``) and a GeoPackage folder takes the store lock
(:func:`zonegeo.io.store.store_lock`, which :func:`zonegeo.write_dataset` takes
too) and SQLite's write lock (``BEGIN IMMEDIATE``); the second writer waits,
up to ``lock_timeout`` seconds, and then sees the first one's result. A write
that a killed process left half-done is rolled back the next time the store
is opened (SQLite's journal), so a GeoPackage is never left half-written.

Stores are PostGIS URLs, dataset folders or plots GeoPackages; see
:mod:`zonegeo.io.store`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from zonegeo import schema
from zonegeo.dates import parse_date
from zonegeo.errors import SchemaError, ValidationError, ZonegeoError
from zonegeo.io import postgis
from zonegeo.io.locks import (
    Deadline,
    busy_error,
    clean_temp_files,
    crash_point,
    lock_seconds,
    ready_gpkg,
    store_lock,
)
from zonegeo.io.store import (
    Store,
    gpkg_ensure_history,
    gpkg_read_history,
    gpkg_time,
    resolve_store,
)
from zonegeo.schema import HISTORY_COLUMNS

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import geopandas as gpd

__all__ = [
    "HISTORY_COLUMNS",
    "RECLAIM_CLEARS",
    "StatusChange",
    "plot_history",
    "reclaim",
    "set_plot_status",
]

log = logging.getLogger(__name__)

#: Columns :func:`reclaim` empties: the holder and the project of the plot.
RECLAIM_CLEARS = (
    "investor",
    "project",
    "sector",
    "investment_kzt",
    "jobs_planned",
    "jobs_created",
    "allocated_on",
    "build_by",
)

_HISTORY = postgis.HISTORY_TABLE
_DATES = {c.name for c in schema.PLOTS.columns if c.dtype == "date"}


@dataclass(frozen=True)
class StatusChange:
    """One status change made by :func:`set_plot_status`.

    Attributes
    ----------
    plot_id : str
    old_status, new_status : str
        Equal when the plot already had the status (nothing was written).
    changed_at : datetime.datetime
        When the change takes effect (UTC).
    changed : bool
        False when the plot already had ``new_status``.
    store : str
        The store, as messages name it.
    """

    plot_id: str
    old_status: str
    new_status: str
    changed_at: dt.datetime
    changed: bool
    store: str


def _changed_at(as_of: object | None) -> dt.datetime:
    """Return ``as_of`` as an aware UTC datetime (a date means its midnight UTC)."""
    if as_of is None:
        return dt.datetime.now(dt.UTC)
    ts = parse_date(as_of, what="as_of")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


def _check_status(status: object) -> str:
    if not isinstance(status, str) or status not in schema.PLOT_STATUSES:
        close = difflib.get_close_matches(
            str(status).lower(), schema.PLOT_STATUSES, n=1, cutoff=0.5
        )
        hint = f" Did you mean {close[0]!r}?" if close else ""
        msg = (
            f"status {status!r} is not a plot status; allowed: "
            f"{', '.join(schema.PLOT_STATUSES)}.{hint}"
        )
        raise SchemaError(msg)
    return status


def _unknown_plot(store: Store, plot_id: str, known: Sequence[str]) -> ValidationError:
    close = difflib.get_close_matches(plot_id, list(known), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    msg = (
        f"{store.display}: no plot with plot_id={plot_id!r} among its {len(known)} "
        f"plots.{hint} Fix: check the id (ids are case-sensitive)"
    )
    return ValidationError(msg)


# -- transactions ----------------------------------------------------------------


class _PgTx:
    """Plot edits inside one PostgreSQL transaction."""

    def __init__(self, conn: Any, store: Store) -> None:
        self.conn = conn
        self.store = store
        target = postgis.parse_url(store.location)
        self.schema = target.schema
        self.plots = postgis._ident(target.schema, store.table)
        self.history = postgis._ident(target.schema, _HISTORY)

    def columns(self) -> list[str]:
        oid = postgis._table_oid(self.conn, self.schema, self.store.table)
        if oid is None:
            target = postgis.parse_url(self.store.location)
            raise ValidationError(
                postgis._missing_table(self.conn, target, self.store.table)
            )
        return [c for c, _ in postgis._columns(self.conn, oid)]

    def plot_ids(self) -> list[str]:
        q = postgis._sql("SELECT plot_id FROM {} ORDER BY plot_id").format(self.plots)
        return [r[0] for r in self.conn.execute(q).fetchall()]

    def lock(self, plot_id: str, columns: Sequence[str]) -> list[dict[str, Any]]:
        q = postgis._sql("SELECT {} FROM {} WHERE plot_id = %s FOR UPDATE").format(
            postgis._sql(", ").join(postgis._ident(c) for c in columns), self.plots
        )
        rows = self.conn.execute(postgis.with_params(q), (plot_id,)).fetchall()
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def lock_many(
        self, plot_ids: Sequence[str], columns: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Lock many plots at once, in plot_id order (so writers cannot deadlock)."""
        q = postgis._sql(
            "SELECT plot_id, {} FROM {} WHERE plot_id = ANY(%s) ORDER BY plot_id "
            "FOR UPDATE"
        ).format(
            postgis._sql(", ").join(postgis._ident(c) for c in columns), self.plots
        )
        out: dict[str, list[dict[str, Any]]] = {}
        q = postgis.with_params(q)
        for r in self.conn.execute(q, (list(plot_ids),)).fetchall():
            out.setdefault(r[0], []).append(dict(zip(columns, r[1:], strict=True)))
        return out

    def batch(self) -> contextlib.AbstractContextManager[Any]:
        """Send the following statements without waiting for each reply."""
        return self.conn.pipeline()

    def update(self, plot_id: str, values: dict[str, Any]) -> None:
        sets = postgis._sql(", ").join(
            postgis._sql("{} = %s").format(postgis._ident(c)) for c in values
        )
        q = postgis._sql("UPDATE {} SET {} WHERE plot_id = %s").format(self.plots, sets)
        self.conn.execute(postgis.with_params(q), (*values.values(), plot_id))

    def add_history(self, row: dict[str, Any]) -> None:
        q = postgis._sql(
            "INSERT INTO {} "
            "(plot_id, changed_at, old_status, new_status, action, note) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(self.history)
        self.conn.execute(
            postgis.with_params(q),
            (
                row["plot_id"],
                row["changed_at"],
                row["old_status"],
                row["new_status"],
                row["action"],
                row["note"],
            ),
        )
        self._history_rows = getattr(self, "_history_rows", 0) + 1
        if self._history_rows == 1:
            crash_point("tx-first-history")


def _pg_ensure_history(store: Store) -> None:
    """Check the plots table exists; create the history table once if missing.

    An advisory lock makes concurrent first writers create it only once.
    """
    target = postgis.parse_url(store.location)
    with postgis.connect(target) as conn:
        if postgis._table_oid(conn, target.schema, store.table) is None:
            raise ValidationError(postgis._missing_table(conn, target, store.table))
        if postgis._table_oid(conn, target.schema, _HISTORY) is not None:
            return
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            (f"zonegeo:{target.schema}.{_HISTORY}",),
        )
        conn.execute(postgis.history_ddl(target.schema))


def _sqlite_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _gpkg_geometry(blob: bytes | None) -> shapely.Geometry | None:
    """Decode a GeoPackage geometry blob (header + WKB)."""
    if blob is None:
        return None
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07, 0)
    return shapely.from_wkb(bytes(blob[8 + envelope :]))


def _register_gpkg_functions(con: sqlite3.Connection) -> None:
    """Define the ST_* functions GeoPackage R-tree triggers call (as GDAL does).

    The triggers only fire when a geometry or a fid changes, which the registry
    never does, but SQLite needs the functions to exist to run any UPDATE.
    """

    def is_empty(blob: bytes | None) -> int | None:
        geom = _gpkg_geometry(blob)
        return None if geom is None else int(geom.is_empty)

    def bound(i: int) -> Any:
        def f(blob: bytes | None) -> float | None:
            geom = _gpkg_geometry(blob)
            return None if geom is None or geom.is_empty else float(geom.bounds[i])

        return f

    con.create_function("ST_IsEmpty", 1, is_empty, deterministic=True)
    for name, i in (("ST_MinX", 0), ("ST_MinY", 1), ("ST_MaxX", 2), ("ST_MaxY", 3)):
        con.create_function(name, 1, bound(i), deterministic=True)


class _GpkgTx:
    """Plot edits inside one SQLite write transaction on a GeoPackage."""

    def __init__(self, con: sqlite3.Connection, store: Store) -> None:
        self.con = con
        self.store = store
        self.plots = _sqlite_ident(store.table)
        self._history_ready = False
        self._history_rows = 0

    def columns(self) -> list[str]:
        return [r[1] for r in self.con.execute(f"PRAGMA table_info({self.plots})")]

    def plot_ids(self) -> list[str]:
        return [
            r[0]
            for r in self.con.execute(
                f"SELECT plot_id FROM {self.plots} ORDER BY plot_id"
            )
        ]

    def lock(self, plot_id: str, columns: Sequence[str]) -> list[dict[str, Any]]:
        cols = ", ".join(_sqlite_ident(c) for c in columns)
        rows = self.con.execute(
            f"SELECT {cols} FROM {self.plots} WHERE plot_id = ?", (plot_id,)
        ).fetchall()
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def lock_many(
        self, plot_ids: Sequence[str], columns: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """Read many plots (the write lock is already held)."""
        cols = ", ".join(_sqlite_ident(c) for c in columns)
        out: dict[str, list[dict[str, Any]]] = {}
        ids = list(plot_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            q = f"SELECT plot_id, {cols} FROM {self.plots} WHERE plot_id IN ({marks})"
            for r in self.con.execute(q, chunk):
                out.setdefault(r[0], []).append(dict(zip(columns, r[1:], strict=True)))
        return out

    def batch(self) -> contextlib.AbstractContextManager[Any]:
        """Nothing to batch: SQLite runs in-process."""
        return contextlib.nullcontext()

    def update(self, plot_id: str, values: dict[str, Any]) -> None:
        sets = ", ".join(f"{_sqlite_ident(c)} = ?" for c in values)
        self.con.execute(
            f"UPDATE {self.plots} SET {sets} WHERE plot_id = ?",
            (*values.values(), plot_id),
        )

    def add_history(self, row: dict[str, Any]) -> None:
        if not self._history_ready:
            gpkg_ensure_history(self.con)
            self._history_ready = True
        self.con.execute(
            f"INSERT INTO {_HISTORY} "
            "(plot_id, changed_at, old_status, new_status, action, "
            "note) VALUES (?, ?, ?, ?, ?, ?)",
            (
                row["plot_id"],
                gpkg_time(row["changed_at"]),
                row["old_status"],
                row["new_status"],
                row["action"],
                row["note"],
            ),
        )
        self._history_rows += 1
        if self._history_rows == 1:
            crash_point("tx-first-history")

    def touch(self) -> None:
        self.con.execute(
            "UPDATE gpkg_contents "
            "SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
            "WHERE table_name = ?",
            (self.store.table,),
        )


@contextlib.contextmanager
def _transaction(
    store: Store, *, what: str, timeout: float
) -> Iterator[_PgTx | _GpkgTx]:
    """Run plot edits in one transaction: commit on success, roll back on any error.

    The store's write lock is taken first, waiting at most ``timeout`` seconds.
    """
    if store.kind == "postgis":
        with _pg_transaction(store, what=what, timeout=timeout) as pg_tx:
            yield pg_tx
        return
    deadline = Deadline(timeout)
    path = Path(store.location)
    with store_lock(
        path, exclusive=True, timeout=timeout, what=what, display=store.display
    ):
        clean_temp_files([path])
        ready_gpkg(path, timeout=deadline.left(), display=store.display)
        uri = f"{path.resolve().as_uri()}?mode=rw"
        con = sqlite3.connect(
            uri, uri=True, timeout=deadline.left(), isolation_level=None
        )
        try:
            _register_gpkg_functions(con)
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                holder = f"another program holds the GeoPackage's write lock ({exc})"
                raise busy_error(store.display, holder, timeout) from None
            tx = _GpkgTx(con, store)
            try:
                yield tx
                tx.touch()
                crash_point("tx-before-commit")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            crash_point("tx-after-commit")
        except sqlite3.Error as exc:
            msg = (
                f"{store.display}: {what} failed and was rolled back; the store is "
                f"unchanged ({type(exc).__name__}: {exc})"
            )
            raise ZonegeoError(msg) from exc
        finally:
            con.close()


@contextlib.contextmanager
def _pg_transaction(store: Store, *, what: str, timeout: float) -> Iterator[_PgTx]:
    """One PostgreSQL transaction under the store's shared advisory lock.

    :func:`zonegeo.write_dataset` takes that lock exclusively, so a status
    change never runs while the plots table is being replaced.
    """
    psycopg = postgis._psycopg()
    _pg_ensure_history(store)
    target = postgis.parse_url(store.location)
    conn = postgis.connect(target)
    try:
        with conn.transaction():
            postgis.lock_store(conn, target, store.table, timeout=timeout, shared=True)
            yield _PgTx(conn, store)
            crash_point("tx-before-commit")
        crash_point("tx-after-commit")
    except psycopg.errors.LockNotAvailable:
        holder = postgis.lock_holders(target, store.table)
        raise busy_error(store.display, holder, timeout) from None
    except psycopg.Error as exc:
        msg = (
            f"{store.display}: {what} failed and was rolled back; the store is "
            f"unchanged ({type(exc).__name__}: {' '.join(str(exc).split())})"
        )
        raise ZonegeoError(msg) from exc
    finally:
        conn.close()


def _require_columns(tx: _PgTx | _GpkgTx, needed: Sequence[str]) -> list[str]:
    have = tx.columns()
    missing = [c for c in needed if c not in have]
    if missing:
        msg = (
            f"{tx.store.display}: the plots table lacks column(s) {missing}; it has "
            f"{have}. Fix: write the plots with zonegeo.write_dataset"
        )
        raise SchemaError(msg)
    return have


def _lock_one(
    tx: _PgTx | _GpkgTx, plot_id: str, columns: Sequence[str]
) -> dict[str, Any]:
    rows = tx.lock(plot_id, columns)
    if not rows:
        raise _unknown_plot(tx.store, plot_id, tx.plot_ids())
    if len(rows) > 1:
        msg = (
            f"{tx.store.display}: plot_id={plot_id!r} is in {len(rows)} rows; ids must "
            f"be unique. Fix: give every plot its own plot_id"
        )
        raise SchemaError(msg)
    return rows[0]


# -- public API ------------------------------------------------------------------


def set_plot_status(
    target: str | os.PathLike[str],
    plot_id: str,
    status: str,
    *,
    as_of: object | None = None,
    lock_timeout: float | None = None,
) -> StatusChange:
    """Change one plot's status in a store, with a history row, in one transaction.

    Parameters
    ----------
    target : str or path-like
        A ``postgresql://...?schema=NAME`` URL, a dataset folder, or a plots
        GeoPackage (see :mod:`zonegeo.io.store`).
    plot_id : str
        The plot to change.
    status : {"free", "allocated", "construction", "operating"}
        The new status.
    as_of : date, datetime or str, optional
        When the change takes effect, recorded as ``changed_at`` (a date
        means midnight UTC; a naive time is UTC). Default: now.
    lock_timeout : float, optional
        Seconds to wait while another writer holds the store (default
        :data:`zonegeo.LOCK_TIMEOUT`, 60).

    Returns
    -------
    StatusChange
        ``changed`` is False (and no history row is written) when the plot
        already had ``status``.

    Raises
    ------
    SchemaError
        For an unknown status (listing the allowed ones).
    ValidationError
        For an unknown plot (with the closest ids) or a store that cannot be
        edited.
    StoreBusyError
        If another writer holds the store for ``lock_timeout`` seconds (the
        message says who); nothing was changed.
    ZonegeoError
        If the database fails; the transaction is rolled back and the store
        is unchanged.

    Notes
    -----
    Only ``status`` changes; use :func:`reclaim` to free idle plots together
    with their holder. Concurrent calls on the same plot are serialised by a
    row lock (PostGIS) or the database write lock (GeoPackage), so every
    change is applied and recorded in order.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> folder = tempfile.mkdtemp()
    >>> _ = zonegeo.write_dataset(zonegeo.load_demo(), folder)
    >>> pid = zonegeo.read_dataset(folder).plots["plot_id"].iloc[0]
    >>> change = zonegeo.set_plot_status(folder, pid, "operating", as_of="2025-03-01")
    >>> change.new_status, zonegeo.plot_history(folder)["new_status"].tolist()
    ('operating', ['operating'])
    """
    if not isinstance(plot_id, str):
        msg = f"plot_id must be a str, got {type(plot_id).__name__} {plot_id!r}"
        raise TypeError(msg)
    status = _check_status(status)
    when = _changed_at(as_of)
    timeout = lock_seconds(lock_timeout)
    deadline = Deadline(timeout)
    store = resolve_store(target, lock_timeout=timeout)
    with _transaction(
        store,
        what=f"setting plot {plot_id!r} to {status!r}",
        timeout=deadline.left(),
    ) as tx:
        _require_columns(tx, ("plot_id", "status"))
        old = _lock_one(tx, plot_id, ("status",))["status"]
        if old == status:
            log.info(
                "%s: plot %s is already %s; nothing to change",
                store.display,
                plot_id,
                status,
            )
            return StatusChange(plot_id, old, status, when, False, store.display)
        tx.update(plot_id, {"status": status})
        tx.add_history(
            {
                "plot_id": plot_id,
                "changed_at": when,
                "old_status": old,
                "new_status": status,
                "action": "set-status",
                "note": None,
            }
        )
    log.info("%s: plot %s %s -> %s", store.display, plot_id, old, status)
    return StatusChange(plot_id, old, status, when, True, store.display)


def _store_date(value: object, date_format: str | None) -> pd.Timestamp:
    """Read a date as the store holds it (text as :mod:`zonegeo.dates` says)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return pd.NaT
    if isinstance(value, str) and not value.strip():
        return pd.NaT
    try:
        return parse_date(value, date_format=date_format, what="build_by")
    except ValidationError:
        return pd.NaT


def _same_date(a: object, b: object, date_format: str | None = None) -> bool:
    ta, tb = _store_date(a, date_format), _store_date(b, date_format)
    if pd.isna(ta) or pd.isna(tb):
        return bool(pd.isna(ta) and pd.isna(tb))
    ta = ta.tz_localize(None) if ta.tzinfo else ta
    tb = tb.tz_localize(None) if tb.tzinfo else tb
    return ta.normalize() == tb.normalize()


def _json_value(
    value: object, *, date: bool = False, date_format: str | None = None
) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if date or isinstance(value, (dt.date, pd.Timestamp)):
        stamp = _store_date(value, date_format)
        return str(value) if pd.isna(stamp) else stamp.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def reclaim(
    target: str | os.PathLike[str],
    *,
    as_of: object,
    grace_days: int = 0,
    dry_run: bool = False,
    lock_timeout: float | None = None,
    date_format: str | None = None,
) -> gpd.GeoDataFrame:
    """Mark idle plots free again: allocated plots whose ``build_by`` date has passed.

    Each reclaimed plot gets status ``free`` and empty ``investor``,
    ``project``, ``sector``, ``investment_kzt``, ``jobs_planned``,
    ``jobs_created``, ``allocated_on`` and ``build_by``; its history row
    (action ``reclaim``) keeps the old values as JSON in ``note``.

    Parameters
    ----------
    target : str or path-like
        A ``postgresql://`` URL, a dataset folder or a plots GeoPackage.
    as_of : date-like
        The reference date; also recorded as ``changed_at``.
    grace_days : int, default 0
        Days allowed after ``build_by``.
    dry_run : bool, default False
        Only list the plots; change nothing.
    lock_timeout : float, optional
        Seconds to wait while another writer holds the store (default
        :data:`zonegeo.LOCK_TIMEOUT`, 60).
    date_format : str, optional
        How ``as_of`` and text dates in the store are written when not
        ``dd.mm.yyyy`` (day first) or ISO; see :func:`zonegeo.read_layer`.

    Returns
    -------
    GeoDataFrame
        The idle plots (as :func:`zonegeo.idle_plots` lists them, most
        overdue first) that were reclaimed, or would be with ``dry_run``.

    Raises
    ------
    ValidationError
        For a bad ``as_of``/``grace_days`` or a store that cannot be edited.
    StoreBusyError
        If another writer holds the store for ``lock_timeout`` seconds.
    ZonegeoError
        If the database fails; nothing is reclaimed (one transaction).

    Notes
    -----
    The idle plots are chosen from a read of the store; inside the
    transaction each one is locked and checked again, and a plot that
    another user changed in between (no longer ``allocated``, or a new
    ``build_by``) is left alone and left out of the result.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> folder = tempfile.mkdtemp()
    >>> _ = zonegeo.write_dataset(zonegeo.load_demo(), folder)
    >>> listed = zonegeo.reclaim(folder, as_of="2025-02-01", dry_run=True)
    >>> done = zonegeo.reclaim(folder, as_of="2025-02-01")
    >>> listed["plot_id"].tolist() == done["plot_id"].tolist()
    True
    >>> len(zonegeo.reclaim(folder, as_of="2025-02-01"))
    0
    """
    from zonegeo.io.files import read_layer
    from zonegeo.parcels import idle_plots, to_timestamp

    if isinstance(grace_days, bool) or not isinstance(grace_days, int):
        msg = f"grace_days must be an int, got {grace_days!r}"
        raise TypeError(msg)
    ref = to_timestamp(
        as_of if as_of is None else parse_date(as_of, date_format=date_format)
    )
    when = _changed_at(ref)
    timeout = lock_seconds(lock_timeout)
    deadline = Deadline(timeout)
    store = resolve_store(target, lock_timeout=timeout)
    table = store.table if store.kind == "gpkg" else None
    plots = read_layer(
        store.location, "plots", layer_name=table, date_format=date_format
    )
    idle = idle_plots(plots, as_of=ref, grace_days=grace_days)
    if dry_run or idle.empty:
        log.info(
            "%s: %d idle plot(s) as of %s%s",
            store.display,
            len(idle),
            ref.date(),
            " (dry run)" if dry_run else "",
        )
        return idle
    done: list[bool] = []
    log.info("%s: reclaiming %d idle plot(s)", store.display, len(idle))
    with _transaction(
        store,
        what=f"reclaiming {len(idle)} idle plot(s)",
        timeout=deadline.left(),
    ) as tx:
        have = _require_columns(tx, ("plot_id", "status", "build_by"))
        clears = [c for c in RECLAIM_CLEARS if c in have]
        columns = ["status", *[c for c in clears if c != "status"]]
        ids = [str(p) for p in idle["plot_id"]]
        locked = tx.lock_many(ids, columns)
        with tx.batch():
            for plot_id, build_by, overdue in zip(
                ids, idle["build_by"], idle["days_overdue"], strict=True
            ):
                rows = locked.get(plot_id, [])
                row = rows[0] if len(rows) == 1 else None
                if (
                    row is None
                    or row["status"] != "allocated"
                    or not _same_date(row["build_by"], build_by, date_format)
                ):
                    log.warning(
                        "%s: plot %s changed since it was read (%s); not reclaimed",
                        store.display,
                        plot_id,
                        "now gone or duplicated"
                        if row is None
                        else f"status {row['status']}, build_by {row['build_by']}",
                    )
                    done.append(False)
                    continue
                note = {
                    "reason": (
                        f"idle: build_by {_json_value(build_by, date=True)} passed, "
                        f"{int(overdue)} days overdue as of {ref.date().isoformat()} "
                        f"(grace {grace_days} days)"
                    ),
                    "cleared": {
                        c: _json_value(
                            row[c], date=c in _DATES, date_format=date_format
                        )
                        for c in clears
                    },
                }
                tx.update(plot_id, {"status": "free", **dict.fromkeys(clears)})
                tx.add_history(
                    {
                        "plot_id": plot_id,
                        "changed_at": when,
                        "old_status": "allocated",
                        "new_status": "free",
                        "action": "reclaim",
                        "note": json.dumps(note, ensure_ascii=False),
                    }
                )
                done.append(True)
    log.info(
        "%s: reclaimed %d idle plot(s) as of %s", store.display, sum(done), ref.date()
    )
    return idle[done]


def plot_history(
    target: str | os.PathLike[str],
    *,
    plot_id: str | None = None,
    lock_timeout: float | None = None,
) -> pd.DataFrame:
    """Return the status history of a store's plots, oldest change first.

    Parameters
    ----------
    target : str or path-like
        A ``postgresql://`` URL, a dataset folder or a plots GeoPackage.
    plot_id : str, optional
        Only this plot's changes.
    lock_timeout : float, optional
        Seconds to wait while a writer holds a GeoPackage store (default
        :data:`zonegeo.LOCK_TIMEOUT`, 60).

    Returns
    -------
    DataFrame
        Columns ``history_id``, ``plot_id``, ``changed_at`` (UTC),
        ``old_status``, ``new_status``, ``action``, ``note``; empty when
        nothing has been changed yet.

    Notes
    -----
    Reading never changes the store.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> folder = tempfile.mkdtemp()
    >>> _ = zonegeo.write_dataset(zonegeo.load_demo(), folder)
    >>> _ = zonegeo.reclaim(folder, as_of="2025-02-01")
    >>> history = zonegeo.plot_history(folder)
    >>> sorted(set(history["action"])), sorted(set(history["new_status"]))
    (['reclaim'], ['free'])
    """
    timeout = lock_seconds(lock_timeout)
    store = resolve_store(target, lock_timeout=timeout)
    if store.kind == "postgis":
        parsed = postgis.parse_url(store.location)
        with postgis.connect(parsed, read_only=True) as conn:
            return postgis.read_history(conn, parsed.schema, plot_id=plot_id)
    path = Path(store.location)
    ready_gpkg(path, timeout=timeout, display=store.display)
    uri = f"{path.resolve().as_uri()}?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=timeout)
    try:
        return gpkg_read_history(con, plot_id=plot_id)
    finally:
        con.close()
