"""``zonegeo map`` and ``zonegeo atlas`` end to end, on files written to disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import zonegeo
from tests.maps_data import AS_OF, hand_dataset, hand_ranking
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-built region written as a dataset folder."""
    ds = hand_dataset()
    folder = tmp_path_factory.mktemp("hand")
    files = {
        "districts": "boundaries/districts.gpkg",
        "zones": "plots/zones.gpkg",
        "plots": "plots/plots.gpkg",
        "infrastructure": "infrastructure/infrastructure.gpkg",
        "settlements": "boundaries/settlements.gpkg",
        "exclusions": "boundaries/exclusions.gpkg",
    }
    for layer, name in files.items():
        zonegeo.write_layer(getattr(ds, layer), folder / name)
    return folder


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_map_writes_a_self_contained_file(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sauran.html"
    result = _run(
        "map",
        "--district",
        "Sauran",
        "-o",
        str(out),
        "--data",
        str(data_dir),
        "--as-of",
        AS_OF,
        "--basemap",
        "none",
    )
    assert result.exit_code == 0, result.output
    assert str(out.resolve()) in result.stdout
    text = out.read_text(encoding="utf-8")
    assert "<script src=" not in text and "S-3" in text and "zg-idle" in text


def test_map_options(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "ru.html"
    result = _run(
        "map",
        "--district",
        "sauran",
        "-o",
        str(out),
        "--data",
        str(data_dir),
        "--lang",
        "ru",
        "--cdn",
        "--color-by",
        "jobs_planned",
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert (
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
        in text
    )
    assert "<title>Сауран — индустриальные зоны и земельные участки</title>" in text
    assert "d3.min.js" in text


def test_unknown_district_is_a_clean_error(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = _run(
        "map", "--district", "Sauron", "-o", str(out), "--data", str(data_dir)
    )
    assert result.exit_code == 1
    assert "Did you mean 'Sauran'?" in result.output
    assert "Known districts: Sauran, Ordabasy" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", "m.txt", "--district", "Sauran"], 2, "use one of: .html, .htm"),
        (["-o", "m.html"], 2, "give --district NAME"),
        (
            ["-o", "m.html", "--district", "Sauran", "--lang", "de"],
            2,
            "'de' is not one of",
        ),
        (
            ["-o", "m.html", "--district", "Sauran", "--color-by", "sector"],
            1,
            "color_by='sector' is not a numeric column",
        ),
        (
            ["-o", "m.html", "--district", "Sauran", "--scenario", "notes.txt"],
            1,
            "--scenario takes a scenario .toml or a ranking file",
        ),
    ],
)
def test_map_usage_and_data_errors(
    data_dir: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    args = [str(tmp_path / a) if a.endswith((".html", ".txt")) else a for a in args]
    (tmp_path / "notes.txt").write_text("not a ranking", encoding="utf-8")
    result = _run("map", "--data", str(data_dir), *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_map_with_a_ranking_file(data_dir: Path, tmp_path: Path) -> None:
    ranking = hand_ranking(hand_dataset()).assign(district="Sauran")
    ranking_file = zonegeo.write_layer(ranking, tmp_path / "ranking.gpkg")
    out = tmp_path / "ranked.html"
    # the district comes from the ranking file
    result = _run(
        "map",
        "--scenario",
        str(ranking_file),
        "-o",
        str(out),
        "--data",
        str(data_dir),
        "--color-by",
        "score",
        "--basemap",
        "none",
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "zg-candidate" in text and "zg-rank-label" in text


def test_atlas_command(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    result = _run(
        "atlas",
        "-o",
        str(out),
        "--data",
        str(data_dir),
        "--as-of",
        AS_OF,
        "--basemap",
        "none",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str((out / "index.html").resolve())
    assert sorted(p.name for p in out.iterdir()) == [
        "index.html",
        "ordabasy.html",
        "sauran.html",
    ]


def test_map_of_a_demo_scenario(tmp_path: Path) -> None:
    out = tmp_path / "scenario.html"
    scenario = ROOT / "scenarios" / "sauran_50ha_topsis.toml"
    result = _run(
        "map",
        "--scenario",
        str(scenario),
        "-o",
        str(out),
        "--basemap",
        "none",
        "--as-of",
        "2025-02-01",
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Sauran" in text and "zg-candidate" in text and "zg-rank-label" in text
    # The scenario's hazard class III draws 300 m sanitary zones around Sauran's
    # settlements, each saying why.
    assert "Sanitary protection zones" in text
    assert "sanitary zone class III (300 m) of settlement &#x27;Shornak&#x27;" in text


def test_sanitary_buffers_follow_the_scenario() -> None:
    import zonegeo
    from zonegeo.cli.map import sanitary_buffers

    ds = zonegeo.load_demo()
    scenario = zonegeo.load_scenario(ROOT / "scenarios" / "sauran_50ha_topsis.toml")
    buffers = sanitary_buffers(scenario, ds)
    settlements = ds.district("Sauran").settlements
    assert len(buffers) == len(settlements)
    assert set(buffers["distance_m"]) == {300.0}
    assert set(buffers["rule"]) == {"sanitary"}
    from dataclasses import replace

    assert sanitary_buffers(replace(scenario, hazard_class=None), ds) is None
    wider = sanitary_buffers(replace(scenario, sanitary_widths={3: 450.0}), ds)
    assert set(wider["distance_m"]) == {450.0}


# ------------------------------------------------------------------ --raster


@pytest.fixture(scope="module")
def dem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DEM over both hand-built districts, rising 0.1 m per metre east."""
    from tests._rasters import plane
    from tests.maps_data import X0, Y0

    folder = tmp_path_factory.mktemp("dem")
    return plane(
        folder / "dem.tif", (X0 - 2000, Y0 - 2000, X0 + 10_000, Y0 + 4000), east=0.1
    )


def _with_raster(
    command: str, out: Path, data_dir: Path, raster: Path, *extra: str
) -> object:
    where = ["--district", "Sauran"] if command == "map" else []
    return _run(
        command,
        *where,
        "-o",
        str(out),
        "--data",
        str(data_dir),
        "--basemap",
        "none",
        "--raster",
        str(raster),
        *extra,
    )


def test_map_with_a_raster(data_dir: Path, dem: Path, tmp_path: Path) -> None:
    out = tmp_path / "relief.html"
    extra = ("--raster-style", "hillshade", "--raster-opacity", "0.4")
    result = _with_raster("map", out, data_dir, dem, *extra)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count('L.imageOverlay(\n                "data:image/png;base64,') == 1
    assert '"opacity": 0.4' in text and "Shaded relief" in text
    assert "<script src=" not in text  # still self-contained


def test_atlas_with_a_raster(data_dir: Path, dem: Path, tmp_path: Path) -> None:
    out = tmp_path / "atlas"
    result = _with_raster("atlas", out, data_dir, dem, "--raster-style", "classes")
    assert result.exit_code == 0, result.output
    for page in ("sauran.html", "ordabasy.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "data:image/png;base64," in text and '"title":"dem"' in text, page
    assert "L.imageOverlay" not in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("command", "args", "code", "message"),
    [
        ("map", ["--raster", "nope.tif"], 1, "nope.tif: no such raster file"),
        ("atlas", ["--raster", "nope.tif"], 1, "nope.tif: no such raster file"),
        ("map", ["--raster-style", "hillshade"], 2, "--raster-style needs --raster"),
        (
            "atlas",
            ["--raster-style", "classes", "--raster-opacity", "0.3"],
            2,
            "--raster-style and --raster-opacity need --raster PATH",
        ),
        ("map", ["--raster", "dem.tif", "--raster-opacity", "2"], 2, "0.0<=x<=1.0"),
        ("map", ["--raster", "dem.tif", "--raster-style", "x"], 2, "'x' is not one"),
    ],
)
def test_raster_usage_and_data_errors(
    data_dir: Path,
    tmp_path: Path,
    command: str,
    args: list[str],
    code: int,
    message: str,
) -> None:
    args = [str(tmp_path / a) if a.endswith(".tif") else a for a in args]
    out = ["-o", str(tmp_path / ("m.html" if command == "map" else "atlas"))]
    where = ["--district", "Sauran"] if command == "map" else []
    result = _run(command, "--data", str(data_dir), *where, *out, *args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert result.output.count("error: ") == 1


def test_a_raster_cut_short_is_one_error_line(
    data_dir: Path, dem: Path, tmp_path: Path
) -> None:
    from tests._rasters import cut_short

    cut = cut_short(dem, tmp_path / "cut.tif")
    result = _run(
        "map",
        "--district",
        "Sauran",
        "--data",
        str(data_dir),
        "--raster",
        str(cut),
        "--raster-style",
        "hillshade",
        "-o",
        str(tmp_path / "m.html"),
    )
    assert result.exit_code == 1, result.output
    assert result.output.count("error: ") == 1
    assert "cut.tif: cannot read the cells of the raster: the file is damaged" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.html").exists()


def test_printed_pages_have_no_raster(
    data_dir: Path, dem: Path, tmp_path: Path
) -> None:
    result = _run(
        "map",
        "--district",
        "Sauran",
        "--png",
        str(tmp_path / "p.png"),
        "--data",
        str(data_dir),
        "--raster",
        str(dem),
    )
    assert result.exit_code == 2
    assert "the printed pages have no raster layer; --raster needs -o" in result.output


def test_cli_raster_styles_are_the_library_styles() -> None:
    """--raster-style offers what RasterLayer draws (spelled out for a light --help)."""
    from zonegeo.cli._common import RASTER_STYLES as CLI_STYLES
    from zonegeo.maps.raster import RASTER_STYLES

    assert sorted(CLI_STYLES) == sorted(RASTER_STYLES)
