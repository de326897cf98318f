"""Benchmark ``zonegeo distances`` end to end against the library call.

Writes synthetic plots to a GeoPackage and infrastructure to GeoParquet (the
generators of ``benchmarks/distances.py``, seeded), then, each in a fresh
subprocess:

* ``library``: read both files (not timed), then time
  :func:`zonegeo.infrastructure_distances` alone;
* ``cli``: ``python -m zonegeo -v distances plots.gpkg infra.parquet -o
  out.parquet`` timed from start to exit, with the split the command logs at
  ``-v`` (read / validate / measure / costs / write).

Run from the repository root::

    python benchmarks/cli_distances.py --plots 1000000
    python benchmarks/cli_distances.py --plots 100000 --lines 50

No figure is asserted; the results are recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _write_inputs(folder: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    """Write the plots GeoPackage and the infrastructure GeoParquet (once per size)."""
    import pyogrio
    from distances import make_infrastructure, make_plots

    tag = f"{args.plots}-{args.points}-{args.lines}-{args.seed}"
    plots_path = folder / f"plots-{tag}.gpkg"
    infra_path = folder / f"infra-{tag}.parquet"
    if not plots_path.exists():
        plots = make_plots(args.plots, seed=args.seed)
        tmp = plots_path.with_suffix(".tmp.gpkg")
        pyogrio.write_dataframe(plots, tmp, layer="plots", use_arrow=True)
        tmp.rename(plots_path)
    if not infra_path.exists():
        infra = make_infrastructure(args.points, args.lines, seed=args.seed + 1)
        infra.to_parquet(infra_path)
    return plots_path, infra_path


def _library(plots_path: str, infra_path: str) -> None:
    """Worker: read both files, warm up, time the library call; print JSON."""
    import geopandas as gpd
    import pyogrio

    import zonegeo

    plots = pyogrio.read_dataframe(plots_path, use_arrow=True)
    infra = gpd.read_parquet(infra_path)
    zonegeo.infrastructure_distances(
        plots.iloc[:10], infra.groupby("kind", group_keys=False).head(10)
    )
    t = time.perf_counter()
    cpu = time.process_time()
    zonegeo.infrastructure_distances(plots, infra)
    print(
        json.dumps(
            {
                "wall_s": time.perf_counter() - t,
                "cpu_s": time.process_time() - cpu,
                "peak_mb": _peak_mb(),
            }
        )
    )


_STAGE = re.compile(r"zonegeo: stage (.+?): ([0-9.]+) s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plots", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=100_000, help="points per kind")
    ap.add_argument("--lines", type=int, default=0, help="long lines per kind")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--workdir", type=Path, default=None, help="keep the input files here"
    )
    ap.add_argument("--library-worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.library_worker:
        _library(*args.library_worker)
        return
    with tempfile.TemporaryDirectory() as tmpdir:
        folder = args.workdir or Path(tmpdir)
        folder.mkdir(parents=True, exist_ok=True)
        plots_path, infra_path = _write_inputs(folder, args)
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": str(ROOT)}
        lib = subprocess.run(
            [
                sys.executable,
                __file__,
                "--library-worker",
                str(plots_path),
                str(infra_path),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        library = json.loads(lib.stdout.strip().splitlines()[-1])
        out = Path(tmpdir) / "out.parquet"
        cmd = [
            sys.executable,
            "-m",
            "zonegeo",
            "-v",
            "distances",
            str(plots_path),
            str(infra_path),
            "-o",
            str(out),
            "--no-progress",
        ]
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            sys.exit(proc.stderr[-3000:])
        stages = _STAGE.findall(proc.stderr)
    print(
        f"{args.plots:,} plots in a GeoPackage; {args.points:,} points + "
        f"{args.lines} lines per kind (3 kinds) in GeoParquet"
    )
    print(
        f"library call   {library['wall_s']:7.1f} s  (CPU {library['cpu_s']:.1f} s, "
        f"peak {library['peak_mb']:,.0f} MB)"
    )
    print(
        f"CLI end to end {wall:7.1f} s  = {wall / library['wall_s']:.2f} x the "
        f"library call"
    )
    logged = 0.0
    for name, sec in stages:
        logged += float(sec)
        print(f"  {name.replace(str(folder) + os.sep, ''):<50} {float(sec):6.2f} s")
    print(f"  {'start-up, imports, summary (the rest)':<50} {wall - logged:6.2f} s")


if __name__ == "__main__":
    main()
