"""Benchmark issue 15: zonal statistics and road network access.

    python benchmarks/terrain_travel.py zonal   [--cells 10000] [--sites 10000]
    python benchmarks/terrain_travel.py network [--edges 100000] [--sites 10000]

``zonal``: a synthetic DEM of cells x cells (30 m, UTM 42N, float32 GeoTIFF
written first, not timed), slope derived from it (timed separately), then
zonal_stats for that many 50 ha squares (mean, max, frac above 8).
``network``: a road grid with about that many edges, then road_network,
network_access to 200 towns and labour_within 30 min. Prints wall time and
peak resident memory (ru_maxrss, the whole process) of each step.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(label: str, t0: float) -> None:
    took = time.perf_counter() - t0
    print(f"{label:<28} {took:8.2f} s   peak RSS {_rss_mb():8.0f} MB")


def zonal(cells: int, n_sites: int) -> None:
    import rasterio
    from affine import Affine

    import zonegeo

    tmp = Path(tempfile.mkdtemp())
    x0, y0, cell = 400_000.0, 4_900_000.0, 30.0
    rng = np.random.default_rng(0)
    with rasterio.open(tmp / "dem.tif", "w", driver="GTiff", height=cells, width=cells,
                       count=1, dtype="float32", crs="EPSG:32642", tiled=True,
                       blockxsize=256, blockysize=256, compress="deflate",
                       transform=Affine(cell, 0, x0, 0, -cell, y0)) as f:
        for r0 in range(0, cells, 1024):
            rows = min(1024, cells - r0)
            yy = np.arange(r0, r0 + rows)[:, None]
            xx = np.arange(cells)[None, :]
            z = 300 + 50 * np.sin(xx / 300) * np.cos(yy / 200) + 0.02 * xx
            f.write(z.astype("float32"), 1, window=((r0, r0 + rows), (0, cells)))
    side = np.sqrt(500_000.0)
    extent = cells * cell - side
    xs = x0 + rng.uniform(0, extent, n_sites)
    ys = y0 - side - rng.uniform(0, extent, n_sites)
    sites = gpd.GeoDataFrame(geometry=shapely.box(xs, ys, xs + side, ys + side),
                             crs=32642)
    print(f"zonal: DEM {cells} x {cells}, {n_sites} sites of 50 ha")
    t0 = time.perf_counter()
    zonegeo.terrain_slope(tmp / "dem.tif", tmp / "slope.tif")
    _step("terrain_slope", t0)
    t0 = time.perf_counter()
    out = zonegeo.zonal_stats(sites, tmp / "slope.tif", above=[8])
    _step("zonal_stats (mean,max,>8)", t0)
    print(f"  mean slope over sites {out['slope_mean'].mean():.2f} deg")


def network(n_edges: int, n_sites: int) -> None:
    import zonegeo

    k = int(np.sqrt(n_edges / 2)) + 1  # k x k grid has about 2 k^2 edges
    step = 1000.0
    x0, y0 = 300_000.0, 4_600_000.0
    rng = np.random.default_rng(0)
    lines = [shapely.LineString([(x0 + i * step, y0 + j * step) for j in range(k)])
             for i in range(k)]
    lines += [shapely.LineString([(x0 + i * step, y0 + j * step) for i in range(k)])
              for j in range(k)]
    classes = rng.choice(["primary", "secondary", "tertiary"], len(lines))
    roads = gpd.GeoDataFrame({"kind": "road", "subtype": classes}, geometry=lines,
                             crs=32642)
    span = (k - 1) * step
    pts = lambda n: shapely.points(x0 + rng.uniform(0, span, n),  # noqa: E731
                                   y0 + rng.uniform(0, span, n))
    sites = gpd.GeoDataFrame(geometry=shapely.buffer(pts(n_sites), 400), crs=32642)
    towns = gpd.GeoDataFrame({"name": [f"T{i}" for i in range(200)],
                              "population": rng.integers(500, 50_000, 200)},
                             geometry=pts(200), crs=32642)
    t0 = time.perf_counter()
    net = zonegeo.road_network(roads)
    _step(f"road_network ({net.n_edges} edges)", t0)
    t0 = time.perf_counter()
    out = zonegeo.network_access(sites, net, towns, name="town")
    _step(f"network_access ({n_sites} sites)", t0)
    t0 = time.perf_counter()
    out = zonegeo.labour_within(out, net, towns, minutes=30)
    _step("labour_within 30 min", t0)
    print(f"  median road time {out['road_time_town_min'].median():.1f} min")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=["zonal", "network"])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--sites", type=int, default=10_000)
    a = ap.parse_args()
    if a.what == "zonal":
        zonal(a.cells, a.sites)
    else:
        network(a.edges, a.sites)


if __name__ == "__main__":
    main()
