"""Turn what file and database libraries raise into one error naming the source."""

from __future__ import annotations

import contextlib
import sqlite3
import warnings
import zipfile
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyogrio

from zonegeo.errors import (
    CRSError,
    ReadError,
    ZonegeoError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


#: Names of the formats, by extension, for messages.
_FORMAT_NAMES = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON file",
    ".json": "GeoJSON file",
    ".parquet": "GeoParquet file",
    ".geoparquet": "GeoParquet file",
    ".shp": "Shapefile",
    ".zip": "zipped Shapefile",
    ".shp.zip": "zipped Shapefile",
    ".csv": "CSV file",
}


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _pg_error(label: str, exc: Exception) -> ReadError:
    """Explain a PostgreSQL error raised while reading ``label``."""
    reason = _one_line(exc)
    if getattr(exc, "sqlstate", None) == "42501":  # insufficient_privilege
        msg = (
            f"{label}: the database refused to read it ({reason}). Fix: ask the "
            f"database administrator to GRANT USAGE on the schema and SELECT on "
            f"the tables to your user, or connect as a user who has them"
        )
    else:
        msg = f"{label}: reading from the database failed ({reason})"
    return ReadError(msg)


@contextlib.contextmanager
def read_errors(label: str, *, what: str = "a GIS file") -> Iterator[None]:
    """Turn a failure of the libraries that read ``label`` into one ReadError.

    GDAL (pyogrio), pyarrow, pandas, zipfile and sqlite3 each have their own
    exceptions for a damaged, cut-short or wrongly named file, or text that is
    not UTF-8. This names the file, says what went wrong in one line and how
    to fix it. zonegeo's own
    errors pass through unchanged. Numpy's "invalid value" warnings for NaN
    coordinates are silenced here: validation reports those rows as errors.
    """
    import pyarrow

    # GDAL reports through Python warnings; keep them until the read succeeds,
    # so a damaged file gives the one error below and not a warning per layer.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(invalid="ignore"):
                yield
        except ZonegeoError:
            raise
        except UnicodeDecodeError as exc:
            bad = exc.object[exc.start : exc.start + 1]
            msg = (
                f"{label}: text in the file is not valid UTF-8 (byte {bad!r}: "
                f"{exc.reason}). Fix: save it with UTF-8 encoding; for a Shapefile, "
                f"put a .cpg file beside it naming the encoding the .dbf really "
                f"uses (e.g. CP1251)"
            )
            raise ReadError(msg) from None
        except pyogrio.errors.CRSError as exc:
            msg = (
                f"{label}: its CRS cannot be understood ({_one_line(exc)}). Fix: "
                f"save it again with an EPSG code"
            )
            raise CRSError(msg) from None
        except (
            pyogrio.errors.DataSourceError,
            pyogrio.errors.DataLayerError,
            pyogrio.errors.FeatureError,
            pyarrow.ArrowException,
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
            zipfile.BadZipFile,
            sqlite3.Error,
            OSError,
            ValueError,
        ) as exc:
            msg = (
                f"{label}: cannot be read as {what} ({_one_line(exc)}). The file "
                f"may be damaged, cut short or in another format than its name "
                f"says. Fix: check it opens in QGIS, or export it again"
            )
            raise ReadError(msg) from None
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@contextlib.contextmanager
def database_read_errors(label: str) -> Iterator[None]:
    """Turn a psycopg error raised while reading ``label`` into one ReadError.

    A refused permission (``permission denied for table zones``) gets the fix
    (``GRANT``); connection failures keep their own message.
    """
    try:
        yield
    except Exception as exc:
        if type(exc).__module__.split(".")[0] == "psycopg":
            raise _pg_error(label, exc) from None
        raise
