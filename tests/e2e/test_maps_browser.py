"""Saved maps in a real browser: headless Chromium via Playwright, network cut off.

Every request that is not a ``file://`` URL is aborted. A self-contained map
must need none; a map saved with CDN links gets its CDN requests answered
from the installed XStatic packages (what a CDN would serve), and nothing else.
Screenshots go to ``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import zonegeo
from tests._need import need
from tests.maps_data import (
    ALERT,
    AS_OF,
    SAURAN_PLOTS,
    SCRIPT_BREAK,
    XSS,
    hand_dataset,
)
from zonegeo.maps import page as _assets
from zonegeo.maps.district import district_map
from zonegeo.maps.elements import _DataLayer
from zonegeo.maps.save import save_map

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1200, "height": 800}


@pytest.fixture(scope="module")
def browser() -> Any:
    need("playwright")
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Opened:
    """A map page and what happened while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: object = None) -> Any:
        return self.page.evaluate(expression, arg)

    def drawn(self, cls: str = "zg-plot") -> int:
        return int(self.js("c => L.zonegeo.drawn(L.zonegeo.maps[0], c)", cls))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


def _open(
    browser: Any,
    path: Path,
    *,
    cdn: bool = False,
    plots: int | None = None,
    viewport: dict[str, int] | None = None,
) -> Opened:
    context = browser.new_context(viewport=viewport or VIEWPORT)
    page = context.new_page()
    opened = Opened(page)
    page.on(
        "console", lambda m: opened.errors.append(m.text) if m.type == "error" else None
    )
    page.on("pageerror", lambda e: opened.errors.append(f"pageerror: {e}"))

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith("file://"):
            r.continue_()
            return
        local = _assets.local_file(url) if cdn else None
        if local is None:
            opened.blocked.append(url)
            r.abort()
            return
        opened.served.append(url)
        kind = "text/css" if local.suffix == ".css" else "application/javascript"
        r.fulfill(path=str(local), content_type=kind)

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.L && L.zonegeo && L.zonegeo.maps.length > 0")
    if plots is not None:
        page.wait_for_function(
            "n => L.zonegeo.drawn(L.zonegeo.maps[0], 'zg-plot') >= n", arg=plots
        )
    page.wait_for_timeout(300)  # let the fit-bounds animation settle
    return opened


def _plots_layer(m: Any) -> _DataLayer:
    (layer,) = [
        c
        for c in m._children.values()
        if isinstance(c, _DataLayer) and c.spec.get("className") == "zg-plot"
    ]
    return layer


def _click_plot(opened: Opened, layer_var: str, plot_id_html: str) -> str:
    """Zoom to a plot, click its centre, return the popup's text."""
    point = opened.js(
        """([name, pid]) => {
            const map = L.zonegeo.maps[0];
            let target = null;
            window[name].eachLayer(l => {
                if (l.feature.properties.v[0] === pid) { target = l; }
            });
            map.setView(target.getBounds().getCenter(), 16, {animate: false});
            const p = map.latLngToContainerPoint(target.getBounds().getCenter());
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [layer_var, plot_id_html],
    )
    opened.page.wait_for_timeout(200)
    opened.page.mouse.click(point[0], point[1])
    opened.page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    opened.page.wait_for_timeout(500)  # popup animation
    return opened.page.inner_text(".leaflet-popup-content")


@pytest.fixture(scope="module")
def hand() -> zonegeo.Dataset:
    return hand_dataset()


# ------------------------------------------------------------------------- tests


@pytest.mark.parametrize("renderer", ["canvas", "svg"])
def test_self_contained_map_draws_every_plot_offline(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path, renderer: str
) -> None:
    m = district_map(hand, "Sauran", basemap="none", as_of=AS_OF, renderer=renderer)
    path = save_map(m, tmp_path / "sauran.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    assert opened.errors == []
    assert opened.blocked == []  # not a single network request
    assert opened.drawn("zg-plot") == SAURAN_PLOTS
    assert opened.drawn("zg-idle") == 2
    if renderer == "svg":
        assert (
            opened.js("document.querySelectorAll('path.zg-plot').length")
            == SAURAN_PLOTS
        )
    opened.shot(f"hand_sauran_{renderer}.png")


def test_cdn_map_loads_only_the_cdn_assets(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    m = district_map(
        hand, "Sauran", basemap="none", as_of=AS_OF, color_by="jobs_planned"
    )
    path = save_map(m, tmp_path / "cdn.html", self_contained=False)
    opened = _open(browser, path, cdn=True, plots=SAURAN_PLOTS)
    assert opened.errors == []
    assert opened.blocked == []
    assert sorted(opened.served) == sorted(
        [
            _assets.LEAFLET_JS_URL,
            _assets.LEAFLET_CSS_URL,
            _assets.JQUERY_URL,
            _assets.D3_URL,
        ]
    )
    assert opened.drawn() == SAURAN_PLOTS
    # branca's colour bar was drawn by d3 (one rectangle per class)
    assert (
        opened.js(
            "document.querySelectorAll('.legend.leaflet-control svg rect').length"
        )
        >= 2
    )


def _offline_errors(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """Open a page with every non-file request refused; return it and its errors."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort(),
    )
    page.goto(path.as_uri())
    page.wait_for_timeout(300)
    return page, errors


def test_cdn_map_without_network_shows_why(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    # The reason self_contained exists: with the CDN unreachable nothing draws.
    m = district_map(hand, "Sauran", basemap="none")
    page, errors = _offline_errors(
        browser, save_map(m, tmp_path / "cdn.html", self_contained=False)
    )
    assert any("L is not defined" in e for e in errors)
    page.context.close()


def test_save_map_with_default_arguments_renders_offline(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    # issue 10: a page saved with save_map's defaults was blank offline
    m = district_map(hand, "Sauran", as_of=AS_OF)  # default basemap: OSM tiles
    page, errors = _offline_errors(browser, save_map(m, tmp_path / "default.html"))
    assert not any("is not defined" in e for e in errors), errors
    assert errors == []
    page.wait_for_function(
        "n => window.L && L.zonegeo.maps.length && "
        "L.zonegeo.drawn(L.zonegeo.maps[0], 'zg-plot') === n",
        arg=SAURAN_PLOTS,
    )
    assert page.locator("div.folium-map.leaflet-container").count() == 1
    assert page.locator(".leaflet-tile-container img, img.leaflet-tile").count() > 0
    assert page.locator(".zg-legend").count() == 1
    page.context.close()


def test_click_on_a_plot_opens_its_popup(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    m = district_map(hand, "Sauran", basemap="none", as_of=AS_OF)
    path = save_map(m, tmp_path / "click.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    text = _click_plot(opened, _plots_layer(m).get_name(), "S-3")
    assert "S-3" in text
    assert "Idle One LLP" in text and "1,000,000,000" in text
    assert "Idle: allocated, deadline passed" in text
    opened.shot("hand_popup_S-3.png")
    assert opened.errors == []


def test_hostile_text_shows_as_text_and_runs_nothing(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    m = district_map(hand, "Sauran", basemap="none", as_of=AS_OF)
    path = save_map(m, tmp_path / "xss.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    escaped = XSS.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;")
    text = _click_plot(opened, _plots_layer(m).get_name(), escaped)
    assert XSS in text  # plot id and investor, shown literally
    assert SCRIPT_BREAK in text  # the project name
    assert ALERT in text  # the sector
    assert "{{ 7*7 }}" in text  # the zone name: not evaluated by any template
    # hover the settlement whose name is hostile too
    opened.js("""() => { const map = L.zonegeo.maps[0];
        map.eachLayer(l => { if (l.feature && l.options.className === 'zg-settlement')
            { l.openTooltip(); } }); }""")
    opened.page.wait_for_timeout(200)
    tooltips = opened.js(
        "Array.from(document.querySelectorAll('.leaflet-tooltip'))"
        ".map(t => t.textContent)"
    )
    assert XSS in tooltips
    opened.shot("hand_xss_popup.png")
    assert opened.js("typeof window.__xss") == "undefined"
    assert opened.js("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert opened.dialogs == []
    assert opened.errors == []


def test_controls_work(browser: Any, hand: zonegeo.Dataset, tmp_path: Path) -> None:
    m = district_map(hand, "Sauran", basemap="none", as_of=AS_OF)
    path = save_map(m, tmp_path / "controls.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    page = opened.page
    # title, legend, scale bar, minimap
    assert page.inner_text(".zg-title-main").startswith("Sauran")
    legend = page.inner_text(".zg-legend")
    for label in ("Free", "Idle: allocated, deadline passed", "Gas", "Settlements"):
        assert label in legend
    assert re.search(r"\d+ (m|km)", page.inner_text(".leaflet-control-scale-line"))
    assert page.locator(".zg-minimap .leaflet-pane").count() >= 1
    # measure: two clicks 300 px apart, readout equals Leaflet's own distance
    page.click(".zg-measure-button")
    box = opened.js(
        "() => { const r = L.zonegeo.maps[0].getContainer()"
        ".getBoundingClientRect(); return [r.left, r.top]; }"
    )
    a, b = (box[0] + 450, box[1] + 400), (box[0] + 750, box[1] + 400)
    page.mouse.click(*a)
    page.mouse.click(*b)
    page.wait_for_timeout(100)
    expected = opened.js(
        """([a, b]) => { const map = L.zonegeo.maps[0];
            const d = map.distance(map.containerPointToLatLng(a),
                                   map.containerPointToLatLng(b));
            return d < 1000 ? Math.round(d) + ' m'
                            : (d / 1000).toFixed(2) + ' km'; }""",
        [[450, 400], [750, 400]],
    )
    assert page.inner_text(".zg-measure-readout") == expected
    page.keyboard.press("Escape")
    assert page.locator(".zg-measuring").count() == 0
    # fullscreen on and off
    page.click(".zg-fullscreen-button")
    page.wait_for_function(
        "() => L.zonegeo.maps[0].getContainer().classList.contains('zg-is-fullscreen')"
    )
    width = opened.js(
        "() => L.zonegeo.maps[0].getContainer().getBoundingClientRect().width"
    )
    assert width == VIEWPORT["width"]
    page.click(".zg-fullscreen-button")
    page.wait_for_function(
        "() => !L.zonegeo.maps[0].getContainer().classList.contains('zg-is-fullscreen')"
    )
    # switching the plots layer off in the layer control removes them
    page.get_by_label("Land plots", exact=True).uncheck()
    page.wait_for_timeout(100)
    assert opened.drawn() == 0
    page.get_by_label("Land plots", exact=True).check()
    page.wait_for_function(
        "n => L.zonegeo.drawn(L.zonegeo.maps[0], 'zg-plot') === n", arg=SAURAN_PLOTS
    )
    assert opened.errors == []


def test_atlas_index_opens_a_district_page(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    index = zonegeo.write_atlas(
        hand, tmp_path / "atlas", as_of=AS_OF, basemap="none", progress=False
    )
    opened = _open(browser, index)
    assert opened.errors == [] and opened.blocked == []
    assert opened.drawn("zg-district") == 2
    opened.shot("hand_atlas_index.png")
    point = opened.js(
        """() => { const map = L.zonegeo.maps[0]; let p = null;
            map.eachLayer(l => {
                if (l.feature && l.feature.properties.href === 'sauran.html') {
                    p = map.latLngToContainerPoint(l.getCenter()); } });
            const r = map.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y]; }"""
    )
    with opened.page.expect_navigation():
        opened.page.mouse.click(point[0], point[1])
    assert opened.page.url.endswith("/sauran.html")
    opened.page.wait_for_function(
        "n => window.L && L.zonegeo && L.zonegeo.maps.length && "
        "L.zonegeo.drawn(L.zonegeo.maps[0], 'zg-plot') >= n",
        arg=SAURAN_PLOTS,
    )
    assert opened.drawn() == SAURAN_PLOTS
    opened.page.click("a.zg-back")
    assert opened.page.url.endswith("/index.html")
    assert opened.errors == []


def test_demo_district_in_the_browser(browser: Any, tmp_path: Path) -> None:
    demo = zonegeo.load_demo()
    n = int((demo.plots["district"] == "Sauran").sum())
    m = district_map(demo, "Sauran", basemap="none", as_of="2025-02-01")
    path = save_map(m, tmp_path / "demo_sauran.html", self_contained=True)
    opened = _open(browser, path, plots=n)
    assert opened.errors == [] and opened.blocked == []
    assert opened.drawn() == n
    assert opened.drawn("zg-infra") > 0
    opened.shot("demo_sauran.png")


def test_self_contained_map_with_osm_tiles_asks_only_for_tiles(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    m = district_map(hand, "Sauran", basemap="osm", as_of=AS_OF)
    path = save_map(m, tmp_path / "osm.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    assert opened.blocked  # tiles were asked for (and refused here)
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in opened.blocked)
    assert [e for e in opened.errors if "ERR_FAILED" not in e] == []
    assert opened.drawn() == SAURAN_PLOTS


def test_ranked_sites_and_buffers_in_the_browser(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from tests.maps_data import UTM, X0, Y0, hand_ranking

    buffers = gpd.GeoDataFrame(
        {"rule": ["sanitary"], "distance_m": [500.0], "because": ["class II"]},
        geometry=[Point(X0 - 1000, Y0 + 3000)],
        crs=UTM,
    )
    m = district_map(
        hand,
        "Sauran",
        basemap="none",
        as_of=AS_OF,
        color_by="score",
        ranking=hand_ranking(hand),
        buffers=buffers,
    )
    path = save_map(m, tmp_path / "ranked.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    assert opened.errors == [] and opened.blocked == []
    assert opened.drawn("zg-candidate") == 3
    assert opened.drawn("zg-buffer") == 1
    labels = opened.js(
        "Array.from(document.querySelectorAll('.zg-rank-label'))"
        ".map(e => e.textContent)"
    )
    assert sorted(labels) == ["1", "2", "3"]
    opened.shot("hand_ranked.png")


def _rects_overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


_VIEW_STATE = """(bounds) => {
    const map = L.zonegeo.maps[0];
    const box = map.getContainer().getBoundingClientRect();
    const rect = e => { const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    const b = L.latLngBounds(bounds);
    const nw = map.latLngToContainerPoint(b.getNorthWest());
    const se = map.latLngToContainerPoint(b.getSouthEast());
    return {
        zoom: map.getZoom(),
        district: {left: box.left + nw.x, top: box.top + nw.y,
                   right: box.left + se.x, bottom: box.top + se.y},
        map: rect(map.getContainer()),
        legend: rect(document.querySelector('.zg-legend')),
        layers: rect(document.querySelector('.leaflet-control-layers')),
        labels: Array.from(document.querySelectorAll('.zg-rank-label'))
            .filter(e => getComputedStyle(e).display !== 'none')
            .map(e => Object.assign(rect(e), {text: e.textContent})),
    };
}"""


def test_ranked_map_opens_clear_of_the_legend_with_no_overlapping_labels(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    from tests.maps_data import packed_ranking

    m = district_map(
        hand, "Sauran", basemap="none", as_of=AS_OF, ranking=packed_ranking(hand)
    )
    path = save_map(m, tmp_path / "ranked_labels.html", self_contained=True)
    # a laptop-sized map: unpadded, the district would run under the legend
    opened = _open(
        browser, path, plots=SAURAN_PLOTS, viewport={"width": 900, "height": 800}
    )
    assert opened.errors == [] and opened.blocked == []
    (minx, miny, maxx, maxy) = hand.districts[
        hand.districts["district"] == "Sauran"
    ].total_bounds
    bounds = [[miny, minx], [maxy, maxx]]
    state = opened.js(_VIEW_STATE, bounds)
    opened.shot("hand_ranked_labels.png")
    district = state["district"]
    # the whole district is in view, and neither the legend nor the layer
    # switcher covers any of it
    assert district["left"] >= state["map"]["left"]
    assert district["right"] <= state["map"]["right"]
    assert not _rects_overlap(district, state["legend"])
    assert not _rects_overlap(district, state["layers"])
    # the three best sites are labelled, and no two labels overlap
    labels = state["labels"]
    assert {"1", "2", "3"} <= {lab["text"] for lab in labels}
    for i, a in enumerate(labels):
        assert not _rects_overlap(a, state["legend"])
        for b in labels[i + 1 :]:
            assert not _rects_overlap(a, b), (a, b)
    # nor after zooming out and in
    for zoom in (state["zoom"] - 1, state["zoom"] + 1, state["zoom"] + 3):
        opened.js("z => L.zonegeo.maps[0].setZoom(z, {animate: false})", zoom)
        opened.page.wait_for_timeout(100)
        again = opened.js(_VIEW_STATE, bounds)
        assert again["zoom"] == zoom
        shown = again["labels"]
        assert any(lab["text"] == "1" for lab in shown)
        for i, a in enumerate(shown):
            for b in shown[i + 1 :]:
                assert not _rects_overlap(a, b), (zoom, a, b)
    assert opened.errors == []


def test_raster_layer_loads_offline_with_its_legend(
    browser: Any, hand: zonegeo.Dataset, tmp_path: Path
) -> None:
    from tests._rasters import plane
    from tests.maps_data import X0, Y0

    dem = plane(
        tmp_path / "dem.tif",
        (X0 - 2000, Y0 - 2000, X0 + 4000, Y0 + 4000),
        east=0.1,
        north=-0.05,
    )
    raster = [
        zonegeo.RasterLayer(dem, style="hillshade"),
        zonegeo.RasterLayer(dem, style="classes", name="Height", unit="m"),
    ]
    m = district_map(hand, "Sauran", basemap="none", as_of=AS_OF, raster=raster)
    path = save_map(m, tmp_path / "raster.html", self_contained=True)
    opened = _open(browser, path, plots=SAURAN_PLOTS)
    opened.page.wait_for_function(
        "() => Array.from(document.querySelectorAll('img.zg-raster'))"
        ".every(i => i.complete) && document.querySelectorAll('img.zg-raster')"
        ".length === 2"
    )
    images = opened.js(
        "Array.from(document.querySelectorAll('img.zg-raster'))"
        ".map(i => [i.naturalWidth, i.naturalHeight, i.src.slice(0, 22),"
        " i.parentElement.classList.contains('leaflet-zgRaster-pane')])"
    )
    assert len(images) == 2
    for width, height, src, in_pane in images:
        assert width > 0 and height > 0
        assert src == "data:image/png;base64,"
        assert in_pane  # under the plots, which stay clickable
    legend = opened.page.locator(".zg-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    assert "Shaded relief" in text and "Height" in text and " m" in text
    assert opened.page.locator(".zg-legend .zg-ramp").is_visible()
    # the layer switcher turns the relief off and on again
    opened.page.get_by_label("Shaded relief", exact=True).uncheck()
    assert opened.js("document.querySelectorAll('img.zg-raster').length") == 1
    opened.page.get_by_label("Shaded relief", exact=True).check()
    assert opened.js("document.querySelectorAll('img.zg-raster').length") == 2
    opened.shot("hand_raster.png")
    assert opened.errors == [] and opened.blocked == []
