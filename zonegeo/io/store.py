"""Where a dataset is kept: a folder of GeoPackages (the default) or a PostGIS schema.

A *store* is either

* a dataset **folder** laid out as :func:`zonegeo.read_dataset` reads it
  (``boundaries/districts.gpkg``, ``plots/zones.gpkg``, ``plots/plots.gpkg``,
  ``infrastructure/infrastructure.gpkg``, ``boundaries/settlements.gpkg``,
  ``boundaries/exclusions.gpkg``), GeoPackage being the embedded default; or
* a **PostGIS schema**, named by a ``postgresql://...?schema=NAME`` URL (see
  :mod:`zonegeo.io.postgis` for the URL convention), for many users at once.

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

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from zonegeo.errors import SchemaError, StoreBusyError, ValidationError
from zonegeo.io import postgis
from zonegeo.io.history import history_to_add
from zonegeo.io.locks import (
    CRASH_ENV,
    FOLDER_LAYOUT,
    LOCK_TIMEOUT,
    Deadline,
    _Closing,
    _folder_finals,
    clean_temp_files,
    crash_point,
    lock_file,
    lock_seconds,
    ready_gpkg,
    store_lock,
)
from zonegeo.schema import HISTORY_COLUMNS, empty_history, history_frame

if TYPE_CHECKING:
    from collections.abc import Iterator

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





#: Columns of the status history, as :func:`zonegeo.plot_history` returns them.
_HISTORY = postgis.HISTORY_TABLE










# -- the store lock of a GeoPackage folder --------------------------------------






















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
        from zonegeo.io.layout import find_layer

        found = find_layer(path, "plots")
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




# -- the status history ---------------------------------------------------------


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

    from zonegeo.io.atomic import atomic_path

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
        (the schema is created if needed; see :mod:`zonegeo.io.postgis`).
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
    from zonegeo.io.integrity import check_links

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
    from zonegeo.io.layout import find_layer

    found = find_layer(folder, "plots")
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
