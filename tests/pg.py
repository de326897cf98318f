"""Pytest plugin: a throwaway PostgreSQL + PostGIS server for the test session.

The server runs from Debian's binaries (``/usr/lib/postgresql/*/bin``) in a
temporary folder, listens only on a unix socket there (no TCP), trusts local
logins, and is stopped and deleted at the end of the session. As root it runs
as the ``postgres`` user, since PostgreSQL refuses to run as root.

Fixtures
--------
postgis_server
    Session-scoped: ``{"host": socket dir, "dbname": ..., "user": ...}`` of a
    database with the postgis extension.
pg_url
    A fresh, empty schema for one test, as a zonegeo URL
    ``postgresql:///zonegeo_test?host=...&user=postgres&schema=t_N``; dropped
    after the test.

Tests that use these fixtures get the ``postgis`` marker automatically.
Without the binaries the tests skip locally and fail under ``CI=true``.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests._need import in_ci, need, need_executable

DBNAME = "zonegeo_test"
_counter = itertools.count(1)


def _bindir() -> Path:
    """Return the newest Debian PostgreSQL bin folder (skip or fail if none)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: (
            int(Path(p).parent.parent.name)
            if Path(p).parent.parent.name.isdigit()
            else 0
        ),
    )
    pg_ctl = need_executable("pg_ctl", *reversed(found))
    return Path(pg_ctl).parent


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(
            f"{reason} (CI=true: a missing tool fails the build)", pytrace=False
        )
    pytest.skip(reason)


def _run(cmd: list[str], *, as_user: str | None) -> subprocess.CompletedProcess[str]:
    if as_user is not None:
        cmd = ["runuser", "-u", as_user, "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[dict[str, str]]:
    """Start PostgreSQL with PostGIS on a unix socket; stop and delete it afterwards."""
    psycopg = need("psycopg")
    bindir = _bindir()
    as_user = None
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root needs a 'postgres' user to run PostgreSQL")
        as_user = "postgres"
    # A short path under /tmp: unix socket paths are limited to ~107 bytes.
    base = Path(tempfile.mkdtemp(prefix="zg-pg-", dir="/tmp"))
    if as_user is not None:
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data, log = base / "data", base / "server.log"
    started = False
    try:
        res = _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
            as_user=as_user,
        )
        if res.returncode != 0:
            _unavailable(f"initdb failed: {res.stderr.strip()}")
        opts = (
            f"-c listen_addresses='' -k {base} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off"
        )
        res = _run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
            as_user=as_user,
        )
        if res.returncode != 0:
            text = log.read_text() if log.exists() else ""
            _unavailable(f"pg_ctl start failed: {res.stderr.strip()} {text[-2000:]}")
        started = True
        info = {"host": str(base), "user": "postgres"}
        with psycopg.connect(dbname="postgres", autocommit=True, **info) as conn:
            conn.execute(f"CREATE DATABASE {DBNAME}")
        with psycopg.connect(dbname=DBNAME, autocommit=True, **info) as conn:
            try:
                conn.execute("CREATE EXTENSION postgis")
            except psycopg.Error as exc:
                _unavailable(f"the postgis extension is not installed: {exc}")
        yield {**info, "dbname": DBNAME}
    finally:
        if started:
            _run(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                as_user=as_user,
            )
        shutil.rmtree(base, ignore_errors=True)


def url_for(server: dict[str, str], **params: str) -> str:
    """Return a zonegeo URL of the test database with extra query parameters."""
    base = {"host": server["host"], "user": server["user"]}
    query = urlencode({**base, **params}, safe="/")
    return f"postgresql:///{server['dbname']}?{query}"


@pytest.fixture
def pg_url(postgis_server: dict[str, str]) -> Iterator[str]:
    """A zonegeo URL naming a fresh schema (created empty, dropped after the test)."""
    import psycopg

    name = f"t_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(autocommit=True, **postgis_server) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    yield url_for(postgis_server, schema=name)
    with psycopg.connect(autocommit=True, **postgis_server) as conn:
        conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the server with ``postgis``."""
    for item in items:
        if {"pg_url", "postgis_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgis)
