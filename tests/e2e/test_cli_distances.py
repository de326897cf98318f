"""``zonegeo distances``: formats, costs, progress, clean errors, no partial output."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, Point, box

import zonegeo
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


@pytest.fixture
def files(tmp_path: Path, tiny_plots, tiny_infrastructure) -> tuple[Path, Path]:
    plots = tmp_path / "plots.gpkg"
    infra = tmp_path / "infra.gpkg"
    tiny_plots.to_file(plots, layer="plots")
    tiny_infrastructure.to_file(infra, layer="infrastructure")
    return plots, infra


def run(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_python_m_zonegeo_distances_gpkg(
    files, tmp_path, tiny_plots, tiny_infrastructure
):
    plots, infra = files
    out = tmp_path / "result.gpkg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "distances",
            str(plots),
            str(infra),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        "Measured 2 plots against 3 features (gas, electricity, water)" in proc.stderr
    )
    assert str(out.resolve()) in proc.stderr
    got = gpd.read_file(out)
    assert got.crs == tiny_plots.crs
    expected = zonegeo.connection_costs(
        zonegeo.infrastructure_distances(tiny_plots, tiny_infrastructure)
    )
    assert got["plot_id"].tolist() == ["P-1", "P-2"]
    pd.testing.assert_series_equal(got["dist_gas_m"], expected["dist_gas_m"])
    pd.testing.assert_series_equal(got["cost_total_kzt"], expected["cost_total_kzt"])
    assert got["nearest_water_id"].tolist() == ["W-1", "W-1"]
    # No temporary file left beside the output.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "infra.gpkg",
        "plots.gpkg",
        "result.gpkg",
    ]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_other_formats(files, tmp_path, suffix):
    plots, infra = files
    out = tmp_path / f"result{suffix}"
    result = run(
        "distances",
        plots,
        infra,
        "-o",
        out,
        "--max-distance",
        500,
        "--kinds",
        "gas,water",
        "--no-costs",
    )
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        table = pd.read_csv(out)
        assert table["wkt"].str.startswith("POLYGON").all()
    else:
        table = gpd.read_parquet(out)
        assert table.crs.to_epsg() == 32642
    assert table["dist_gas_m"].iloc[0] == pytest.approx(250.07, abs=0.01)
    assert pd.isna(table["dist_gas_m"].iloc[1])
    assert table["dist_water_m"].isna().all()
    assert "dist_electricity_m" not in table.columns
    assert not any(c.startswith("cost_") for c in table.columns)


def test_costs_toml(files, tmp_path):
    plots, infra = files
    costs = tmp_path / "costs.toml"
    costs.write_text("[gas]\nper_km_kzt = 1_000_000\nfixed_kzt = 0\n", encoding="utf-8")
    out = tmp_path / "result.parquet"
    result = run("distances", plots, infra, "-o", out, "--costs", costs)
    assert result.exit_code == 0, result.output
    assert f"unit costs from {costs}" in result.output
    table = gpd.read_parquet(out)
    assert table["cost_gas_kzt"].iloc[0] == pytest.approx(250.07 / 1000 * 1e6, abs=1)


def test_any_polygon_layer_and_capacity(tmp_path):
    plots = gpd.GeoDataFrame(
        {"name": ["a", "b"], "demand_electricity_kw": [10.0, 900.0]},
        geometry=[box(X0, Y0, X0 + 50, Y0 + 50), box(X0 + 500, Y0, X0 + 550, Y0 + 50)],
        crs=UTM42,
    )
    infra = gpd.GeoDataFrame(
        {
            "infra_id": ["E-small", "E-big"],
            "kind": ["electricity"] * 2,
            "spare_capacity": [100.0, 1.0],
            "unit": ["kW", "MW"],
        },
        geometry=[Point(X0 + 200, Y0), Point(X0 + 3000, Y0)],
        crs=UTM42,
    )
    plots.to_file(tmp_path / "p.geojson")
    infra.to_file(tmp_path / "i.gpkg")
    out = tmp_path / "o.gpkg"
    result = run(
        "distances",
        tmp_path / "p.geojson",
        tmp_path / "i.gpkg",
        "-o",
        out,
        "--capacity-aware",
        "--no-costs",
    )
    assert result.exit_code == 0, result.output
    got = gpd.read_file(out)
    assert got["nearest_electricity_id"].tolist() == ["E-small", "E-big"]
    assert got["unserved_electricity"].tolist() == [False, False]


def test_progress_bar_on_request_and_not_on_small_inputs(files, tmp_path):
    plots, infra = files
    quiet = run("distances", plots, infra, "-o", tmp_path / "a.gpkg")
    assert "distances:" not in quiet.output
    loud = run("distances", plots, infra, "-o", tmp_path / "b.gpkg", "--progress")
    assert loud.exit_code == 0, loud.output
    assert "distances: 100%" in loud.output
    assert "2/2" in loud.output


def _assert_clean_failure(result, out: Path, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.stem}*"))


def test_infrastructure_without_kind(files, tmp_path, tiny_infrastructure):
    plots, _ = files
    bad = tmp_path / "bad.gpkg"
    tiny_infrastructure.drop(columns="kind").to_file(bad)
    out = tmp_path / "result.gpkg"
    result = run("distances", plots, bad, "-o", out)
    _assert_clean_failure(
        result,
        out,
        "error: ",
        "bad.gpkg",
        "missing required column(s) ['kind']",
    )


def test_unknown_kind_value(files, tmp_path, tiny_infrastructure):
    plots, _ = files
    bad = tmp_path / "bad.gpkg"
    tiny_infrastructure.assign(kind=["gas", "power", "water"]).to_file(bad)
    out = tmp_path / "result.csv"
    result = run("distances", plots, bad, "-o", out)
    _assert_clean_failure(result, out, "unknown value(s) {'power'}", "infra_id=E-1")


def test_empty_plot_layer(files, tmp_path, tiny_plots):
    _, infra = files
    empty = tmp_path / "empty.gpkg"
    tiny_plots.iloc[:0].to_file(empty)
    out = tmp_path / "result.gpkg"
    result = run("distances", empty, infra, "-o", out)
    _assert_clean_failure(result, out, "empty.gpkg", "no plots; nothing to measure")


def test_plots_without_crs(files, tmp_path, tiny_plots):
    _, infra = files
    shp = tmp_path / "plots.shp"
    pyogrio.write_dataframe(tiny_plots[["plot_id", "geometry"]], shp)
    shp.with_suffix(".prj").unlink()
    out = tmp_path / "result.gpkg"
    result = run("distances", shp, infra, "-o", out)
    _assert_clean_failure(result, out, "error: ", "plots.shp", "has no CRS")


def test_mismatched_crs_is_reprojected(files, tmp_path, tiny_infrastructure):
    plots, _ = files
    ll = tmp_path / "infra_4326.geojson"
    tiny_infrastructure.to_crs(4326).to_file(ll)
    out = tmp_path / "result.gpkg"
    result = run("distances", plots, ll, "-o", out)
    assert result.exit_code == 0, result.output
    assert gpd.read_file(out)["dist_gas_m"].iloc[0] == pytest.approx(250.07, abs=0.01)


def test_bad_costs_key_fails_before_work_and_keeps_old_output(files, tmp_path):
    plots, infra = files
    out = tmp_path / "result.csv"
    out.write_text("previous run\n", encoding="utf-8")
    costs = tmp_path / "costs.toml"
    costs.write_text("[gas]\nper_meter = 5\n", encoding="utf-8")
    result = run("distances", plots, infra, "-o", out, "--costs", costs)
    assert result.exit_code == 1
    assert "unknown key gas.per_meter" in result.output
    assert "allowed keys: per_km_kzt, fixed_kzt" in result.output
    assert out.read_text(encoding="utf-8") == "previous run\n"


def test_missing_input_file(files, tmp_path):
    plots, _ = files
    out = tmp_path / "result.gpkg"
    result = run("distances", plots, tmp_path / "nope.gpkg", "-o", out)
    _assert_clean_failure(result, out, "nope.gpkg: no such file")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "result.txt"], "cannot tell the output format"),
        (["-o", "r.gpkg", "--max-distance", "-3"], "--max-distance"),
        (
            ["-o", "r.gpkg", "--no-costs", "--costs", "c.toml"],
            "either --costs or --no-costs",
        ),
    ],
)
def test_usage_errors_exit_2(files, tmp_path, args, message):
    plots, infra = files
    result = CliRunner().invoke(
        cli,
        [
            "distances",
            str(plots),
            str(infra),
            *[str(tmp_path / a) if a.startswith(("r", "c.")) else a for a in args],
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_debug_shows_traceback(files, tmp_path, tiny_infrastructure):
    plots, _ = files
    bad = tmp_path / "bad.gpkg"
    tiny_infrastructure.drop(columns="kind").to_file(bad)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "--debug",
            "distances",
            str(plots),
            str(bad),
            "-o",
            str(tmp_path / "o.gpkg"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    assert not (tmp_path / "o.gpkg").exists()


def test_long_line_input(tmp_path):
    # A 300 km line with a vertex every 500 m, in lon/lat, and plots along it.
    import numpy as np

    lon = np.linspace(66.0, 69.7, 601)
    line = LineString(np.c_[lon, np.full_like(lon, 43.0)])
    plots = gpd.GeoDataFrame(
        {"plot_id": [f"P{i}" for i in range(50)]},
        geometry=[
            box(66.1 + 0.07 * i, 43.01, 66.102 + 0.07 * i, 43.012) for i in range(50)
        ],
        crs=4326,
    )
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G-main"], "kind": ["gas"]}, geometry=[line], crs=4326
    )
    plots.to_parquet(tmp_path / "p.parquet")
    infra.to_parquet(tmp_path / "i.parquet")
    result = run(
        "distances",
        tmp_path / "p.parquet",
        tmp_path / "i.parquet",
        "-o",
        tmp_path / "o.parquet",
    )
    assert result.exit_code == 0, result.output
    got = gpd.read_parquet(tmp_path / "o.parquet")
    assert len(got) == 50
    # 0.01 deg of latitude at 43 N is about 1,111 m.
    assert got["dist_gas_m"].between(1105, 1115).all()


GEM = (
    Path(__file__).resolve().parents[3]
    / "shared/data/gem-pipelines-turkistan"
    / "gem_pipeline_routes_turkistan_shymkent.geojson"
)


def test_real_gem_pipelines_with_id_and_kind_options(tmp_path):
    """A user's trunk-pipeline file: no kind column, ids in gem_project_id."""
    from tests._need import in_ci

    if not GEM.exists():
        if in_ci():
            pytest.fail(f"shared data missing: {GEM}", pytrace=False)
        pytest.skip("shared data not beside the repo")
    plots = zonegeo.load_demo().district("Sauran").plots
    plots_path = tmp_path / "sauran.gpkg"
    plots.to_file(plots_path)
    out = tmp_path / "gas.csv"
    # The real file repeats ids for multi-part routes: a clean error names them.
    result = run(
        "distances",
        plots_path,
        GEM,
        "--infra-id-column",
        "gem_project_id",
        "--infra-kind",
        "gas",
        "-o",
        out,
    )
    _assert_clean_failure(result, out, "duplicate infra_id", "P0739")
    # After the user makes ids unique, every plot gets a gas distance.
    gem = gpd.read_file(GEM)
    gem["route_id"] = (
        gem["gem_project_id"]
        + "-"
        + gem.groupby("gem_project_id").cumcount().astype(str)
    )
    fixed = tmp_path / "gem.gpkg"
    gem.to_file(fixed)
    result = run(
        "distances",
        plots_path,
        fixed,
        "--infra-id-column",
        "route_id",
        "--infra-kind",
        "gas",
        "--no-costs",
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == len(plots)
    assert table["dist_gas_m"].gt(0).all()
    assert table["nearest_gas_id"].str.startswith("P").all()
    result = run(
        "distances",
        plots_path,
        zonegeo.datasets.get_path() / "infrastructure/infrastructure.gpkg",
        "--infra-kind",
        "gas",
        "-o",
        tmp_path / "x.csv",
    )
    _assert_clean_failure(result, tmp_path / "x.csv", "has its own 'kind' column")


# -- issue 10: GEM routes, --where, --dissolve-by, --crs, formats, totals -----------

ADM2 = (
    Path(__file__).resolve().parents[3]
    / "shared/data/geokz-hdx-codab-2024"
    / "turkistan_shymkent_adm2_2024.geojson"
)


def _need_shared(*paths: Path) -> None:
    from tests._need import in_ci

    missing = [p for p in paths if not p.exists()]
    if missing:
        if in_ci():
            pytest.fail(f"shared data missing: {missing}", pytrace=False)
        pytest.skip("shared data not beside the repo")


@pytest.fixture(scope="module")
def plots_shp(tmp_path_factory) -> Path:
    """The demo's 711 plots as an office keeps them: a Shapefile, names cut."""
    import warnings

    path = tmp_path_factory.mktemp("shp") / "region_plots.shp"
    plots = zonegeo.load_demo().plots.drop(columns="area_ha")
    with warnings.catch_warnings():  # GDAL says it cuts the names: expected
        warnings.simplefilter("ignore")
        plots.to_file(path, encoding="UTF-8")
    names = pyogrio.read_info(path)["fields"].tolist()
    assert "investment" in names and "investment_kzt" not in names
    return path


@pytest.fixture(scope="module")
def demo_infra(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("infra") / "demo_infra.gpkg"
    zonegeo.load_demo().infrastructure.to_file(path)
    return path


GEM_ARGS = [
    "--infra-kind",
    "gas",
    "--infra-id-column",
    "gem_project_id",
    "--dissolve-by",
    "gem_project_id",
]


def test_gem_where_and_dissolve_by(plots_shp, tmp_path):
    """The issue's command: gas routes only, multi-part routes joined by project id."""
    _need_shared(GEM)
    gem = gpd.read_file(GEM)
    gas_ids = set(gem.loc[gem["category"] == "gas-pipelines", "gem_project_id"])
    oil_ids = set(gem.loc[gem["category"] == "liquid-pipelines", "gem_project_id"])
    assert gas_ids and oil_ids and not gas_ids & oil_ids
    gas_out, all_out = tmp_path / "gas.gpkg", tmp_path / "all.gpkg"
    where = "category = 'gas-pipelines'"
    result = run(
        "distances", plots_shp, GEM, *GEM_ARGS, "--where", where, "-o", gas_out
    )
    assert result.exit_code == 0, result.output
    # 10 gas rows (P0739 and P5810 in two parts each) become 8 features.
    assert "10 rows joined into 8 features by gem_project_id" in result.output
    assert "Measured 711 plots against 8 features (gas)" in result.output
    result = run("distances", plots_shp, GEM, *GEM_ARGS, "-o", all_out)
    assert result.exit_code == 0, result.output
    assert "14 rows joined into 12 features" in result.output
    gas, every = gpd.read_file(gas_out), gpd.read_file(all_out)
    assert gas["plot_id"].tolist() == every["plot_id"].tolist()
    # Oil routes never count as gas once filtered ...
    assert set(gas["nearest_gas_id"]) <= gas_ids
    # ... and without the filter some plots were "nearest" to an oil route.
    took_oil = every["nearest_gas_id"].isin(oil_ids)
    assert took_oil.sum() > 0
    assert (gas.loc[took_oil, "dist_gas_m"] > every.loc[took_oil, "dist_gas_m"]).all()
    same = ~took_oil
    pd.testing.assert_series_equal(
        gas.loc[same, "dist_gas_m"], every.loc[same, "dist_gas_m"]
    )
    # Independent check of one plot: the nearest gas route by shapely in UTM 42N.
    routes = gem[gem["category"] == "gas-pipelines"].dissolve("gem_project_id")
    plot = gas.iloc[0]
    utm_routes = routes.to_crs(32642).geometry
    utm_plot = gpd.GeoSeries([plot.geometry], crs=gas.crs).to_crs(32642).iloc[0]
    d = utm_routes.distance(utm_plot)
    assert plot["nearest_gas_id"] == d.idxmin()
    assert plot["dist_gas_m"] == pytest.approx(d.min(), rel=2e-3)


def test_dissolve_by_library_keeps_parts(tmp_path):
    _need_shared(GEM)
    infra = zonegeo.read_infrastructure(
        GEM,
        kind="gas",
        column_map={"gem_project_id": "infra_id"},
        dissolve_by="gem_project_id",
        where="category = 'gas-pipelines'",
    )
    raw = gpd.read_file(GEM)
    raw = raw[raw["category"] == "gas-pipelines"]
    assert infra["infra_id"].tolist() == list(dict.fromkeys(raw["gem_project_id"]))
    assert infra.attrs["dissolved"] == {
        "by": "gem_project_id",
        "rows": 10,
        "features": 8,
        "dropped_columns": ["part"],
    }
    p0739 = infra.set_index("infra_id").geometry["P0739"]
    assert p0739.geom_type == "MultiLineString"
    parts = raw.loc[raw["gem_project_id"] == "P0739"].geometry
    assert len(p0739.geoms) == len(parts) == 2
    utm = gpd.GeoSeries([p0739], crs=4326).to_crs(32642).length.iloc[0]
    assert utm == pytest.approx(parts.to_crs(32642).length.sum())
    assert "part" not in infra.columns  # differs between parts: dropped, said so
    assert (infra["category"] == "gas-pipelines").all()  # same in every part: kept


def test_where_and_dissolve_errors(files, tmp_path):
    plots, infra = files
    out = tmp_path / "o.gpkg"
    result = run("distances", plots, infra, "--where", "no_such_column = 1", "-o", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "where='no_such_column = 1' failed" in result.output
    assert "infra_id" in result.output  # lists the columns there are
    result = run("distances", plots, infra, "--dissolve-by", "infra_ide", "-o", out)
    _assert_clean_failure(result, out, "not a column", "Did you mean 'infra_id'")
    result = run("distances", plots, infra, "--where", "kind = 'steam'", "-o", out)
    _assert_clean_failure(result, out, "no features match --where")
    csv = tmp_path / "infra.csv"
    zonegeo.write_layer(gpd.read_file(infra), csv)
    result = run("distances", plots, csv, "--where", "kind = 'gas'", "-o", out)
    _assert_clean_failure(result, out, "where= filters files read through GDAL")


def test_crs_option_with_real_boundaries(tmp_path):
    """Polygons kept as a CSV of UTM 42N WKT, no .prj: --crs says what they are."""
    _need_shared(GEM, ADM2)
    districts = gpd.read_file(ADM2)[["ADM2_EN", "geometry"]]
    csv = tmp_path / "districts_utm.csv"
    table = pd.DataFrame({"ADM2_EN": districts["ADM2_EN"]})
    table["wkt"] = districts.to_crs(32642).geometry.to_wkt()
    table.to_csv(csv, index=False)
    out = tmp_path / "o.csv"
    args = ["--where", "category = 'gas-pipelines'", *GEM_ARGS, "--no-costs"]
    result = run("distances", csv, GEM, *args, "-o", out)
    _assert_clean_failure(result, out, "carries no CRS", "--crs EPSG:4326")
    result = run("distances", csv, GEM, *args, "--crs", "EPSG:32642", "-o", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out)
    # The same polygons from the GeoJSON (EPSG:4326, declared): same answers.
    ref_out = tmp_path / "ref.csv"
    result = run("distances", ADM2, GEM, *args, "--crs", "EPSG:3857", "-o", ref_out)
    assert result.exit_code == 0, result.output  # --crs never overrides a CRS
    ref = pd.read_csv(ref_out)
    assert got["ADM2_EN"].tolist() == ref["ADM2_EN"].tolist()
    assert got["nearest_gas_id"].tolist() == ref["nearest_gas_id"].tolist()
    np.testing.assert_allclose(got["dist_gas_m"], ref["dist_gas_m"], rtol=1e-6)
    np.testing.assert_allclose(got["area_ha"], ref["area_ha"], rtol=1e-6)
    assert got["wkt"].iloc[0].startswith("MULTIPOLYGON ((") or got["wkt"].iloc[
        0
    ].startswith("POLYGON ((")
    assert float(got["wkt"].iloc[0].split("((")[1].split()[0].strip("(")) > 1000
    result = run("distances", csv, GEM, *args, "--crs", "EPSG:999999", "-o", out)
    assert result.exit_code == 2
    assert "not a CRS pyproj knows" in result.output


def test_crs_option_on_dataset_commands(tmp_path):
    """A dataset folder whose districts are a CSV without CRS: --crs reads it."""
    from tests._tiny import tiny_dataset

    folder = tmp_path / "ds"
    zonegeo.write_dataset(tiny_dataset(), folder)
    gpkg = folder / "boundaries" / "districts.gpkg"
    zonegeo.write_layer(gpd.read_file(gpkg), gpkg.with_suffix(".csv"))
    gpkg.unlink()
    out = tmp_path / "r.xlsx"
    result = run("report", "-o", out, "--data", folder)
    _assert_clean_failure(result, out, "districts.csv", "--crs")
    result = run("report", "-o", out, "--data", folder, "--crs", "EPSG:4326")
    assert result.exit_code == 0, result.output
    assert pd.read_excel(out, sheet_name=None)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet", ".csv", ".xlsx"])
def test_every_output_format(plots_shp, demo_infra, tmp_path, suffix):
    infra = demo_infra
    out = tmp_path / f"plots{suffix}"
    result = run("distances", plots_shp, infra, "-o", out, "--max-distance", 3000)
    assert result.exit_code == 0, result.output
    if suffix == ".xlsx":
        table = pd.read_excel(out, sheet_name="distances")
        assert table["wkt"].str.startswith(("POLYGON", "MULTIPOLYGON")).all()
    elif suffix == ".csv":
        table = pd.read_csv(out)
    elif suffix == ".parquet":
        table = gpd.read_parquet(out)
    else:
        table = gpd.read_file(out)
    reference = gpd.read_file(plots_shp)
    assert table["plot_id"].tolist() == reference["plot_id"].tolist()
    # Full names, not the Shapefile's cut ones; area_ha added.
    for full in ("investment_kzt", "jobs_planned", "jobs_created", "allocated_on"):
        assert full in table.columns
    for cut in ("investment", "jobs_plann", "jobs_creat", "allocated_"):
        assert cut not in table.columns
    demo = zonegeo.load_demo().plots
    np.testing.assert_allclose(table["area_ha"], demo["area_ha"], rtol=1e-9)
    np.testing.assert_allclose(
        pd.to_numeric(table["investment_kzt"]), demo["investment_kzt"], equal_nan=True
    )
    for col in ("dist_gas_m", "dist_electricity_m", "cost_total_kzt"):
        assert col in table.columns


def test_xlsx_keeps_formula_like_text_as_text(files, tmp_path, tiny_plots):
    _, infra = files
    plots = tiny_plots.assign(name=['=HYPERLINK("http://x")', "+1"])
    path = tmp_path / "p.gpkg"
    plots.to_file(path)
    out = tmp_path / "o.xlsx"
    result = run("distances", path, infra, "-o", out)
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    sheet = load_workbook(out)["distances"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"


def test_total_says_how_many_plots_it_covers(plots_shp, demo_infra, tmp_path):
    infra = demo_infra
    out = tmp_path / "o.csv"
    result = run("distances", plots_shp, infra, "-o", out, "--max-distance", 3000)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    has = table["cost_total_kzt"].notna()
    n, m = int(has.sum()), len(table)
    assert 0 < n < m  # within 3 km of every kind: only some of the plots
    total = table["cost_total_kzt"].sum()
    no_gas = int(table["dist_gas_m"].isna().sum())
    no_power = int(table["dist_electricity_m"].isna().sum())
    line = next(x for x in result.output.splitlines() if "total connection cost" in x)
    assert f"total connection cost {total:,.0f} KZT over {n:,} of {m:,} plots" in line
    assert f"{m - n:,} have no cost because" in line
    if no_gas:
        assert (
            f"no gas feature within --max-distance 3,000 m ({no_gas:,} plots)" in line
        )
    if no_power:
        assert (
            f"no electricity feature within --max-distance 3,000 m ({no_power:,} plots)"
            in line
        )


def test_total_of_every_plot_says_so(files, tmp_path):
    plots, infra = files
    result = run("distances", plots, infra, "-o", tmp_path / "o.gpkg")
    assert result.exit_code == 0, result.output
    assert "over 2 of 2 plots (illustrative unit costs)" in result.output
    assert "have no cost" not in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("point", "wrong geometry type ['Point']"),
        ("null_id", "column 'plot_id' is empty"),
        ("status", "'ALLOCATED' -> 'allocated'"),
        ("investment", "'investment_kzt' must be a number"),
        ("collection", "wrong geometry type ['GeometryCollection']"),
    ],
)
def test_plots_are_checked_as_read_plots_checks_them(
    files, tmp_path, tiny_plots, change, message
):
    """One validation path: what read_plots refuses, distances refuses too."""
    from shapely.geometry import GeometryCollection

    _, infra = files
    plots = tiny_plots.copy()
    if change == "point":
        plots.loc[0, "geometry"] = Point(X0, Y0)
    elif change == "null_id":
        plots.loc[1, "plot_id"] = None
    elif change == "status":
        plots["status"] = ["free", "ALLOCATED"]
    elif change == "investment":
        plots["investment_kzt"] = ["lots", "1e9"]
    else:
        plots.loc[0, "geometry"] = GeometryCollection(
            [box(X0, Y0, X0 + 10, Y0 + 10), Point(X0, Y0)]
        )
    path = tmp_path / "plots.gpkg"
    plots.to_file(path, layer="plots")
    with pytest.raises(zonegeo.ValidationError, match=re.escape(message)):
        zonegeo.read_plots(path)
    out = tmp_path / "o.gpkg"
    _assert_clean_failure(run("distances", path, infra, "-o", out), out, message)
