"""The regional atlas (zonegeo.maps.atlas): pages, safe names, index and KPI table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zonegeo
from tests.maps_data import AS_OF, XSS, hand_dataset, hand_ranking
from zonegeo.errors import ValidationError
from zonegeo.maps.atlas import district_slugs, slugify, write_atlas


def _atlas(tmp_path: Path, ds: zonegeo.Dataset, **kwargs: object) -> Path:
    return write_atlas(
        ds, tmp_path / "atlas", as_of=AS_OF, basemap="none", progress=False, **kwargs
    )  # type: ignore[arg-type]


def test_atlas_writes_an_index_and_one_page_per_district(tmp_path: Path) -> None:
    index = _atlas(tmp_path, hand_dataset())
    assert index == tmp_path / "atlas" / "index.html"
    assert sorted(p.name for p in index.parent.iterdir()) == [
        "index.html",
        "ordabasy.html",
        "sauran.html",
    ]
    page = (index.parent / "sauran.html").read_text(encoding="utf-8")
    assert '"href":"index.html"' in page  # back link to the index
    assert "<script src=" not in page  # self-contained by default


def test_index_links_districts_and_shows_the_kpi_table(tmp_path: Path) -> None:
    ds = hand_dataset()
    text = _atlas(tmp_path, ds).read_text(encoding="utf-8")
    # the overview map: each district links to its page
    assert '"href":"sauran.html"' in text and '"href":"ordabasy.html"' in text
    # the KPI table: a linked row per district and the region total
    assert '<td><a href="sauran.html">Sauran</a></td>' in text
    assert '<tr class="zg-total"><td>Region total</td>' in text
    row = re.search(r'<a href="sauran.html">Sauran</a></td>(.*?)</tr>', text).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    kpis = zonegeo.district_kpis(ds, as_of=AS_OF)
    sauran = kpis[kpis["district"] == "Sauran"].iloc[0]
    # zones, zones_ha, plots, plots_free, occupancy, projects, investment, jobs..., idle
    assert cells[0] == "2" and cells[2] == "8" and cells[3] == "2"
    assert cells[2] == str(int(sauran["plots"]))
    assert cells[6] == "21,500,000,000"  # 1 + 2.5 + 3 + 4 + 5 + 6 bn tenge
    assert cells[9] == "2"  # two idle plots on 2025-02-01
    total = re.search(r'<tr class="zg-total">(.*?)</tr>', text).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[2] == "9"


def test_atlas_pages_in_russian(tmp_path: Path) -> None:
    text = _atlas(tmp_path, hand_dataset(), lang="ru").read_text(encoding="utf-8")
    assert "Итого по области" in text and '<a href="sauran.html">Сауран</a>' in text
    assert "Основные показатели по районам" in text


def test_district_names_can_never_write_outside_the_folder(tmp_path: Path) -> None:
    ds = hand_dataset(district_names=("../../evil", "/etc/passwd"))
    index = _atlas(tmp_path, ds)
    written = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    )
    assert written == ["atlas/etc-passwd.html", "atlas/evil.html", "atlas/index.html"]
    assert index.parent == tmp_path / "atlas"


def test_hostile_district_names_are_escaped_in_the_index(tmp_path: Path) -> None:
    ds = hand_dataset(district_names=(XSS, "Index"))
    index = _atlas(tmp_path, ds)
    assert sorted(p.name for p in index.parent.iterdir()) == [
        "district-index.html",
        "img-src-x-onerror-window-xss-1.html",
        "index.html",
    ]
    text = index.read_text(encoding="utf-8")
    assert XSS not in text
    assert "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;</a>" in text


def test_atlas_with_a_ranking(tmp_path: Path) -> None:
    ds = hand_dataset()
    index = _atlas(tmp_path, ds, ranking=hand_ranking(ds))
    sauran = (index.parent / "sauran.html").read_text(encoding="utf-8")
    ordabasy = (index.parent / "ordabasy.html").read_text(encoding="utf-8")
    assert "zg-candidate" in sauran and "zg-candidate" not in ordabasy


def test_atlas_with_cdn_links(tmp_path: Path) -> None:
    index = _atlas(tmp_path, hand_dataset(), self_contained=False)
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3' in index.read_text(
        encoding="utf-8"
    )


def test_atlas_refuses_wrong_input(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="zonegeo.Dataset, got str"):
        write_atlas("demo", tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="lang='xx'; allowed: en, kk, ru"):
        write_atlas(hand_dataset(), tmp_path, lang="xx")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Sauran", "sauran"),
        ("Turkistan city", "turkistan-city"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\Windows\\system32", "c-windows-system32"),
        ("Түркістан", "turkistan"),
        ("Сарыағаш", "saryagash"),
        ("Zhetysai\x00.html", "zhetysai-html"),
        ("...", "district"),
        ("", "district"),
        ("x" * 200, "x" * 60),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_district_slugs_are_distinct_and_avoid_reserved_names() -> None:
    slugs = district_slugs(["Arys", "ARYS", "arys!", "index", "CON", "Нур"])
    assert slugs == {
        "Arys": "arys.html",
        "ARYS": "arys-2.html",
        "arys!": "arys-3.html",
        "index": "district-index.html",
        "CON": "district-con.html",
        "Нур": "nur.html",
    }
    assert len(set(slugs.values())) == len(slugs)


def test_atlas_of_a_dataset_with_only_required_columns(tmp_path: Path) -> None:
    # docs/schema.md: build_by, project, investment_kzt, jobs_*, zone_id,
    # established, name_kk ... are optional; the atlas is written without them
    from zonegeo import schema

    ds = hand_dataset()
    layers = {
        name: gdf[
            [c for c in gdf.columns if c in schema.LAYERS[name].required]
            + [gdf.geometry.name]
        ]
        for name, gdf in ds
    }
    bare = zonegeo.Dataset(**layers, source="in memory")
    assert "build_by" not in bare.plots.columns
    for lang in ("en", "kk"):
        text = _atlas(tmp_path / lang, bare, lang=lang).read_text(encoding="utf-8")
        assert (tmp_path / lang / "atlas" / "sauran.html").exists()
    text = _atlas(tmp_path / "en2", bare).read_text(encoding="utf-8")
    row = re.search(r'<a href="sauran.html">Sauran</a></td>(.*?)</tr>', text).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # zones, zones_ha, plots, plots_free, occupancy, projects, investment, jobs
    # planned, jobs created, idle plots, idle ha
    assert cells[2] == "8" and cells[3] == "2"
    assert cells[5:] == ["unknown"] * 6  # not 0: the columns are absent
    page = (tmp_path / "en2" / "atlas" / "sauran.html").read_text(encoding="utf-8")
    assert "idle status unknown (no build-by date)" in page
