"""Every command on bad input: one ``error:`` line naming the file, exit 1.

Issue 10.4 and 12.7. Each command is run (in process, through click's
CliRunner) on a corrupt file, an empty file, a missing file and a folder in
each place it reads a path; then on the bad data offices meet: NaN and
infinite coordinates, text that is not UTF-8, an empty CSV, corrupt
Parquet/GeoPackage/zip files, a NUL in a URL, and a PostGIS user without
read permission. Warnings print as one ``warning:`` line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely.geometry import Polygon

import zonegeo
from tests._tiny import tiny_dataset
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "sauran_50ha_topsis.toml"
GARBAGE = bytes(range(256)) * 16

#: What a damaged file of each type looks like: the right header, then garbage.
CORRUPT = {
    ".gpkg": b"SQLite format 3\x00" + GARBAGE,
    ".parquet": b"PAR1" + GARBAGE + b"PAR1",
    ".zip": b"PK\x03\x04" + GARBAGE,
    ".geojson": b'{"type": "FeatureCollection", "features": [{"type": "Feat',
    ".csv": b"plot_id,wkt\n" + GARBAGE,
    ".toml": b'name = "cut short\n[[criteria]\n',
    ".osm": b"<?xml version='1.0'?>\n<osm version=\"0.6\"><node id=" + GARBAGE,
    ".pbf": b"\x00\x00\x00\x0d\n\tOSMHeader" + GARBAGE,
}


def invoke(args: list[object]) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_error(result: object, *needles: str) -> str:
    """Exit 1, exactly one ``error:`` line that names ``needles``, no traceback."""
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, out  # type: ignore[attr-defined]
    assert result.exception is None or isinstance(  # type: ignore[attr-defined]
        result.exception,  # type: ignore[attr-defined]
        SystemExit,
    ), out
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    for needle in needles:
        assert needle in errors[0], out
    return out


def make_bad(path: Path, kind: str) -> Path:
    """Create ``path`` as a corrupt file, an empty file, a folder, or leave it out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "corrupt":
        path.write_bytes(CORRUPT[path.suffix])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "directory":
        path.mkdir()
    else:
        assert kind == "missing"
    return path


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Good inputs: plots and infrastructure files and a tiny dataset folder."""
    base = tmp_path_factory.mktemp("good")
    ds = tiny_dataset()
    zonegeo.write_dataset(ds, base / "ds")
    ds.plots.to_file(base / "plots.gpkg", layer="plots")
    ds.infrastructure.to_file(base / "infra.gpkg", layer="infrastructure")
    return {
        "ds": base / "ds",
        "plots": base / "plots.gpkg",
        "infra": base / "infra.gpkg",
    }


def bad_dataset(good: dict[str, Path], tmp_path: Path, name: str) -> Path:
    """A copy of the tiny dataset folder without its plots file, for a bad one."""
    folder = tmp_path / "ds"
    shutil.copytree(good["ds"], folder)
    (folder / "plots" / "plots.gpkg").unlink()
    return folder / "plots" / name


# Each case: (id, suffix of the bad file, function(good, tmp_path, kind) -> args,
# and the text the error line must contain).
Case = Callable[[dict[str, Path], Path, str], tuple[list[object], str]]


def _distances_plots(good, tmp_path, kind):
    bad = make_bad(tmp_path / "plots.gpkg", kind)
    return ["distances", bad, good["infra"], "-o", tmp_path / "o.gpkg"], str(bad)


def _distances_infra(good, tmp_path, kind):
    bad = make_bad(tmp_path / "infra.geojson", kind)
    return ["distances", good["plots"], bad, "-o", tmp_path / "o.csv"], str(bad)


def _distances_zip(good, tmp_path, kind):
    bad = make_bad(tmp_path / "plots.zip", kind)
    return ["distances", bad, good["infra"], "-o", tmp_path / "o.gpkg"], str(bad)


def _distances_parquet(good, tmp_path, kind):
    bad = make_bad(tmp_path / "infra.parquet", kind)
    return ["distances", good["plots"], bad, "-o", tmp_path / "o.gpkg"], str(bad)


def _distances_costs(good, tmp_path, kind):
    bad = make_bad(tmp_path / "costs.toml", kind)
    args = ["distances", good["plots"], good["infra"], "--costs", bad]
    return [*args, "-o", tmp_path / "o.gpkg"], str(bad)


def _dataset_command(command: list[object]) -> Case:
    def case(good, tmp_path, kind):
        bad = make_bad(bad_dataset(good, tmp_path, "plots.gpkg"), kind)
        # A missing plots file: the error names the folder and the layer.
        needle = str(bad) if kind != "missing" else str(bad.parents[1])
        return [*command, "--data", bad.parents[1]], needle

    return case


def _data_is_bad(command: list[object]) -> Case:
    def case(good, tmp_path, kind):
        bad = make_bad(tmp_path / "data.gpkg", kind)
        return [*command, "--data", bad], str(bad)

    return case


def _scenario(command: list[object], suffix: str) -> Case:
    def case(good, tmp_path, kind):
        bad = make_bad(tmp_path / f"scenario{suffix}", kind)
        return [*command, "--scenario", bad, "--data", good["ds"]], str(bad)

    return case


def _store(command: list[object]) -> Case:
    def case(good, tmp_path, kind):
        bad = make_bad(tmp_path / "store.gpkg", kind)
        return [command[0], *command[1:-1], "--store", bad, *command[-1:]], str(bad)

    return case


def _demo(good, tmp_path, kind):
    bad = make_bad(tmp_path / "out.gpkg", kind)
    return ["demo", "-o", bad, "--basemap", "none"], str(bad)


def _html(tmp_path: Path) -> Path:
    return tmp_path / "map.html"


CASES: dict[str, Case] = {
    "distances PLOTS": _distances_plots,
    "distances INFRA": _distances_infra,
    "distances PLOTS .zip": _distances_zip,
    "distances INFRA .parquet": _distances_parquet,
    "distances --costs": _distances_costs,
    "map --data folder": lambda g, t, k: _dataset_command(
        ["map", "--district", "Sauran", "-o", _html(t)]
    )(g, t, k),
    "map --data file": lambda g, t, k: _data_is_bad(
        ["map", "--district", "Sauran", "-o", _html(t)]
    )(g, t, k),
    "map --scenario ranking": lambda g, t, k: _scenario(
        ["map", "--district", "Sauran", "-o", _html(t)], ".gpkg"
    )(g, t, k),
    "map --scenario toml": lambda g, t, k: _scenario(
        ["map", "--district", "Sauran", "-o", _html(t)], ".toml"
    )(g, t, k),
    "atlas --data folder": lambda g, t, k: _dataset_command(
        ["atlas", "-o", t / "atlas", "--basemap", "none"]
    )(g, t, k),
    "atlas --scenario ranking": lambda g, t, k: _scenario(
        ["atlas", "-o", t / "atlas", "--basemap", "none"], ".parquet"
    )(g, t, k),
    "report --data folder": lambda g, t, k: _dataset_command(
        ["report", "-o", t / "r.xlsx"]
    )(g, t, k),
    "report --data file": lambda g, t, k: _data_is_bad(["report", "-o", t / "r.xlsx"])(
        g, t, k
    ),
    "rank --scenario": lambda g, t, k: _scenario(["rank", "-o", t / "r.gpkg"], ".toml")(
        g, t, k
    ),
    "rank --data folder": lambda g, t, k: _dataset_command(
        ["rank", "--scenario", SCENARIO, "-o", t / "r.gpkg"]
    )(g, t, k),
    "reclaim --store": _store(["reclaim", "--as-of", "2024-06-01", "--dry-run"]),
    "plot set-status --store": _store(["plot", "set-status", "P-1", "free"]),
    "osm extract.osm": lambda g, t, k: (
        ["osm", make_bad(t / "extract.osm", k), "-o", t / "infra.gpkg"],
        str(t / "extract.osm"),
    ),
    "osm extract.osm.pbf": lambda g, t, k: (
        ["osm", make_bad(t / "extract.osm.pbf", k), "-o", t / "infra.gpkg"],
        str(t / "extract.osm.pbf"),
    ),
}


def test_every_command_has_a_case() -> None:
    """A new command must get a row in CASES (``zonegeo --help`` lists them)."""
    listed = set(cli.commands)
    covered = {name.split()[0] for name in CASES} | {"demo"}
    assert listed <= covered, listed - covered
    assert "set-status" in cli.commands["plot"].commands  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["corrupt", "empty", "missing", "directory"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file(case: str, kind: str, good, tmp_path: Path) -> None:
    args, needle = CASES[case](good, tmp_path, kind)
    assert_one_error(invoke(args), needle)


@pytest.mark.parametrize("kind", ["corrupt", "empty"])
def test_demo_output_is_a_file(kind: str, good, tmp_path: Path) -> None:
    # demo reads only bundled data; its one path (-o) must be a folder. A
    # missing path or a folder is a valid output, not an error.
    args, needle = _demo(good, tmp_path, kind)
    assert_one_error(invoke(args), needle, "not a folder")


def test_messages_say_what_is_wrong(good, tmp_path: Path) -> None:
    """Spot checks on the wording: the problem and a fix, not just the file."""
    cases = {
        # A GeoPackage is opened with sqlite first (store.ready_gpkg rolls back
        # an interrupted write), which names the damage.
        "corrupt": "not a GeoPackage (file is not a database)",
        "empty": "the file is empty (0 bytes)",
        "missing": "no such file",
        "directory": "is a folder, not a layer file",
    }
    for kind, text in cases.items():
        args, needle = _distances_plots(good, tmp_path / kind, kind)
        out = assert_one_error(invoke(args), needle, text)
        assert "Fix:" in out or kind in ("missing", "corrupt")


# -- issue 12.7: bad data through every command that reads it --------------------


def _plots_frame() -> gpd.GeoDataFrame:
    return tiny_dataset().plots.drop(columns="area_ha")


def _with_bad_vertex(value: float) -> gpd.GeoDataFrame:
    plots = _plots_frame()
    x0, y0, x1, y1 = plots.geometry.iloc[1].bounds
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = Polygon([(x0, y0), (value, y0), (x1, y1), (x0, y1), (x0, y0)])
        plots.loc[plots.index[1], "geometry"] = bad
    return plots


def _write_quietly(gdf: gpd.GeoDataFrame, path: Path) -> None:
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.suffix == ".parquet":
            gdf.to_parquet(path)
        else:
            gdf.to_file(path, layer="plots")


def _nan_gpkg(path: Path) -> Path:
    _write_quietly(_with_bad_vertex(np.nan), path.with_suffix(".gpkg"))
    return path.with_suffix(".gpkg")


def _inf_parquet(path: Path) -> Path:
    _write_quietly(_with_bad_vertex(np.inf), path.with_suffix(".parquet"))
    return path.with_suffix(".parquet")


def _csv_text(plots: gpd.GeoDataFrame) -> str:
    table = plots[["plot_id", "district", "status", "investor"]].copy()
    table["wkt"] = shapely.to_wkt(plots.geometry.values, rounding_precision=-1)
    return table.to_csv(index=False)


def _inf_csv(path: Path) -> Path:
    out = path.with_suffix(".csv")
    with np.errstate(invalid="ignore"):
        text = _csv_text(_with_bad_vertex(np.inf))
    out.write_text(text.replace("Infinity", "inf"), encoding="utf-8")
    assert " inf " in out.read_text(encoding="utf-8")
    return out


def _latin1_csv(path: Path) -> Path:
    out = path.with_suffix(".csv")
    text = _csv_text(_plots_frame()).replace("Steppe Ltd", "Şymkent Ltd")
    out.write_bytes(text.encode("cp1254"))  # not UTF-8: byte 0xde
    return out


def _patched(path: Path, suffix: str) -> Path:
    """Write the plots, then put a byte that is not UTF-8 inside an investor name."""
    out = path.with_suffix(suffix)
    plots = _plots_frame()
    plots["investor"] = plots["investor"].replace("Steppe Ltd", "Steppe-Ltd")
    if suffix == ".shp":
        with warnings.catch_warnings():  # names cut to 10 characters: expected
            warnings.simplefilter("ignore")
            plots.to_file(out, encoding="UTF-8")
        target = out.with_suffix(".dbf")
    elif suffix == ".geojson":
        plots.to_file(out)
        target = out
    else:
        plots.to_file(out, layer="plots")
        target = out
    data = target.read_bytes()
    assert data.count(b"Steppe-Ltd") == 1
    target.write_bytes(data.replace(b"Steppe-Ltd", b"Steppe\xffLtd"))
    return out


def _empty_csv(path: Path) -> Path:
    out = path.with_suffix(".csv")
    out.write_bytes(b"")
    return out


def _corrupt(suffix: str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        out = path.with_suffix(suffix)
        out.write_bytes(CORRUPT[suffix])
        return out

    return make


#: (maker of the bad plots file, text the error line must contain)
BAD_DATA: dict[str, tuple[Callable[[Path], Path], str]] = {
    "NaN coordinates (GeoPackage)": (_nan_gpkg, "not finite numbers"),
    "Inf coordinates (GeoParquet)": (_inf_parquet, "not finite numbers"),
    "Inf coordinates (CSV WKT)": (_inf_csv, "not finite numbers"),
    "not UTF-8 (CSV)": (_latin1_csv, "not valid UTF-8 on line 4"),
    "not UTF-8 (GeoPackage)": (lambda p: _patched(p, ".gpkg"), "not valid UTF-8"),
    "not UTF-8 (GeoJSON)": (lambda p: _patched(p, ".geojson"), "not valid UTF-8"),
    "not UTF-8 (Shapefile)": (lambda p: _patched(p, ".shp"), "not valid UTF-8"),
    "empty CSV": (_empty_csv, "the file is empty"),
    "corrupt Parquet": (_corrupt(".parquet"), "cannot be read as a GeoParquet"),
    "corrupt GeoPackage": (_corrupt(".gpkg"), "not a GeoPackage"),
    "corrupt zip": (_corrupt(".zip"), "cannot be read as a zipped Shapefile"),
}

#: Commands that read plots, and how to give them the bad file.
READERS: dict[str, Callable[[dict[str, Path], Path, Path], list[object]]] = {
    "distances": lambda g, t, bad: [
        "distances",
        bad,
        g["infra"],
        "-o",
        t / "o.gpkg",
        "--crs",
        "EPSG:4326",
    ],
    "map": lambda g, t, bad: [
        "map",
        "--district",
        "Sauran",
        "-o",
        t / "m.html",
        "--data",
        bad.parents[1],
        "--crs",
        "EPSG:4326",
    ],
    "atlas": lambda g, t, bad: [
        "atlas",
        "-o",
        t / "atlas",
        "--data",
        bad.parents[1],
        "--crs",
        "EPSG:4326",
    ],
    "report": lambda g, t, bad: [
        "report",
        "-o",
        t / "r.xlsx",
        "--data",
        bad.parents[1],
        "--crs",
        "EPSG:4326",
    ],
    "rank": lambda g, t, bad: [
        "rank",
        "--scenario",
        SCENARIO,
        "-o",
        t / "r.gpkg",
        "--data",
        bad.parents[1],
        "--crs",
        "EPSG:4326",
    ],
    "reclaim": lambda g, t, bad: [
        "reclaim",
        "--store",
        bad,
        "--as-of",
        "2024-06-01",
        "--dry-run",
    ],
}


@pytest.mark.parametrize(
    ("item", "reader"),
    [
        (item, reader)
        for item in sorted(BAD_DATA)
        for reader in sorted(READERS)
        # A registry store (reclaim) is a GeoPackage or PostGIS, nothing else.
        if reader != "reclaim" or "GeoPackage" in item
    ],
)
def test_bad_data(item: str, reader: str, good, tmp_path: Path) -> None:
    maker, text = BAD_DATA[item]
    bad = maker(bad_dataset(good, tmp_path, "plots"))
    args = READERS[reader](good, tmp_path, bad)
    assert_one_error(invoke(args), bad.name, text)


def test_nan_coordinates_name_the_plot(good, tmp_path: Path) -> None:
    bad = _nan_gpkg(tmp_path / "plots")
    with pytest.raises(zonegeo.GeometryError, match=r"not finite.*plot_id=P-2"):
        zonegeo.read_plots(bad)
    args = ["distances", bad, good["infra"], "-o", tmp_path / "o.gpkg"]
    out = assert_one_error(invoke(args), "plots.gpkg")
    assert "plot_id=P-2" in out


def test_scenario_exclusion_with_nan_wkt(good, tmp_path: Path) -> None:
    scenario = tmp_path / "nan.toml"
    text = SCENARIO.read_text(encoding="utf-8")
    scenario.write_text(
        text + '\n[[exclusions]]\nname = "bad"\nreason = "test"\n'
        'wkt = "POLYGON ((68 43, nan 43, 68.1 43.1, 68 43))"\n',
        encoding="utf-8",
    )
    for command in (
        ["rank", "--scenario", scenario, "-o", tmp_path / "r.gpkg"],
        ["map", "--scenario", scenario, "-o", tmp_path / "m.html"],
    ):
        out = assert_one_error(invoke(command), "nan.toml")
        assert "not finite numbers" in out
        assert "warning:" not in out


@pytest.mark.parametrize(
    "url",
    [
        "postgresql:///zonegeo%00?schema=x",
        "postgresql:///zonegeo?schema=x%00y",
    ],
)
def test_nul_in_url(url: str, good, tmp_path: Path) -> None:
    commands = [
        ["distances", url, good["infra"], "-o", tmp_path / "o.gpkg"],
        ["distances", good["plots"], url, "-o", tmp_path / "o.gpkg"],
        ["map", "--district", "Sauran", "-o", tmp_path / "m.html", "--data", url],
        ["atlas", "-o", tmp_path / "a", "--data", url],
        ["report", "-o", tmp_path / "r.xlsx", "--data", url],
        ["rank", "--scenario", SCENARIO, "-o", tmp_path / "r.gpkg", "--data", url],
        ["reclaim", "--store", url, "--as-of", "2024-06-01"],
        ["plot", "set-status", "--store", url, "P-1", "free"],
    ]
    for command in commands:
        out = assert_one_error(invoke(command), "postgresql:///zonegeo", "NUL")
        assert "%00" in out


def test_postgis_permission_denied(pg_url: str, good, tmp_path: Path) -> None:
    """A user who may connect but not read the tables gets one line with the fix."""
    import psycopg

    from tests.pg import DBNAME

    zonegeo.write_dataset(tiny_dataset(), pg_url)
    params = dict(p.split("=", 1) for p in pg_url.split("?", 1)[1].split("&"))
    schema = params["schema"]
    role = f"reader_{schema}"
    admin = {"host": params["host"], "user": params["user"], "dbname": DBNAME}
    with psycopg.connect(autocommit=True, **admin) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
    url = pg_url.replace(f"user={params['user']}", f"user={role}")
    try:
        with pytest.raises(zonegeo.ReadError, match="permission denied for table"):
            zonegeo.read_plots(url)
        commands = [
            [
                "distances",
                url + "&table=plots",
                good["infra"],
                "-o",
                tmp_path / "o.gpkg",
            ],
            ["map", "--district", "Sauran", "-o", tmp_path / "m.html", "--data", url],
            ["atlas", "-o", tmp_path / "a", "--data", url],
            ["report", "-o", tmp_path / "r.xlsx", "--data", url],
            ["rank", "--scenario", SCENARIO, "-o", tmp_path / "r.gpkg", "--data", url],
            ["reclaim", "--store", url, "--as-of", "2024-06-01", "--dry-run"],
            ["plot", "set-status", "--store", url, "P-1", "operating"],
        ]
        for command in commands:
            out = assert_one_error(
                invoke(command), "postgresql:///", "permission denied"
            )
            assert schema in out
    finally:
        with psycopg.connect(autocommit=True, **admin) as conn:
            conn.execute(f'REVOKE ALL ON SCHEMA "{schema}" FROM "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


# -- warnings ---------------------------------------------------------------------


def test_warnings_print_as_one_line(tmp_path: Path, good) -> None:
    """A repaired polygon is a DataWarning: one 'warning:' line, no source line."""
    plots = _plots_frame()
    x0, y0, x1, y1 = plots.geometry.iloc[0].bounds
    bowtie = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    plots.loc[plots.index[0], "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    plots.to_file(path, layer="plots")
    # A real process: Python's default warning filters, as users have them.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zonegeo",
            "distances",
            str(path),
            str(good["infra"]),
            "--no-costs",
            "-o",
            str(tmp_path / "o.gpkg"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = [
        line
        for line in proc.stderr.splitlines()
        if line.startswith("warning") or "Warning" in line
    ]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("warning: ")
    assert "repaired 1 invalid polygon" in lines[0]
    assert "plot_id=P-1" in lines[0]
    assert "DataWarning" not in proc.stderr
    assert ".py:" not in proc.stderr
    # The CLI restores Python's own warning display afterwards.
    assert warnings.showwarning.__module__ == "warnings"


def test_warning_handler_is_scoped_to_the_command(good, tmp_path: Path) -> None:
    before = warnings.showwarning
    invoke(["distances", good["plots"], good["infra"], "-o", tmp_path / "o.gpkg"])
    assert warnings.showwarning is before


def test_unexpected_errors_keep_their_traceback(monkeypatch, good, tmp_path) -> None:
    """A bug is not a data error: it is not dressed up as 'error:'."""
    import zonegeo.io.files

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(zonegeo.io.files, "_read_raw", boom)
    result = invoke(["distances", good["plots"], good["infra"], "-o", tmp_path / "o"])
    assert result.exit_code == 2  # usage error: -o has no extension
    result = invoke(
        ["distances", good["plots"], good["infra"], "-o", tmp_path / "o.gpkg"]
    )
    assert isinstance(result.exception, KeyError)
    assert "error:" not in result.output
