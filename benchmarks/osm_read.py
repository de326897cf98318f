"""Time zonegeo.read_osm on a generated OpenStreetMap extract (.osm.pbf).

    python benchmarks/osm_read.py                   # about one million nodes
    python benchmarks/osm_read.py --nodes 200000 --keep /tmp/extract.osm.pbf

The extract is written with pyosmium (seeded): ways of 100 nodes on a grid over
Turkistan region (66.5-71 E, 40.5-45.5 N), tagged in turn as a highway
(primary, secondary, tertiary, residential), a power line, a gas or water
pipeline or a railway; one way in ten carries no tag at all (it stays out of
every layer). Every hundredth node is a tagged point (place=village with a
population, power=substation, man_made=water_well, railway=station), the rest are
way vertices. The read runs in a subprocess after the file is written, so the
page cache holds the file; the figure is wall time and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WAY_LEN = 100
WAY_TAGS = (
    {"highway": "primary"},
    {"highway": "secondary"},
    {"highway": "tertiary"},
    {"highway": "residential"},
    {"power": "line", "voltage": "110000"},
    {"man_made": "pipeline", "substance": "gas", "diameter": "530"},
    {"man_made": "pipeline", "substance": "water"},
    {"railway": "rail"},
    {"power": "minor_line"},
    {},
)
POINT_TAGS = (
    {"place": "village", "name": "Village", "population": "1200"},
    {"power": "substation"},
    {"man_made": "water_well"},
    {"railway": "station", "name": "Station"},
)


def write_extract(path: Path, n_nodes: int, seed: int = 0) -> dict[str, int]:
    """Write a synthetic .osm.pbf of about ``n_nodes`` nodes; return its counts."""
    import osmium
    from osmium.osm.mutable import Node, Way

    rng = np.random.default_rng(seed)
    n_ways = n_nodes // (WAY_LEN + 1)
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    nid = 1
    ways = []
    points = 0
    try:
        for w in range(n_ways):
            x0, y0 = rng.uniform(66.5, 71.0), rng.uniform(40.5, 45.5)
            step = rng.normal(0, 0.002, (WAY_LEN, 2)).cumsum(axis=0)
            ids = []
            for k in range(WAY_LEN):
                writer.add_node(
                    Node(id=nid, location=(x0 + step[k, 0], y0 + step[k, 1]))
                )
                ids.append(nid)
                nid += 1
            tags = POINT_TAGS[w % len(POINT_TAGS)]
            writer.add_node(Node(id=nid, location=(x0, y0), tags=tags))
            nid += 1
            points += 1
            ways.append((w + 1, ids, WAY_TAGS[w % len(WAY_TAGS)]))
        for wid, ids, tags in ways:
            writer.add_way(Way(id=wid, nodes=ids, tags=tags))
    finally:
        writer.close()
    return {"nodes": nid - 1, "ways": n_ways, "tagged_points": points}


def _child(path: str) -> None:
    import zonegeo

    start = time.perf_counter()
    layers = zonegeo.read_osm(path)
    seconds = time.perf_counter() - start
    peak = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "infrastructure": len(layers["infrastructure"]),
                "settlements": len(layers["settlements"]),
                "counts": layers["infrastructure"].attrs["counts"],
            }
        )
    )


def _child_pyosmium(path: str) -> None:
    """The alternative: pyosmium, mapped ways and nodes to shapely (no areas)."""
    import osmium
    import shapely

    from zonegeo.io.osm import OSM_TAGS

    keys = {t.key: set(t.values) for t in OSM_TAGS}
    start = time.perf_counter()
    lines, points = [], []
    fp = osmium.FileProcessor(path).with_locations()
    for obj in fp:
        tags = obj.tags
        if not any(tags.get(k) in v for k, v in keys.items()):
            continue
        if obj.is_node():
            points.append(shapely.Point(obj.location.lon, obj.location.lat))
        elif obj.is_way():
            lines.append(shapely.LineString([(n.lon, n.lat) for n in obj.nodes]))
    seconds = time.perf_counter() - start
    peak = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    print(
        json.dumps(
            {"seconds": seconds, "peak_mb": peak, "features": len(lines) + len(points)}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the extract here")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child-pyosmium", default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--pyosmium", action="store_true", help="also time a pyosmium reader"
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    if args.child_pyosmium:
        _child_pyosmium(args.child_pyosmium)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "extract.osm.pbf"
        start = time.perf_counter()
        counts = write_extract(path, args.nodes)
        wrote = time.perf_counter() - start
        size = path.stat().st_size / 1e6
        print(
            f"extract: {counts['nodes']:,} nodes, {counts['ways']:,} ways, "
            f"{size:.1f} MB .osm.pbf (written in {wrote:.1f} s)"
        )
        env = dict(os.environ)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        rate = counts["nodes"] / result["seconds"]
        print(
            f"read_osm: {result['seconds']:.1f} s ({rate:,.0f} nodes/s), peak "
            f"{result['peak_mb']:,} MB; {result['infrastructure']:,} infrastructure "
            f"features {result['counts']}"
        )
        if args.pyosmium:
            proc = subprocess.run(
                [sys.executable, __file__, "--child-pyosmium", str(path)],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            alt = json.loads(proc.stdout.strip().splitlines()[-1])
            print(
                f"pyosmium (tags filtered, points and lines only, no areas or "
                f"relations): {alt['seconds']:.1f} s, peak {alt['peak_mb']:,} MB; "
                f"{alt['features']:,} features"
            )


if __name__ == "__main__":
    main()
