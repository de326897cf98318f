"""Read dates the way Kazakh offices write them: day first, one format per column.

Every date zonegeo reads goes through this module: the ``allocated_on`` and
``build_by`` columns of plots (:func:`date_column`, called by the layer
validation), and single dates such as ``as_of=`` / ``--as-of``
(:func:`parse_date`).

Rules (also in ``docs/data.md`` and ``docs/schema.md``, from :data:`RULES`):

* Text is read **day first**: ``dd.mm.yyyy``, and equally ``dd/mm/yyyy`` and
  ``dd-mm-yyyy`` (``12.01.2026`` is 12 January 2026). Text that starts with a
  four-digit year is read **year first**: ISO ``YYYY-MM-DD`` (also ``/`` or
  ``.`` between the parts; no one writes year-day-month). Day and month may
  have one or two digits.
* A time may follow the date (``2024-06-30T14:30``, ``30.06.2024 14:30:05``)
  and is kept; a time-zone offset after an ISO time (``+05:00``, ``Z``) is
  dropped in a column (the wall-clock time is kept, as for date-time fields)
  and honoured in a single ``as_of``.
* A whole column is read with one format, never row by row: a column that
  mixes ISO and day-first text, or holds text in neither, is refused with the
  column, the rows and the values. So is a day that does not exist
  (``31.02.2024``) and a two-digit year (``11.03.23``: zonegeo does not guess
  the century).
* Blank cells, whitespace and NaN are missing dates (NaT), never errors.
* Real date and date-time fields (GeoPackage, Shapefile, GeoParquet, PostGIS,
  ``pandas.read_excel``) are taken as they are; a time zone is dropped,
  keeping the wall-clock time.
* Numbers in a numeric column (an ``.xlsx`` cell formatted as a number, a
  numeric field) are Excel serial day numbers (1900 date system: 45000 is
  2023-03-15); only serials 18264-73415 (years 1950-2100) are accepted, so a
  year or a ``yyyymmdd`` number is refused rather than misread. Digits in a
  text (CSV) column are not dates unless ``date_format="excel"``.
* ``date_format=`` (CLI ``--date-format``) reads a column, or a single date,
  one stated way: ``"dd.mm.yyyy"`` (day first, any of the three separators),
  ``"iso"``, ``"excel"``, or a :func:`~datetime.datetime.strptime` pattern
  such as ``"%m/%d/%Y"`` (a US export) or ``"%d.%m.%y"`` (two-digit years:
  00-68 are 2000-2068, 69-99 are 1969-1999).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DATE_FORMATS",
    "RULES",
    "date_column",
    "parse_date",
    "parse_date_column",
]

#: Named values of ``date_format=`` (case-insensitive); a pattern with ``%``
#: is also accepted.
DATE_FORMATS: dict[str, str] = {
    "dd.mm.yyyy": "dayfirst",
    "dd/mm/yyyy": "dayfirst",
    "dd-mm-yyyy": "dayfirst",
    "iso": "iso",
    "yyyy-mm-dd": "iso",
    "excel": "excel",
}

#: The rules in one paragraph, for the docs and for messages.
RULES = (
    "Dates are read day first: dd.mm.yyyy, also dd/mm/yyyy and dd-mm-yyyy "
    "(12.01.2026 is 12 January 2026); text starting with a four-digit year is "
    "ISO YYYY-MM-DD (year, month, day). A time (HH:MM or HH:MM:SS) may follow "
    "the date. A whole column is read with one format: a column mixing ISO and "
    "day-first dates, holding other text, an impossible day (31.02.2024) or a "
    "two-digit year (11.03.23) is refused, naming the column, rows and values. "
    "Blank cells are missing dates. Real date fields (GeoPackage, Shapefile, "
    "GeoParquet, PostGIS, Excel) are used as they are; numbers in a numeric "
    "column are Excel serial days (1900 system; only 1950-2100 accepted). "
    "Another format is read when stated: date_format= on the readers, "
    "--date-format on the command line ('dd.mm.yyyy', 'iso', 'excel' or a "
    "strptime pattern such as '%m/%d/%Y')."
)

_ALLOWED = (
    "dd.mm.yyyy (also dd/mm/yyyy, dd-mm-yyyy; day first) or ISO YYYY-MM-DD, "
    "optionally followed by a time HH:MM[:SS]"
)
_LABELS = {
    "iso": "ISO YYYY-MM-DD (year first)",
    "dayfirst": "dd.mm.yyyy (day first)",
    "excel": "Excel serial day numbers",
}
_TIME = (
    r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})"
    r"(?:[.,](?P<f>\d{1,9}))?)?(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME
)
_DAY_FIRST = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[./-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})" + _TIME
)
_SHORT_YEAR = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2}" + _TIME.replace("?P<", "?:<"))
_PATTERNS = {"iso": _YEAR_FIRST, "dayfirst": _DAY_FIRST}
#: 1900 date system; day 60 is Excel's phantom 1900-02-29, so from day 61 on
#: (and in the accepted range) the origin 1899-12-30 is exact.
_EXCEL_ORIGIN = pd.Timestamp("1899-12-30")
_EXCEL_MIN, _EXCEL_MAX = 18264, 73415  # 1950-01-01 .. 2100-12-31
_MAX_VALUES = 5


def _format_kind(date_format: str | None) -> tuple[str, str | None]:
    """Return ``(kind, strptime pattern or None)`` for a ``date_format`` value."""
    if date_format is None:
        return "auto", None
    if not isinstance(date_format, str):
        msg = (
            f"date_format must be a str, got {type(date_format).__name__} "
            f"{date_format!r}"
        )
        raise TypeError(msg)
    key = date_format.strip().lower()
    if key in DATE_FORMATS:
        return DATE_FORMATS[key], None
    if "%" in date_format:
        return "pattern", date_format
    msg = (
        f"date_format={date_format!r} is not a date format zonegeo knows; use one "
        f"of {', '.join(repr(k) for k in DATE_FORMATS)} or a strptime pattern "
        f"such as '%m/%d/%Y'"
    )
    raise ValidationError(msg)


def _fix(kind: str) -> str:
    return (
        "Fix: correct those cells, or pass date_format= (CLI: --date-format) "
        "to read the column another stated way, e.g. '%m/%d/%Y'"
        if kind == "auto"
        else "Fix: correct those cells, or pass the date_format= (CLI: "
        "--date-format) the column is really written in"
    )


# -- text -----------------------------------------------------------------------


def _assemble(parts: pd.DataFrame) -> pd.Series:
    """Build timestamps from regex parts (y, m, d, H, M, S, f); NaT where impossible."""
    num = {k: pd.to_numeric(parts[k], errors="coerce") for k in ("y", "m", "d")}
    frame = pd.DataFrame(
        {
            "year": num["y"],
            "month": num["m"],
            "day": num["d"],
            "hour": pd.to_numeric(parts["H"], errors="coerce").fillna(0),
            "minute": pd.to_numeric(parts["M"], errors="coerce").fillna(0),
            "second": pd.to_numeric(parts["S"], errors="coerce").fillna(0),
            "ms": pd.to_numeric(
                parts["f"].astype("string").str.ljust(3, "0").str[:3],
                errors="coerce",
            ).fillna(0),
        },
        index=parts.index,
    )
    if len(frame) == 0:
        return pd.Series([], index=parts.index, dtype="datetime64[ms]")
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[ms]")
    ok = frame[["year", "month", "day"]].notna().all(axis=1)
    if ok.any():
        stamps = pd.to_datetime(frame[ok], errors="coerce")
        out[ok] = stamps.astype("datetime64[ms]")
    return out


def _read_text(
    text: pd.Series, kind: str, pattern: str | None
) -> tuple[pd.Series, pd.Series, str]:
    """Read non-missing text one way.

    Returns the timestamps, a mask of the values that fit the format but are no
    calendar date, and the format's label.
    """
    if kind == "pattern":
        assert pattern is not None
        out = pd.to_datetime(text, format=pattern, errors="coerce")
        return (
            out.astype("datetime64[ms]"),
            pd.Series(False, index=text.index),
            (f"{pattern!r}"),
        )
    if kind == "excel":
        num = pd.to_numeric(text, errors="coerce")
        out, _ = _from_serials(num)
        return out, pd.Series(False, index=text.index), _LABELS["excel"]
    parts = text.str.fullmatch(_PATTERNS[kind].pattern)
    extracted = text.str.extract("^" + _PATTERNS[kind].pattern + "$")
    out = _assemble(extracted)
    impossible = parts.fillna(False).astype(bool) & out.isna()
    return out, impossible, _LABELS[kind]


def _kinds_of(text: pd.Series) -> pd.Series:
    """Classify each text value: "iso", "dayfirst", "short" (2-digit year) or ""."""
    kinds = pd.Series("", index=text.index, dtype=object)
    for name, rx in (("short", _SHORT_YEAR), ("dayfirst", _DAY_FIRST)):
        kinds[text.str.fullmatch(rx.pattern).fillna(False).astype(bool)] = name
    kinds[text.str.fullmatch(_YEAR_FIRST.pattern).fillna(False).astype(bool)] = "iso"
    return kinds


# -- numbers and objects ----------------------------------------------------------


def _from_serials(num: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Excel serial days to timestamps; also the mask of serials out of range."""
    bad = num.notna() & ((num < _EXCEL_MIN) | (num > _EXCEL_MAX))
    good = num.where(num.notna() & ~bad)
    days = pd.to_timedelta(good.astype("float64"), unit="D")
    out = (_EXCEL_ORIGIN + days).astype("datetime64[ms]")
    return out, bad


def _naive(values: pd.Series) -> pd.Series:
    """Datetime values without time zone (wall-clock time kept), in ms."""
    tz = getattr(values.dt, "tz", None)
    out = values.dt.tz_localize(None) if tz is not None else values
    return out.astype("datetime64[ms]")


def _value_kind(v: object) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "missing"
    if isinstance(v, str):
        return "text"
    if isinstance(v, (dt.date, np.datetime64)):
        return "date"
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    ):
        return "number"
    return "other"


# -- one column ----------------------------------------------------------------------


class _Report:
    """Problems found in one column, each naming rows and values."""

    def __init__(
        self,
        values: pd.Series,
        column: str,
        ids: Sequence[object] | None,
        id_column: str | None,
    ) -> None:
        self.values = values
        self.column = column
        self.ids = ids
        self.id_column = id_column if ids is not None else None
        self.items: list[str] = []

    def rows(self, mask: pd.Series) -> str:
        from zonegeo.messages import describe_rows

        pos = np.flatnonzero(mask.to_numpy(dtype=bool))
        if self.ids is not None:
            chosen: list[object] = [self.ids[int(i)] for i in pos]
        else:
            chosen = [int(i) + 1 for i in pos]  # 1-based row numbers
        return f"{len(pos)} row(s) {describe_rows(chosen, id_column=self.id_column)}"

    def shown(self, mask: pd.Series) -> str:
        seen: list[str] = []
        for v in self.values[mask.to_numpy(dtype=bool)]:
            r = repr(v.strip() if isinstance(v, str) else v)
            if r not in seen:
                seen.append(r)
        more = ", ..." if len(seen) > _MAX_VALUES else ""
        return ", ".join(seen[:_MAX_VALUES]) + more

    def add(self, mask: pd.Series, why: str, fix: str) -> None:
        self.items.append(
            f"column {self.column!r} must be a date but has {self.shown(mask)} in "
            f"{self.rows(mask)}: {why}. {fix}"
        )


def date_column(
    values: pd.Series,
    *,
    column: str,
    ids: Sequence[object] | None = None,
    id_column: str | None = None,
    date_format: str | None = None,
) -> tuple[pd.Series, list[str]]:
    """Read a column of dates with one format; return the dates and the problems.

    Parameters
    ----------
    values : Series
        Text, numbers, or real dates, as a reader produced them.
    column : str
        The column's name, for messages.
    ids : sequence, optional
        Row labels aligned with ``values`` by position (e.g. the ``plot_id``
        column), for messages; 1-based row numbers when absent.
    id_column : str, optional
        What ``ids`` are, e.g. ``"plot_id"``.
    date_format : str, optional
        Read the column this one way (see :data:`DATE_FORMATS`); default:
        recognise day-first or ISO for the whole column (module docstring).

    Returns
    -------
    dates : Series
        ``datetime64[ms]`` aligned on ``values.index``; NaT for missing and
        refused cells.
    problems : list of str
        Empty when the column was read; else one sentence per problem, naming
        the column, the rows, the values, what is allowed and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> dates, problems = date_column(
    ...     pd.Series(["11.03.2023", "19.09.2019", ""]), column="build_by"
    ... )
    >>> [str(d.date()) if pd.notna(d) else None for d in dates], problems
    (['2023-03-11', '2019-09-19', None], [])
    """
    kind, pattern = _format_kind(date_format)
    report = _Report(values, column, ids, id_column)
    empty = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]")
    if pd.api.types.is_datetime64_any_dtype(values):
        return _naive(values), []
    if pd.api.types.is_bool_dtype(values):
        report.add(
            values.notna(),
            "true/false values are not dates",
            "Fix: store the dates themselves",
        )
        return empty, report.items
    if pd.api.types.is_numeric_dtype(values):
        return _numbers(pd.to_numeric(values), kind, pattern, report)
    if isinstance(values.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(values):
        return _text(values, kind, pattern, report)
    # object: Python dates (read_excel, PostGIS), numbers, text, or a mix.
    kinds = values.map(_value_kind)
    present = sorted(set(kinds) - {"missing"})
    if not present:
        return empty, []
    if present == ["text"]:
        return _text(values, kind, pattern, report)
    if present == ["number"]:
        return _numbers(
            pd.to_numeric(values.where(kinds == "number")), kind, pattern, report
        )
    if present == ["date"]:
        stamps = [
            pd.NaT
            if k == "missing"
            else pd.Timestamp(v).tz_localize(None)
            if pd.Timestamp(v).tzinfo
            else pd.Timestamp(v)
            for v, k in zip(values, kinds, strict=True)
        ]
        return pd.Series(stamps, index=values.index, dtype="datetime64[ms]"), []
    names = {"text": "text", "date": "dates", "number": "numbers", "other": "other"}
    parts = [
        f"{names[k]} ({report.shown(kinds == k)}) in {report.rows(kinds == k)}"
        for k in present
    ]
    report.items.append(
        f"column {column!r} must be a date but mixes kinds of value: "
        f"{'; '.join(parts)}; a column is read with one format. Fix: store "
        f"every date the same way (a date field, or text in {_ALLOWED})"
    )
    return empty, report.items


def _numbers(
    num: pd.Series, kind: str, pattern: str | None, report: _Report
) -> tuple[pd.Series, list[str]]:
    empty = pd.Series(pd.NaT, index=num.index, dtype="datetime64[ms]")
    if kind in ("auto", "excel"):
        out, bad = _from_serials(num)
        if bad.any():
            report.add(
                bad,
                "numbers in a date column are read as Excel serial days, and "
                f"these are outside {_EXCEL_MIN}-{_EXCEL_MAX} (years 1950-2100), "
                "so probably not dates",
                "Fix: format the cells as dates in Excel, or pass date_format= "
                "(CLI: --date-format) for numbers such as 20230311 ('%Y%m%d')",
            )
            return empty, report.items
        return out, []
    if kind == "pattern":
        whole = num.notna() & (num.round() == num)
        text = num.where(whole).astype("Int64").astype("string")
        text = text.where(whole)
        return _text(text, kind, pattern, report)
    report.add(
        num.notna(),
        f"the column holds numbers, not text written as {_LABELS[kind]}",
        "Fix: pass date_format='excel' for Excel serial days, or store text",
    )
    return empty, report.items


def _text(
    values: pd.Series,
    kind: str,
    pattern: str | None,
    report: _Report,
) -> tuple[pd.Series, list[str]]:
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    # Work on the distinct texts (a register repeats its dates), then spread back.
    codes, uniques = pd.factorize(text)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]"), []
    distinct = pd.Series(uniques, dtype="string")

    def rows(mask: pd.Series) -> pd.Series:
        spread = np.append(mask.to_numpy(dtype=bool), False)[codes]
        return pd.Series(spread, index=values.index)

    use = pd.Series(True, index=distinct.index)
    if kind == "auto":
        kinds = _kinds_of(distinct)
        short = kinds == "short"
        if short.any():
            report.add(
                rows(short),
                "the year has two digits; zonegeo does not guess the century",
                "Fix: write four-digit years (11.03.2023), or pass "
                "date_format='%d.%m.%y' (CLI: --date-format) to read 00-68 as "
                "2000-2068 and 69-99 as 1969-1999",
            )
        unknown = kinds == ""
        if unknown.any():
            report.add(
                rows(unknown),
                f"not a date format zonegeo reads; allowed: {_ALLOWED}",
                _fix(kind),
            )
        iso, day = rows(kinds == "iso"), rows(kinds == "dayfirst")
        if iso.any() and day.any():
            report.items.append(
                f"column {report.column!r} must be a date but mixes date formats: "
                f"{_LABELS['iso']} ({report.shown(iso)}) in {report.rows(iso)}, and "
                f"{_LABELS['dayfirst']} ({report.shown(day)}) in {report.rows(day)}; "
                f"a column is read with one format, never row by row. Fix: write "
                f"every date of the column the same way, or pass date_format= "
                f"(CLI: --date-format) to read them all one way"
            )
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]"), (
                report.items
            )
        if not (iso.any() or day.any()):
            return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]"), (
                report.items
            )
        # One format: read its values, so impossible days are reported too.
        kind = "iso" if iso.any() else "dayfirst"
        use = kinds == kind
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ms]")
    impossible = pd.Series(False, index=distinct.index)
    got, bad_day, label = _read_text(distinct[use], kind, pattern)
    parsed[use] = got
    impossible[use] = bad_day
    failed = use & parsed.isna()
    if failed.any():
        wrong = failed & impossible
        unfit = failed & ~impossible
        if wrong.any():
            why = f"no such day when read as {label}"
            hint = _month_first_hint(distinct[wrong]) if kind == "dayfirst" else ""
            report.add(rows(wrong), why + hint, "Fix: correct those cells")
        if unfit.any():
            report.add(rows(unfit), f"not written as {label}", _fix(kind))
    if report.items:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ms]"), (
            report.items
        )
    stamps = np.append(parsed.to_numpy(), np.datetime64("NaT", "ms"))[codes]
    return pd.Series(stamps, index=values.index, dtype="datetime64[ms]"), []


def _month_first_hint(text: pd.Series) -> str:
    """Say so when impossible day-first dates would be valid month first."""
    parts = text.str.extract("^" + _DAY_FIRST.pattern + "$")
    month = pd.to_numeric(parts["m"], errors="coerce")
    day = pd.to_numeric(parts["d"], errors="coerce")
    swapped = ((month > 12) & (day <= 12)).to_numpy()
    if not swapped.any():
        return ""
    sep = str(parts["sep"][swapped].iloc[0])
    fmt = f"%m{sep}%d{sep}%Y"
    shown = ", ".join(repr(v) for v in text[swapped].unique()[:_MAX_VALUES])
    return (
        f"; {shown} look(s) month first (mm{sep}dd{sep}yyyy, as US software "
        f"writes): if the whole column is, pass date_format={fmt!r} (CLI: "
        f"--date-format '{fmt}')"
    )


def parse_date_column(
    values: pd.Series,
    *,
    column: str,
    source: str | None = None,
    ids: Sequence[object] | None = None,
    id_column: str | None = None,
    date_format: str | None = None,
) -> pd.Series:
    """Read a column of dates with one format, or raise naming every problem.

    Parameters are those of :func:`date_column`, plus ``source`` (the file or
    frame, named at the start of the message).

    Returns
    -------
    Series
        ``datetime64[ms]`` aligned on ``values.index``.

    Raises
    ------
    SchemaError
        Naming the column, the rows, the values and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_date_column(pd.Series(["2023-03-11", "11.03.2023"]), column="build_by")
    Traceback (most recent call last):
    ...
    zonegeo.errors.SchemaError: column 'build_by' must be a date but mixes date ...
    """
    out, problems = date_column(
        values, column=column, ids=ids, id_column=id_column, date_format=date_format
    )
    if problems:
        head = f"{source}: " if source else ""
        msg = head + "\n".join(problems)
        raise SchemaError(msg)
    return out


# -- one value -------------------------------------------------------------------------


def _offset(text: str) -> dt.timezone:
    """``Z``, ``+05``, ``+0500`` or ``+05:00`` as a fixed-offset time zone."""
    if text == "Z":
        return dt.UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return dt.timezone(dt.timedelta(minutes=-minutes if text[0] == "-" else minutes))


def parse_date(
    value: object, *, date_format: str | None = None, what: str = "as_of"
) -> pd.Timestamp:
    """Read one date (``as_of=``, ``--as-of``) by the rules of the module.

    Parameters
    ----------
    value : str, date, datetime, Timestamp or numpy.datetime64
        Text is read day first (``12.01.2026``, ``12/01/2026``,
        ``12-01-2026``) or, when it starts with the year, as ISO
        (``2026-01-12``); a time may follow (``2026-01-12T10:30``,
        ``12.01.2026 10:30``), and an ISO time may carry an offset
        (``+05:00``, ``Z``), giving an aware Timestamp.
    date_format : str, optional
        Read text only this way (see :data:`DATE_FORMATS`).
    what : str, default "as_of"
        The name of the value, for messages.

    Returns
    -------
    Timestamp

    Raises
    ------
    ValidationError
        For text that is no date in the allowed formats, a two-digit year,
        an impossible day, or a number (numbers are read only with
        ``date_format="excel"``).

    Examples
    --------
    >>> parse_date("12.01.2026"), parse_date("2026-01-12")
    (Timestamp('2026-01-12 00:00:00'), Timestamp('2026-01-12 00:00:00'))
    >>> parse_date("01/12/2026").date()
    datetime.date(2026, 12, 1)
    """
    kind, pattern = _format_kind(date_format)
    head = f"{what}={value!r} is not a date"
    allowed = f"write it as {_ALLOWED}"
    if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            msg = f"{head}; {allowed}"
            raise ValidationError(msg)
        return ts
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    ):
        if kind == "excel":
            out, bad = _from_serials(pd.Series([float(value)]))
            if not bad.any() and pd.notna(out.iloc[0]):
                return pd.Timestamp(out.iloc[0])
            msg = (
                f"{head}: as an Excel serial day it is outside "
                f"{_EXCEL_MIN}-{_EXCEL_MAX} (years 1950-2100)"
            )
            raise ValidationError(msg)
        msg = (
            f"{head}: a number is not read as a date (pass date_format='excel' "
            f"for an Excel serial day); {allowed}"
        )
        raise ValidationError(msg)
    if not isinstance(value, str):
        msg = f"{head}: expected text or a date, got {type(value).__name__}; {allowed}"
        raise ValidationError(msg)
    text = value.strip()
    if kind == "pattern":
        assert pattern is not None
        try:
            return pd.Timestamp(dt.datetime.strptime(text, pattern))
        except ValueError:
            msg = f"{head} written as date_format={pattern!r}"
            raise ValidationError(msg) from None
    if kind == "excel":
        try:
            return parse_date(float(text), date_format="excel", what=what)
        except ValueError:
            msg = f"{head}: not an Excel serial day number"
            raise ValidationError(msg) from None
    if _SHORT_YEAR.fullmatch(text) and kind in ("auto", "dayfirst"):
        msg = (
            f"{head}: the year has two digits and zonegeo does not guess the "
            f"century; write four digits (e.g. 12.01.2026)"
        )
        raise ValidationError(msg)
    kinds = ("iso", "dayfirst") if kind == "auto" else (kind,)
    for k in kinds:
        match = _PATTERNS[k].fullmatch(text)
        if match is None:
            continue
        g = match.groupdict()
        try:
            ts = pd.Timestamp(
                dt.datetime(
                    int(g["y"]),
                    int(g["m"]),
                    int(g["d"]),
                    int(g["H"] or 0),
                    int(g["M"] or 0),
                    int(g["S"] or 0),
                    int((g["f"] or "0").ljust(6, "0")[:6]),
                )
            )
        except ValueError:
            msg = f"{head}: no such day when read as {_LABELS[k]}"
            raise ValidationError(msg) from None
        if g["tz"]:
            ts = ts.tz_localize(_offset(g["tz"]))
        return ts
    only = f" ({_LABELS[kind]}, as date_format says)" if kind != "auto" else ""
    msg = f"{head}{only}; {allowed}"
    raise ValidationError(msg)
