"""The printed atlas (zonegeo.maps.printing): pages, text, scale bar, glyphs."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
from click.testing import CliRunner

import zonegeo
from tests._need import need
from tests.maps_data import AS_OF, hand_dataset, hand_ranking
from zonegeo.cli import cli
from zonegeo.errors import ValidationError
from zonegeo.maps.printing import district_page, print_atlas, print_district, scale_bar

GEOD = pyproj.Geod(ellps="WGS84")
KAZAKH = "әғқңөұүһі" + "ӘҒҚҢӨҰҮҺІ"


def _pages(path: Path) -> list[str]:
    """Return each page's text, with every kind of space read as a plain space."""
    pypdf = need("pypdf")
    reader = pypdf.PdfReader(path)
    return [
        re.sub(r"[\u00a0\u202f\u2009]", " ", p.extract_text()) for p in reader.pages
    ]


def _no_plots_in_ordabasy() -> zonegeo.Dataset:
    ds = hand_dataset()
    return replace(ds, plots=ds.plots[ds.plots["district"] != "Ordabasy"])


# --------------------------------------------------------------------------- pages


def test_atlas_has_a_cover_and_one_page_per_district(tmp_path: Path) -> None:
    ds = hand_dataset()
    out = print_atlas(ds, tmp_path / "atlas.pdf", as_of=AS_OF, progress=False)
    assert out == tmp_path / "atlas.pdf"
    assert [p.name for p in tmp_path.iterdir()] == ["atlas.pdf"]  # no temp files
    pages = _pages(out)
    assert len(pages) == 1 + 2
    cover, sauran, ordabasy = pages
    assert "Turkistan region: industrial zones atlas" in cover
    assert "Key figures of the region" in cover
    assert "Data: hand" in cover and "as of 2025-02-01" in cover
    assert "Sauran — industrial zones and land plots" in sauran
    assert "Ordabasy — industrial zones and land plots" in ordabasy
    # Sauran's key figures, by hand: 8 plots, 2 free; 11 ha of plots of which
    # 2 ha free -> 81.8 %; KZT 1 + 2.5 + 3 + 4 + 5 + 6 bn; 210 jobs planned,
    # 115 created; idle on 2025-02-01: S-3 and S-4, 1 ha each
    for figure in (
        "Plots 8",
        "Free plots 2",
        "Occupancy, % 81.8",
        "Investment, KZT 21,500,000,000",
        "Jobs planned 210",
        "Jobs created 115",
        "Idle plots 2",
        "Idle, ha 2.0",
    ):
        assert figure in sauran, figure
    # the idle list, most overdue first (S-3 was due 2023-01-10, S-4 2023-06-01)
    assert sauran.index("S-3") < sauran.index("S-4")
    assert "page 2 of 3" in sauran and "page 3 of 3" in ordabasy
    # the cover: the region total row of district_kpis
    assert "Plots 9" in cover


def test_figures_are_the_ones_district_kpis_gives(tmp_path: Path) -> None:
    ds = zonegeo.load_demo()
    names = ["Sauran", "Keles"]
    small = replace(
        ds,
        districts=ds.districts[ds.districts["district"].isin(names)],
        zones=ds.zones[ds.zones["district"].isin(names)],
        plots=ds.plots[ds.plots["district"].isin(names)],
        settlements=ds.settlements[ds.settlements["district"].isin(names)],
    )
    pages = _pages(print_atlas(small, tmp_path / "a.pdf", as_of=AS_OF, lang="ru"))
    kpis = zonegeo.district_kpis(small, as_of=AS_OF).set_index("district")
    for name, text in zip(small.district_names, pages[1:], strict=True):
        row = kpis.loc[name]
        local = small.districts.set_index("district").loc[name, "name_ru"]
        assert text.startswith(local) or f"{local} —" in text
        assert f"Участки {int(row['plots'])}" in text
        occupancy = f"{row['occupancy_pct']:.1f}".replace(".", ",")
        assert f"Заполненность, % {occupancy}" in text
        jobs = f"{int(row['jobs_planned']):,}".replace(",", " ")
        assert f"Рабочие места (план) {jobs}" in text


def test_kazakh_letters_survive_into_the_pdf(tmp_path: Path) -> None:
    ds = hand_dataset()
    districts = ds.districts.copy()
    districts.loc[districts["district"] == "Sauran", "name_kk"] = f"Сауран {KAZAKH}"
    ds = replace(ds, districts=districts)
    pages = _pages(print_atlas(ds, tmp_path / "kk.pdf", as_of=AS_OF, lang="kk"))
    assert f"Сауран {KAZAKH} — индустриялық аймақтар мен жер учаскелері" in pages[1]
    text = "".join(pages)
    assert all(letter in text for letter in KAZAKH)
    assert "Түркістан облысы: индустриялық аймақтар атласы" in pages[0]
    assert "Жоспарланған жұмыс орындары 210" in pages[1]


def test_a_district_without_plots_gets_its_page(tmp_path: Path) -> None:
    ds = _no_plots_in_ordabasy()
    pages = _pages(print_atlas(ds, tmp_path / "a.pdf", as_of=AS_OF, progress=False))
    assert len(pages) == 3
    ordabasy = pages[2]
    assert "No land plots are recorded in this district." in ordabasy
    assert "Plots 0" in ordabasy and "No idle plots." in ordabasy
    assert "Beta" in ordabasy  # its zone is still drawn in detail


def test_long_idle_lists_end_with_and_n_more(tmp_path: Path) -> None:
    ds = zonegeo.load_demo()
    late = "2035-01-01"  # every allocated plot is idle by then
    idle = zonegeo.idle_plots(ds.plots, as_of=late)
    idle = idle[idle["district"] == "Turkestan"]
    assert len(idle) > 30
    fig = district_page(ds, "Turkestan", as_of=late)
    out = tmp_path / "t.pdf"
    fig.savefig(out)
    (text,) = _pages(out)
    shown = [p for p in idle["plot_id"] if p in text]
    more = int(re.search(r"and (\d+) more", text).group(1))
    assert len(shown) + more == len(idle)
    # the most overdue come first, as zonegeo.idle_plots orders them
    assert shown == list(idle["plot_id"].iloc[: len(shown)])


def test_ranked_sites_are_drawn_with_their_rank(tmp_path: Path) -> None:
    ds = hand_dataset()
    ranking = hand_ranking(ds)
    fig = district_page(ds, "Sauran", as_of=AS_OF, ranking=ranking)
    ax = fig.axes[0]
    ranks = {t.get_text() for t in ax.texts}
    best = pd.to_numeric(ranking["rank"]).dropna().astype(int)
    assert {str(r) for r in best.nsmallest(min(len(best), 10))} <= ranks
    legend = {
        t.get_text()
        for a in fig.axes
        if a.get_legend() is not None
        for t in a.get_legend().get_texts()
    }
    assert "Candidate sites (ranked)" in legend


def test_data_text_is_never_mathtext(tmp_path: Path) -> None:
    ds = hand_dataset()
    districts = ds.districts.copy()
    districts.loc[0, "name_ru"] = "Район $x^2$ _и_ 100%"
    pages = _pages(
        print_atlas(replace(ds, districts=districts), tmp_path / "m.pdf", lang="ru")
    )
    assert "Район $x^2$ _и_ 100%" in pages[1]


# --------------------------------------------------------------------------- scale bar


def _bar(ax) -> tuple[np.ndarray, float]:
    (line,) = [a for a in ax.lines if a.get_gid() == "zonegeo-scalebar"]
    (label,) = [t for t in ax.texts if t.get_gid() == "zonegeo-scalebar-label"]
    number, unit = label.get_text().replace(",", "").split()
    metres = float(number) * (1000 if unit == "km" else 1)
    return np.column_stack([line.get_xdata(), line.get_ydata()]), metres


def _geodesic(ends: np.ndarray, crs: pyproj.CRS) -> float:
    to_ll = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = to_ll.transform(ends[:, 0], ends[:, 1])
    return GEOD.inv(lon[0], lat[0], lon[1], lat[1])[2]


@pytest.mark.parametrize("district", ["Sauran", "Suzak", "Turkestan"])
def test_scale_bars_are_true_on_the_ground(district: str) -> None:
    ds = zonegeo.load_demo()
    fig = district_page(ds, district, as_of=AS_OF)
    # the page is drawn in the district's UTM zone, as the docs state
    crs = ds.district(district).districts.estimate_utm_crs()
    bars = [_bar(ax) for ax in fig.axes if any(a.get_gid() for a in ax.lines)]
    assert len(bars) >= 2  # the district map and each zone in detail
    for ends, stated in bars:
        assert ends[0, 1] == ends[1, 1]  # horizontal
        true = _geodesic(ends, crs)
        assert true == pytest.approx(stated, rel=0.005)


def test_scale_bar_corrects_for_the_point_scale_factor() -> None:
    from matplotlib.figure import Figure

    # far from zone 42's central meridian (69 E) the grid is 0.07 % long; the
    # bar must still be true to well under that
    crs = pyproj.CRS.from_epsg(32642)
    x, y = pyproj.Transformer.from_crs(4326, crs, always_xy=True).transform(72.0, 43.0)
    fig = Figure(figsize=(6, 6))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(x, x + 50_000)
    ax.set_ylim(y, y + 50_000)
    ax.set_aspect("equal")
    x0, y0, x1, y1, ground = scale_bar(ax, crs)
    assert ground == 10_000
    true = _geodesic(np.array([[x0, y0], [x1, y1]]), crs)
    assert true == pytest.approx(ground, rel=5e-5)
    assert abs((x1 - x0) - ground) > 2.0  # a grid-length bar would be off by ~6 m


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize(
    ("name", "magic"), [("p.png", b"\x89PNG"), ("p.svg", b"<?xml"), ("p.pdf", b"%PDF")]
)
def test_print_district_writes_png_svg_pdf(
    tmp_path: Path, name: str, magic: bytes
) -> None:
    out = print_district(hand_dataset(), "Sauran", tmp_path / name, as_of=AS_OF, dpi=40)
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_print_district_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"cannot print a page as \.jpg; use"):
        print_district(hand_dataset(), "Sauran", tmp_path / "p.jpg")
    with pytest.raises(ValidationError, match="path ending in .pdf"):
        print_atlas(hand_dataset(), tmp_path / "atlas.png")
    with pytest.raises(ValidationError, match="allowed: osm, esri, none"):
        print_atlas(hand_dataset(), tmp_path / "a.pdf", basemap="google")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_basemap_without_contextily_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "contextily", None)  # import fails
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old atlas")
    with pytest.raises(ImportError, match="pip install contextily"):
        print_atlas(hand_dataset(), target, basemap="osm", progress=False)
    assert target.read_bytes() == b"old atlas"  # left as it was


def test_default_print_needs_no_contextily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "contextily", None)
    print_district(hand_dataset(), "Sauran", tmp_path / "p.pdf", as_of=AS_OF)


# --------------------------------------------------------------------------- CLI


@pytest.mark.e2e
def test_cli_atlas_pdf_on_the_demo_in_russian(tmp_path: Path) -> None:
    out = tmp_path / "atlas.pdf"
    result = CliRunner().invoke(
        cli, ["atlas", "--pdf", str(out), "--lang", "ru", "--as-of", "01.02.2025"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out.resolve())
    ds = zonegeo.load_demo()
    pages = _pages(out)
    assert len(pages) == len(ds.district_names) + 1
    kpis = zonegeo.district_kpis(ds, as_of=AS_OF).set_index("district")
    local = ds.districts.set_index("district")["name_ru"]
    for name, text in zip(ds.district_names, pages[1:], strict=True):
        assert f"{local[name]} — индустриальные зоны" in text, name
        assert f"Участки {int(kpis.loc[name, 'plots'])}" in text, name
        idle = f"Неосвоенные участки {int(kpis.loc[name, 'idle_plots'])}"
        assert idle in text, name
    assert "Итого" not in pages[1]
    assert out.stat().st_size < 20e6


@pytest.mark.e2e
def test_cli_map_png_and_usage_errors(tmp_path: Path) -> None:
    png = tmp_path / "sauran.png"
    r = CliRunner().invoke(
        cli, ["map", "--district", "Sauran", "--png", str(png), "--as-of", AS_OF]
    )
    assert r.exit_code == 0, r.output
    assert png.read_bytes().startswith(b"\x89PNG")
    r = CliRunner().invoke(cli, ["map", "--district", "Sauran"])
    assert r.exit_code == 2 and "--png" in r.output
    r = CliRunner().invoke(cli, ["atlas"])
    assert r.exit_code == 2 and "--pdf FILE" in r.output
    r = CliRunner().invoke(cli, ["atlas", "--pdf", str(tmp_path / "a.png")])
    assert r.exit_code == 2 and "does not end in .pdf" in r.output
    r = CliRunner().invoke(
        cli,
        ["map", "--district", "Sauran", "--png", str(png), "--color-by", "area_ha"],
    )
    assert r.exit_code == 2 and "colours plots by status" in r.output


@pytest.mark.e2e
def test_cli_pdf_basemap_needs_contextily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "contextily", None)
    r = CliRunner().invoke(
        cli, ["atlas", "--pdf", str(tmp_path / "a.pdf"), "--basemap", "osm"]
    )
    assert r.exit_code == 1
    assert "pip install contextily" in r.output and "Traceback" not in r.output
    # without --basemap the PDF is made offline, whatever the HTML default is
    r = CliRunner().invoke(
        cli, ["map", "--district", "Keles", "--pdf", str(tmp_path / "k.pdf")]
    )
    assert r.exit_code == 0, r.output
