"""District maps on the map object and its rendered HTML (zonegeo.maps.district)."""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, shape

import zonegeo
from tests.maps_data import (
    ALERT,
    AS_OF,
    JINJA,
    SAURAN_PLOTS,
    SCRIPT_BREAK,
    UTM,
    X0,
    XSS,
    Y0,
    hand_dataset,
    hand_ranking,
    packed_ranking,
)
from zonegeo import i18n as _i18n
from zonegeo.errors import (
    CRSError,
    SchemaError,
    UnknownDistrictError,
    ValidationError,
)
from zonegeo.maps import page as _assets
from zonegeo.maps.district import _DataLayer, _js_json, district_map, latlon, save_map

XSS_ESCAPED = "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;"


@pytest.fixture(scope="module")
def ds() -> zonegeo.Dataset:
    return hand_dataset()


def _layers(m: folium.Map) -> list[_DataLayer]:
    return [c for c in m._children.values() if isinstance(c, _DataLayer)]


def _layer(m: folium.Map, class_name: str) -> _DataLayer:
    found = [
        c for c in _layers(m) if c.spec.get("className", "").split()[0] == class_name
    ]
    assert len(found) == 1, [c.spec.get("className") for c in _layers(m)]
    return found[0]


def _feature(layer: _DataLayer, plot_id: str) -> dict:
    idx = layer.spec["fields"].index("Plot")
    (feat,) = [f for f in layer.features if f["properties"]["v"][idx] == plot_id]
    return feat


def _popup(layer: _DataLayer, feat: dict) -> dict[str, str | None]:
    return dict(zip(layer.spec["fields"], feat["properties"]["v"], strict=True))


def _html(m: folium.Map) -> str:
    return m.get_root().render()


# ----------------------------------------------------------------- structure


def test_map_fits_the_district_in_lat_lon_order(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    assert isinstance(m, folium.Map)
    fit = [c for c in m._children.values() if type(c).__name__ == "_Fit"]
    assert len(fit) == 1
    minx, miny, maxx, maxy = ds.districts[
        ds.districts["district"] == "Sauran"
    ].total_bounds
    assert fit[0].bounds == [[miny, minx], [maxy, maxx]]
    # Turkistan region: latitude about 43, longitude about 70 (not swapped)
    (lat0, lon0), _ = fit[0].bounds
    assert 40 < lat0 < 46 and 66 < lon0 < 72
    assert m.location[0] == pytest.approx((miny + maxy) / 2)


def test_layers_are_listed_in_the_layer_control(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    _html(m)
    control = m._children["zonegeo_layer_control"]
    assert list(m._children)[-2:] == ["zonegeo_layer_control", list(m._children)[-1]]
    names = list(control.overlays)
    for expected in (
        "District boundary",
        "Exclusion areas",
        "Small industrial park",
        "Private industrial zone",
        "Land plots",
        "Idle plots (deadline passed)",
        "Infrastructure: Gas",
        "Infrastructure: Electricity",
        "Infrastructure: Water",
        "Settlements",
    ):
        assert expected in names
    assert names.index("Land plots") < names.index("Infrastructure: Gas")


def test_every_plot_of_the_district_is_drawn_once(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    plots = _layer(m, "zg-plot")
    assert len(plots.features) == SAURAN_PLOTS
    assert plots.spec["renderer"] == "canvas"
    ids = {_popup(plots, f)["Plot"] for f in plots.features}
    assert "O-1" not in ids and "S-1" in ids


def test_status_colours_and_idle_plots(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    plots = _layer(m, "zg-plot")
    styles = plots.spec["styles"]

    def fill(pid: str) -> str:
        return styles[_feature(plots, pid)["properties"]["s"]]["fillColor"]

    assert fill("S-1") == zonegeo.maps.district.STATUS_COLORS["free"]
    # S-3 and S-4: allocated, build_by 2023 -> idle on 2025-02-01; S-5: build_by 2026
    assert fill("S-3") == fill("S-4") == zonegeo.maps.district.STATUS_COLORS["idle"]
    assert fill("S-5") == zonegeo.maps.district.STATUS_COLORS["allocated"]
    assert fill("S-6") == zonegeo.maps.district.STATUS_COLORS["construction"]
    assert fill("S-8") == zonegeo.maps.district.STATUS_COLORS["operating"]
    assert len(_layer(m, "zg-idle").features) == 2
    popup = _popup(plots, _feature(plots, "S-3"))
    assert popup["Status"] == "Allocated \u00b7 Idle: allocated, deadline passed"
    assert popup["Days overdue"] == "753"  # 2023-01-10 -> 2025-02-01
    # no idle plots at an earlier date
    m2 = district_map(ds, "Sauran", basemap="none", as_of="2023-01-01")
    assert not [c for c in _layers(m2) if c.spec.get("className") == "zg-idle"]


def test_status_colours_are_distinct_okabe_ito() -> None:
    colours = list(zonegeo.maps.district.STATUS_COLORS.values())
    okabe_ito = {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert len(set(colours)) == len(colours)
    assert set(colours) <= okabe_ito
    infra = zonegeo.maps.district.INFRA_STYLES
    assert len({s["dash"] for s in infra.values()}) == len(infra)
    assert len({s["symbol"] for s in infra.values()}) == len(infra)


def test_plot_popup_fields(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    plots = _layer(m, "zg-plot")
    popup = _popup(plots, _feature(plots, "S-3"))
    assert popup["Zone"] == "Alpha park (Z-1)"
    assert popup["Investor"] == "Idle One LLP"
    assert popup["Sector"] == "construction materials"
    assert popup["Investment, KZT"] == "1,000,000,000"
    assert popup["Jobs planned"] == "10"
    assert popup["Build by"] == "2023-01-10"
    assert float(popup["Area, ha"]) == pytest.approx(1.0, abs=0.01)
    free = _popup(plots, _feature(plots, "S-1"))
    assert free["Investor"] is None and free["Investment, KZT"] is None
    assert plots.spec["tooltip"] == [
        plots.spec["fields"].index("Plot"),
        plots.spec["fields"].index("Status"),
    ]


def test_infrastructure_and_settlement_layers(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    infra = [c for c in _layers(m) if c.spec["className"].startswith("zg-infra")]
    assert [c.spec["className"] for c in infra] == [
        "zg-infra zg-infra-gas",
        "zg-infra zg-infra-electricity",
        "zg-infra zg-infra-water",
    ]
    gas = infra[0]
    assert gas.features[0]["geometry"]["type"] == "LineString"
    styles = zonegeo.maps.district.INFRA_STYLES
    assert gas.spec["styles"][0]["color"] == styles["gas"]["color"]
    water = [
        c for c in _layers(m) if c.spec.get("className") == "zg-infra zg-infra-water"
    ]
    assert {f["geometry"]["type"] for f in water[0].features} == {"LineString", "Point"}
    assert water[0].spec["point"] == "symbol"
    assert len(_layer(m, "zg-settlement").features) == 2


# ----------------------------------------------------------------- escaping


def test_text_from_the_data_is_escaped(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    plots = _layer(m, "zg-plot")
    popup = _popup(plots, _feature(plots, XSS_ESCAPED))
    assert popup["Investor"] == XSS_ESCAPED
    assert (
        popup["Project"] == "&lt;/script&gt;&lt;script&gt;window.__xss=2&lt;/script&gt;"
    )
    assert popup["Zone"].startswith("&#123;&#123; 7*7 &#125;&#125;")
    assert popup["Sector"] == "&lt;img src=x onerror=alert(1)&gt;"
    text = _html(m)
    assert XSS not in text and ALERT not in text
    assert SCRIPT_BREAK not in text and "window.__xss=2</script>" not in text
    assert JINJA not in text and "{{ 7*7 }}" not in text
    assert "&#123;&#123; 7*7" in text  # the Jinja probe arrives as text, not evaluated
    # inside <script>, "<" is written as \u003c, so nothing can close the element
    for script in re.findall(r"<script>(.*?)</script>", text, flags=re.DOTALL):
        assert "<img" not in script


def test_district_name_is_escaped_in_title() -> None:
    evil = "<b>Evil</b> {{ 7*7 }}"
    ds = hand_dataset(district_names=(evil, "Ordabasy"))
    m = district_map(ds, evil, basemap="none", as_of=AS_OF)
    text = _html(m)
    assert "<b>Evil" not in text
    assert "<title>&lt;b&gt;Evil&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125;" in text
    assert "&lt;b&gt;Evil" in m._children["zonegeo_controls"].options["title"]["title"]


def test_script_json_cannot_close_the_script_element() -> None:
    out = _js_json({"a": "</script><!-- \u2028"})
    assert "</" not in out and "<!--" not in out and "\u2028" not in out
    assert out == '{"a":"\\u003c/script>\\u003c!-- \\u2028"}'


# ----------------------------------------------------------------- colour by a column


def test_color_by_numeric_column_uses_classes_and_a_colour_bar(
    ds: zonegeo.Dataset,
) -> None:
    import branca.colormap as cm

    m = district_map(ds, "Sauran", basemap="none", color_by="jobs_planned", k=3)
    bars = [c for c in m._children.values() if isinstance(c, cm.StepColormap)]
    assert len(bars) == 1
    plots = _layer(m, "zg-plot")
    styles = plots.spec["styles"]
    n_classes = len(bars[0].colors)
    assert len(styles) == n_classes + 1  # + "no data"
    assert bars[0].vmin == 0 and bars[0].vmax == 60
    jobs = {
        pid: int(p) for pid, p in [("S-1", 0), ("S-4", 20), ("S-6", 40), ("S-8", 60)]
    }
    cls = {pid: _feature(plots, pid)["properties"]["s"] for pid in jobs}
    assert cls["S-1"] <= cls["S-4"] <= cls["S-6"] <= cls["S-8"]
    assert cls["S-1"] < cls["S-8"]
    assert "d3.min.js" in _html(m)  # branca's colour bar needs d3


def test_color_by_with_missing_values_gets_a_no_data_class(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", color_by="investment_kzt")
    plots = _layer(m, "zg-plot")
    nodata = len(plots.spec["styles"]) - 1
    no_data = zonegeo.maps.district.NO_DATA_COLOR
    assert plots.spec["styles"][nodata]["fillColor"] == no_data
    assert _feature(plots, "S-1")["properties"]["s"] == nodata
    assert _feature(plots, "S-3")["properties"]["s"] != nodata
    legend = m._children["zonegeo_controls"].options["legend"]["sections"]
    assert any(item["label"] == "No data" for s in legend for item in s["items"])


def test_color_by_unknown_column_lists_numeric_ones(ds: zonegeo.Dataset) -> None:
    with pytest.raises(ValidationError, match=r"color_by='sector'.*jobs_planned"):
        district_map(ds, "Sauran", color_by="sector")
    with pytest.raises(ValidationError, match=r"color_by='nope'.*investment_kzt"):
        district_map(ds, "Sauran", color_by="nope")


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"lang": "fr"}, r"lang='fr'; allowed: en, kk, ru"),
        ({"basemap": "google"}, r"basemap='google'; allowed: osm, esri, none"),
        ({"scheme": "magic"}, r"scheme='magic'; allowed: quantiles"),
        ({"renderer": "webgl"}, r"renderer='webgl'; allowed: canvas, svg"),
        ({"k": 0}, r"k must be a positive number of classes, got 0"),
    ],
)
def test_bad_options_name_the_allowed_values(
    ds: zonegeo.Dataset, kwargs: dict, pattern: str
) -> None:
    with pytest.raises(ValidationError, match=pattern):
        district_map(ds, "Sauran", **kwargs)


def test_unknown_district_suggests_the_closest(ds: zonegeo.Dataset) -> None:
    with pytest.raises(UnknownDistrictError, match=r"'Sauron'.*Did you mean 'Sauran'"):
        district_map(ds, "Sauron")


def test_wrong_types_raise_type_error(ds: zonegeo.Dataset) -> None:
    with pytest.raises(TypeError, match="zonegeo.Dataset, got GeoDataFrame"):
        district_map(ds.plots, "Sauran")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="m must be a folium.Map, got dict"):
        district_map(ds, "Sauran", m={})  # type: ignore[arg-type]


# ----------------------------------------------------------------- languages, basemaps


def test_russian_and_kazakh_labels(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", lang="ru", as_of=AS_OF)
    _html(m)
    assert "Земельные участки" in m._children["zonegeo_layer_control"].overlays
    plots = _layer(m, "zg-plot")
    popup = dict(
        zip(
            plots.spec["fields"],
            _feature_by_index(plots, 2)["properties"]["v"],
            strict=True,
        )
    )
    assert popup["Инвестиции, тенге"] == "1\u202f000\u202f000\u202f000"
    assert popup["Площадь, га"].count(",") == 1  # decimal comma
    assert (
        m._children["zonegeo_controls"].options["title"]["title"].startswith("Сауран")
    )
    m_kk = district_map(ds, "Sauran", basemap="none", lang="kk", as_of=AS_OF)
    _html(m_kk)
    assert "Жер учаскелері" in m_kk._children["zonegeo_layer_control"].overlays


def _feature_by_index(layer: _DataLayer, i: int) -> dict:
    return layer.features[i]


@pytest.mark.parametrize(
    ("basemap", "host"),
    [("osm", "tile.openstreetmap.org"), ("esri", "arcgisonline.com"), ("none", None)],
)
def test_basemaps_from_xyzservices(
    ds: zonegeo.Dataset, basemap: str, host: str | None
) -> None:
    m = district_map(ds, "Sauran", basemap=basemap)
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    if host is None:
        assert tiles == []
        assert m._children["zonegeo_controls"].options["minimap"]["tiles"] is None
    else:
        assert len(tiles) == 1 and host in tiles[0].tiles
        assert (
            host in m._children["zonegeo_controls"].options["minimap"]["tiles"]["url"]
        )


# ----------------------------------------------------------------- ranking and buffers


def test_ranked_sites_with_rank_labels_and_popups(ds: zonegeo.Dataset) -> None:
    ranking = hand_ranking(ds)
    m = district_map(ds, "Sauran", basemap="none", ranking=ranking, as_of=AS_OF)
    cand = _layer(m, "zg-candidate")
    assert len(cand.features) == 3  # eligible sites; H-2 is not
    labels = [f["properties"]["l"] for f in cand.spec["labels"]["data"]["features"]]
    assert labels == ["1", "2", "3"]
    best = dict(
        zip(cand.spec["fields"], cand.features[2]["properties"]["v"], strict=True)
    )
    assert best["Site"] == "H-1" and best["Rank"] == "1" and best["Score"] == "0.830"
    assert best["Contribution: Distance to gas, m"] == "0.300"
    assert best["Distance to gas, m"] == "200"
    assert best["In the top 3, % of weight draws"] == "100\u00a0%"
    excluded = _layer(m, "zg-excluded")
    assert excluded.show is False and len(excluded.features) == 1
    reason = dict(
        zip(
            excluded.spec["fields"],
            excluded.features[0]["properties"]["v"],
            strict=True,
        )
    )["Excluded because"]
    assert reason == f"sanitary zone of settlement {XSS_ESCAPED}"
    # the ranked free plots carry their score in the plot popup too
    plots = _layer(m, "zg-plot")
    s1 = _popup(plots, _feature(plots, "S-1"))
    assert s1["Score"] == "0.610" and s1["Rank"] == "2"
    assert s1["In the top 3, % of weight draws"] == "95\u00a0%"


def test_candidate_sites_are_coloured_by_score(ds: zonegeo.Dataset) -> None:
    m = district_map(
        ds, "Sauran", basemap="none", ranking=hand_ranking(ds), rank_labels=1
    )
    cand = _layer(m, "zg-candidate")
    styles = cand.spec["styles"]
    by_site = {
        _popup(cand, f)["Site"]: styles[f["properties"]["s"]] for f in cand.features
    }
    assert by_site["H-1"]["weight"] == 2.5  # the best site: thick outline
    assert by_site["S-1"]["weight"] == by_site["S-2"]["weight"] == 0.6
    assert by_site["H-1"]["fillColor"].upper() == "#FDE725"  # highest: top of viridis
    assert by_site["S-2"]["fillColor"].upper() == "#440154"  # lowest score
    assert [f["properties"]["l"] for f in cand.spec["labels"]["data"]["features"]] == [
        "1"
    ]


def test_color_by_a_ranking_column(ds: zonegeo.Dataset) -> None:
    m = district_map(
        ds, "Sauran", basemap="none", ranking=hand_ranking(ds), color_by="score"
    )
    plots = _layer(m, "zg-plot")
    nodata = len(plots.spec["styles"]) - 1
    assert _feature(plots, "S-1")["properties"]["s"] != nodata
    assert _feature(plots, "S-3")["properties"]["s"] == nodata


def test_ranking_without_score_or_rank_is_refused(ds: zonegeo.Dataset) -> None:
    ranking = hand_ranking(ds).drop(columns=["rank"])
    with pytest.raises(SchemaError, match=r"ranking: missing column\(s\) rank; found"):
        district_map(ds, "Sauran", ranking=ranking)
    no_crs = hand_ranking(ds).set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="ranking has no CRS"):
        district_map(ds, "Sauran", ranking=no_crs)


def test_sanitary_buffers_are_buffered_by_distance_m(ds: zonegeo.Dataset) -> None:
    buffers = gpd.GeoDataFrame(
        {
            "rule": ["sanitary"],
            "distance_m": [500.0],
            "because": [f"sanitary zone class II (500 m) of settlement {XSS}"],
        },
        geometry=[Point(X0 - 1000, Y0 + 3000)],
        crs=UTM,
    )
    m = district_map(ds, "Sauran", basemap="none", buffers=buffers)
    layer = _layer(m, "zg-buffer")
    geom = gpd.GeoSeries([shape(layer.features[0]["geometry"])], crs=4326).to_crs(UTM)
    assert geom.area.iloc[0] == pytest.approx(np.pi * 500**2, rel=0.005)
    values = layer.features[0]["properties"]["v"]
    assert f"sanitary zone class II (500 m) of settlement {XSS_ESCAPED}" in values


# ----------------------------------------------------------------- data and input


def test_coordinates_are_rounded_to_six_decimals(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none")
    coords = np.array(
        [
            c
            for f in _layer(m, "zg-plot").features
            for ring in f["geometry"]["coordinates"]
            for c in ring
        ]
    )
    assert np.array_equal(np.round(coords, 6), coords)


def test_simplify_keeps_one_feature_per_plot(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", simplify_m=5.0, renderer="svg")
    plots = _layer(m, "zg-plot")
    assert len(plots.features) == SAURAN_PLOTS and plots.spec["renderer"] == "svg"


def test_input_is_not_mutated(ds: zonegeo.Dataset) -> None:
    before = copy.deepcopy(ds.plots)
    ranking = hand_ranking(ds)
    ranking_before = ranking.copy()
    district_map(ds, "Sauran", basemap="none", ranking=ranking, color_by="score")
    assert_geodataframe_equal(ds.plots, before)
    assert_geodataframe_equal(ranking, ranking_before)


def test_adding_to_a_given_map(ds: zonegeo.Dataset) -> None:
    m = folium.Map(tiles=None)
    district_map(ds, "Sauran", m=m, as_of=AS_OF)
    district_map(ds, "Ordabasy", m=m, as_of=AS_OF)
    _html(m)
    names = list(m._children["zonegeo_layer_control"].overlays)
    assert "Land plots" in names and "Land plots \u2014 Ordabasy" in names
    assert list(m._children)[-2] == "zonegeo_layer_control"
    assert m.default_js is not folium.Map.default_js


def test_latlon_helper() -> None:
    assert latlon(68.25, 43.3) == [43.3, 68.25]


# ----------------------------------------------------------------- saving


def test_folium_class_level_assets_are_untouched(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    js_before = list(folium.Map.default_js)
    css_before = list(folium.Map.default_css)
    m = district_map(ds, "Sauran", basemap="none", color_by="jobs_planned")
    save_map(m, tmp_path / "a.html", self_contained=True)
    save_map(m, tmp_path / "b.html", self_contained=False)
    assert folium.Map.default_js == js_before
    assert folium.Map.default_css == css_before
    assert "bootstrap" in " ".join(u for _, u in folium.Map.default_js)
    assert "bootstrap" not in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_self_contained_file_loads_nothing_from_the_network(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    m = district_map(ds, "Sauran", basemap="osm", color_by="jobs_planned")
    out = save_map(m, tmp_path / "sauran.html")  # self-contained by default
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, flags=re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=", text, flags=re.IGNORECASE)
    assert "Leaflet 1.9.3" in text  # leaflet.js, inlined
    assert "data:image/png;base64," in text  # leaflet.css images
    assert "d3.scale" in text and "L.zonegeo" in text
    assert "sourceMappingURL" not in text
    assert "tile.openstreetmap.org" in text  # only tiles still need the network
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_cdn_file_links_the_cdn_assets(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    m = district_map(ds, "Sauran", basemap="none")
    path = save_map(m, tmp_path / "cdn.html", self_contained=False)
    text = path.read_text(encoding="utf-8")
    assert f'<script src="{_assets.LEAFLET_JS_URL}"></script>' in text
    assert f'<link rel="stylesheet" href="{_assets.LEAFLET_CSS_URL}"/>' in text
    assert "L.zonegeo" in text  # zonegeo's own controls are always inline


def test_self_contained_refuses_an_unknown_plugin_and_keeps_the_old_file(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    from folium.plugins import Fullscreen

    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    m = district_map(ds, "Sauran", basemap="none")
    Fullscreen().add_to(m)
    with pytest.raises(
        ValidationError,
        match=r"no installed package provides https://cdn\.jsdelivr\.net",
    ):
        save_map(m, out)  # self-contained by default
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_save_map_type_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="folium.Map or a branca Figure, got str"):
        save_map("map", tmp_path / "x.html")  # type: ignore[arg-type]


# ----------------------------------------------------------------- labels and assets


def test_column_labels_and_numbers() -> None:
    assert _i18n.column_label("dist_water_m", "en") == "Distance to water, m"
    assert _i18n.column_label("nearest_gas_id", "ru") == "Ближайший объект: Газ"
    assert (
        _i18n.column_label("cost_electricity_kzt", "kk") == "Қосылу құны, Электр, теңге"
    )
    assert _i18n.column_label("my_column", "en") == "my_column"
    assert _i18n.format_number(-0.0001, "en", decimals=2) == "0.00"
    assert _i18n.format_number(1234.5, "ru", decimals=1) == "1\u202f234,5"
    assert _i18n.format_number(None, "en") is None
    with pytest.raises(ValidationError, match="lang='de'; allowed: en, kk, ru"):
        _i18n.check_lang("de")


def test_every_label_exists_in_every_language() -> None:
    tables = (
        _i18n._LABELS,
        _i18n._STATUS,
        _i18n._ZONE_KINDS,
        _i18n._INFRA_KINDS,
        _i18n._TARGETS,
    )
    for table in tables:
        for key, entry in table.items():
            assert set(entry) == set(_i18n.LANGS), key
            assert all(v.strip() for v in entry.values()), key


def test_assets_come_from_installed_packages() -> None:
    for url in _assets.known_urls():
        path = _assets.local_file(url)
        assert path is not None and path.is_file(), url
    css = _assets.inline_css(_assets.LEAFLET_CSS_URL)
    assert "url(images/" not in css and "data:image/png;base64," in css
    assert _assets.asset_versions()["leaflet"] == "1.9.3"
    with pytest.raises(
        ValidationError, match=r"cannot inline 'https://example\.org/x\.js'"
    ):
        _assets.inline_js("https://example.org/x.js")


def test_demo_popups_carry_distances_and_colour_by_them() -> None:
    """Without precomputed columns, a district map measures access itself."""
    demo = zonegeo.load_demo()
    m = district_map(demo, "Sauran", color_by="dist_gas_m", basemap="none")
    html = m.get_root().render()
    for label in ("Distance to gas, m", "Nearest gas", "Connection cost, total"):
        assert label in html, label
    plots = demo.district("Sauran").plots
    expected = zonegeo.infrastructure_distances(plots, demo.infrastructure)
    # the largest gas distance of the district shows up in the colour-bar classes
    top = f"{expected['dist_gas_m'].max():,.0f}"
    assert top in html
    with pytest.raises(ValidationError, match=r"color_by='dist_gas_m' is not"):
        district_map(demo, "Sauran", color_by="dist_gas_m", access=False)


# ----------------------------------------------------------------- optional columns


def _bare(ds: zonegeo.Dataset) -> zonegeo.Dataset:
    """The dataset with only the required columns of docs/schema.md (no area_ha)."""
    from zonegeo import schema

    layers = {}
    for name, gdf in ds:
        keep = [c for c in gdf.columns if c in schema.LAYERS[name].required]
        layers[name] = gdf[[*keep, gdf.geometry.name]]
    return zonegeo.Dataset(**layers, source="in memory")


def test_optional_columns_are_optional_in_district_and_region_maps(
    ds: zonegeo.Dataset,
) -> None:
    from zonegeo import schema
    from zonegeo.maps.district import region_map

    bare = _bare(ds)
    assert "build_by" not in bare.plots.columns  # the case of issue 10
    for name, gdf in bare:
        optional = {c.name for c in schema.LAYERS[name].columns if not c.required}
        assert not optional & set(gdf.columns), name
    for lang in ("en", "ru"):
        m = district_map(bare, "Sauran", basemap="none", as_of=AS_OF, lang=lang)
        _html(m)
    m = district_map(bare, "Sauran", basemap="none", as_of=AS_OF)
    plots = _layer(m, "zg-plot")
    assert len(plots.features) == SAURAN_PLOTS
    # no build_by: allocated plots are neither idle nor "not idle": unknown
    assert not [c for c in _layers(m) if c.spec.get("className") == "zg-idle"]
    s3 = _popup(plots, _feature(plots, "S-3"))
    assert s3["Status"] == "Allocated \u00b7 idle status unknown (no build-by date)"
    assert s3["Days overdue"] is None
    assert _popup(plots, _feature(plots, "S-1"))["Status"] == "Free"
    # area is computed from the geometry, as read_plots does
    assert float(s3["Area, ha"]) == pytest.approx(1.0, abs=0.01)
    status = plots.spec["styles"][_feature(plots, "S-3")["properties"]["s"]]
    assert status["fillColor"] == zonegeo.maps.district.STATUS_COLORS["allocated"]
    # numeric colouring and a ranking work too
    district_map(bare, "Sauran", basemap="none", color_by="dist_gas_m")
    district_map(bare, "Sauran", basemap="none", ranking=hand_ranking(bare))
    region = region_map(bare, basemap="none")
    assert "Z-2" in _html(region)


def test_an_empty_build_by_means_idle_status_unknown(ds: zonegeo.Dataset) -> None:
    plots = ds.plots.copy()
    plots.loc[plots["plot_id"] == "S-4", "build_by"] = pd.NaT
    changed = zonegeo.Dataset(
        districts=ds.districts,
        zones=ds.zones,
        plots=plots,
        infrastructure=ds.infrastructure,
        source="hand",
    )
    m = district_map(changed, "Sauran", basemap="none", as_of=AS_OF)
    layer = _layer(m, "zg-plot")
    assert _popup(layer, _feature(layer, "S-4"))["Status"].endswith(
        "idle status unknown (no build-by date)"
    )
    assert _popup(layer, _feature(layer, "S-3"))["Status"].endswith(
        "Idle: allocated, deadline passed"
    )
    assert len(_layer(m, "zg-idle").features) == 1


def test_zone_popups_show_years_without_a_thousands_separator(
    ds: zonegeo.Dataset,
) -> None:
    from zonegeo.maps.district import region_map

    for lang in ("en", "kk", "ru"):
        m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF, lang=lang)
        label = _i18n.column_label("established", lang)
        shown = {
            f["properties"]["v"][0]: f["properties"]["v"][
                layer.spec["fields"].index(label)
            ]
            for layer in _layers(m)
            if layer.spec["className"] == "zg-zone"
            for f in layer.features
        }
        assert shown == {"Z-1": "2021", "Z-2": "2019"}
        region = region_map(ds, basemap="none", lang=lang)
        zones = _layer(region, "zg-zone")
        shown = {
            f["properties"]["v"][zones.spec["fields"].index(label)]
            for f in zones.features
        }
        assert shown == {"2021", "2019", "2024"}
    html_text = _html(district_map(ds, "Sauran", basemap="none", as_of=AS_OF))
    assert "2,019" not in html_text


# ----------------------------------------------------------------- size guard


def _with_huge_plot(ds: zonegeo.Dataset, vertices: int) -> zonegeo.Dataset:
    """Add a free plot: a 300 m circle drawn with ``vertices`` points."""
    import shapely

    t = np.linspace(0.0, 2.0 * np.pi, vertices, endpoint=False)
    radius = 300.0 + np.random.default_rng(0).normal(0.0, 0.01, vertices)
    ring = np.c_[X0 + 1000 + radius * np.cos(t), Y0 + 2500 + radius * np.sin(t)]
    huge = gpd.GeoDataFrame(
        {"plot_id": ["HUGE"], "district": ["Sauran"], "status": ["free"]},
        geometry=[shapely.Polygon(ring)],
        crs=UTM,
    ).to_crs(4326)
    huge["area_ha"] = zonegeo.parcels.area_ha(huge)
    plots = pd.concat([ds.plots, huge], ignore_index=True)
    return zonegeo.Dataset(
        districts=ds.districts,
        zones=ds.zones,
        plots=plots,
        infrastructure=ds.infrastructure,
        source="hand",
    )


def test_a_million_vertex_plot_is_simplified_for_display(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    import shapely

    big = _with_huge_plot(ds, 1_000_000)
    full = big.plots.set_index("plot_id").loc["HUGE"]
    m = district_map(big, "Sauran", basemap="none", as_of=AS_OF, access=False)
    layer = _layer(m, "zg-plot")
    shown = shape(_feature(layer, "HUGE")["geometry"])
    vertices = sum(
        int(shapely.get_num_coordinates(shape(f["geometry"]))) for f in layer.features
    )
    assert vertices <= zonegeo.maps.district.MAX_VERTICES
    assert shown.is_valid
    # the shape is kept: the same area within 0.1 %
    shown_ha = zonegeo.parcels.area_ha(gpd.GeoSeries([shown], crs=4326)).iloc[0]
    assert shown_ha == pytest.approx(full["area_ha"], rel=1e-3)
    # measures use the full geometry: the popup's area is the full one
    popup = _popup(layer, _feature(layer, "HUGE"))
    assert popup["Area, ha"] == _i18n.format_number(full["area_ha"], "en", decimals=2)
    footer = m._children["zonegeo_controls"].options["footer"]
    assert re.fullmatch(
        r"Outlines simplified to [0-9.]+ m for display; measures use full geometry",
        footer,
    )
    tol = float(re.search(r"to ([0-9.]+) m", footer).group(1))
    assert 0.1 <= tol < 1.0  # a 300 m circle needs far less than a metre
    out = save_map(m, tmp_path / "huge.html")
    text = out.read_text(encoding="utf-8")
    assert footer in text
    assert out.stat().st_size < 12e6  # 1M vertices unsimplified are ~25 MB


def test_the_vertex_budget_picks_the_smallest_tolerance_that_fits(
    ds: zonegeo.Dataset,
) -> None:
    import shapely

    from zonegeo.maps.district import _vertex_budget

    big = _with_huge_plot(ds, 200_000)
    layers = {"plots": big.plots, "zones": big.zones}
    out, tol = _vertex_budget(layers, max_vertices=100)
    assert tol is not None
    counts = {
        k: int(shapely.get_num_coordinates(np.asarray(v.geometry.values)).sum())
        for k, v in out.items()
    }
    assert sum(counts.values()) <= 100
    # index, rows and columns kept; input untouched
    assert out["plots"].index.equals(big.plots.index)
    assert list(out["plots"].columns) == list(big.plots.columns)
    assert shapely.get_num_coordinates(big.plots.geometry.iloc[-1]) == 200_001
    # a tolerance half as large would not fit: it is not simplified more than needed
    utm = big.plots.to_crs(UTM).geometry.to_numpy()
    half = shapely.simplify(utm, tol / 2, preserve_topology=True)
    zones = big.zones.to_crs(UTM).geometry.to_numpy()
    half_zones = shapely.simplify(zones, tol / 2, preserve_topology=True)
    assert (
        shapely.get_num_coordinates(half).sum()
        + shapely.get_num_coordinates(half_zones).sum()
        > 100
    )
    # under the budget nothing changes; None switches the guard off
    assert _vertex_budget(layers, max_vertices=10_000_000)[1] is None
    assert _vertex_budget(layers, max_vertices=None)[1] is None
    with pytest.raises(ValidationError, match="max_vertices must be a positive"):
        _vertex_budget(layers, max_vertices=0)


def test_small_maps_have_no_simplification_footer(ds: zonegeo.Dataset) -> None:
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF)
    assert m._children["zonegeo_controls"].options["footer"] is None
    assert "Outlines simplified" not in _html(m)
    m = district_map(ds, "Sauran", basemap="none", as_of=AS_OF, simplify_m=5)
    assert m._children["zonegeo_controls"].options["footer"] == (
        "Outlines simplified to 5 m for display; measures use full geometry"
    )


# ----------------------------------------------------------------- opening view


def _opening_view(
    fit: object, width: int = 1200, height: int = 800
) -> tuple[int, float, float]:
    """Leaflet's fitBounds (zoomSnap 1) in a width x height map: zoom and the
    pixel origin (Web Mercator pixels at that zoom of the map's top-left)."""
    from pyproj import Transformer

    (s, w), (n, e) = fit.bounds
    tl, br = fit.options["paddingTopLeft"], fit.options["paddingBottomRight"]
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform([w, e], [s, n])
    world0 = 2 * np.pi * 6_378_137.0 / 256  # metres per pixel at zoom 0
    free_w, free_h = width - tl[0] - br[0], height - tl[1] - br[1]
    zoom = int(
        np.floor(
            np.log2(min(free_w / ((x1 - x0) / world0), free_h / ((y1 - y0) / world0)))
        )
    )
    scale = 2.0**zoom / world0
    # the bounds' centre sits in the middle of the padded area
    cx = (x0 + x1) / 2 * scale - (tl[0] + (width - tl[0] - br[0]) / 2)
    cy = -(y0 + y1) / 2 * scale - (tl[1] + (height - tl[1] - br[1]) / 2)
    return zoom, cx, cy


def test_ranked_map_opens_with_room_for_the_legend(ds: zonegeo.Dataset) -> None:
    m = district_map(
        ds, "Sauran", basemap="none", as_of=AS_OF, ranking=packed_ranking(ds)
    )
    fit = m._children["zonegeo_fit"]
    minx, miny, maxx, maxy = ds.districts[
        ds.districts["district"] == "Sauran"
    ].total_bounds
    assert fit.bounds == [[miny, minx], [maxy, maxx]]
    assert fit.options["legend"] == "bottomright"
    # the legend's side is padded by at least the legend's (estimated) width
    legend = m._children["zonegeo_controls"].options["legend"]["sections"]
    longest = max(
        len(html.unescape(t))
        for sec in legend
        for t in (sec["title"], *(it["label"] for it in sec["items"]))
    )
    right = fit.options["paddingBottomRight"][0]
    assert right >= 34 + 6 * longest + 20
    # in a 1200 x 800 map the district ends left of that strip
    zoom, ox, _ = _opening_view(fit)
    from pyproj import Transformer

    east = Transformer.from_crs(4326, 3857, always_xy=True).transform(maxx, miny)[0]
    east_px = east * 2.0**zoom / (2 * np.pi * 6_378_137.0 / 256) - ox
    assert east_px <= 1200 - right + 1


def test_rank_labels_never_overlap(ds: zonegeo.Dataset) -> None:
    from pyproj import Transformer

    m = district_map(
        ds, "Sauran", basemap="none", as_of=AS_OF, ranking=packed_ranking(ds)
    )
    cand = _layer(m, "zg-candidate")
    feats = cand.spec["labels"]["data"]["features"]
    assert [f["properties"]["l"] for f in feats] == [str(r) for r in range(1, 9)]
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    xy = [to_merc.transform(*f["geometry"]["coordinates"]) for f in feats]
    size = cand.spec["labels"]["size"]
    for zoom in range(23):
        scale = 2.0**zoom / (2 * np.pi * 6_378_137.0 / 256)
        boxes = []
        for (x, y), f in zip(xy, feats, strict=True):
            place = f["properties"]["p"][zoom]
            if place is not None:
                cx, cy = x * scale + place[0], -y * scale + place[1]
                boxes.append((cx - size / 2, cy - size / 2))
        for i, (ax, ay) in enumerate(boxes):
            for bx, by in boxes[i + 1 :]:  # integer pixels in the browser: 1 px slack
                assert abs(ax - bx) >= size + 1 or abs(ay - by) >= size + 1, zoom
        # the best site always keeps its label, on the site itself
        assert feats[0]["properties"]["p"][zoom] == [0, 0]
    # at the opening zoom of a 1200 x 800 map the labels of the three best
    # sites (S-1 and S-2 are 150 m apart: a few pixels) are all shown, some
    # beside their site; the packed sites 4-8 get what room is left
    zoom, _, _ = _opening_view(m._children["zonegeo_fit"])
    opening = [f["properties"]["p"][zoom] for f in feats]
    assert all(p is not None for p in opening[:3])
    assert sum(p != [0, 0] for p in opening if p is not None) >= 1
    # zoomed in far enough every label sits on its own site
    assert all(f["properties"]["p"][22] == [0, 0] for f in feats)
