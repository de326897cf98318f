"""Benchmark issue 15: slope, zonal statistics and road network access.

    python benchmarks/terrain_travel.py zonal   [--cells 10000] [--sites 10000]
    python benchmarks/terrain_travel.py network [--edges 100000] [--sites 10000]

``zonal``: a synthetic DEM of cells x cells (30 m, UTM 42N, float32 tiled
deflate GeoTIFF) is written first (not timed; ``--dir`` keeps it for the next
run), then ``terrain_slope`` and ``zonal_stats`` of that many 50 ha squares
(mean, max, frac above 8) each run in a fresh subprocess, so the peak memory
printed is that step's own. ``network``: a road grid with about that many
edges, then road_network, network_access to 200 towns and labour_within 30
min, in one subprocess (the steps share the network).

Every step prints its wall time, its CPU time (user + sys of the process,
``resource.getrusage``: on a shared machine the steadier figure, and the
one-core figure when the step runs on one thread), the peak resident memory of
its process (``VmHWM``) and, in brackets, the peak before the step began
(imports and inputs).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

X0, Y0, CELL = 400_000.0, 4_900_000.0, 30.0


def _rss_mb() -> float:
    """Peak resident memory of this process, MB.

    ``VmHWM`` where Linux has it: ``ru_maxrss`` survives ``exec``, so a child
    started by a parent that had written a 400 MB DEM would begin at the
    parent's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _measure(label: str, fn: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    base = _rss_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    value = fn()
    row = {
        "step": label,
        "wall_s": time.perf_counter() - t0,
        "cpu_s": _cpu_s() - c0,
        "peak_mb": _rss_mb(),
        "before_mb": base,
    }
    return value, row


def _print(row: dict[str, Any]) -> None:
    print(
        f"{row['step']:<30} {row['wall_s']:7.2f} s wall {row['cpu_s']:7.2f} s CPU"
        f"   peak RSS {row['peak_mb']:6.0f} MB (before {row['before_mb']:4.0f} MB)",
        flush=True,
    )


def write_dem(path: Path, cells: int) -> None:
    import rasterio
    from affine import Affine

    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=cells,
        width=cells,
        count=1,
        dtype="float32",
        crs="EPSG:32642",
        tiled=True,
        blockxsize=256,
        blockysize=256,
        compress="deflate",
        transform=Affine(CELL, 0, X0, 0, -CELL, Y0),
    ) as f:
        for r0 in range(0, cells, 1024):
            rows = min(1024, cells - r0)
            yy = np.arange(r0, r0 + rows)[:, None]
            xx = np.arange(cells)[None, :]
            z = 300 + 50 * np.sin(xx / 300) * np.cos(yy / 200) + 0.02 * xx
            f.write(z.astype("float32"), 1, window=((r0, r0 + rows), (0, cells)))


def _sites(cells: int, n_sites: int) -> Any:
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(0)
    side = np.sqrt(500_000.0)
    extent = cells * CELL - side
    xs = X0 + rng.uniform(0, extent, n_sites)
    ys = Y0 - side - rng.uniform(0, extent, n_sites)
    return gpd.GeoDataFrame(
        geometry=shapely.box(xs, ys, xs + side, ys + side), crs=32642
    )


def step_slope(folder: Path) -> list[dict[str, Any]]:
    import zonegeo

    _, row = _measure(
        "terrain_slope",
        lambda: zonegeo.terrain_slope(folder / "dem.tif", folder / "slope.tif"),
    )
    return [row]


def step_zonal(folder: Path, cells: int, n_sites: int) -> list[dict[str, Any]]:
    import zonegeo

    sites = _sites(cells, n_sites)
    out, row = _measure(
        "zonal_stats (mean,max,>8)",
        lambda: zonegeo.zonal_stats(sites, folder / "slope.tif", above=[8]),
    )
    row["note"] = (
        f"mean slope over sites {out['slope_mean'].mean():.4f} deg, "
        f"mean share above 8 deg {out['slope_frac_above_8'].mean():.6f}"
    )
    return [row]


def step_network(n_edges: int, n_sites: int) -> list[dict[str, Any]]:
    import geopandas as gpd
    import shapely

    import zonegeo

    k = int(np.sqrt(n_edges / 2)) + 1  # k x k grid has about 2 k^2 edges
    step = 1000.0
    x0, y0 = 300_000.0, 4_600_000.0
    rng = np.random.default_rng(0)
    lines = [
        shapely.LineString([(x0 + i * step, y0 + j * step) for j in range(k)])
        for i in range(k)
    ]
    lines += [
        shapely.LineString([(x0 + i * step, y0 + j * step) for i in range(k)])
        for j in range(k)
    ]
    classes = rng.choice(["primary", "secondary", "tertiary"], len(lines))
    roads = gpd.GeoDataFrame(
        {"kind": "road", "subtype": classes}, geometry=lines, crs=32642
    )
    span = (k - 1) * step

    def pts(n: int) -> Any:
        return shapely.points(
            x0 + rng.uniform(0, span, n), y0 + rng.uniform(0, span, n)
        )

    sites = gpd.GeoDataFrame(geometry=shapely.buffer(pts(n_sites), 400), crs=32642)
    towns = gpd.GeoDataFrame(
        {
            "name": [f"T{i}" for i in range(200)],
            "population": rng.integers(500, 50_000, 200),
        },
        geometry=pts(200),
        crs=32642,
    )
    net, r1 = _measure("road_network", lambda: zonegeo.road_network(roads))
    r1["step"] = f"road_network ({net.n_edges} edges)"
    out, r2 = _measure(
        f"network_access ({n_sites} sites)",
        lambda: zonegeo.network_access(sites, net, towns, name="town"),
    )
    out, r3 = _measure(
        "labour_within 30 min",
        lambda: zonegeo.labour_within(out, net, towns, minutes=30),
    )
    r3["note"] = f"median road time {out['road_time_town_min'].median():.1f} min"
    return [r1, r2, r3]


def _child(args: list[str]) -> None:
    """Run one step in this (fresh) process and print its rows as JSON."""
    what = args[0]
    if what == "slope":
        rows = step_slope(Path(args[1]))
    elif what == "zonal":
        rows = step_zonal(Path(args[1]), int(args[2]), int(args[3]))
    else:
        rows = step_network(int(args[1]), int(args[2]))
    print("RESULT " + json.dumps(rows))


def _run_child(*args: object) -> list[dict[str, Any]]:
    cmd = [sys.executable, __file__, "_child", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    rows: list[dict[str, Any]] = json.loads(line.removeprefix("RESULT "))
    for row in rows:
        _print(row)
        if "note" in row:
            print(f"  {row['note']}")
    return rows


def zonal(cells: int, n_sites: int, folder: Path | None) -> None:
    folder = folder or Path(tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    dem = folder / "dem.tif"
    size = f"{cells}x{cells}"
    stamp = folder / "dem.size"
    if not (dem.exists() and stamp.exists() and stamp.read_text() == size):
        write_dem(dem, cells)
        stamp.write_text(size)
    print(f"zonal: DEM {cells} x {cells} in {folder}, {n_sites} sites of 50 ha")
    _run_child("slope", folder)
    _run_child("zonal", folder, cells, n_sites)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("what", choices=["zonal", "network"])
    ap.add_argument("--cells", type=int, default=10_000)
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--sites", type=int, default=10_000)
    ap.add_argument(
        "--dir", type=Path, default=None, help="keep (and reuse) the DEM here"
    )
    a = ap.parse_args()
    if a.what == "zonal":
        zonal(a.cells, a.sites, a.dir)
    else:
        print(f"network: a road grid of about {a.edges} edges, {a.sites} sites")
        _run_child("network", a.edges, a.sites)


if __name__ == "__main__":
    main()
