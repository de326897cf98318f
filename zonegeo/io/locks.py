"""Locks, crash points and crash recovery of the GeoPackage files of a store.

A folder store is guarded by one OS lock file beside its plots; a killed write
leaves at most a hot SQLite journal and temporary files, which the next open
rolls back and removes (docs/registry.md, "Crash and concurrency guarantees").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from zonegeo.errors import StoreBusyError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator


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
    """Match the temporary files :func:`~zonegeo.io.atomic.atomic_path` makes."""
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


class _Closing:
    """Close a sqlite3 connection on exit (its own context manager only commits)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()
