"""``zonegeo distances``: formats, costs, progress, clean errors, no partial output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
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
