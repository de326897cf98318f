"""KPI reports: zone and district figures, idle plots and infrastructure coverage.

:func:`write_report` writes the tables the regional akimat asks for, zone by
zone and district by district, as an Excel workbook (one sheet per table), a
folder of CSV files or one HTML page. Column names are snake_case with the
unit at the end (``_ha``, ``_kzt``, ``_pct``, ``_m``), the same in every
format.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd

from zonegeo.errors import ValidationError
from zonegeo.io.sheets import append_frame, append_row, write_csv

if TYPE_CHECKING:
    from zonegeo.dataset import Dataset

__all__ = ["REPORT_FORMATS", "SHEETS", "report_format", "report_tables", "write_report"]

log = logging.getLogger(__name__)

#: Table key -> sheet title, in report order.
SHEETS: dict[str, str] = {
    "zone_kpis": "Zone KPIs",
    "district_kpis": "District KPIs",
    "idle_plots": "Idle plots",
    "infrastructure_coverage": "Infrastructure coverage",
}

#: Report formats and the file suffixes that choose them.
REPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "xlsx": (".xlsx",),
    "csv": (".csv", ""),
    "html": (".html", ".htm"),
}

Format = Literal["xlsx", "csv", "html"]


def report_format(path: str | os.PathLike[str]) -> Format:
    """Return the report format a path asks for.

    ``.xlsx`` is a workbook, ``.html``/``.htm`` a web page, and ``.csv`` or a
    name without a suffix a folder of CSV files (``report.csv`` writes the
    folder ``report/``).

    Raises
    ------
    ValidationError
        For any other suffix, listing the accepted ones.

    Examples
    --------
    >>> report_format("kpis.xlsx"), report_format("out/kpis"), report_format("k.HTML")
    ('xlsx', 'csv', 'html')
    """
    suffix = Path(path).suffix.lower()
    for fmt, suffixes in REPORT_FORMATS.items():
        if suffix in suffixes:
            return fmt  # type: ignore[return-value]
    msg = (
        f"{os.fspath(path)}: cannot write a report as {suffix!r}; "
        f"use .xlsx (workbook), "
        f".html (web page), or .csv / a name without suffix (folder of CSV files)"
    )
    raise ValidationError(msg)


def _idle_table(dataset: Dataset, as_of: object | None) -> pd.DataFrame:
    from zonegeo.parcels import idle_plots

    idle = idle_plots(dataset.plots, as_of=as_of)
    table = pd.DataFrame(idle.drop(columns=idle.geometry.name)).reset_index(drop=True)
    names = dict(zip(dataset.zones["zone_id"], dataset.zones["name"], strict=True))
    table.insert(
        table.columns.get_loc("zone_id") + 1,
        "zone_name",
        table["zone_id"].map(names).astype("string"),
    )
    return table


def _coverage_reach(within_m: float | Mapping[str, float] | None) -> str:
    """Describe the coverage reach for the report's About section."""
    import inspect

    from zonegeo.access.coverage import service_coverage

    default = inspect.signature(service_coverage).parameters["within_m"].default
    if within_m is None:
        within_m = default
    if isinstance(within_m, Mapping):
        parts = [f"{k} {float(v):g} m" for k, v in within_m.items()]
        if not isinstance(default, Mapping):
            parts.append(f"others {float(default):g} m")
        return ", ".join(parts)
    return f"{float(within_m):g} m"


def _coverage_table(
    dataset: Dataset, within_m: float | Mapping[str, float] | None
) -> pd.DataFrame:
    from zonegeo.access.coverage import service_coverage

    table = (
        service_coverage(dataset)
        if within_m is None
        else service_coverage(dataset, within_m=within_m)
    )
    kinds = list(table.attrs.get("kinds", []))
    if isinstance(table, gpd.GeoDataFrame):
        table = pd.DataFrame(table.drop(columns=table.geometry.name))
    table = table.reset_index(drop=True)
    table.attrs["kinds"] = kinds
    return table


def report_tables(
    dataset: Dataset,
    *,
    as_of: object | None = None,
    within_m: float | Mapping[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """Compute the report's tables.

    Parameters
    ----------
    dataset : Dataset
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    within_m : float or mapping, optional
        Reach in metres within which a plot counts as served, one figure or
        one per kind (``{"gas": 500, "water": 2000}``), passed to
        :func:`zonegeo.access.coverage.service_coverage` (its default when omitted).

    Returns
    -------
    dict of str to DataFrame
        Keys of :data:`SHEETS`: ``zone_kpis`` and ``district_kpis`` (see
        :func:`zonegeo.zone_kpis`), ``idle_plots`` (see
        :func:`zonegeo.idle_plots`, without geometry, with ``zone_name``) and
        ``infrastructure_coverage``.
    """
    from zonegeo.io.integrity import check_links
    from zonegeo.kpis import district_kpis, zone_kpis

    check_links(dataset)
    return {
        "zone_kpis": zone_kpis(dataset, as_of=as_of),
        "district_kpis": district_kpis(dataset, as_of=as_of),
        "idle_plots": _idle_table(dataset, as_of),
        "infrastructure_coverage": _coverage_table(dataset, within_m),
    }


def _number_format(name: str, series: pd.Series) -> str | None:
    """Excel number format for a column, from its unit suffix and dtype."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "yyyy-mm-dd"
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if name.endswith("_per_budget_kzt"):
        return "#,##0.00"
    if name.endswith(("_kzt", "_m", "_m3h", "_kw")):
        return "#,##0"
    if name.endswith("_ha"):
        return "#,##0.00"
    if name.endswith(("_pct", "_percent")):
        return "0.0"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0" if name != "established" else "0"
    return "#,##0.00"


def _write_xlsx(
    tables: dict[str, pd.DataFrame], tmp: Path, about: list[tuple[str, str]]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", start_color="DDE7F0")
    for key, table in tables.items():
        ws = wb.create_sheet(SHEETS[key])
        frame = append_frame(ws, table)  # text as text cells, never formulas
        for j, col in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            head = ws.cell(row=1, column=j)
            head.font = bold
            head.fill = fill
            head.alignment = Alignment(wrap_text=False, vertical="center")
            fmt = _number_format(str(col), table[col])
            if fmt:
                for cell in ws[letter][1:]:
                    cell.number_format = fmt
            shown = [len(str(col))]
            shown += [len(_preview(v, fmt)) for v in frame[col].head(500)]
            ws.column_dimensions[letter].width = min(max(shown) + 2, 60)
        ws.freeze_panes = "A2"
        if len(table.columns):
            ws.auto_filter.ref = ws.dimensions
    from zonegeo.maps.charts import add_xlsx_charts

    add_xlsx_charts(wb, tables, SHEETS)  # native charts bound to the data sheets
    ws = wb.create_sheet("About")
    for key, value in about:
        append_row(ws, [key, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 80
    wb.save(tmp)


def _preview(value: object, fmt: str | None) -> str:
    """Roughly how wide a cell shows, for column widths."""
    if value is None:
        return ""
    if isinstance(value, float) and fmt:
        decimals = fmt.split(".")[1].count("0") if "." in fmt else 0
        return f"{value:,.{decimals}f}"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return "yyyy-mm-dd"
    return str(value)


def _html_formatters(table: pd.DataFrame) -> dict[str, object]:
    out: dict[str, object] = {}
    for col in table.columns:
        s = table[col]
        fmt = _number_format(str(col), s)
        if fmt is None:
            continue
        if fmt == "yyyy-mm-dd":
            out[col] = lambda v: (
                "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")
            )
        elif fmt == "0":
            out[col] = lambda v: "" if pd.isna(v) else f"{int(v)}"
        else:
            decimals = fmt.split(".")[1].count("0") if "." in fmt else 0
            out[col] = (lambda d: lambda v: "" if pd.isna(v) else f"{float(v):,.{d}f}")(
                decimals
            )
    return out


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; }
div.scroll { overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; }
th { background: #dde7f0; position: sticky; top: 0; text-align: left; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
"""


def _write_html(
    tables: dict[str, pd.DataFrame], tmp: Path, about: list[tuple[str, str]]
) -> None:
    title = f"zonegeo report, as of {dict(about)['As of']}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<dl>"
        + "".join(
            f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in about
        )
        + "</dl>",
        "<nav><ul>"
        + "".join(
            f'<li><a href="#{k}">{html.escape(t)}</a></li>' for k, t in SHEETS.items()
        )
        + "</ul></nav>",
    ]
    for key, table in tables.items():
        parts.append(
            f'<h2 id="{key}">{html.escape(SHEETS[key])} '
            f"({len(table)} row{'' if len(table) == 1 else 's'})</h2>"
        )
        if table.empty:
            parts.append("<p>None.</p>")
        body = table.to_html(
            index=False,
            escape=True,
            na_rep="",
            border=0,
            formatters=_html_formatters(table),
            classes="zonegeo-table",
        )
        parts.append(f'<div class="scroll">{body}</div>')
    parts.append("</body></html>")
    tmp.write_text("\n".join(parts) + "\n", encoding="utf-8")


def _write_csv_folder(
    tables: dict[str, pd.DataFrame], folder: Path, about: list[tuple[str, str]]
) -> None:
    """Write the CSV files to a new folder beside ``folder``, then swap it in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists() and not folder.is_dir():
        msg = f"{folder}: exists and is not a folder; a CSV report is a folder of files"
        raise ValidationError(msg)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    old: Path | None = None
    try:
        for key, table in tables.items():
            out = table.copy()
            for col in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[col]):
                    out[col] = out[col].dt.strftime("%Y-%m-%d")
            write_csv(out, tmp / f"{key}.csv")
        write_csv(pd.DataFrame(about, columns=["item", "value"]), tmp / "about.csv")
        if folder.exists():
            old = Path(
                tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent)
            )
            os.replace(folder, old / folder.name)
        os.replace(tmp, folder)
    except BaseException:
        if old is not None and not folder.exists():
            os.replace(old / folder.name, folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_report(
    dataset: Dataset,
    path: str | os.PathLike[str],
    *,
    as_of: object | None = None,
    within_m: float | Mapping[str, float] | None = None,
) -> Path:
    """Write the KPI report: zone and district KPIs, idle plots, service coverage.

    Parameters
    ----------
    dataset : Dataset
    path : str or path-like
        ``.xlsx``: a workbook with one sheet per table (bold, filled and
        frozen header row, filters, column widths, number formats), a
        *Charts* sheet of native Excel charts bound to the data sheets
        (occupancy, jobs, investment by zone kind, idle hectares; see
        :func:`zonegeo.maps.charts.add_xlsx_charts`) and an *About* sheet.
        ``.html``: one self-contained page (no scripts, no external files;
        every value escaped). ``.csv`` or no suffix: a folder
        of ``zone_kpis.csv``, ``district_kpis.csv``, ``idle_plots.csv``,
        ``infrastructure_coverage.csv`` and ``about.csv`` (``report.csv``
        writes the folder ``report/``).
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    within_m : float or mapping, optional
        Reach of the coverage table in metres, one figure or one per kind;
        named on the *About* sheet.

    Returns
    -------
    Path
        The file or folder written.

    Raises
    ------
    ValidationError
        For an unknown suffix or a bad ``as_of``.

    Notes
    -----
    The report is written to a temporary file (or folder) beside the target
    and renamed into place, so a failure never leaves a partial report, and
    an existing report is replaced only by a complete one.

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "kpis.xlsx"
    >>> _ = zonegeo.write_report(zonegeo.load_demo(), out, as_of="2025-02-01")
    >>> import openpyxl
    >>> wb = openpyxl.load_workbook(out)
    >>> wb.sheetnames[:3]
    ['Zone KPIs', 'District KPIs', 'Idle plots']
    >>> wb.sheetnames[3:]
    ['Infrastructure coverage', 'Charts', 'About']
    """
    from zonegeo.io.atomic import atomic_path
    from zonegeo.parcels import to_timestamp

    fmt = report_format(path)
    ref = to_timestamp(as_of)
    tables = report_tables(dataset, as_of=ref, within_m=within_m)
    about = [
        ("As of", ref.date().isoformat()),
        ("Source", str(dataset.source or "")),
        ("Generated", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Generator", f"zonegeo {_version()}"),
        ("Idle plot", "status 'allocated' and build_by before the as-of date"),
        ("Coverage reach", _coverage_reach(within_m)),
        (
            "Coverage kinds",
            ", ".join(tables["infrastructure_coverage"].attrs.get("kinds", [])),
        ),
        ("Units", "_ha hectares, _kzt tenge, _pct percent, _m metres"),
    ]
    final = Path(path)
    if fmt == "csv":
        final = final.with_suffix("") if final.suffix.lower() == ".csv" else final
        _write_csv_folder(tables, final, about)
    else:
        with atomic_path(final) as tmp:
            if fmt == "xlsx":
                _write_xlsx(tables, tmp, about)
            else:
                _write_html(tables, tmp, about)
    log.info("wrote the %s report to %s (as of %s)", fmt, final, ref.date())
    return final


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zonegeo")
    except PackageNotFoundError:
        return "(source tree)"
