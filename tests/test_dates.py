"""Dates as Kazakh offices write them (zonegeo.dates and every reader that uses it).

The expected dates are written out by hand in ``tests/_office_dates.py``;
nothing here computes them with pandas' own date guessing.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zonegeo
from tests import _office_dates as office
from tests._need import need
from tests._tiny import tiny_dataset
from zonegeo import SchemaError, ValidationError
from zonegeo.dates import date_column, parse_date, parse_date_column
from zonegeo.parcels import idle_mask, to_timestamp


def _dates(series: pd.Series) -> list[dt.date | None]:
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in series]


def _check(plots: gpd.GeoDataFrame) -> None:
    """Every allocated_on and build_by equals the hand-written date, by plot."""
    by_id = plots.set_index("plot_id")
    for pid, (alloc, build) in office.EXPECTED.items():
        got = _dates(by_id.loc[[pid], "allocated_on"])[0]
        assert got == alloc, f"{pid} allocated_on: {got} != {alloc}"
        got = _dates(by_id.loc[[pid], "build_by"])[0]
        assert got == build, f"{pid} build_by: {got} != {build}"
    assert str(plots["build_by"].dtype) == "datetime64[ms]"


def _frame_plots(**columns: object) -> gpd.GeoDataFrame:
    """The office plots as a GeoDataFrame (statuses, ids), with columns replaced."""
    data = {
        "plot_id": [r[0] for r in office.ROWS],
        "zone_id": ["Z-1"] * len(office.ROWS),
        "district": ["Sauran"] * len(office.ROWS),
        "status": [r[1] for r in office.ROWS],
        **columns,
    }
    return gpd.GeoDataFrame(data, geometry=office.geometries(), crs=4326)


# -- the office CSV ------------------------------------------------------------------


def test_fixture_has_seven_ambiguous_dates() -> None:
    build_by = [r[3] for r in office.ROWS if r[3]]
    assert len(build_by) == 15
    assert sum(int(t[:2]) <= 12 for t in build_by) == 7


def test_office_csv_is_read_day_first(tmp_path: Path) -> None:
    plots = zonegeo.read_plots(office.write_csv(tmp_path / "plots.csv"))
    _check(plots)
    # The rows the bug report named, spelled out.
    by_id = plots.set_index("plot_id")
    assert by_id.loc["T-01", "build_by"] == pd.Timestamp(2023, 3, 11)
    assert by_id.loc["T-02", "build_by"] == pd.Timestamp(2021, 9, 19)


@pytest.mark.parametrize("sep", [".", "/", "-"])
def test_day_first_separators(tmp_path: Path, sep: str) -> None:
    _check(zonegeo.read_plots(office.write_csv(tmp_path / "p.csv", sep=sep)))


def test_single_digit_day_and_month(tmp_path: Path) -> None:
    def unpadded(text: str) -> str:
        d, m, y = text.split(".")
        return f"{int(d)}.{int(m)}.{y}"

    _check(zonegeo.read_plots(office.write_csv(tmp_path / "p.csv", reformat=unpadded)))


def test_iso_column_and_the_iso_override_agree(tmp_path: Path) -> None:
    def iso(text: str) -> str:
        d, m, y = text.split(".")
        return f"{y}-{m}-{d}"

    path = office.write_csv(tmp_path / "p.csv", reformat=iso)
    _check(zonegeo.read_plots(path))
    _check(zonegeo.read_plots(path, date_format="iso"))


def test_read_dataset_reads_the_office_csv(tmp_path: Path) -> None:
    folder = office.write_folder(tmp_path / "ds")
    _check(zonegeo.read_dataset(folder).plots)


def test_idle_plots_as_of_day_first(tmp_path: Path) -> None:
    plots = zonegeo.read_plots(office.write_csv(tmp_path / "p.csv"))
    idle = zonegeo.idle_plots(plots, as_of=office.AS_OF_TEXT)
    assert idle["plot_id"].tolist() == office.IDLE
    expected_days = [
        (office.AS_OF - office.EXPECTED[p][1]).days  # type: ignore[operator]
        for p in office.IDLE
    ]
    assert idle["days_overdue"].tolist() == expected_days
    assert expected_days[-1] == 2  # T-05, build_by 10 January 2026


def test_kpis_as_of_day_first(tmp_path: Path) -> None:
    ds = tiny_dataset()
    plots = zonegeo.read_plots(office.write_csv(tmp_path / "p.csv"))
    ds = type(ds)(
        districts=ds.districts,
        zones=ds.zones,
        plots=plots,
        infrastructure=ds.infrastructure,
    )
    k = zonegeo.zone_kpis(ds, as_of="12/01/2026").set_index("zone_id")
    assert int(k.loc["Z-1", "idle_plots"]) == len(office.IDLE)


def test_idle_mask_reads_raw_text_day_first() -> None:
    raw = pd.DataFrame(
        {
            "plot_id": ["A", "B", "C"],
            "status": ["allocated"] * 3,
            "build_by": ["11.03.2023", "05.06.2026", "  "],
        }
    )
    assert idle_mask(raw, as_of="12.01.2026").tolist() == [True, False, False]
    raw.loc[2, "build_by"] = "2023-03-11"
    with pytest.raises(SchemaError, match=r"mixes date formats.*plot_id=C"):
        idle_mask(raw, as_of="12.01.2026")


# -- refusals ------------------------------------------------------------------------


def test_mixed_column_is_refused_naming_column_rows_values(tmp_path: Path) -> None:
    rows = list(office.ROWS)
    rows[3] = ("T-04", "allocated", "2023-02-28", "2026-01-13")
    rows[7] = ("T-08", "allocated", "2024-05-17", "2025-12-31")
    path = office.write_csv(tmp_path / "p.csv", rows=rows)
    with pytest.raises(SchemaError) as info:
        zonegeo.read_plots(path)
    text = str(info.value)
    assert str(path) in text
    for col in ("allocated_on", "build_by"):
        assert f"column {col!r} must be a date but mixes date formats" in text
    assert "'2026-01-13', '2025-12-31') in 2 row(s) plot_id=T-04, T-08" in text
    assert "'11.03.2023', '19.09.2021'" in text
    assert "13 row(s) plot_id=T-01, T-02, T-03, T-05" in text and "and 3 more" in text
    assert "date_format=" in text and "--date-format" in text


def test_unknown_text_two_digit_year_and_impossible_day(tmp_path: Path) -> None:
    rows = list(office.ROWS)
    rows[0] = ("T-01", "allocated", "15 марта 2021", "11.03.23")
    rows[1] = ("T-02", "allocated", "Jan 12", "31.02.2021")
    rows[2] = ("T-03", "allocated", "02.04.2024", "06.25.2026")
    path = office.write_csv(tmp_path / "p.csv", rows=rows)
    with pytest.raises(SchemaError) as info:
        zonegeo.read_plots(path)
    text = str(info.value)
    assert (
        "column 'allocated_on' must be a date but has '15 марта 2021', 'Jan 12' in "
        "2 row(s) plot_id=T-01, T-02: not a date format zonegeo reads; allowed: "
        "dd.mm.yyyy" in text
    )
    assert "'11.03.23' in 1 row(s) plot_id=T-01: the year has two digits" in text
    assert "date_format='%d.%m.%y'" in text
    assert (
        "'31.02.2021', '06.25.2026' in 2 row(s) plot_id=T-02, T-03: no such day "
        "when read as dd.mm.yyyy (day first); '06.25.2026' look(s) month first" in text
    )
    assert "date_format='%m.%d.%Y'" in text


def test_date_format_override_reads_a_us_export(tmp_path: Path) -> None:
    def us(text: str) -> str:
        d, m, y = text.split(".")
        return f"{m}/{d}/{y}"

    path = office.write_csv(tmp_path / "p.csv", reformat=us)
    with pytest.raises(SchemaError, match="look\\(s\\) month first"):
        zonegeo.read_plots(path)
    _check(zonegeo.read_plots(path, date_format="%m/%d/%Y"))
    folder = office.write_folder(tmp_path / "ds", reformat=us)
    _check(zonegeo.read_dataset(folder, date_format="%m/%d/%Y").plots)


def test_date_format_override_is_strict(tmp_path: Path) -> None:
    path = office.write_csv(tmp_path / "p.csv")
    with pytest.raises(
        SchemaError,
        match=r"'build_by' must be a date but has '11.03.2023'.*not written as "
        r"ISO YYYY-MM-DD",
    ):
        zonegeo.read_plots(path, date_format="iso")
    two_digit = office.write_csv(
        tmp_path / "short.csv", reformat=lambda t: t[:6] + t[8:]
    )
    _check(zonegeo.read_plots(two_digit, date_format="%d.%m.%y"))
    with pytest.raises(ValidationError, match=r"date_format='mm/dd' is not a date"):
        zonegeo.read_plots(path, date_format="mm/dd")


# -- real dates, Excel serials, Shapefiles, GeoPackages -------------------------------


def _real(which: int) -> list[pd.Timestamp | None]:
    return [
        None
        if office.EXPECTED[r[0]][which] is None
        else pd.Timestamp(office.EXPECTED[r[0]][which])
        for r in office.ROWS
    ]


def test_geopackage_date_fields_and_text_dates(tmp_path: Path) -> None:
    src = _frame_plots(
        allocated_on=pd.to_datetime(_real(0)),  # a real Date/DateTime field
        build_by=[r[3] or None for r in office.ROWS],  # a text field, dd.mm.yyyy
    )
    path = tmp_path / "plots.gpkg"
    pyogrio.write_dataframe(src, path)
    raw = pyogrio.read_dataframe(path)
    assert pd.api.types.is_datetime64_any_dtype(raw["allocated_on"])
    assert not pd.api.types.is_datetime64_any_dtype(raw["build_by"])
    _check(zonegeo.read_plots(path))


def test_shapefile_date_fields_and_text_dates(tmp_path: Path) -> None:
    pa = need("pyarrow")
    build_by = [office.EXPECTED[r[0]][1] for r in office.ROWS]
    src = _frame_plots(
        # A DBF date field (type D): GDAL makes one from an Arrow date32 column.
        build_by=pd.Series(build_by, dtype=pd.ArrowDtype(pa.date32())),
        allocated_on=[r[2] or None for r in office.ROWS],  # DBF text, dd.mm.yyyy
    )
    path = tmp_path / "plots.shp"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Normalized/laundered field name")
        pyogrio.write_dataframe(src, path, use_arrow=True)
    dbf = (tmp_path / "plots.dbf").read_bytes()
    fields = {
        dbf[i : i + 11].rstrip(b"\0").decode(): dbf[i + 11 : i + 12]
        for i in range(32, int.from_bytes(dbf[8:10], "little") - 1, 32)
    }
    assert fields["build_by"] == b"D" and fields["allocated_"] == b"C"
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["build_by"].startswith("datetime64")
    assert types["allocated_"] == "object"  # cut to 10 characters
    _check(zonegeo.read_plots(path))


def test_excel_serials_and_excel_dates(tmp_path: Path) -> None:
    openpyxl = need("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["plot_id", "status", "allocated_on", "build_by"])
    origin = dt.date(1899, 12, 30)
    for pid, status, _, _ in office.ROWS:
        alloc, build = office.EXPECTED[pid]
        ws.append(
            [
                pid,
                status,
                None if alloc is None else dt.datetime.combine(alloc, dt.time()),
                None if build is None else (build - origin).days,  # General format
            ]
        )
    xlsx = tmp_path / "plots.xlsx"
    wb.save(xlsx)
    table = pd.read_excel(xlsx)
    assert pd.api.types.is_datetime64_any_dtype(table["allocated_on"])
    assert pd.api.types.is_float_dtype(table["build_by"])  # serials, with NaN
    assert table.loc[0, "build_by"] == 44996  # 11.03.2023 in Excel
    src = _frame_plots(allocated_on=table["allocated_on"], build_by=table["build_by"])
    path = tmp_path / "plots.parquet"
    src.to_parquet(path)
    _check(zonegeo.read_plots(path))
    # A number that is no plausible serial (a year) is refused, not misread.
    src["build_by"] = src["build_by"].where(src["plot_id"] != "T-02", 2021.0)
    src.to_parquet(path)
    with pytest.raises(
        SchemaError, match=r"has 2021.0 in 1 row\(s\) plot_id=T-02: numbers in a date"
    ):
        zonegeo.read_plots(path)


def test_excel_serials_in_text_need_date_format() -> None:
    text = pd.Series(["44996", "", "44458"])
    with pytest.raises(SchemaError, match="'44996', '44458'.*not a date format"):
        parse_date_column(text, column="build_by")
    out = parse_date_column(text, column="build_by", date_format="excel")
    assert _dates(out) == [dt.date(2023, 3, 11), None, dt.date(2021, 9, 19)]


def test_python_date_objects_and_mixed_kinds() -> None:
    values = pd.Series([dt.date(2023, 3, 11), None, dt.datetime(2021, 9, 19, 8)])
    assert _dates(parse_date_column(values, column="build_by")) == [
        dt.date(2023, 3, 11),
        None,
        dt.date(2021, 9, 19),
    ]
    mixed = pd.Series([dt.date(2023, 3, 11), "19.09.2021"], dtype=object)
    with pytest.raises(
        SchemaError,
        match=r"mixes kinds of value: dates .* row 1; "
        r"text \('19.09.2021'\) in 1 row\(s\) row 2",
    ):
        parse_date_column(mixed, column="build_by")


def test_times_blanks_and_time_zones() -> None:
    values = pd.Series(
        ["30.06.2024 14:30", " ", None, "01.07.2024 08:05:09", np.nan, "2.7.2024"]
    )
    out, problems = date_column(values, column="allocated_on")
    assert problems == []
    assert out.tolist()[0] == pd.Timestamp(2024, 6, 30, 14, 30)
    assert out.isna().tolist() == [False, True, True, False, True, False]
    assert out.tolist()[3] == pd.Timestamp(2024, 7, 1, 8, 5, 9)
    iso = pd.Series(["2024-06-30T14:30:00+05:00", "2024-07-01 08:00Z"])
    assert parse_date_column(iso, column="x").tolist() == [
        pd.Timestamp(2024, 6, 30, 14, 30),
        pd.Timestamp(2024, 7, 1, 8),
    ]
    aware = pd.Series(pd.to_datetime(["2024-06-30 23:30"])).dt.tz_localize(
        "Asia/Almaty"
    )
    assert parse_date_column(aware, column="x").tolist() == [
        pd.Timestamp(2024, 6, 30, 23, 30)
    ]


# -- single dates: as_of= and --as-of ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.01.2026", dt.datetime(2026, 1, 12)),
        ("12/01/2026", dt.datetime(2026, 1, 12)),
        ("12-01-2026", dt.datetime(2026, 1, 12)),
        ("01/12/2026", dt.datetime(2026, 12, 1)),
        ("2026-01-12", dt.datetime(2026, 1, 12)),
        ("2026/01/12", dt.datetime(2026, 1, 12)),
        (" 2.1.2026 ", dt.datetime(2026, 1, 2)),
        ("12.01.2026 10:30", dt.datetime(2026, 1, 12, 10, 30)),
        ("2026-01-12T10:30", dt.datetime(2026, 1, 12, 10, 30)),
    ],
)
def test_parse_date(text: str, expected: dt.datetime) -> None:
    assert parse_date(text) == pd.Timestamp(expected)
    # as_of= of idle_plots, the KPIs, maps and reports: the day, at midnight.
    assert to_timestamp(text) == pd.Timestamp(expected.date())


def test_parse_date_with_offset_and_objects() -> None:
    ts = parse_date("2026-01-12T10:30+05:00")
    assert ts == pd.Timestamp("2026-01-12T05:30Z")
    assert parse_date(dt.date(2026, 1, 12)) == pd.Timestamp(2026, 1, 12)
    assert parse_date(np.datetime64("2026-01-12")) == pd.Timestamp(2026, 1, 12)
    assert parse_date("01/12/2026", date_format="%m/%d/%Y") == pd.Timestamp(2026, 1, 12)
    assert parse_date("46034", date_format="excel") == pd.Timestamp(2026, 1, 12)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("Jan 12", "is not a date; write it as dd.mm.yyyy"),
        ("12 января 2026", "is not a date; write it as dd.mm.yyyy"),
        ("12.01.26", "the year has two digits"),
        ("31.02.2026", "no such day when read as dd.mm.yyyy"),
        (46034, "a number is not read as a date"),
        ("2026-01-12", "dd.mm.yyyy \\(day first\\), as date_format says"),
    ],
)
def test_parse_date_refuses(value: object, why: str) -> None:
    if value == "2026-01-12":
        with pytest.raises(ValidationError, match=why) as info:
            parse_date(value, date_format="dd.mm.yyyy")
    else:
        with pytest.raises(ValidationError, match=why) as info:
            to_timestamp(value)
    assert str(info.value).startswith(f"as_of={value!r} ")


def test_as_of_everywhere_is_day_first(tmp_path: Path) -> None:
    assert to_timestamp("12.01.2026") == pd.Timestamp(2026, 1, 12)
    store = tmp_path / "ds"
    zonegeo.write_dataset(tiny_dataset(), store)
    change = zonegeo.set_plot_status(
        store, "P-3", "construction", as_of="12.01.2026 10:30"
    )
    assert change.changed_at == dt.datetime(2026, 1, 12, 10, 30, tzinfo=dt.UTC)
    listed = zonegeo.reclaim(store, as_of="02.06.2024", dry_run=True)
    assert listed["days_overdue"].tolist() == [144]  # P-2, build_by 10.01.2024


def test_reclaim_store_with_text_dates(tmp_path: Path) -> None:
    """An office GeoPackage whose build_by is a text field in dd.mm.yyyy."""
    src = _frame_plots(
        investor=["ТОО"] * len(office.ROWS),
        allocated_on=[r[2] or None for r in office.ROWS],
        build_by=[r[3] or None for r in office.ROWS],
    )
    path = tmp_path / "plots.gpkg"
    pyogrio.write_dataframe(src, path, layer="plots")
    done = zonegeo.reclaim(path, as_of=office.AS_OF_TEXT)
    assert done["plot_id"].tolist() == office.IDLE
    history = zonegeo.plot_history(path)
    assert history["plot_id"].tolist() == office.IDLE
    note = history.set_index("plot_id").loc["T-05", "note"]
    assert "build_by 2026-01-10 passed, 2 days overdue as of 2026-01-12" in note
    assert '"allocated_on": "2022-07-14"' in note


# -- property ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    sep=st.sampled_from([".", "/", "-"]),
    pad=st.booleans(),
)
def test_day_first_round_trip(day: dt.date, sep: str, pad: bool) -> None:
    text = (
        f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"
        if pad
        else f"{day.day}{sep}{day.month}{sep}{day.year}"
    )
    assert parse_date(text).date() == day
    assert to_timestamp(text).date() == day
    column = pd.Series([text, "", f"{day:%d.%m.%Y}"])
    assert _dates(parse_date_column(column, column="build_by")) == [day, None, day]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    days=st.lists(
        st.dates(dt.date(1950, 1, 1), dt.date(2099, 12, 31)), min_size=16, max_size=16
    )
)
def test_office_csv_round_trip(tmp_path: Path, days: list[dt.date]) -> None:
    rows = [
        (r[0], r[1], f"{d:%d.%m.%Y}", f"{d:%d.%m.%Y}")
        for r, d in zip(office.ROWS, days, strict=True)
    ]
    plots = zonegeo.read_plots(office.write_csv(tmp_path / "p.csv", rows=rows))
    assert _dates(plots["build_by"]) == days
    assert _dates(plots["allocated_on"]) == days
