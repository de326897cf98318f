"""Exceptions and warnings raised by zonegeo.

Every error zonegeo raises for bad input is a :class:`ValidationError`, which is
also a :class:`ValueError`, so ``except ValueError`` keeps working. The message
names the file, the rows, what was found, what is allowed and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataWarning",
    "GeometryError",
    "ReadError",
    "SchemaError",
    "StoreBusyError",
    "UnknownDistrictError",
    "ValidationError",
    "ZonegeoError",
]


class ZonegeoError(Exception):
    """Base class of every error zonegeo raises on purpose."""


class ValidationError(ZonegeoError, ValueError):
    """Bad input: a file, a layer, a column, a value or an option."""


class CRSError(ValidationError):
    """A missing, unknown or implausible coordinate reference system."""


class SchemaError(ValidationError):
    """A missing column, a wrong dtype, an unknown value or a duplicate id."""


class GeometryError(ValidationError):
    """An empty, unrepairable or wrongly typed geometry."""


class ReadError(ValidationError):
    """A file, folder, URL or table that cannot be read at all.

    Missing, empty, damaged or not in the format its name says, text that is
    not valid UTF-8, or a database that refuses access. The message names the
    file or the URL (password masked).
    """


class UnknownDistrictError(ValidationError, KeyError):
    """A district name that is not in the dataset."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class StoreBusyError(ZonegeoError, TimeoutError):
    """Another writer held a store for longer than the lock timeout; try again."""


class DataWarning(UserWarning):
    """Data that zonegeo accepted after repairing it (e.g. an invalid polygon)."""
