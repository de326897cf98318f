"""Benchmark plot-to-infrastructure distances: zonegeo against the geopandas user path.

Generates synthetic plots and infrastructure of any size (deterministic from
``--seed``), then times, each in a fresh subprocess so peak memory is its own:

* ``zonegeo``: :func:`zonegeo.infrastructure_distances` on the in-memory frame;
* ``dask``: the same function on a dask-geopandas frame, on a
  ``dask.distributed`` LocalCluster of ``--workers`` worker processes
  (one thread each); peak memory is the sum over the client and the workers;
* ``sjoin``: what a geopandas user writes today: ``to_crs`` into one UTM zone
  (``estimate_utm_crs``) and ``geopandas.sjoin_nearest`` once per kind;
* ``floor``: a bare ``scipy.spatial.cKDTree`` query of the plot centroids
  against the features' vertices (one UTM zone, one thread): not exact, the
  least any method must do; zonegeo's time is given as a ratio to it.

After the zonegeo run, ``--check`` plots (20) are measured by brute force
against every feature (:func:`exact_sample_check`) and the largest difference
is printed in the note.

It prints wall time, throughput, peak resident memory, the number of rows
returned per kind, and the largest difference of the distances from zonegeo's.
Infrastructure is, per kind, ``--points`` points plus ``--lines`` long lines
(200-600 km, a vertex every ~500 m, like pipelines and power lines; with
``--vertex-m 50000`` a vertex every 50 km, like the GEM trunk-pipeline routes,
whose edges zonegeo splits along the geodesic).
``sjoin_nearest`` with long lines is extremely slow (every plot is a candidate
of every long line's envelope), so it runs at ``--sjoin-plots`` plots when
lines are present; zonegeo is also run at that size for a like-for-like row.

Run from the repository root (the machine is shared: run the big sizes once)::

    python benchmarks/distances.py --plots 100000 1000000
    python benchmarks/distances.py --plots 20000 --lines 0 --methods zonegeo sjoin
    python benchmarks/distances.py --scaling     # how time grows with plots, features

No figure is asserted; the results are recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ("gas", "electricity", "water")
#: (min lon, min lat, max lon, max lat) of the synthetic region.
REGIONS = {
    # Turkistan region and its neighbours: UTM zones 41, 42 and a little of 43.
    "south": (63.0, 40.5, 72.0, 45.0),
    # All of Kazakhstan: UTM zones 39 to 45.
    "country": (50.0, 41.0, 85.0, 53.0),
}


# --------------------------------------------------------------------------- data


def make_plots(n: int, *, seed: int = 0, region: str = "south") -> gpd.GeoDataFrame:
    """Return ``n`` square-ish plots of 1-9 ha in EPSG:4326, spread over the region."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = REGIONS[region]
    lon = rng.uniform(lon0, lon1, n)
    lat = rng.uniform(lat0, lat1, n)
    side = rng.uniform(100.0, 300.0, n)
    dx = side / (111_320.0 * np.cos(np.radians(lat)))
    dy = side / 110_574.0
    return gpd.GeoDataFrame(
        {"plot_id": np.char.add("P", np.arange(n).astype(str))},
        geometry=shapely.box(lon, lat, lon + dx, lat + dy),
        crs=4326,
    )


def make_infrastructure(
    points: int,
    lines: int,
    *,
    seed: int = 1,
    region: str = "south",
    vertex_m: float = 500.0,
) -> gpd.GeoDataFrame:
    """Return, per kind, ``points`` points and ``lines`` long lines, in EPSG:4326."""
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = REGIONS[region]
    geoms: list[shapely.Geometry] = []
    ids: list[str] = []
    kinds: list[str] = []
    for kind in KINDS:
        px = rng.uniform(lon0 - 0.5, lon1 + 0.5, points)
        py = rng.uniform(lat0 - 0.5, lat1 + 0.5, points)
        geoms.extend(shapely.points(px, py))
        ids.extend(f"{kind[0].upper()}-{i}" for i in range(points))
        kinds.extend([kind] * points)
        for j in range(lines):
            n = int(rng.uniform(200_000, 600_000) / vertex_m)
            heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.03, n))
            x0, y0 = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
            yy = y0 + np.cumsum(vertex_m * np.sin(heading)) / 110_574.0
            xx = x0 + np.cumsum(vertex_m * np.cos(heading)) / (
                111_320.0 * np.cos(np.radians(yy))
            )
            geoms.append(shapely.linestrings(np.c_[xx, yy]))
            ids.append(f"{kind[0].upper()}-L{j}")
            kinds.append(kind)
    return gpd.GeoDataFrame({"infra_id": ids, "kind": kinds}, geometry=geoms, crs=4326)


# --------------------------------------------------------------------------- workers


def _peak_mb() -> float:
    """Peak resident memory of this process, MB.

    ``VmHWM`` of /proc/self/status: unlike ``ru_maxrss`` it is not inherited
    from the parent through fork and exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _sample(infra: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A few features of every kind, for warming up."""
    return infra.groupby("kind", group_keys=False).head(10)


def exact_sample_check(
    plots: gpd.GeoDataFrame, infra: gpd.GeoDataFrame, out: gpd.GeoDataFrame, n: int
) -> dict:
    """Brute-force check of zonegeo's answer on ``n`` random plots (seeded).

    Each sampled plot is measured against every feature of each kind, as
    ``tests/test_distance.py`` does: both projected to the plot's UTM zone,
    exact planar distances (shapely) to all features, then the geodesic
    (``pyproj.Geod.inv`` between the nearest points) of every feature within 2 %
    of the planar minimum (far more than the UTM scale error), smallest wins,
    ties to the first feature. Edges are straight in the zone (use vertices
    less than 20 km apart). Returns the largest relative difference of the
    distances and the number of different nearest ids.
    """
    import pyproj

    if n <= 0:
        return {}
    geod = pyproj.Geod(ellps="WGS84")
    rng = np.random.default_rng(12345)
    sample = np.sort(rng.choice(len(plots), size=min(n, len(plots)), replace=False))
    p4326 = plots.iloc[sample].to_crs(4326)
    b = p4326.bounds
    lon = ((b["minx"] + b["maxx"]) / 2).to_numpy()
    zone = 32600 + (np.floor((lon + 180) / 6).astype(int) % 60) + 1  # north only
    worst, wrong_ids = 0.0, 0
    for k in KINDS:
        feats = infra[infra["kind"] == k]
        ids = feats["infra_id"].astype(str).to_numpy()
        for z in np.unique(zone):
            fz = feats.geometry.to_crs(int(z)).to_numpy()
            to_ll = pyproj.Transformer.from_crs(int(z), 4326, always_xy=True)
            for i in np.flatnonzero(zone == z):
                pz = p4326.geometry.iloc[[i]].to_crs(int(z)).to_numpy()[0]
                planar = shapely.distance(pz, fz)
                near = np.flatnonzero(planar <= planar.min() * 1.02 + 10.0)
                xy = shapely.get_coordinates(shapely.shortest_line(pz, fz[near]))
                lo, la = to_ll.transform(xy[:, 0], xy[:, 1])
                g = np.asarray(geod.inv(lo[0::2], la[0::2], lo[1::2], la[1::2])[2])
                g = np.where(planar[near] == 0, 0.0, g)
                j = near[np.flatnonzero(g == g.min())[0]]
                best, best_id = float(g.min()), ids[j]
                got = float(out[f"dist_{k}_m"].iloc[sample[i]])
                got_id = str(out[f"nearest_{k}_id"].iloc[sample[i]])
                worst = max(worst, abs(got - best) / max(best, 1e-9))
                wrong_ids += got_id != best_id
    return {"check_plots": len(sample), "check_rel": worst, "check_ids": wrong_ids}


def _run_zonegeo(plots, infra, _args) -> dict:
    import zonegeo

    # Warm up on 10 plots and 10 points: one-time imports (scipy.spatial) and PROJ
    # database look-ups are not part of the throughput.
    zonegeo.infrastructure_distances(plots.iloc[:10], _sample(infra))
    t = time.perf_counter()
    cpu = time.process_time()
    out = zonegeo.infrastructure_distances(plots, infra)
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu
    dist = {k: out[f"dist_{k}_m"].to_numpy() for k in KINDS}
    rows = {k: len(out) for k in KINDS}
    peak = _peak_mb()
    check = exact_sample_check(plots, infra, out, getattr(_args, "check", 0))
    note = (
        f"brute-force check of {check['check_plots']} plots: max rel. diff "
        f"{check['check_rel']:.1e}, {check['check_ids']} other ids"
        if check
        else ""
    )
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": rows,
        "dist": dist,
        "peak_mb": peak,
        "note": note,
        **check,
    }


def _run_dask(plots, infra, args) -> dict:
    import dask
    import dask_geopandas
    import distributed

    import zonegeo

    # A registry is usually stored district by district; sort the synthetic plots by a
    # coarse grid so partitions are compact (each then searches a small window).
    b = plots.bounds
    key = (np.floor(b["miny"] / 0.5) * 1000 + np.floor(b["minx"] / 0.5)).to_numpy()
    plots = plots.iloc[np.argsort(key, kind="stable")]
    with (
        dask.config.set({"dataframe.convert-string": False}),
        distributed.LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        t = time.perf_counter()
        lazy = zonegeo.infrastructure_distances(
            dask_geopandas.from_geopandas(
                plots, npartitions=args.partitions, sort=False
            ),
            infra,
        )
        out = lazy.compute()
        wall = time.perf_counter() - t
        workers_mb = client.run(_peak_mb)
    out = out.sort_index()  # back to the generated order (a RangeIndex)
    dist = {k: out[f"dist_{k}_m"].to_numpy() for k in KINDS}
    return {
        "wall_s": wall,
        "rows": {k: len(out) for k in KINDS},
        "dist": dist,
        "peak_mb": _peak_mb() + sum(workers_mb.values()),
        "note": f"{args.workers} workers, {args.partitions} partitions",
    }


def _run_sjoin(plots, infra, _args) -> dict:
    small = plots.iloc[:10].to_crs(plots.estimate_utm_crs())  # warm up, as for zonegeo
    gpd.sjoin_nearest(small, _sample(infra).to_crs(small.crs), how="left")
    t = time.perf_counter()
    utm = plots.estimate_utm_crs()
    p = plots.to_crs(utm)
    f = infra.to_crs(utm)
    rows, dist = {}, {}
    for k in KINDS:
        joined = gpd.sjoin_nearest(
            p[["plot_id", "geometry"]],
            f.loc[f["kind"] == k, ["infra_id", "geometry"]],
            how="left",
            distance_col="d",
        )
        rows[k] = len(joined)
        first = joined[~joined.index.duplicated(keep="first")]
        dist[k] = first["d"].reindex(p.index).to_numpy()
    wall = time.perf_counter() - t
    return {
        "wall_s": wall,
        "rows": rows,
        "dist": dist,
        "peak_mb": _peak_mb(),
        "note": f"one UTM zone: EPSG:{utm.to_epsg()}",
    }


def _run_floor(plots, infra, _args) -> dict:
    """The floor: a bare cKDTree query of the plot centroids, per kind.

    Not exact (centroid to nearest vertex, planar in one UTM zone), but the
    least any method must do: look at every plot once and find a candidate.
    Timed from the same in-memory frames as zonegeo (centroids, projection of
    centroids and vertices, tree build, ``query(k=1)`` on one thread).
    """
    import pyproj
    from scipy.spatial import cKDTree

    t = time.perf_counter()
    cpu = time.process_time()
    utm = plots.estimate_utm_crs()
    tr = pyproj.Transformer.from_crs(plots.crs, utm, always_xy=True)
    c = shapely.get_coordinates(shapely.centroid(plots.geometry.values))
    cx, cy = tr.transform(c[:, 0], c[:, 1])
    q = np.column_stack([cx, cy])
    dist = {}
    for k in KINDS:
        v = shapely.get_coordinates(infra.geometry.values[(infra["kind"] == k).values])
        vx, vy = tr.transform(v[:, 0], v[:, 1])
        dist[k], _ = cKDTree(np.column_stack([vx, vy])).query(q, k=1)
    wall = time.perf_counter() - t
    cpu = time.process_time() - cpu
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": {k: len(plots) for k in KINDS},
        "dist": dist,
        "peak_mb": _peak_mb(),
        "note": "centroid to nearest vertex, not exact",
    }


METHODS = {
    "zonegeo": _run_zonegeo,
    "dask": _run_dask,
    "sjoin": _run_sjoin,
    "floor": _run_floor,
}


def worker(args: argparse.Namespace) -> None:
    """Generate the data, run one method, print a JSON line, save distances."""
    plots = make_plots(args.n, seed=args.seed, region=args.region)
    infra = make_infrastructure(
        args.points,
        args.lines,
        seed=args.seed + 1,
        region=args.region,
        vertex_m=args.vertex_m,
    )
    base_mb = _peak_mb()
    res = METHODS[args.worker](plots, infra, args)
    b = plots.bounds
    lon = ((b["minx"] + b["maxx"]) / 2).to_numpy()
    np.savez(args.save, lon=lon, **res.pop("dist"))
    res.update(
        method=args.worker,
        plots=args.n,
        features=len(infra),
        base_mb=base_mb,
        vertices=int(shapely.get_num_coordinates(infra.geometry.values).sum()),
    )
    print(json.dumps(res))


# --------------------------------------------------------------------------- driver


def run_one(method: str, n: int, args: argparse.Namespace, tmp: Path) -> dict | None:
    save = tmp / f"{method}-{n}-{args.lines}-{args.vertex_m:g}.npz"
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        method,
        "--n",
        str(n),
        "--points",
        str(args.points),
        "--lines",
        str(args.lines),
        "--vertex-m",
        str(args.vertex_m),
        "--seed",
        str(args.seed),
        "--region",
        args.region,
        "--workers",
        str(args.workers),
        "--partitions",
        str(args.partitions),
        "--check",
        str(args.check),
        "--save",
        str(save),
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        print(
            f"  {method} at {n:,} plots failed:\n{proc.stderr[-2000:]}", file=sys.stderr
        )
        return None
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["save"] = str(save)
    return res


def compare(res: dict, ref: dict | None) -> str:
    """Largest difference from the reference distances (absolute / relative).

    For ``sjoin`` (one UTM zone) the figure in brackets is for the plots within
    that zone (3 degrees of its central meridian), where UTM is accurate.
    """
    if ref is None or res is ref:
        return "-"
    a, b = np.load(res["save"]), np.load(ref["save"])

    def worst(mask: np.ndarray) -> tuple[float, float]:
        w_abs, w_rel = 0.0, 0.0
        for k in KINDS:
            x, y = a[k], b[k]
            ok = np.isfinite(x) & np.isfinite(y) & mask
            if ok.any():
                diff = np.abs(x[ok] - y[ok])
                w_abs = max(w_abs, float(diff.max()))
                w_rel = max(w_rel, float(np.max(diff / np.maximum(y[ok], 1.0))))
        return w_abs, w_rel

    w_abs, w_rel = worst(np.ones(len(a["lon"]), dtype=bool))
    text = f"{w_abs:.3g} m / {100 * w_rel:.2g} %"
    note = res.get("note", "")
    if note.startswith("one UTM zone: EPSG:"):
        zone = int(note.rsplit(":", 1)[1]) % 100
        central = -183.0 + 6.0 * zone
        _, z_rel = worst(np.abs(a["lon"] - central) <= 3.0)
        text += f" ({100 * z_rel:.2g} % in zone)"
    return text


def table(results: list[tuple[dict, dict | None]]) -> None:
    head = (
        f"{'method':<8} {'plots':>10} {'features':>9} {'vertices':>10} {'wall s':>8} "
        f"{'plots/s':>10} {'peak MB':>8} {'rows per kind (gas, el., water)':>34} "
        f"{'max diff vs zonegeo':>22}  note"
    )
    print(head)
    print("-" * len(head))
    for res, ref in results:
        rows = ", ".join(f"{res['rows'][k]:,}" for k in KINDS)
        print(
            f"{res['method']:<8} {res['plots']:>10,} {res['features']:>9,} "
            f"{res['vertices']:>10,} {res['wall_s']:>8.1f} "
            f"{res['plots'] / res['wall_s']:>10,.0f} {res['peak_mb']:>8,.0f} "
            f"{rows:>34} {compare(res, ref):>22}  {res.get('note', '')}"
            + (f" (CPU {res['cpu_s']:.1f} s)" if "cpu_s" in res else "")
        )
    runs = [r for r, _ in results]
    for z in runs:
        for f in runs:
            if (
                z["method"] == "zonegeo"
                and f["method"] == "floor"
                and (z["plots"], z["features"]) == (f["plots"], f["features"])
            ):
                print(
                    f"zonegeo / cKDTree floor at {z['plots']:,} plots, "
                    f"{z['features']:,} features: wall "
                    f"{z['wall_s'] / f['wall_s']:.2f}x, "
                    f"CPU {z['cpu_s'] / f['cpu_s']:.2f}x"
                )
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plots", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--points", type=int, default=100_000, help="points per kind")
    ap.add_argument("--lines", type=int, default=50, help="long lines per kind")
    ap.add_argument(
        "--vertex-m",
        type=float,
        default=500.0,
        help="metres between the vertices of the long lines (e.g. 50000 for GEM-like "
        "routes whose edges zonegeo splits along the geodesic)",
    )
    ap.add_argument(
        "--methods",
        nargs="+",
        default=["zonegeo", "floor", "dask", "sjoin"],
        choices=list(METHODS),
    )
    ap.add_argument(
        "--sjoin-plots",
        type=int,
        default=5_000,
        help="plots for sjoin_nearest when there are long lines",
    )
    ap.add_argument("--region", choices=list(REGIONS), default="south")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--check",
        type=int,
        default=20,
        help="plots checked by brute force after the zonegeo run (0: none)",
    )
    ap.add_argument(
        "--scaling",
        action="store_true",
        help="zonegeo only: time against plots and against features",
    )
    ap.add_argument("--worker", choices=list(METHODS), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); region "
        f"{args.region} {REGIONS[args.region]}; per kind {args.points:,} points + "
        f"{args.lines} lines of 200-600 km (vertex every {args.vertex_m:,.0f} m)\n"
    )
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if args.scaling:
            scaling(args, tmp)
            return
        results: list[tuple[dict, dict | None]] = []
        sizes = list(args.plots)
        if "sjoin" in args.methods and args.lines > 0:
            sizes = sorted({*sizes, args.sjoin_plots})
        for n in sizes:
            ref = None
            for method in args.methods:
                if method == "sjoin" and args.lines > 0 and n != args.sjoin_plots:
                    continue
                if method == "dask" and n == args.sjoin_plots and n not in args.plots:
                    continue
                res = run_one(method, n, args, tmp)
                if res is None:
                    continue
                if method == "zonegeo":
                    ref = res
                results.append((res, ref))
                print(
                    f"  done: {method} at {n:,} plots in {res['wall_s']:.1f} s",
                    file=sys.stderr,
                )
        table(results)


def scaling(args: argparse.Namespace, tmp: Path) -> None:
    """Time zonegeo against the number of plots, then of point features."""
    results = []
    lines = args.lines
    for n in (10_000, 100_000, 1_000_000):
        for method in ("zonegeo", "floor"):
            res = run_one(method, n, args, tmp)
            if res:
                results.append((res, None))
    base_points = args.points
    for pts in (10_000, 1_000_000):
        args.points = pts
        res = run_one("zonegeo", 100_000, args, tmp)
        if res:
            results.append((res, None))
    args.points = base_points
    for n_lines in (0, 200):
        args.lines = n_lines
        res = run_one("zonegeo", 100_000, args, tmp)
        if res:
            results.append((res, None))
    args.lines = lines
    table(results)


if __name__ == "__main__":
    main()
