"""Require an optional tool in a test: skip locally, fail under ``CI=true``.

CI installs every tool the suite needs, so a missing one there is a broken
build, never a silent skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

__all__ = ["in_ci", "need", "need_executable"]


def in_ci() -> bool:
    """Return True when running under CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _missing(what: str) -> None:
    msg = f"{what} is required for this test"
    if in_ci():
        pytest.fail(f"{msg} (CI=true: a missing tool fails the build)", pytrace=False)
    pytest.skip(msg)


def need(name: str) -> ModuleType | str:
    """Return module ``name`` or the path of executable ``name``; skip (fail under CI).

    A name that imports as a Python module returns the module; otherwise a
    program of that name on ``$PATH`` (or in /usr/bin) returns its path.
    """
    try:
        return importlib.import_module(name)
    except ImportError:
        pass
    found = shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/local/bin")
    if found:
        return found
    _missing(f"{name!r} (a Python module or a program)")
    raise AssertionError  # unreachable: skip/fail raise


def need_executable(name: str, *candidates: str) -> str:
    """Return the path of an executable or skip (fail under CI).

    ``candidates`` are extra absolute paths tried after ``$PATH``.
    """
    found = shutil.which(name)
    if found:
        return found
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    _missing(f"the program {name!r}")
    raise AssertionError  # unreachable
