"""Benchmark district maps at planning-data scale, and the demo atlas.

Measures, for a synthetic district of ``--plots`` plots (10,000 by default):

* the time to build the map (:func:`zonegeo.district_map`) and write it
  (:func:`zonegeo.save_map`, self-contained), and the file size;
* the time until the map is interactive in headless Chromium (Playwright, all
  network cut off): page load, every plot drawn on the canvas, and the first
  popup open after a click;
* the time to write the demo atlas (17 district pages and the index).

Targets (issue 5): a 10,000-plot map writes in under 5 s, is under 10 MB and
is interactive in under 3 s; the demo atlas writes in under 30 s.

Run from the repository root::

    python benchmarks/maps.py                   # 10,000 plots, 3 runs
    python benchmarks/maps.py --plots 2000 --runs 1 --no-browser
    python benchmarks/maps.py --screenshot docs/img/district_map.png

``--screenshot`` also renders the README picture: the demo Sauran district,
zoomed to its plots, with an idle plot's popup open.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, box

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import zonegeo  # noqa: E402
from zonegeo.dataset import Dataset, empty_layer  # noqa: E402
from zonegeo.maps.district import _DataLayer  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATUSES = np.array(["free", "allocated", "construction", "operating"])


def synthetic_district(n_plots: int, *, seed: int = 0) -> Dataset:
    """A district near Shornak (Sauran) with ``n_plots`` irregular 1-2 ha plots.

    Plots have 8 vertices each (surveyed parcels are rarely rectangles), sit in
    blocks of 400 that form zones, and carry every plot column plus
    ``dist_gas_m`` / ``dist_electricity_m`` / ``dist_water_m``, nearest ids and
    ``cost_total_kzt``, so the popups are as large as in real use.
    """
    rng = np.random.default_rng(seed)
    utm = "EPSG:32642"
    x0, y0 = 420_000.0, 4_820_000.0  # about 68.0 E, 43.5 N
    side = math.ceil(math.sqrt(n_plots))
    cell = 130.0
    ii, jj = np.divmod(np.arange(n_plots), side)
    cx = x0 + jj * cell + cell / 2
    cy = y0 + ii * cell + cell / 2
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    plots_geom = []
    for x, y in zip(cx, cy, strict=True):
        r = rng.uniform(45, 60, size=8)
        plots_geom.append(
            Polygon(np.c_[x + r * np.cos(angles), y + r * np.sin(angles)])
        )
    extent = side * cell
    district = box(x0 - 3000, y0 - 3000, x0 + extent + 3000, y0 + extent + 3000)
    block = 20  # 20 x 20 plots per zone
    zone_i, zone_j = ii // block, jj // block
    zone_ids = np.char.add("Z-", (zone_i * 1000 + zone_j).astype(str))
    status = STATUSES[rng.integers(0, 4, size=n_plots)]
    taken = status != "free"
    allocated_on = pd.to_datetime("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 1800, size=n_plots), unit="D"
    )
    build_by = allocated_on + pd.to_timedelta(730, unit="D")
    investment = np.where(taken, rng.uniform(1e8, 5e9, size=n_plots).round(-6), np.nan)
    jobs = np.where(taken, rng.integers(5, 200, size=n_plots), 0)
    plots = gpd.GeoDataFrame(
        {
            "plot_id": [f"P-{i:06d}" for i in range(n_plots)],
            "zone_id": zone_ids,
            "district": "Synthetic",
            "status": status,
            "investor": np.where(
                taken, [f"Investor {i % 997} LLP" for i in range(n_plots)], None
            ),
            "project": np.where(
                taken, [f"Project {i % 1500}" for i in range(n_plots)], None
            ),
            "sector": np.where(
                taken,
                rng.choice(
                    [
                        "food",
                        "textiles",
                        "construction materials",
                        "metallurgy",
                        "chemicals",
                    ],
                    n_plots,
                ),
                None,
            ),
            "investment_kzt": investment,
            "jobs_planned": jobs,
            "jobs_created": (jobs * rng.uniform(0, 1, size=n_plots)).astype(int),
            "allocated_on": pd.Series(allocated_on).where(taken),
            "build_by": pd.Series(build_by).where(taken),
            "dist_gas_m": rng.uniform(0, 8000, size=n_plots).round(1),
            "nearest_gas_id": [f"G-{i % 40}" for i in range(n_plots)],
            "dist_electricity_m": rng.uniform(0, 5000, size=n_plots).round(1),
            "nearest_electricity_id": [f"E-{i % 25}" for i in range(n_plots)],
            "dist_water_m": rng.uniform(0, 6000, size=n_plots).round(1),
            "nearest_water_id": [f"W-{i % 30}" for i in range(n_plots)],
            "cost_total_kzt": rng.uniform(1e7, 9e8, size=n_plots).round(-3),
        },
        geometry=plots_geom,
        crs=utm,
    )
    zone_geo = plots.dissolve(by="zone_id").geometry.convex_hull.buffer(20)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": zone_geo.index,
            "name": [f"Zone {z}" for z in zone_geo.index],
            "district": "Synthetic",
            "kind": "small_site",
            "established": 2020,
        },
        geometry=zone_geo.to_numpy(),
        crs=utm,
    )
    lines = [
        LineString(
            [
                (x0 - 2000, y0 + k * extent / 4),
                (x0 + extent + 2000, y0 + k * extent / 4 + 500),
            ]
        )
        for k in range(1, 4)
    ]
    points = [
        Point(x0 + rng.uniform(0, extent), y0 + rng.uniform(0, extent))
        for _ in range(30)
    ]
    infra = gpd.GeoDataFrame(
        {
            "infra_id": [f"L-{i}" for i in range(3)] + [f"P-{i}" for i in range(30)],
            "kind": ["gas", "electricity", "water"]
            + ["gas", "electricity", "water"] * 10,
            "subtype": None,
            "name": None,
        },
        geometry=lines + points,
        crs=utm,
    )
    settlements = gpd.GeoDataFrame(
        {
            "name": [f"Village {i}" for i in range(10)],
            "population": 5000.0,
            "district": "Synthetic",
        },
        geometry=[Point(x0 + rng.uniform(0, extent), y0 - 1500) for _ in range(10)],
        crs=utm,
    )
    districts = gpd.GeoDataFrame(
        {"district": ["Synthetic"]}, geometry=[district], crs=utm
    )
    to4326 = {
        name: frame.to_crs(4326)
        for name, frame in {
            "districts": districts,
            "zones": zones,
            "plots": plots,
            "infrastructure": infra,
            "settlements": settlements,
        }.items()
    }
    to4326["plots"]["area_ha"] = zonegeo.area_ha(to4326["plots"])
    to4326["zones"]["area_ha"] = zonegeo.area_ha(to4326["zones"])
    return Dataset(**to4326, exclusions=empty_layer("exclusions"), source="synthetic")


def _timed(fn: Any, runs: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times, result


def _fmt(times: list[float]) -> str:
    return (
        f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"
    )


def _browser(p: Any) -> Any:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    return p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


def _offline_page(browser: Any, size: tuple[int, int] = (1200, 800)) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort(),
    )
    return page


def time_to_interactive(
    path: Path, n_plots: int, layer_var: str, runs: int
) -> dict[str, list]:
    """Open the map offline in headless Chromium; time load, drawing and a popup."""
    from playwright.sync_api import sync_playwright

    out: dict[str, list] = {"dom": [], "load": [], "drawn": [], "popup": []}
    with sync_playwright() as p:
        browser = _browser(p)
        for _ in range(runs):
            page = _offline_page(browser)
            t0 = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function(
                "n => window.L && L.zonegeo && L.zonegeo.maps.length && "
                "L.zonegeo.drawn(L.zonegeo.maps[0], 'zg-plot') >= n",
                arg=n_plots,
                timeout=60_000,
                polling=20,
            )
            drawn = time.perf_counter() - t0
            nav = page.evaluate(
                "JSON.parse(JSON.stringify("
                "performance.getEntriesByType('navigation')[0]))"
            )
            point = page.evaluate(
                """name => { const map = L.zonegeo.maps[0]; const c = map.getCenter();
                    let best = null, bestD = Infinity;
                    window[name].eachLayer(l => {
                        const d = c.distanceTo(l.getBounds().getCenter());
                        if (d < bestD) { best = l; bestD = d; } });
                    const p = map.latLngToContainerPoint(best.getBounds().getCenter());
                    return [p.x, p.y]; }""",
                layer_var,
            )
            t1 = time.perf_counter()
            page.mouse.click(point[0], point[1])
            page.wait_for_selector(".leaflet-popup-content", timeout=10_000)
            popup = time.perf_counter() - t1
            out["dom"].append(nav["domContentLoadedEventEnd"] / 1000)
            out["load"].append(nav["loadEventEnd"] / 1000)
            out["drawn"].append(drawn)
            out["popup"].append(popup)
            page.close()
        browser.close()
    return out


def bench_map(n_plots: int, runs: int, browser: bool) -> None:
    print(f"## District map, {n_plots:,} plots\n")
    t = time.perf_counter()
    ds = synthetic_district(n_plots)
    print(f"(synthetic district built in {time.perf_counter() - t:.1f} s)\n")
    tmp = Path(tempfile.mkdtemp(prefix="zonegeo-bench-"))
    rows = []
    opened = []
    for label, kwargs, contained in (
        ("status, self-contained", {}, True),
        ("status, CDN links", {}, False),
        ("dist_gas_m classes, self-contained", {"color_by": "dist_gas_m"}, True),
        ("status, SVG renderer, self-contained", {"renderer": "svg"}, True),
    ):
        build, m = _timed(
            lambda kw=kwargs: zonegeo.district_map(
                ds, "Synthetic", basemap="osm", as_of="2025-02-01", **kw
            ),
            runs,
        )
        path = tmp / f"map_{len(rows)}.html"
        write, _ = _timed(
            lambda m=m, path=path, c=contained: zonegeo.save_map(
                m, path, self_contained=c
            ),
            runs,
        )
        total = [b + w for b, w in zip(build, write, strict=True)]
        size = path.stat().st_size / 1e6
        rows.append((label, _fmt(build), _fmt(write), _fmt(total), f"{size:.2f} MB"))
        if contained and "classes" not in label:
            layer = [
                c
                for c in m._children.values()
                if isinstance(c, _DataLayer) and c.spec.get("className") == "zg-plot"
            ][0]
            opened.append((label, path, layer.get_name()))
    print("| map | build | write | build + write | file |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    if browser and opened:
        print(f"Headless Chromium, network cut off (median of {runs}):\n")
        print(
            "| map | DOMContentLoaded | load event | all plots drawn "
            "| popup after a click |"
        )
        print("|---|---|---|---|---|")
        for label, path, layer_var in opened:
            tti = time_to_interactive(path, n_plots, layer_var, runs)
            print(
                f"| {label} | {statistics.median(tti['dom']):.2f} s | "
                f"{statistics.median(tti['load']):.2f} s | "
                f"{statistics.median(tti['drawn']):.2f} s | "
                f"{statistics.median(tti['popup']):.2f} s |"
            )
        print()
    shutil.rmtree(tmp, ignore_errors=True)


def bench_atlas(runs: int) -> None:
    print("## Demo atlas\n")
    ds = zonegeo.load_demo()
    tmp = Path(tempfile.mkdtemp(prefix="zonegeo-atlas-"))
    times, index = _timed(
        lambda: zonegeo.write_atlas(
            ds, tmp / "atlas", as_of="2025-02-01", progress=False
        ),
        runs,
    )
    size = sum(p.stat().st_size for p in index.parent.iterdir()) / 1e6
    pages = len(list(index.parent.glob("*.html")))
    print(
        f"{pages} pages (self-contained), {size:.1f} MB in all, "
        f"written in {_fmt(times)}\n"
    )
    shutil.rmtree(tmp, ignore_errors=True)


def screenshot(out: Path) -> None:
    """Render the README picture of the demo Sauran district."""
    from playwright.sync_api import sync_playwright

    ds = zonegeo.load_demo()
    m = zonegeo.district_map(ds, "Sauran", basemap="none", as_of="2025-02-01")
    layer = [
        c
        for c in m._children.values()
        if isinstance(c, _DataLayer) and c.spec.get("className") == "zg-plot"
    ][0]
    plots = ds.plots[ds.plots["district"] == "Sauran"]
    zone = plots["zone_id"].value_counts().index[0]  # the zone with most plots
    in_zone = plots[plots["zone_id"] == zone]
    idle = zonegeo.idle_plots(in_zone, as_of="2025-02-01")
    targets = [str(v) for v in (idle if len(idle) else in_zone)["plot_id"]]
    minx, miny, maxx, maxy = in_zone.total_bounds
    latlon = zonegeo.maps.district.latlon
    bounds = [latlon(minx, miny), latlon(maxx, maxy)]
    tmp = Path(tempfile.mkdtemp(prefix="zonegeo-shot-"))
    path = zonegeo.save_map(m, tmp / "sauran.html", self_contained=True)
    with sync_playwright() as p:
        browser = _browser(p)
        page = _offline_page(browser, (1100, 760))
        page.goto(path.as_uri())
        page.wait_for_function("() => window.L && L.zonegeo && L.zonegeo.maps.length")
        page.wait_for_timeout(1000)  # the initial fit-to-district animation
        page.evaluate(
            """([name, ids, b]) => { const map = L.zonegeo.maps[0];
                map.fitBounds(b, {animate: false, paddingTopLeft: [60, 330],
                                  paddingBottomRight: [300, 20]});
                // the (idle) plot highest on screen: its popup covers the least
                let best = null, bestY = Infinity;
                window[name].eachLayer(l => {
                    if (ids.indexOf(l.feature.properties.v[0]) < 0) { return; }
                    const y = map.latLngToContainerPoint(l.getBounds().getCenter()).y;
                    if (y < bestY) { best = l; bestY = y; } });
                best.getPopup().options.autoPan = false; best.openPopup(); }""",
            [layer.get_name(), targets, bounds],
        )
        page.wait_for_selector(".leaflet-popup-content")
        page.wait_for_timeout(600)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"screenshot written to {out} ({out.stat().st_size / 1e3:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plots", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the headless Chromium timing"
    )
    parser.add_argument("--no-atlas", action="store_true", help="skip the demo atlas")
    parser.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        help="also write the README screenshot to this PNG file",
    )
    args = parser.parse_args()
    bench_map(args.plots, args.runs, not args.no_browser)
    if not args.no_atlas:
        bench_atlas(args.runs)
    if args.screenshot:
        screenshot(args.screenshot)


if __name__ == "__main__":
    main()
