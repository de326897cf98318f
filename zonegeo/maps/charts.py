"""Charts of the district key figures, for the atlas index page and the printed atlas.

Four charts: occupancy (share of plot area taken), jobs created against
planned, investment by zone kind, and idle hectares. :func:`key_charts`
builds them from :func:`zonegeo.district_kpis` and :func:`zonegeo.zone_kpis`
(never recomputing a figure), :func:`draw_chart` draws one on a matplotlib
``Axes`` (the printed atlas), and :func:`charts_html` writes them as inline
SVG, each with its caption and a table of its numbers (the HTML atlas index).

Colours are the maps' Okabe-Ito colours; a chart with two series also
tells them apart by hatching and by lightness, so it reads in greyscale.
"""

from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from zonegeo import i18n as _i18n
from zonegeo.maps.styles import STATUS_COLORS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from zonegeo.dataset import Dataset

__all__ = [
    "Chart",
    "Series",
    "add_xlsx_charts",
    "chart_svg",
    "charts_html",
    "draw_chart",
    "key_charts",
]

#: Okabe-Ito colours of the charts (blue, orange, bluish green, vermillion).
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
IDLE = STATUS_COLORS["idle"]

_ZONE_KIND_ORDER = ("regional", "private", "small_park", "small_site")


@dataclass(frozen=True)
class Series:
    """One series of bars: its label, values (None for unknown) and style."""

    label: str
    values: tuple[float | None, ...]
    color: str
    hatch: str = ""


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart of one key figure and the numbers it shows.

    Attributes
    ----------
    key : str
        ``occupancy``, ``jobs``, ``investment_by_kind`` or ``idle_ha``.
    title, caption : str
        Already in the chart's language; plain text.
    categories : tuple of str
        Bar labels (district or zone-kind names), top to bottom.
    series : tuple of Series
    unit : str
        Axis label.
    decimals : int
        Decimals of the numbers in the table.
    scale : float
        Bars are drawn as ``value / scale`` (1e9 for billions of tenge); the
        table shows the values themselves.
    """

    key: str
    title: str
    caption: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    decimals: int = 0
    scale: float = 1.0


def _values(column: pd.Series) -> tuple[float | None, ...]:
    out: list[float | None] = []
    for v in column.astype(object):
        try:
            f = float(v)
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(None if math.isnan(f) else f)
    return tuple(out)


def _district_labels(dataset: Dataset, names: list[str], lang: str) -> list[str]:
    col = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    local: dict[str, str] = {}
    districts = dataset.districts
    if col and col in districts.columns:
        for d, v in zip(districts["district"], districts[col], strict=True):
            if isinstance(v, str) and v.strip():
                local[str(d)] = v.strip()
    return [local.get(n, n) for n in names]


def key_charts(
    dataset: Dataset,
    *,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    kpis: pd.DataFrame | None = None,
    zone_table: pd.DataFrame | None = None,
) -> list[Chart]:
    """Return the four key-figure charts of a region.

    Parameters
    ----------
    dataset : Dataset
    lang : {"en", "kk", "ru"}, default "en"
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    kpis, zone_table : DataFrame, optional
        :func:`zonegeo.district_kpis` and :func:`zonegeo.zone_kpis` of the
        dataset, when the caller has them already.

    Returns
    -------
    list of Chart
        Occupancy by district (``occupancy_pct``), jobs created against
        planned by district, investment by zone kind (``investment_kzt`` of
        :func:`zonegeo.zone_kpis` summed per kind; plots outside every zone
        are not in it) and idle hectares by district (``idle_ha``). The
        region total row is left out of the district charts.

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.maps.charts import key_charts
    >>> charts = key_charts(zonegeo.load_demo(), as_of="2025-02-01")
    >>> [c.key for c in charts]
    ['occupancy', 'jobs', 'investment_by_kind', 'idle_ha']
    """
    from zonegeo.kpis import TOTAL_LABEL, district_kpis, zone_kpis

    _i18n.check_lang(lang)
    if kpis is None:
        kpis = district_kpis(dataset, as_of=as_of)
    if zone_table is None:
        zone_table = zone_kpis(dataset, as_of=as_of)
    rows = kpis[kpis["district"].astype(str) != TOTAL_LABEL]
    names = _district_labels(dataset, [str(d) for d in rows["district"]], lang)
    lab = _i18n.label
    occupancy = Chart(
        key="occupancy",
        title=lab("chart_occupancy", lang),
        caption=lab("chart_occupancy_caption", lang),
        categories=tuple(names),
        series=(
            Series(
                _i18n.column_label("occupancy_pct", lang),
                _values(rows["occupancy_pct"]),
                BLUE,
            ),
        ),
        unit="%",
        decimals=1,
    )
    jobs = Chart(
        key="jobs",
        title=lab("chart_jobs", lang),
        caption=lab("chart_jobs_caption", lang),
        categories=tuple(names),
        series=(
            Series(
                lab("jobs_planned", lang),
                _values(rows["jobs_planned"]),
                ORANGE,
                hatch="///",
            ),
            Series(lab("jobs_created", lang), _values(rows["jobs_created"]), BLUE),
        ),
        unit=lab("chart_jobs_unit", lang),
    )
    kinds = [k for k in _ZONE_KIND_ORDER if (zone_table["kind"] == k).any()]
    kinds += sorted(set(map(str, zone_table["kind"].dropna())) - set(kinds))
    invest = zone_table.groupby(zone_table["kind"].astype(str))["investment_kzt"].sum(
        min_count=1
    )
    # a kind with a zone of unknown investment has an unknown sum, never a partial one
    unknown = (
        zone_table["investment_kzt"]
        .isna()
        .groupby(zone_table["kind"].astype(str))
        .any()
    )
    by_kind = pd.Series(
        [None if unknown.get(k, True) else invest.get(k) for k in kinds], dtype=object
    )
    investment = Chart(
        key="investment_by_kind",
        title=lab("chart_investment", lang),
        caption=lab("chart_investment_caption", lang),
        categories=tuple(_i18n.zone_kind_label(k, lang) for k in kinds),
        series=(
            Series(_i18n.column_label("investment_kzt", lang), _values(by_kind), GREEN),
        ),
        unit=lab("chart_bn_kzt", lang),
        scale=1e9,
    )
    idle = Chart(
        key="idle_ha",
        title=lab("chart_idle", lang),
        caption=lab("chart_idle_caption", lang),
        categories=tuple(names),
        series=(
            Series(
                _i18n.column_label("idle_ha", lang),
                _values(rows["idle_ha"]),
                IDLE,
                hatch="..",
            ),
        ),
        unit=lab("chart_ha", lang),
        decimals=1,
    )
    return [occupancy, jobs, investment, idle]


def _number(value: float | None, lang: str, decimals: int) -> str:
    return _i18n.format_number(value, lang, decimals=decimals) or "\u2013"


def draw_chart(ax: Axes, chart: Chart, *, lang: str = "en", title: bool = True) -> None:
    """Draw a chart as horizontal bars on ``ax`` (categories top to bottom).

    A missing value draws no bar; with ``title`` the chart's title goes on
    top of the axes.
    """
    from matplotlib.ticker import FuncFormatter

    n = len(chart.categories)
    k = max(len(chart.series), 1)
    height = 0.8 / k
    positions = list(range(n))
    for i, s in enumerate(chart.series):
        ys = [p - 0.4 + height * (i + 0.5) for p in positions]
        widths = [0.0 if v is None else v / chart.scale for v in s.values]
        bars = ax.barh(
            ys,
            widths,
            height=height * 0.92,
            color=s.color,
            edgecolor="#333333",
            linewidth=0.4,
            hatch=s.hatch or None,
            label=s.label,
        )
        for bar, v in zip(bars, s.values, strict=True):
            if v is None:
                bar.set_visible(False)
    ax.set_yticks(positions, list(chart.categories))
    for t in ax.get_yticklabels():
        t.set_parse_math(False)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(left=0)
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: _i18n.format_number(x, lang, decimals=0) or "")
    )
    ax.set_xlabel(chart.unit, parse_math=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(chart.series) > 1:
        ax.legend(loc="lower right", frameon=False)
    if title:
        ax.set_title(chart.title, loc="left", fontweight="bold", parse_math=False)


def chart_svg(chart: Chart, *, lang: str = "en", width_in: float = 6.0) -> str:
    """Return a chart as an ``<svg>`` element to inline in a page.

    Text stays text (``svg.fonttype = "none"``), so it is searchable and
    escaped by matplotlib's SVG writer; the element scales to its container.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    height_in = 1.0 + 0.22 * len(chart.categories) * max(1, len(chart.series)) ** 0.5
    with rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "zonegeo", "font.size": 9}
    ):
        fig = Figure(figsize=(width_in, height_in), layout="constrained")
        draw_chart(fig.add_subplot(), chart, lang=lang, title=False)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    # scale with the page: drop the fixed size, keep the viewBox
    return re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        r'<svg\1 style="max-width:100%;height:auto" role="img"',
        text,
        count=1,
    )


def _table_html(chart: Chart, lang: str) -> str:
    head = "".join(f"<th>{html.escape(s.label)}</th>" for s in chart.series)
    rows = []
    for i, cat in enumerate(chart.categories):
        cells = "".join(
            f'<td class="num">{html.escape(_number(s.values[i], lang, chart.decimals))}'
            "</td>"
            for s in chart.series
        )
        rows.append(f"<tr><td>{html.escape(cat)}</td>{cells}</tr>")
    return (
        f"<table><thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_CSS = (
    ".zg-charts{display:flex;flex-wrap:wrap;gap:16px 32px;"
    "font:13px/1.4 Arial,Helvetica,sans-serif;margin:12px 16px 24px;color:#222}"
    ".zg-charts>h2{flex-basis:100%;font-size:16px;margin:8px 0}"
    ".zg-charts figure{margin:0;flex:1 1 420px;max-width:640px}"
    ".zg-charts figcaption{font-size:12px;color:#444;margin:4px 0}"
    ".zg-charts figcaption b{display:block;font-size:14px;color:#222}"
    ".zg-charts table{border-collapse:collapse;font-size:12px}"
    ".zg-charts th,.zg-charts td{border-bottom:1px solid #ddd;padding:2px 8px}"
    ".zg-charts td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".zg-charts details{margin-top:4px}"
)


def charts_html(charts: list[Chart], *, lang: str = "en") -> str:
    """Return the charts as one HTML block: an inline SVG, caption and table each.

    Every text is escaped; the block needs no script and no external file.
    """
    parts = [f"<style>{_CSS}</style>", '<section class="zg-charts">']
    parts.append(f"<h2>{html.escape(_i18n.label('charts_title', lang))}</h2>")
    numbers = html.escape(_i18n.label("chart_numbers", lang))
    for chart in charts:
        parts.append(
            f'<figure id="zg-chart-{chart.key}">{chart_svg(chart, lang=lang)}'
            f"<figcaption><b>{html.escape(chart.title)}</b>"
            f"{html.escape(chart.caption)}</figcaption>"
            f"<details open><summary>{numbers}</summary>"
            f"{_table_html(chart, lang)}</details></figure>"
        )
    parts.append("</section>")
    return "".join(parts)


def _quote(text: str) -> str:
    """Return ``text`` as an Excel string literal (quotes doubled)."""
    return '"' + str(text).replace('"', '""') + '"'


def _sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def add_xlsx_charts(
    wb: Any,
    tables: dict[str, pd.DataFrame],
    sheets: dict[str, str],
    *,
    title: str = "Charts",
) -> Any:
    """Add a sheet of native Excel charts bound to the report's data sheets.

    Occupancy, jobs created against planned and idle hectares by district
    read the *District KPIs* sheet (without its region total row);
    investment by zone kind reads a small table on the chart sheet whose
    cells are ``SUMIF`` formulas over the *Zone KPIs* sheet. So a chart
    follows the numbers when they are edited in Excel. A kind with a zone of
    unknown investment (an empty cell) shows ``#N/A``, not a partial sum.

    Parameters
    ----------
    wb : openpyxl.Workbook
        With the sheets named in ``sheets`` already written by the report.
    tables : dict of str to DataFrame
        The report's tables (:func:`zonegeo.report.report_tables`).
    sheets : dict of str to str
        Table key to sheet title.
    title : str, default "Charts"
        Title of the new sheet.

    Returns
    -------
    openpyxl.worksheet.worksheet.Worksheet
        The chart sheet.
    """
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.drawing.fill import ColorChoice, PatternFillProperties
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws["A1"] = "Charts of the key figures; each is bound to the data sheets."
    ws["A1"].font = Font(bold=True)
    districts = tables["district_kpis"]
    dws = wb[sheets["district_kpis"]]
    last = len(districts)  # data rows 2..last are districts; last + 1 is the total
    cats = Reference(dws, min_col=1, min_row=2, max_row=last)

    def bars(name: str, unit: str) -> Any:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 2
        chart.title = name
        chart.y_axis.title = unit
        chart.y_axis.majorGridlines = None
        chart.x_axis.delete = False  # Excel hides axes whose 'delete' is unset
        chart.y_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first district on top
        chart.width, chart.height = 16, 11
        chart.gapWidth = 40
        return chart

    def solid(series: Any, colour: str) -> None:
        series.graphicalProperties = GraphicalProperties(solidFill=colour[1:])
        series.graphicalProperties.line.solidFill = "333333"

    def hatched(series: Any, colour: str, pattern: str) -> None:
        series.graphicalProperties = GraphicalProperties()
        series.graphicalProperties.pattFill = PatternFillProperties(
            prst=pattern,
            fgClr=ColorChoice(srgbClr=colour[1:]),
            bgClr=ColorChoice(srgbClr="FFFFFF"),
        )
        series.graphicalProperties.line.solidFill = "333333"

    def column(name: str) -> int:
        return int(districts.columns.get_loc(name)) + 1

    charts = []
    occ = bars("Occupancy by district", "% of plot area taken")
    occ.add_data(
        Reference(dws, min_col=column("occupancy_pct"), min_row=1, max_row=last),
        titles_from_data=True,
    )
    occ.set_categories(cats)
    solid(occ.series[0], BLUE)
    occ.legend = None
    charts.append(occ)

    jobs = bars("Jobs created against planned", "jobs")
    for name in ("jobs_planned", "jobs_created"):
        jobs.add_data(
            Reference(dws, min_col=column(name), min_row=1, max_row=last),
            titles_from_data=True,
        )
    jobs.set_categories(cats)
    hatched(jobs.series[0], ORANGE, "wdUpDiag")
    solid(jobs.series[1], BLUE)
    jobs.legend.position = "b"
    charts.append(jobs)

    # investment by zone kind: SUMIF over the Zone KPIs sheet, on this sheet
    zones = tables["zone_kpis"]
    zref = _sheet_ref(sheets["zone_kpis"])
    n = len(zones)
    kind_col = get_column_letter(int(zones.columns.get_loc("kind")) + 1)
    inv_col = get_column_letter(int(zones.columns.get_loc("investment_kzt")) + 1)
    kinds = [k for k in _ZONE_KIND_ORDER if (zones["kind"] == k).any()]
    kinds += sorted(set(map(str, zones["kind"].dropna())) - set(kinds))
    ws.append([])
    ws.append(["kind", "zone kind", "investment_kzt"])
    head = ws.max_row
    for c in ws[head]:
        c.font = Font(bold=True)
    kind_rng = f"{zref}!${kind_col}$2:${kind_col}${n + 1}"
    inv_rng = f"{zref}!${inv_col}$2:${inv_col}${n + 1}"
    for kind in kinds:
        q = _quote(kind)
        ws.append(
            [
                kind,
                _i18n.zone_kind_label(kind, "en"),
                f'=IF(COUNTIFS({kind_rng},{q},{inv_rng},"")>0,NA(),'
                f"SUMIF({kind_rng},{q},{inv_rng}))",
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "#,##0"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 20
    inv = bars("Investment by zone kind", "KZT")
    if kinds:
        inv.add_data(
            Reference(ws, min_col=3, min_row=head, max_row=head + len(kinds)),
            titles_from_data=True,
        )
        inv.set_categories(
            Reference(ws, min_col=2, min_row=head + 1, max_row=head + len(kinds))
        )
        solid(inv.series[0], GREEN)
    inv.legend = None
    inv.height = 7
    charts.append(inv)

    idle = bars("Idle hectares by district", "ha")
    idle.add_data(
        Reference(dws, min_col=column("idle_ha"), min_row=1, max_row=last),
        titles_from_data=True,
    )
    idle.set_categories(cats)
    hatched(idle.series[0], IDLE, "pct50")
    idle.legend = None
    charts.append(idle)

    anchors = ("E2", "O2", f"A{head + len(kinds) + 3}", "E25")
    for chart, anchor in zip(charts, anchors, strict=True):
        ws.add_chart(chart, anchor)
    return ws
