"""Popup and tooltip text: escaping, value formatting and column order.

*Escaping.* Folium does not escape the text it puts into popups, tooltips and
layer names, and re-parses the JavaScript of its elements as a Jinja template.
zonegeo HTML-escapes every value that comes from the data (:func:`_text`), and
writes its own layers and controls as raw script blocks that never pass
through Jinja (:func:`_js_json`).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zonegeo import dates as _dates
from zonegeo import i18n as _i18n
from zonegeo.maps.styles import _KIND_ORDER

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def _text(value: object) -> str:
    """HTML-escape a data value for innerHTML (braces too, so no template sees them)."""
    return (
        html.escape(str(value), quote=True)
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


def _js_json(obj: object) -> str:
    """Serialise to JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Only "<" can end a script element ("</script", "<!--"); entities are not
    # decoded inside scripts, so "&" and ">" stay as they are.
    return (
        text.replace("<", "\\u003c")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_INT_COLUMNS = frozenset(
    {
        "jobs_planned",
        "jobs_created",
        "population",
        "rank",
        "days_overdue",
        "plots",
        "zones",
        "projects",
    }
)

_DATE_COLUMNS = frozenset({"allocated_on", "build_by"})

#: Calendar years: whole numbers shown without a thousands separator (2019, not 2,019).
_YEAR_COLUMNS = frozenset({"established", "year"})


def _value_kind(column: str, values: pd.Series) -> tuple[str, int]:
    """How to show a column: (kind, decimals).

    kind is one of "text", "number", "percent", "date", "bool" or "year".
    """
    if column in _YEAR_COLUMNS or column.endswith("_year"):
        return "year", 0
    if column in _DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(values):
        return "date", 0
    if column in ("p_top1", "p_top3"):
        return "percent", 0
    if column == "eligible" or pd.api.types.is_bool_dtype(values):
        return "bool", 0
    if not pd.api.types.is_numeric_dtype(values):
        return "text", 0
    if column in _INT_COLUMNS:
        return "number", 0
    if column == "area_ha" or column.endswith("_ha"):
        return "number", 2
    if column == "score" or column.startswith("contrib_"):
        return "number", 3
    if column.endswith(("_kzt", "_m")):
        return "number", 0
    return "number", 2 if column not in ("capacity", "spare_capacity") else 1


def _display(values: pd.Series, column: str, lang: str) -> list[str | None]:
    """Return each value as escaped display text, None where missing."""
    kind, decimals = _value_kind(column, values)
    if kind == "year":
        years = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return [
            None if not np.isfinite(y) else str(int(y)) if y.is_integer() else f"{y:g}"
            for y in years
        ]
    if kind == "date":
        stamps = _dates.parse_date_column(values, column=column)
        return [None if pd.isna(t) else t.strftime("%Y-%m-%d") for t in stamps]
    if kind == "percent":
        nums = pd.to_numeric(values, errors="coerce").astype("float64") * 100.0
        return [
            None
            if (f := _i18n.format_number(v, lang, decimals=0)) is None
            else f + "\u00a0%"
            for v in nums.to_numpy()
        ]
    if kind == "bool":
        yes, no = _i18n.label("yes", lang), _i18n.label("no", lang)
        return [None if _is_missing(v) else (yes if bool(v) else no) for v in values]
    if kind == "number":
        nums = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return [_i18n.format_number(v, lang, decimals=decimals) for v in nums]
    out: list[str | None] = []
    for v in values.astype(object).to_numpy():
        if _is_missing(v):
            out.append(None)
            continue
        s = str(v).strip()
        out.append(_text(s) if s else None)
    return out


def _ordered_columns(columns: Sequence[str], first: Sequence[str]) -> list[str]:
    """Known columns first, then the distance, cost, ranking and stability families."""
    cols = [c for c in first if c in columns]

    def kinds(prefix: str, suffix: str) -> list[str]:
        found = [
            c
            for c in columns
            if isinstance(c, str)
            and c.startswith(prefix)
            and c.endswith(suffix)
            and c not in cols
        ]
        order = {f"{prefix}{k}{suffix}": i for i, k in enumerate(_KIND_ORDER)}
        return sorted(found, key=lambda c: (order.get(c, len(order)), c))

    cols += kinds("dist_", "_m")
    cols += kinds("nearest_", "_id")
    cols += [c for c in ("nearest_settlement",) if c in columns and c not in cols]
    cols += [c for c in kinds("cost_", "_kzt") if c != "cost_total_kzt"]
    cols += [
        c for c in ("cost_total_kzt", "score", "rank") if c in columns and c not in cols
    ]
    contribs = [
        c
        for c in columns
        if isinstance(c, str) and c.startswith("contrib_") and c not in cols
    ]
    # the value of each ranking criterion, then its contribution to the score
    cols += [
        c[len("contrib_") :]
        for c in contribs
        if c[len("contrib_") :] in columns and c[len("contrib_") :] not in cols
    ]
    cols += contribs
    cols += [
        c
        for c in ("p_top1", "p_top3", "rank_median", "eligible", "excluded_because")
        if c in columns and c not in cols
    ]
    return cols


def _table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    lang: str,
    overrides: Mapping[str, Sequence[str | None]] | None = None,
) -> tuple[list[str], list[list[str | None]]]:
    """Labels and column-major display values of ``columns``."""
    labels, values = [], []
    for col in columns:
        labels.append(_text(_i18n.column_label(col, lang)))
        if overrides and col in overrides:
            values.append(list(overrides[col]))
        else:
            values.append(_display(frame[col], col, lang))
    return labels, values


def _district_label(districts: pd.DataFrame, name: str, lang: str) -> str:
    row = districts[districts["district"] == name]
    col = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    if col and col in row.columns and len(row):
        value = row[col].iloc[0]
        if not _is_missing(value) and str(value).strip():
            return str(value).strip()
    return name


_PLOT_COLUMNS = (
    "plot_id",
    "zone",
    "area_ha",
    "status",
    "investor",
    "project",
    "sector",
    "investment_kzt",
    "jobs_planned",
    "jobs_created",
    "allocated_on",
    "build_by",
    "days_overdue",
)

_ZONE_COLUMNS = ("zone_id", "name", "kind", "established", "area_ha")

_INFRA_COLUMNS = ("infra_id", "name", "subtype", "capacity", "spare_capacity", "unit")

_SITE_ID_COLUMNS = ("site_id", "candidate_id", "plot_id")

_CANDIDATE_FIRST = ("rank", "score")
