"""Time the link and location checks of zonegeo.io.integrity on many plots.

Plots are 100 m squares (seeded) scattered over the districts of the bundled
demo, or over the real geokz ADM2 units (``--districts geokz``, detailed
1:1,000,000 outlines), each labelled with the district it lies in. Three
cases are timed:

* ``clean``: every plot in its district (the usual read);
* ``1% mislabelled``: one plot in a hundred names a neighbouring district
  (each is measured, and the DataWarning names them);
* ``wrong .prj``: every plot moved by one UTM zone, as a UTM 41 ``.prj`` on
  UTM 42 data does (every plot measured, the CRS search run, CRSError).

Usage::

    python benchmarks/integrity.py --plots 10000 100000
    python benchmarks/integrity.py --plots 100000 --districts geokz
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import zonegeo
from zonegeo.errors import DataWarning, ValidationError
from zonegeo.io.integrity import check_links, check_locations

GEOKZ = (
    Path(__file__).resolve().parents[2]
    / "shared/data/geokz-hdx-codab-2024/turkistan_shymkent_adm2_2024.geojson"
)


def make_plots(districts: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` 100 m squares inside the districts, labelled with their district."""
    rng = np.random.default_rng(seed)
    geoms = np.asarray(districts.geometry.values)
    tree = shapely.STRtree(geoms)
    x0, y0, x1, y1 = districts.total_bounds
    lon, lat, names = [], [], []
    have = 0
    while have < n:
        x = rng.uniform(x0, x1, 4 * n)
        y = rng.uniform(y0, y1, 4 * n)
        pts = shapely.points(x, y)
        i, d = tree.query(pts, predicate="within")
        _, first = np.unique(i, return_index=True)
        i, d = i[first], d[first]
        lon.append(x[i])
        lat.append(y[i])
        names.append(districts["district"].to_numpy()[d])
        have += len(i)
    lon_a = np.concatenate(lon)[:n]
    lat_a = np.concatenate(lat)[:n]
    side = 0.0009  # about 100 m of latitude
    boxes = shapely.box(lon_a, lat_a, lon_a + side, lat_a + side)
    return gpd.GeoDataFrame(
        {
            "plot_id": [f"P-{i:07d}" for i in range(n)],
            "zone_id": pd.array([None] * n, dtype="string"),
            "district": np.concatenate(names)[:n],
            "status": "free",
            "project": pd.array([None] * n, dtype="string"),
            "investment_kzt": 0.0,
        },
        geometry=boxes,
        crs=4326,
    )


def timed(label: str, n: int, fn: object) -> None:
    start = time.perf_counter()
    outcome = "ok"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        try:
            fn()  # type: ignore[operator]
        except ValidationError as err:
            outcome = type(err).__name__
    seconds = time.perf_counter() - start
    if caught:
        outcome = f"{len(caught)} DataWarning"
    print(
        f"{label:<32} {n:>9,} plots {seconds:8.2f} s "
        f"{n / seconds:>12,.0f} plots/s  -> {outcome}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plots", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--districts", choices=("demo", "geokz"), default="demo")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    demo = zonegeo.load_demo()
    districts = (
        zonegeo.read_districts(GEOKZ) if args.districts == "geokz" else demo.districts
    )
    n_vertices = int(shapely.get_num_coordinates(districts.geometry.values).sum())
    print(
        f"districts: {args.districts} ({len(districts)} polygons, "
        f"{n_vertices:,} vertices)"
    )
    for n in args.plots:
        plots = make_plots(districts, n, args.seed)
        ds = dataclasses.replace(
            demo,
            districts=districts,
            zones=demo.zones.iloc[0:0],
            plots=plots,
            settlements=demo.settlements.iloc[0:0],
        )
        timed("check_links", n, lambda ds=ds: check_links(ds))
        timed(
            "check_locations clean",
            n,
            lambda p=plots: check_locations(p, districts),
        )
        wrong = plots.copy()
        k = np.arange(0, n, 100)
        names = districts["district"].to_numpy()
        shifted = (pd.Index(names).get_indexer(wrong["district"].iloc[k]) + 1) % len(
            names
        )
        wrong.iloc[k, wrong.columns.get_loc("district")] = names[shifted]
        timed(
            "check_locations 1% mislabelled",
            n,
            lambda p=wrong: check_locations(p, districts),
        )
        moved = plots.to_crs(32642).set_crs(32641, allow_override=True).to_crs(4326)
        timed(
            "check_locations wrong .prj",
            n,
            lambda p=moved: check_locations(p, districts, source_crs="EPSG:32641"),
        )


if __name__ == "__main__":
    main()
