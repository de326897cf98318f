"""Charts of the key figures (zonegeo.maps.charts): numbers, SVG, atlas index, xlsx."""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

import zonegeo
from tests._need import need
from tests.maps_data import AS_OF, hand_dataset
from zonegeo.maps.atlas import write_atlas
from zonegeo.maps.charts import Chart, Series, chart_svg, charts_html, key_charts


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_chart_numbers_are_the_kpis() -> None:
    ds = hand_dataset()
    charts = {c.key: c for c in key_charts(ds, as_of=AS_OF)}
    assert list(charts) == ["occupancy", "jobs", "investment_by_kind", "idle_ha"]
    occ = charts["occupancy"]
    assert occ.categories == ("Sauran", "Ordabasy")
    # Sauran: 11 ha of plots, 2 ha free -> 81.8 %; Ordabasy's one plot is free
    assert occ.series[0].values[0] == pytest.approx(900 / 11)
    assert occ.series[0].values[1] == pytest.approx(0.0)
    jobs = charts["jobs"]
    assert [s.values for s in jobs.series] == [(210.0, 0.0), (115.0, 0.0)]
    idle = charts["idle_ha"]
    # two 1-ha grid squares; areas are on the ellipsoid (UTM scale ~0.06 %)
    assert idle.series[0].values == pytest.approx((2.0, 0.0), rel=1e-3)


def test_investment_by_zone_kind_matches_the_plots() -> None:
    ds = zonegeo.load_demo()
    chart = key_charts(ds, as_of=AS_OF)[2]
    assert chart.key == "investment_by_kind"
    # independent path: join the plots to their zones' kind and sum
    kind = ds.plots["zone_id"].map(ds.zones.set_index("zone_id")["kind"])
    expected = ds.plots.groupby(kind)["investment_kzt"].sum()
    labels = {zonegeo.i18n.zone_kind_label(k, "en"): k for k in expected.index}
    got = dict(zip(chart.categories, chart.series[0].values, strict=True))
    assert set(got) == set(labels)
    for label, value in got.items():
        assert value == pytest.approx(expected[labels[label]])
    assert chart.scale == 1e9


def test_investment_follows_zone_kpis_and_unknown_is_no_bar() -> None:
    ds = hand_dataset()
    plots = ds.plots.copy()
    plots.loc[plots["plot_id"] == "S-3", "investment_kzt"] = None  # in Z-1 (park)
    inv = key_charts(replace(ds, plots=plots), as_of=AS_OF)[2]
    values = dict(zip(inv.categories, inv.series[0].values, strict=True))
    # zone_kpis' figure for the park: S-4 only, 2.5 bn (S-1, S-2 have none)
    assert values["Small industrial park"] == pytest.approx(2.5e9)
    # without the column the figure is unknown: no bar, never a 0
    inv = key_charts(
        replace(ds, plots=ds.plots.drop(columns="investment_kzt")), as_of=AS_OF
    )[2]
    assert inv.series[0].values == (None, None, None)
    table = charts_html([inv])
    assert table.count('<td class="num">\u2013</td>') == 3


def test_two_series_read_in_greyscale() -> None:
    jobs = next(c for c in key_charts(hand_dataset(), as_of=AS_OF) if c.key == "jobs")
    planned, created = jobs.series
    assert abs(_luminance(planned.color) - _luminance(created.color)) > 0.2
    assert planned.hatch != created.hatch


def test_svg_is_inline_text_and_escaped() -> None:
    chart = Chart(
        key="x",
        title="t",
        caption="c",
        categories=("<script>alert(1)</script>", "Сауран әғқ"),
        series=(Series("v", (1.0, None), "#0072B2"),),
        unit="%",
    )
    svg = chart_svg(chart)
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Сауран әғқ" in svg  # text stays text
    assert 'style="max-width:100%;height:auto"' in svg
    assert "http://" not in svg.replace("http://www.w3.org/", "")


def test_chart_table_lists_every_number() -> None:
    charts = key_charts(hand_dataset(), as_of=AS_OF, lang="ru")
    block = charts_html(charts, lang="ru")
    assert block.count("<figure") == 4 and block.count("<figcaption>") == 4
    assert "Заполненность по районам" in block
    occ = re.search(r'id="zg-chart-occupancy".*?</figure>', block, re.S).group(0)
    rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">([^<]*)</td>", occ)
    assert rows == [("Сауран", "81,8"), ("Ордабасы", "0,0")]


def test_atlas_index_has_the_charts(tmp_path: Path) -> None:
    ds = hand_dataset()
    index = write_atlas(ds, tmp_path / "a", as_of=AS_OF, basemap="none", progress=False)
    text = index.read_text(encoding="utf-8")
    for key in ("occupancy", "jobs", "investment_by_kind", "idle_ha"):
        assert f'id="zg-chart-{key}"' in text
    assert text.count("<svg") >= 4
    idle = re.search(r'id="zg-chart-idle_ha".*?</figure>', text, re.S).group(0)
    assert html.escape("Idle hectares by district") in idle
    assert '<td>Sauran</td><td class="num">2.0</td>' in idle
    assert "<script src=" not in text


def test_xlsx_has_charts_bound_to_the_data_sheets(tmp_path: Path) -> None:
    openpyxl = need("openpyxl")
    ds = hand_dataset()
    out = zonegeo.write_report(ds, tmp_path / "k.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(out)
    assert "Charts" in wb.sheetnames
    with zipfile.ZipFile(out) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = [z.read(n).decode() for n in charts]
    assert len(charts) == 4
    districts = wb["District KPIs"]
    head = {c.value: c.column_letter for c in districts[1]}
    n = districts.max_row - 1  # the last row is the region total, left out
    occ = f"'District KPIs'!${head['occupancy_pct']}$2:${head['occupancy_pct']}${n}"
    assert occ in xml[0]
    assert f"'District KPIs'!$A$2:$A${n}" in xml[0]
    for col in ("jobs_planned", "jobs_created"):
        assert f"'District KPIs'!${head[col]}$2:${head[col]}${n}" in xml[1]
    assert f"'District KPIs'!${head['idle_ha']}$2:${head['idle_ha']}${n}" in xml[3]
    assert "pattFill" in xml[1]  # planned jobs are hatched, readable in greyscale
    # investment by kind: SUMIF formulas over the Zone KPIs sheet's columns
    zones = wb["Zone KPIs"]
    zhead = {c.value: c.column_letter for c in zones[1]}
    ws = wb["Charts"]
    rows = {r[0].value: r[2].value for r in ws.iter_rows(min_row=3) if r[0].value}
    kind, inv = zhead["kind"], zhead["investment_kzt"]
    last = zones.max_row
    assert rows["small_park"] == (
        f"=IF(COUNTIFS('Zone KPIs'!${kind}$2:${kind}${last},\"small_park\","
        f"'Zone KPIs'!${inv}$2:${inv}${last},\"\")>0,NA(),"
        f"SUMIF('Zone KPIs'!${kind}$2:${kind}${last},\"small_park\","
        f"'Zone KPIs'!${inv}$2:${inv}${last}))"
    )
    assert "'Charts'!$C$" in xml[2]
