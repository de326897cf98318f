"""Benchmark the overlapping-plots check that ``read_plots`` runs on every read.

Builds a grid of square plots in EPSG:4326 (made in UTM 42N near Turkistan,
as a registry would store them) in two layouts, and times
``zonegeo.io.validate.overlapping_pairs`` (the work behind the DataWarning):

* ``overlapping``: 150 m squares every 100 m, so each plot overlaps its eight
  neighbours (a 50 m band with four of them, a 50 m corner with four);
* ``touching``: 100 m squares every 100 m, so plots only share edges and
  corners and no pair overlaps.

Each layout is timed ``--repeat`` times after one warm-up call on 1,000
plots; the best time is printed, and the time per 100,000 plots. Run from
the repository root::

    python benchmarks/overlaps.py                  # 100,000 plots
    python benchmarks/overlaps.py --plots 20000 200000 --repeat 3

No figure is asserted; the results are recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import math
import time

import geopandas as gpd
import numpy as np
import shapely

from zonegeo.io.validate import overlapping_pairs

X0, Y0 = 600_000.0, 4_790_000.0  # UTM 42N, near Turkistan


def grid(n: int, *, side: float, step: float = 100.0) -> gpd.GeoDataFrame:
    """``n`` squares of ``side`` metres on a ``step`` grid, in EPSG:4326."""
    cols = math.ceil(math.sqrt(n))
    k = np.arange(n)
    x = X0 + (k % cols) * step
    y = Y0 + (k // cols) * step
    squares = shapely.box(x, y, x + side, y + side)
    return gpd.GeoDataFrame(geometry=squares, crs=32642).to_crs(4326)


def best_time(plots: gpd.GeoDataFrame, repeat: int) -> tuple[float, int]:
    """Return the best wall time of ``repeat`` runs and the pairs found."""
    times = []
    pairs = []
    for _ in range(repeat):
        start = time.perf_counter()
        pairs = overlapping_pairs(plots)
        times.append(time.perf_counter() - start)
    return min(times), len(pairs)


def main() -> None:
    """Time both layouts at each size and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    overlapping_pairs(grid(1000, side=150.0))  # warm-up: imports, PROJ
    print(f"{'layout':<12} {'plots':>9} {'pairs':>9} {'best s':>8} {'s/100k':>8}")
    for n in args.plots:
        for layout, side in (("overlapping", 150.0), ("touching", 100.0)):
            plots = grid(n, side=side)
            seconds, pairs = best_time(plots, args.repeat)
            per = seconds * 100_000 / n
            print(f"{layout:<12} {n:>9,} {pairs:>9,} {seconds:>8.2f} {per:>8.2f}")


if __name__ == "__main__":
    main()
