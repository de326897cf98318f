"""The KPI report: tables, Excel layout, CSV folder, escaped HTML, atomic writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests._need import need
from tests._tiny import AS_OF, tiny_dataset
from zonegeo import report
from zonegeo.errors import ValidationError

#: A stand-in coverage table, so layout tests do not depend on the distance engine.
FAKE_COVERAGE = pd.DataFrame(
    {
        "zone_id": ["Z-1"],
        "plots": [4],
        "gas_served_pct": [100.0],
        "electricity_served_pct": [25.0],
        "mean_dist_gas_m": [250.4],
    }
)


@pytest.fixture
def fake_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "_coverage_table", lambda ds, within_m: FAKE_COVERAGE)


@pytest.fixture
def ds():
    return tiny_dataset()


def test_report_tables_known_answers(ds, fake_coverage) -> None:
    tables = report.report_tables(ds, as_of=AS_OF)
    assert list(tables) == list(report.SHEETS)
    zone = tables["zone_kpis"].iloc[0]
    assert (zone["zone_id"], zone["plots"], zone["plots_free"]) == ("Z-1", 4, 1)
    assert (zone["idle_plots"], zone["jobs_planned"], zone["jobs_created"]) == (
        1,
        220,
        15,
    )
    assert zone["investment_kzt"] == 8.0e9
    assert zone["investment_per_budget_kzt"] == pytest.approx(4.0)
    assert zone["idle_ha"] == pytest.approx(1.0, rel=0.01)  # a 100 m square
    district = tables["district_kpis"]
    assert district["district"].tolist() == ["Sauran", "Region total"]
    idle = tables["idle_plots"]
    assert idle["plot_id"].tolist() == ["P-2"]
    assert idle["days_overdue"].tolist() == [143]
    assert idle["zone_name"].tolist() == ["Turkistan <industrial> zone"]
    assert "geometry" not in idle.columns
    assert tables["infrastructure_coverage"] is FAKE_COVERAGE or tables[
        "infrastructure_coverage"
    ].equals(FAKE_COVERAGE)


def test_input_is_not_modified(ds, fake_coverage, tmp_path: Path) -> None:
    before = ds.plots.copy()
    report.write_report(ds, tmp_path / "r.xlsx", as_of=AS_OF)
    pd.testing.assert_frame_equal(ds.plots, before)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.xlsx", "xlsx"),
        ("a.XLSX", "xlsx"),
        ("a.html", "html"),
        ("a.htm", "html"),
        ("a.csv", "csv"),
        ("out/a", "csv"),
    ],
)
def test_report_format(name: str, fmt: str) -> None:
    assert report.report_format(name) == fmt


def test_unknown_suffix_is_an_error(ds, tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError,
        match=r"k\.pdf: cannot write a report as '\.pdf'; "
        r"use \.xlsx",
    ):
        report.write_report(ds, tmp_path / "k.pdf")
    assert list(tmp_path.iterdir()) == []


def test_xlsx_layout(ds, fake_coverage, tmp_path: Path) -> None:
    openpyxl = need("openpyxl")
    out = report.write_report(ds, tmp_path / "kpis.xlsx", as_of=AS_OF)
    assert out == tmp_path / "kpis.xlsx"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [*report.SHEETS.values(), "Charts", "About"]
    for title in report.SHEETS.values():
        ws = wb[title]
        assert ws.freeze_panes == "A2", title
        assert all(c.font.b for c in ws[1]), title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(w >= len(str(c.value)) for w, c in zip(widths, ws[1], strict=True))
    zones = wb["Zone KPIs"]
    head = [c.value for c in zones[1]]
    row = dict(zip(head, zones[2], strict=True))
    assert row["zone_id"].value == "Z-1" and row["plots"].value == 4
    assert row["area_ha"].number_format == "#,##0.00"
    assert row["investment_kzt"].number_format == "#,##0"
    assert row["investment_kzt"].value == 8.0e9
    assert row["occupancy_pct"].number_format == "0.0"
    assert row["investment_per_budget_kzt"].number_format == "#,##0.00"
    assert row["established"].number_format == "0" and row["established"].value == 2019
    idle = wb["Idle plots"]
    head = [c.value for c in idle[1]]
    row = dict(zip(head, idle[2], strict=True))
    assert row["plot_id"].value == "P-2"
    assert row["investor"].value == "Acme <b>LLP</b>"
    assert row["build_by"].value == dt.datetime(2024, 1, 10)
    assert row["build_by"].number_format == "yyyy-mm-dd"
    assert row["days_overdue"].value == 143
    assert idle.max_row == 2
    totals = wb["District KPIs"]
    assert totals.cell(row=totals.max_row, column=1).value == "Region total"
    cov = wb["Infrastructure coverage"]
    assert [c.value for c in cov[1]] == list(FAKE_COVERAGE.columns)
    assert cov["E2"].number_format == "#,##0"  # mean_dist_gas_m: metres
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
    assert about["As of"] == AS_OF and about["Source"] == "tiny"


def test_empty_tables_still_get_headers(ds, fake_coverage, tmp_path: Path) -> None:
    openpyxl = need("openpyxl")
    out = report.write_report(ds, tmp_path / "k.xlsx", as_of="2020-01-01")
    ws = openpyxl.load_workbook(out)["Idle plots"]
    assert ws.max_row == 1 and ws["A1"].value == "plot_id"
    page = report.write_report(ds, tmp_path / "k.html", as_of="2020-01-01").read_text()
    assert "Idle plots (0 rows)" in page


def test_csv_folder(ds, fake_coverage, tmp_path: Path) -> None:
    out = report.write_report(ds, tmp_path / "kpis.csv", as_of=AS_OF)
    assert out == tmp_path / "kpis" and out.is_dir()
    assert sorted(p.name for p in out.iterdir()) == [
        "about.csv",
        "district_kpis.csv",
        "idle_plots.csv",
        "infrastructure_coverage.csv",
        "zone_kpis.csv",
    ]
    idle = pd.read_csv(out / "idle_plots.csv")
    assert idle[["plot_id", "build_by", "days_overdue"]].values.tolist() == [
        ["P-2", "2024-01-10", 143]
    ]
    zones = pd.read_csv(out / "zone_kpis.csv")
    assert zones.loc[0, "investment_kzt"] == 8.0e9
    # A name without suffix is a folder too; writing again replaces it whole.
    (out / "stale.csv").write_text("old")
    again = report.write_report(ds, out, as_of=AS_OF)
    assert again == out and not (out / "stale.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["kpis"]  # no temporary folders left


def test_html_is_escaped_and_offline(ds, fake_coverage, tmp_path: Path) -> None:
    page = report.write_report(ds, tmp_path / "kpis.html", as_of=AS_OF).read_text(
        encoding="utf-8"
    )
    assert "Acme &lt;b&gt;LLP&lt;/b&gt;" in page
    assert "Turkistan &lt;industrial&gt; zone" in page
    assert "Bricks &amp; Tiles" in page
    assert "<b>LLP" not in page and "<industrial>" not in page
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    for title in report.SHEETS.values():
        assert f"{title} (" in page
    assert "<th>investment_kzt</th>" in page
    assert "8,000,000,000" in page  # formatted tenge
    assert "2024-01-10" in page  # formatted date
    assert "zonegeo report, as of 2024-06-01" in page


@pytest.mark.parametrize("name", ["kpis.xlsx", "kpis.html"])
def test_failed_write_keeps_the_old_report(
    ds, fake_coverage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    target = tmp_path / name
    target.write_bytes(b"previous report")

    def half_then_fail(tables, tmp: Path, about) -> None:
        tmp.write_bytes(b"half a rep")
        raise OSError("disk full")

    monkeypatch.setattr(report, "_write_xlsx", half_then_fail)
    monkeypatch.setattr(report, "_write_html", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        report.write_report(ds, target, as_of=AS_OF)
    assert target.read_bytes() == b"previous report"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_failed_csv_write_keeps_the_old_folder(
    ds, fake_coverage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = report.write_report(ds, tmp_path / "kpis", as_of=AS_OF)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def fail_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_third)
    with pytest.raises(OSError, match="disk full"):
        report.write_report(ds, out, as_of="2025-03-01")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kpis"]


def test_report_with_real_coverage(ds, tmp_path: Path) -> None:
    """Hand-computed: every plot is 250 m from the gas pipe; P-4 is 2,300 m from the
    substation and the others farther; there is no water feature."""
    openpyxl = need("openpyxl")
    tables = report.report_tables(ds, as_of=AS_OF, within_m=1000)
    coverage = tables["infrastructure_coverage"]
    assert coverage[
        ["zone_id", "gas_pct", "electricity_pct", "water_pct"]
    ].values.tolist() == [["Z-1", 100.0, 0.0, 0.0]]
    assert "geometry" not in coverage.columns
    reach = {"gas": 200, "electricity": 2400}
    out = report.write_report(ds, tmp_path / "k.xlsx", as_of=AS_OF, within_m=reach)
    wb = openpyxl.load_workbook(out)
    ws = wb["Infrastructure coverage"]
    row = dict(zip([c.value for c in ws[1]], ws[2], strict=True))
    assert row["gas_pct"].value == 0.0
    assert row["electricity_pct"].value == pytest.approx(25.0, abs=0.01)  # 1 ha of 4
    assert row["electricity_pct"].number_format == "0.0"
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows()}
    assert about["Coverage reach"] == "gas 200 m, electricity 2400 m, others 1000 m"


def test_coverage_reach_default_is_named(ds, tmp_path: Path) -> None:
    openpyxl = need("openpyxl")
    out = report.write_report(ds, tmp_path / "k.xlsx", as_of=AS_OF)
    about = {
        r[0].value: r[1].value for r in openpyxl.load_workbook(out)["About"].iter_rows()
    }
    assert about["Coverage reach"] == "1000 m"
