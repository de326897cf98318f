"""zonegeo's plot-to-infrastructure distances against its peers, in one run.

The same synthetic plots and infrastructure as ``benchmarks/distances.py``
(seeded) are measured, each method in a fresh subprocess so that its peak
memory (``VmHWM``) is its own:

* ``zonegeo``: :func:`zonegeo.infrastructure_distances` (exact, geodesic),
  followed by a brute-force check of ``--check`` sampled plots;
* ``floor``: a bare ``scipy.spatial.cKDTree`` query of the plot centroids
  (not exact: the least any method must do);
* ``sjoin``: ``to_crs(estimate_utm_crs())`` and ``geopandas.sjoin_nearest``
  per kind; ``sjoin_max`` the same with ``max_distance=--radius``;
* ``duckdb``: DuckDB spatial (the signed extension from the
  ``duckdb-extension-spatial`` wheel, loaded by path): plots and
  infrastructure loaded from WKB in one UTM zone, then per kind a spatial
  join on ``ST_DWithin(..., --radius)`` with ``arg_min`` of ``ST_Distance``,
  and the plots left without a feature joined again within 10 times the
  radius (load and query timed apart);
* ``postgis``: a throwaway PostgreSQL + PostGIS server (Debian binaries,
  unix socket, as ``tests/pg.py``); both layers loaded in EPSG:4326 with GiST
  indexes (load timed apart), then per kind a KNN ``ORDER BY i.geom <->
  p.geom LIMIT 1`` lateral join and ``ST_Distance(geography)``.

For each method: wall and CPU seconds (the CPU of the server for PostGIS is
not counted: it is another process), peak memory, and against zonegeo's
distances the largest difference, the share of plot-kinds more than
0.1 % + 1 m farther than zonegeo's (a farther feature, or a planar
distance) and the share nearer (which would be a zonegeo error, as zonegeo
returns the geodesic minimum).

Run from the repository root (``pip install -e .[bench]`` for DuckDB)::

    python benchmarks/peers.py --plots 1000000
    python benchmarks/peers.py --plots 100000 --lines 100
    python benchmarks/peers.py --plots 100000 --methods zonegeo floor duckdb

No figure is asserted; the results are recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from distances import (  # noqa: E402
    KINDS,
    _peak_mb,
    _run_floor,
    _run_sjoin,
    _run_zonegeo,
    make_infrastructure,
    make_plots,
)

# --------------------------------------------------------------------------- peers


def _run_sjoin_max(plots, infra, args) -> dict:
    import geopandas as gpd

    t = time.perf_counter()
    cpu = time.process_time()
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
            max_distance=args.radius,
        )
        rows[k] = len(joined)
        first = joined[~joined.index.duplicated(keep="first")]
        dist[k] = first["d"].reindex(p.index).to_numpy()
    return {
        "wall_s": time.perf_counter() - t,
        "cpu_s": time.process_time() - cpu,
        "rows": rows,
        "dist": dist,
        "peak_mb": _peak_mb(),
        "note": f"max_distance={args.radius:g} m, one UTM zone EPSG:{utm.to_epsg()}",
    }


def _run_sjoin_timed(plots, infra, args) -> dict:
    cpu = time.process_time()
    res = _run_sjoin(plots, infra, args)
    res["cpu_s"] = time.process_time() - cpu
    return res


def _duckdb_connect():
    import duckdb
    import duckdb_extension_spatial

    con = duckdb.connect()
    found = glob.glob(
        os.path.join(
            os.path.dirname(duckdb_extension_spatial.__file__),
            "extensions",
            f"v{duckdb.__version__}",
            "spatial.duckdb_extension",
        )
    )
    if not found:
        msg = f"no spatial extension for DuckDB {duckdb.__version__} in the wheel"
        raise RuntimeError(msg)
    con.execute(f"LOAD '{found[0]}'")
    return con


def _run_duckdb(plots, infra, args) -> dict:
    import pyarrow as pa

    t = time.perf_counter()
    cpu = time.process_time()
    utm = plots.estimate_utm_crs()
    p = plots.to_crs(utm)
    f = infra.to_crs(utm)
    con = _duckdb_connect()
    con.execute(f"SET threads = {os.cpu_count() or 1}")
    plots_tab = pa.table(  # noqa: F841 (read by DuckDB by name)
        {
            "pid": np.arange(len(p)),
            "wkb": shapely.to_wkb(p.geometry.values),
        }
    )
    infra_tab = pa.table(  # noqa: F841
        {
            "fid": np.arange(len(f)),
            "kind": f["kind"].astype(str).to_numpy(),
            "wkb": shapely.to_wkb(f.geometry.values),
        }
    )
    con.execute(
        "CREATE TABLE plots AS SELECT pid, ST_GeomFromWKB(wkb) AS geom FROM plots_tab"
    )
    con.execute(
        "CREATE TABLE infra AS "
        "SELECT fid, kind, ST_GeomFromWKB(wkb) AS geom FROM infra_tab"
    )
    load = time.perf_counter() - t
    dist, rows = {}, {}
    for k in KINDS:
        d = np.full(len(p), np.nan)
        todo = "SELECT pid, geom FROM plots"
        for radius in (args.radius, args.radius * 10):
            res = con.execute(
                f"""
                WITH p AS ({todo}), i AS (SELECT * FROM infra WHERE kind = ?)
                SELECT p.pid, arg_min(i.fid, ST_Distance(p.geom, i.geom)) AS fid,
                       min(ST_Distance(p.geom, i.geom)) AS d
                FROM p JOIN i ON ST_DWithin(p.geom, i.geom, {radius})
                GROUP BY p.pid
                """,
                [k],
            ).fetchnumpy()
            d[res["pid"]] = res["d"]
            missing = np.flatnonzero(np.isnan(d))
            if missing.size == 0:
                break
            con.register("missing_ids", pa.table({"pid": missing}))
            todo = (
                "SELECT pid, geom FROM plots WHERE pid IN (SELECT pid FROM missing_ids)"
            )
        dist[k] = d
        rows[k] = int(np.isfinite(d).sum())
    wall = time.perf_counter() - t
    return {
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu,
        "rows": rows,
        "dist": dist,
        "peak_mb": _peak_mb(),
        "note": f"load {load:.1f} s, query {wall - load:.1f} s; ST_DWithin "
        f"{args.radius:g} m then {10 * args.radius:g} m; one UTM zone "
        f"EPSG:{utm.to_epsg()}",
    }


@contextlib.contextmanager
def postgis_server() -> Iterator[dict[str, str]]:
    """Start a throwaway PostgreSQL + PostGIS on a unix socket (as tests/pg.py)."""
    import psycopg

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        msg = "no PostgreSQL binaries; run: bash .ci/postgis.sh"
        raise RuntimeError(msg)
    bindir = Path(found[-1]).parent
    as_user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="zg-peers-", dir="/tmp"))
    if as_user is not None:
        pw = pwd.getpwnam(as_user)
        os.chown(base, pw.pw_uid, pw.pw_gid)

    def run(cmd: list[str]) -> None:
        if as_user is not None:
            cmd = ["runuser", "-u", as_user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    data = base / "data"
    started = False
    try:
        run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        opts = (
            f"-c listen_addresses='' -k {base} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c shared_buffers=512MB -c work_mem=256MB -c maintenance_work_mem=1GB"
        )
        run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "log"),
                "-o",
                opts,
                "-w",
                "start",
            ]
        )
        started = True
        info = {"host": str(base), "user": "postgres", "dbname": "postgres"}
        with psycopg.connect(autocommit=True, **info) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield info
    finally:
        if started:
            run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def _run_postgis(plots, infra, _args) -> dict:
    import psycopg

    with postgis_server() as info, psycopg.connect(autocommit=True, **info) as conn:
        t = time.perf_counter()
        cpu = time.process_time()
        p4326, f4326 = plots.to_crs(4326), infra.to_crs(4326)
        conn.execute("CREATE TABLE plots (pid bigint, geom geometry(Polygon, 4326))")
        conn.execute(
            "CREATE TABLE infra (fid bigint, kind text, geom geometry(Geometry, 4326))"
        )
        with conn.cursor() as cur:
            with cur.copy("COPY plots (pid, geom) FROM STDIN") as copy:
                wkb = shapely.to_wkb(
                    shapely.set_srid(p4326.geometry.values, 4326),
                    hex=True,
                    include_srid=True,
                )
                for i, w in enumerate(wkb):
                    copy.write_row((i, w))
            with cur.copy("COPY infra (fid, kind, geom) FROM STDIN") as copy:
                kinds = f4326["kind"].astype(str).to_numpy()
                wkb = shapely.to_wkb(
                    shapely.set_srid(f4326.geometry.values, 4326),
                    hex=True,
                    include_srid=True,
                )
                for i, (k, w) in enumerate(zip(kinds, wkb, strict=True)):
                    copy.write_row((i, k, w))
        conn.execute("CREATE INDEX ON infra USING gist (geom)")
        conn.execute("ANALYZE plots")
        conn.execute("ANALYZE infra")
        load = time.perf_counter() - t
        dist, rows = {}, {}
        for k in KINDS:
            got = conn.execute(
                """
                SELECT p.pid, ST_Distance(p.geom::geography, n.geom::geography)
                FROM plots p CROSS JOIN LATERAL (
                    SELECT i.geom FROM infra i WHERE i.kind = %s
                    ORDER BY i.geom <-> p.geom LIMIT 1) n
                """,
                [k],
            ).fetchall()
            a = np.array(got, dtype="float64").reshape(-1, 2)
            d = np.full(len(plots), np.nan)
            d[a[:, 0].astype("int64")] = a[:, 1]
            dist[k] = d
            rows[k] = len(got)
        wall = time.perf_counter() - t
    return {
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu,
        "rows": rows,
        "dist": dist,
        "peak_mb": _peak_mb(),
        "note": f"load {load:.1f} s, query {wall - load:.1f} s; KNN <-> on EPSG:4326, "
        f"ST_Distance(geography); client CPU only",
    }


METHODS = {
    "zonegeo": _run_zonegeo,
    "floor": _run_floor,
    "sjoin": _run_sjoin_timed,
    "sjoin_max": _run_sjoin_max,
    "duckdb": _run_duckdb,
    "postgis": _run_postgis,
}


# --------------------------------------------------------------------------- driver


def worker(args: argparse.Namespace) -> None:
    plots = make_plots(args.plots, seed=args.seed)
    infra = make_infrastructure(args.points, args.lines, seed=args.seed + 1)
    res = METHODS[args.worker](plots, infra, args)
    np.savez(args.save, **res.pop("dist"))
    res["method"] = args.worker
    print(json.dumps(res))


def _compare(path: str, ref: str) -> str:
    a, b = np.load(path), np.load(ref)
    worst, farther, nearer, total = 0.0, 0, 0, 0
    for k in KINDS:
        x, y = a[k], b[k]
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            worst = max(worst, float(np.abs(x[ok] - y[ok]).max()))
        tol = 0.001 * y[ok] + 1.0
        farther += int((x[ok] > y[ok] + tol).sum())
        nearer += int((x[ok] < y[ok] - tol).sum())
        total += int(ok.sum())
    total = max(total, 1)
    return (
        f"{worst:9.1f} m {100 * farther / total:7.2f} % {100 * nearer / total:6.2f} %"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plots", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=100_000, help="points per kind")
    ap.add_argument("--lines", type=int, default=0, help="long lines per kind")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--radius", type=float, default=5_000.0, help="metres")
    ap.add_argument(
        "--check", type=int, default=20, help="plots checked by brute force"
    )
    ap.add_argument(
        "--methods", nargs="+", default=list(METHODS), choices=list(METHODS)
    )
    ap.add_argument("--worker", choices=list(METHODS), help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    print(
        f"{args.plots:,} plots x 3 kinds x ({args.points:,} points + {args.lines} "
        f"lines of 200-600 km); {os.cpu_count()} CPU(s)"
    )
    head = (
        f"{'method':<10} {'wall s':>7} {'CPU s':>7} {'peak MB':>8} {'x floor':>8} "
        f"{'max diff':>11} {'farther':>9} {'nearer':>8}  note"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for method in ["zonegeo", *[m for m in args.methods if m != "zonegeo"]]:
            save = str(Path(tmp) / f"{method}.npz")
            cmd = [
                sys.executable,
                __file__,
                "--worker",
                method,
                "--save",
                save,
                *(
                    f"--{k}={v}"
                    for k, v in vars(args).items()
                    if k in {"plots", "points", "lines", "seed", "radius", "check"}
                ),
            ]
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            if proc.returncode != 0:
                print(f"  {method} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            res["save"] = save
            results.append(res)
            print(f"  done: {method} in {res['wall_s']:.1f} s", file=sys.stderr)
        ref = next((r for r in results if r["method"] == "zonegeo"), None)
        floor = next((r for r in results if r["method"] == "floor"), None)
        print(head)
        print("-" * len(head))
        for r in results:
            ratio = f"{r['wall_s'] / floor['wall_s']:7.2f}x" if floor else "       -"
            diff = (
                _compare(r["save"], ref["save"])
                if ref is not None and r is not ref
                else f"{'-':>11} {'-':>9} {'-':>8}"
            )
            print(
                f"{r['method']:<10} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} "
                f"{r['peak_mb']:8,.0f} {ratio} {diff}  {r.get('note', '')}"
            )


if __name__ == "__main__":
    main()
