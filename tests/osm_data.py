"""A small OpenStreetMap extract with one feature of every mapped tag.

The same objects are written as ``.osm`` XML (by hand, here) and as ``.osm.pbf``
(with pyosmium), so the reader is checked on both encodings.

Everything lies around Shornak (Sauran district) except what is placed outside
:data:`BOUNDARY` to check clipping.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from shapely.geometry import box

#: The clip polygon of the tests (lon/lat): 68.00-68.10 E, 43.30-43.40 N.
BOUNDARY = box(68.00, 43.30, 68.10, 43.40)

# node id -> (lon, lat, tags); ways and relations refer to node and way ids
NODES: dict[int, tuple[float, float, dict[str, str]]] = {
    1: (68.010, 43.310, {"power": "substation", "name": "Shornak 110 kV"}),
    2: (68.020, 43.310, {"power": "plant", "name": "Solar plant"}),
    3: (68.030, 43.310, {"pipeline": "substation", "name": "Gas station <GRS>"}),
    4: (68.040, 43.310, {"man_made": "water_tower"}),
    5: (68.050, 43.310, {"man_made": "water_well"}),
    6: (68.060, 43.310, {"man_made": "pumping_station"}),
    7: (68.070, 43.310, {"man_made": "pumping_station", "substance": "sewage"}),
    8: (68.080, 43.310, {"railway": "station", "name": "Shornak"}),
    9: (68.024, 43.395, {"place": "town", "name": "Шорнақ", "population": "4324"}),
    10: (68.050, 43.390, {"place": "village", "name": "Iassy", "population": "1 200"}),
    11: (68.060, 43.390, {"place": "hamlet", "name": "Tortkul"}),
    12: (68.500, 43.300, {"place": "city", "name": "Outside", "population": "9000"}),
    13: (68.070, 43.390, {"amenity": "cafe", "name": "Not mapped"}),
    14: (68.080, 43.390, {"place": "village", "name": "Bad population",
                          "population": "about 500"}),
}  # fmt: skip
# Untagged nodes for the ways: a row of vertices per way, numbered from 1000.
WAYS: dict[int, tuple[list[tuple[float, float]], dict[str, str]]] = {}


def _row(lat: float, lon0: float = 68.01, lon1: float = 68.09, n: int = 5):
    return [(float(x), lat) for x in np.linspace(lon0, lon1, n)]


def _ring(lon: float, lat: float, d: float = 0.002):
    return [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat)]


WAYS.update(
    {
        100: (_row(43.320), {"power": "line", "voltage": "110000;35000"}),
        101: (_row(43.322), {"power": "minor_line", "voltage": "10000"}),
        102: (_row(43.324), {"power": "cable"}),
        103: (_row(43.330), {"man_made": "pipeline", "substance": "gas",
                             "diameter": "530", "name": "Gas branch"}),
        104: (_row(43.332), {"man_made": "pipeline", "substance": "water"}),
        105: (_row(43.334), {"man_made": "pipeline", "substance": "oil"}),
        106: (_row(43.340), {"highway": "motorway"}),
        107: (_row(43.342), {"highway": "trunk"}),
        108: (_row(43.344), {"highway": "primary", "name": "A-2"}),
        109: (_row(43.346), {"highway": "secondary"}),
        110: (_row(43.348), {"highway": "tertiary"}),
        111: (_row(43.350), {"highway": "residential"}),
        112: (_row(43.360), {"railway": "rail", "name": "Arys-Kandyagash"}),
        # crosses the east edge of BOUNDARY at 68.10: cut there
        113: (_row(43.370, 68.05, 68.15, 11), {"highway": "primary", "name": "Cut"}),
        # areas (closed ways)
        120: (_ring(68.02, 43.380), {"power": "substation", "name": "Area substation"}),
        121: (_ring(68.04, 43.380), {"man_made": "water_works"}),
        122: (_ring(68.06, 43.380),
              {"man_made": "reservoir_covered", "capacity": "500"}),
        123: (_ring(68.08, 43.380, 0.004),
              {"place": "village", "name": "Area village"}),
        # untagged members of the relations below
        130: (_ring(68.02, 43.385), {}),
        131: (_row(43.388), {}),
    }
)  # fmt: skip
RELATIONS: dict[int, tuple[list[tuple[str, int, str]], dict[str, str]]] = {
    200: (
        [("w", 130, "outer")],
        {"type": "multipolygon", "power": "substation", "name": "Relation substation"},
    ),
    201: (
        [("w", 131, "")],
        {"type": "multilinestring", "man_made": "pipeline", "substance": "gas",
         "name": "Relation pipeline"},
    ),
}  # fmt: skip

#: What the reader must return inside BOUNDARY: infra_id -> (kind, subtype, type).
EXPECTED_INFRA = {
    "osm:node/1": ("electricity", "substation", "Point"),
    "osm:node/2": ("electricity", "plant", "Point"),
    "osm:node/3": ("gas", "substation", "Point"),
    "osm:node/4": ("water", "water_tower", "Point"),
    "osm:node/5": ("water", "water_well", "Point"),
    "osm:node/6": ("water", "pumping_station", "Point"),
    "osm:node/8": ("rail", "station", "Point"),
    "osm:way/100": ("electricity", "line", "LineString"),
    "osm:way/101": ("electricity", "minor_line", "LineString"),
    "osm:way/102": ("electricity", "cable", "LineString"),
    "osm:way/103": ("gas", "pipeline", "LineString"),
    "osm:way/104": ("water", "pipeline", "LineString"),
    "osm:way/106": ("road", "motorway", "LineString"),
    "osm:way/107": ("road", "trunk", "LineString"),
    "osm:way/108": ("road", "primary", "LineString"),
    "osm:way/109": ("road", "secondary", "LineString"),
    "osm:way/110": ("road", "tertiary", "LineString"),
    "osm:way/112": ("rail", "rail", "LineString"),
    "osm:way/113": ("road", "primary", "LineString"),
    "osm:way/120": ("electricity", "substation", "LineString"),
    "osm:way/121": ("water", "water_works", "LineString"),
    "osm:way/122": ("water", "reservoir_covered", "LineString"),
    "osm:relation/200": ("electricity", "substation", "LineString"),
    "osm:relation/201": ("gas", "pipeline", "LineString"),
}
#: Settlements inside BOUNDARY: name -> (population, place).
EXPECTED_SETTLEMENTS = {
    "Шорнақ": (4324.0, "town"),
    "Iassy": (1200.0, "village"),
    "Tortkul": (None, "hamlet"),
    "Bad population": (None, "village"),
    "Area village": (None, "village"),
}


def _way_nodes() -> tuple[dict[int, tuple[float, float]], dict[int, list[int]]]:
    """Node ids of every way (closed ways repeat their first node)."""
    coords: dict[int, tuple[float, float]] = {}
    refs: dict[int, list[int]] = {}
    nid = 1000
    for wid, (pts, _tags) in WAYS.items():
        ids = []
        for k, xy in enumerate(pts):
            if k == len(pts) - 1 and len(pts) > 2 and xy == pts[0]:
                ids.append(ids[0])
                continue
            coords[nid] = xy
            ids.append(nid)
            nid += 1
        refs[wid] = ids
    return coords, refs


def _tags_xml(tags: dict[str, str]) -> str:
    return "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())


def write_xml(path: Path) -> Path:
    """Write the extract as OSM XML (version 0.6)."""
    coords, refs = _way_nodes()
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="zonegeo tests">',
    ]
    for nid, (lon, lat, tags) in NODES.items():
        out.append(
            f'<node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">'
            f"{_tags_xml(tags)}</node>"
        )
    for nid, (lon, lat) in coords.items():
        out.append(f'<node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, (_pts, tags) in WAYS.items():
        nds = "".join(f'<nd ref="{r}"/>' for r in refs[wid])
        out.append(f'<way id="{wid}" version="1">{nds}{_tags_xml(tags)}</way>')
    for rid, (members, tags) in RELATIONS.items():
        mem = "".join(
            f'<member type="{"way" if t == "w" else "node"}" ref="{r}" role="{role}"/>'
            for t, r, role in members
        )
        out.append(
            f'<relation id="{rid}" version="1">{mem}{_tags_xml(tags)}</relation>'
        )
    out.append("</osm>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def write_pbf(path: Path) -> Path:
    """Write the extract as .osm.pbf with pyosmium (objects sorted by type and id)."""
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    coords, refs = _way_nodes()
    nodes = {nid: (lon, lat, tags) for nid, (lon, lat, tags) in NODES.items()}
    nodes.update({nid: (lon, lat, {}) for nid, (lon, lat) in coords.items()})
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for nid in sorted(nodes):
            lon, lat, tags = nodes[nid]
            writer.add_node(Node(id=nid, version=1, location=(lon, lat), tags=tags))
        for wid in sorted(WAYS):
            writer.add_way(Way(id=wid, version=1, nodes=refs[wid], tags=WAYS[wid][1]))
        for rid in sorted(RELATIONS):
            members, tags = RELATIONS[rid]
            writer.add_relation(Relation(id=rid, version=1, members=members, tags=tags))
    finally:
        writer.close()
    return path
