"""Time the plot registry on a folder store: reclaim, set-status, overwrite, copy.

Usage::

    python benchmarks/registry.py --plots 3000 20000

For each size the script writes a synthetic store of that many idle plots
(8 m squares, all allocated, build_by 2023-01-01), then times a reclaim of
all of them (one transaction, holding the store's write lock), a status
change, ``read_dataset``, an overwrite of the store (history kept) and a copy
to a new folder (history copied). Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import zonegeo  # noqa: E402
from tests._tiny import UTM42, X0, Y0, tiny_dataset  # noqa: E402
from zonegeo.io.validate import validate_layer  # noqa: E402


def store_of(n: int, folder: Path) -> None:
    """Write a store of ``n`` idle plots to ``folder``."""
    side = int(n**0.5) + 1
    geoms = [
        box(X0 + 10 * (i % side), Y0 + 10 * (i // side),
            X0 + 10 * (i % side) + 8, Y0 + 10 * (i // side) + 8)
        for i in range(n)
    ]  # fmt: skip
    plots = gpd.GeoDataFrame(
        {
            "plot_id": [f"B-{i:06d}" for i in range(n)],
            "zone_id": "Z-1",
            "district": "Sauran",
            "status": "allocated",
            "investor": "Ordabasy Qurylys",
            "project": "Bricks",
            "investment_kzt": 1.0e9,
            "jobs_planned": 10,
            "allocated_on": pd.Timestamp("2022-01-01"),
            "build_by": pd.Timestamp("2023-01-01"),
        },
        geometry=geoms,
        crs=UTM42,
    )
    plots = validate_layer(plots, "plots", source="bench", check_overlaps=False)
    zonegeo.write_dataset(replace(tiny_dataset(), plots=plots), folder)


def timed(label: str, func: object, *args: object, **kwargs: object) -> object:
    start = time.perf_counter()
    result = func(*args, **kwargs)  # type: ignore[operator]
    print(f"  {label:<38} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plots", type=int, nargs="+", default=[3000, 20000])
    args = parser.parse_args()
    for n in args.plots:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "ds"
            store_of(n, folder)
            print(f"{n:,} plots")
            done = timed(f"reclaim {n:,} idle plots", zonegeo.reclaim, folder,
                         as_of="2024-06-01")  # fmt: skip
            assert len(done) == n  # noqa: S101 - a sanity check of the workload
            timed("plot set-status", zonegeo.set_plot_status, folder,
                  "B-000001", "construction")  # fmt: skip
            ds = timed("read_dataset (plots + history)", zonegeo.read_dataset, folder)
            timed("write_dataset overwrite", zonegeo.write_dataset, ds, folder,
                  overwrite=True)  # fmt: skip
            timed("write_dataset copy to a new folder", zonegeo.write_dataset, ds,
                  Path(tmp) / "copy")  # fmt: skip
            rows = len(zonegeo.plot_history(Path(tmp) / "copy"))
            print(f"  history rows copied: {rows:,}")


if __name__ == "__main__":
    main()
