"""Travel by road: a road graph, road distance and time, labour within reach.

:func:`road_network` turns road lines (zonegeo infrastructure of kind ``road``,
e.g. from ``zonegeo osm``) into an undirected graph: nodes at shared vertices
(roads that cross without a shared vertex, such as a bridge, do not connect),
edge lengths geodesic on WGS 84, and a speed per road class (OSM ``highway`` in
``subtype``). :func:`network_access` adds the road distance and time from each
site to the nearest target; :func:`labour_within` adds the population of the
settlements within a number of minutes.

How a site joins the network
----------------------------
A site (polygon or point) joins the road nearest to it at the nearest point of
that road (splitting the road there), and the leg from the site to that point
is counted at ``offroad_speed_kmh`` (default :data:`OFFROAD_SPEED_KMH`, 20 km/h:
a dirt track). Targets join the same way. A site farther than
``max_offroad_m`` from any road, or whose road does not connect to a target, is
unreachable: NaN with the reason in ``road_note_<name>``, never 0.

Roads are taken as two-way (``oneway`` is ignored) and speeds as free-flow.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from zonegeo.crs import metric_crs
from zonegeo.errors import CRSError, SchemaError, ValidationError
from zonegeo.messages import describe_rows

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "OFFROAD_SPEED_KMH",
    "RoadNetwork",
    "labour_within",
    "network_access",
    "road_network",
]

log = logging.getLogger(__name__)

#: Free-flow speed by OSM ``highway`` class, km/h. ``*_link`` ramps take their
#: road's speed. Override any of them with ``road_network(speeds=...)``.
DEFAULT_SPEEDS_KMH: MappingProxyType[str, float] = MappingProxyType(
    {
        "motorway": 90.0,
        "trunk": 80.0,
        "primary": 70.0,
        "secondary": 60.0,
        "tertiary": 50.0,
        "unclassified": 40.0,
        "road": 40.0,
        "residential": 30.0,
        "service": 20.0,
        "track": 15.0,
        "living_street": 10.0,
    }
)
#: Speed of the leg between a site (or target) and the nearest road, km/h.
OFFROAD_SPEED_KMH = 20.0
#: A site or target farther than this from every road is not joined to it.
MAX_OFFROAD_M = 5_000.0
_EPS = 1e-9  # csgraph drops zero weights: a zero-length edge weighs this
_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class RoadNetwork:
    """A routable road graph (build it with :func:`road_network`).

    Attributes
    ----------
    crs : pyproj.CRS
        The metric (UTM) CRS in which sites are joined to roads.
    nodes : ndarray, shape (n, 2)
        Node coordinates in ``crs``.
    u, v : ndarray of int
        Edge end nodes; every edge is one straight segment of a road line.
    length_m : ndarray of float
        Geodesic edge length, metres.
    speed_kmh : ndarray of float
        Edge speed, km/h.
    road_class : ndarray of str
        OSM highway class of each edge.
    speeds_kmh : mapping
        The speed table used.
    """

    crs: pyproj.CRS
    nodes: np.ndarray = field(repr=False)
    u: np.ndarray = field(repr=False)
    v: np.ndarray = field(repr=False)
    length_m: np.ndarray = field(repr=False)
    speed_kmh: np.ndarray = field(repr=False)
    road_class: np.ndarray = field(repr=False)
    speeds_kmh: Mapping[str, float] = field(default_factory=dict)
    _tree: shapely.STRtree | None = field(default=None, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(len(self.nodes))

    @property
    def n_edges(self) -> int:
        """Number of edges (straight segments)."""
        return int(len(self.u))

    def segments(self) -> np.ndarray:
        """Edge segments as shapely LineStrings in :attr:`crs`."""
        coords = np.stack([self.nodes[self.u], self.nodes[self.v]], axis=1)
        return shapely.linestrings(coords)

    def tree(self) -> shapely.STRtree:
        """Return a spatial index of :meth:`segments`."""
        if self._tree is None:
            object.__setattr__(self, "_tree", shapely.STRtree(self.segments()))
        assert self._tree is not None
        return self._tree


def _speed_table(speeds: Mapping[str, float] | None) -> dict[str, float]:
    table = dict(DEFAULT_SPEEDS_KMH)
    for k, val in (speeds or {}).items():
        if not isinstance(val, (int, float)) or not (0 < float(val) <= 200):
            msg = f"speed of {k!r} must be a number of km/h in (0, 200], got {val!r}"
            raise ValidationError(msg)
        table[str(k)] = float(val)
    return table


def _class_speed(classes: pd.Series, table: Mapping[str, float]) -> np.ndarray:
    base = classes.astype("string").str.removesuffix("_link")
    speed = base.map(lambda c: table.get(c, np.nan) if isinstance(c, str) else np.nan)
    return speed.to_numpy(dtype=float, na_value=np.nan)


def road_network(
    roads: gpd.GeoDataFrame,
    *,
    speeds: Mapping[str, float] | None = None,
    class_column: str = "subtype",
) -> RoadNetwork:
    """Build a routable graph from road lines.

    Parameters
    ----------
    roads : GeoDataFrame
        Road lines (LineString or MultiLineString) in any CRS. When it has a
        ``kind`` column (zonegeo infrastructure) only rows of kind ``road`` are
        used.
    speeds : mapping, optional
        km/h by road class, overriding :data:`DEFAULT_SPEEDS_KMH` (motorway 90,
        trunk 80, primary 70, secondary 60, tertiary 50, ...).
    class_column : str, default "subtype"
        Column holding the OSM ``highway`` class.

    Returns
    -------
    RoadNetwork

    Raises
    ------
    CRSError
        If the roads have no CRS.
    SchemaError
        If a road class has no speed (naming the class and rows; pass it in
        ``speeds``), or there is no road line.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame({"kind": ["road"], "subtype": ["primary"]},
    ...     geometry=[shapely.LineString([(68, 43), (68, 43.01), (68.01, 43.01)])],
    ...     crs=4326)
    >>> net = road_network(roads)
    >>> net.n_nodes, net.n_edges, round(float(net.length_m.sum()))
    (3, 2, 1926)
    """
    if not isinstance(roads, gpd.GeoDataFrame):
        msg = f"roads must be a GeoDataFrame, got {type(roads).__name__}"
        raise TypeError(msg)
    if roads.crs is None:
        msg = "roads have no CRS. Fix: set it with roads.set_crs(...)"
        raise CRSError(msg)
    if "kind" in roads.columns:
        roads = roads[roads["kind"] == "road"]
    geoms = roads.geometry
    keep = geoms.notna().to_numpy() & ~geoms.is_empty.to_numpy()
    keep &= geoms.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    roads = roads[keep]
    if not len(roads):
        msg = (
            "no road line to build a network from (kind 'road', LineString). "
            "Fix: read roads with zonegeo osm or read_infrastructure"
        )
        raise SchemaError(msg)
    table = _speed_table(speeds)
    if class_column in roads.columns:
        speed = _class_speed(roads[class_column], table)
    else:
        speed = np.full(len(roads), np.nan)
    bad = np.isnan(speed)
    if bad.any():
        classes = (
            roads[class_column].astype("string").fillna("<none>")
            if class_column in roads.columns
            else pd.Series("<none>", index=roads.index)
        )
        found = sorted(set(classes[bad]))
        id_col = "infra_id" if "infra_id" in roads.columns else None
        ids = (roads[id_col] if id_col else roads.index.to_series())[bad].tolist()
        msg = (
            f"{int(bad.sum())} road(s) have a class with no speed: {found} in "
            f"{describe_rows(ids, id_column=id_col)}; known classes: "
            f"{', '.join(table)}. Fix: pass speeds={{'{found[0]}': 40}} "
            f"(km/h) or set {class_column!r}"
        )
        raise SchemaError(msg)
    lonlat = roads.geometry.to_crs(4326)
    crs = metric_crs(roads)
    parts = lonlat.explode(index_parts=False)
    part_speed = pd.Series(speed, index=np.arange(len(roads)))
    part_speed = part_speed.iloc[
        np.repeat(np.arange(len(roads)), lonlat.count_geometries().to_numpy())
    ].to_numpy()
    part_class = np.repeat(
        roads[class_column].astype(str).to_numpy()
        if class_column in roads.columns
        else np.array([""] * len(roads)),
        lonlat.count_geometries().to_numpy(),
    )
    coords, line_idx = shapely.get_coordinates(parts.to_numpy(), return_index=True)
    # vertices -> nodes: identical coordinates (to 1e-7 deg, about 1 cm) are one node
    key = np.round(coords, 7)
    uniq, node_of = np.unique(key, axis=0, return_inverse=True)
    node_of = node_of.ravel()
    same_line = line_idx[1:] == line_idx[:-1]
    u = node_of[:-1][same_line]
    v = node_of[1:][same_line]
    seg_line = line_idx[:-1][same_line]
    a = coords[:-1][same_line]
    b = coords[1:][same_line]
    _, _, length = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    keep_e = u != v
    to_m = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    nx, ny = to_m.transform(uniq[:, 0], uniq[:, 1])
    net = RoadNetwork(
        crs=crs,
        nodes=np.column_stack([nx, ny]),
        u=u[keep_e],
        v=v[keep_e],
        length_m=np.asarray(length, float)[keep_e],
        speed_kmh=part_speed[seg_line][keep_e],
        road_class=part_class[seg_line][keep_e],
        speeds_kmh=MappingProxyType(table),
    )
    log.info(
        "road network: %d nodes, %d edges, %.1f km in %s",
        net.n_nodes,
        net.n_edges,
        net.length_m.sum() / 1000,
        crs.name,
    )
    return net


def _join(
    geoms: np.ndarray, net: RoadNetwork, max_offroad_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest edge, position along it (0-1) and off-road distance of each geometry."""
    n = len(geoms)
    edge = np.full(n, -1)
    t = np.zeros(n)
    dist = np.full(n, np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any() or net.n_edges == 0:
        return edge, t, dist
    idx = np.flatnonzero(ok)
    (gi, ei), d = net.tree().query_nearest(
        geoms[idx], max_distance=max_offroad_m, return_distance=True, all_matches=False
    )
    seg = net.segments()[ei]
    near = shapely.get_point(shapely.shortest_line(geoms[idx][gi], seg), 1)
    edge[idx[gi]] = ei
    t[idx[gi]] = shapely.line_locate_point(seg, near, normalized=True)
    dist[idx[gi]] = d
    return edge, t, dist


def _split_graph(
    net: RoadNetwork, groups: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], int]:
    """Split edges at the join points; return edges (u, v, length, speed)."""
    edge = np.concatenate([g[0] for g in groups]) if groups else np.empty(0, int)
    t = np.concatenate([g[1] for g in groups]) if groups else np.empty(0)
    joined = edge >= 0
    n0 = net.n_nodes
    new_node = np.full(len(edge), -1)
    new_node[joined] = n0 + np.arange(int(joined.sum()))
    # chains: for each split edge, u -> p1 -> p2 ... -> v sorted by t
    je, jt, jn = edge[joined], t[joined], new_node[joined]
    order = np.lexsort((jt, je))
    je, jt, jn = je[order], jt[order], jn[order]
    split = np.zeros(net.n_edges, bool)
    split[je] = True
    keep = ~split
    us, vs, ls, ss = (
        [net.u[keep]],
        [net.v[keep]],
        [net.length_m[keep]],
        [net.speed_kmh[keep]],
    )
    if len(je):
        first = np.r_[True, je[1:] != je[:-1]]
        last = np.r_[je[1:] != je[:-1], True]
        # start of chain: u -> first point
        us.append(net.u[je[first]])
        vs.append(jn[first])
        ls.append(net.length_m[je[first]] * jt[first])
        ss.append(net.speed_kmh[je[first]])
        # between consecutive points on the same edge
        mid = ~last
        us.append(jn[:-1][mid[:-1]])
        vs.append(jn[1:][mid[:-1]])
        ls.append(net.length_m[je[:-1][mid[:-1]]] * (jt[1:] - jt[:-1])[mid[:-1]])
        ss.append(net.speed_kmh[je[:-1][mid[:-1]]])
        # last point -> v
        us.append(jn[last])
        vs.append(net.v[je[last]])
        ls.append(net.length_m[je[last]] * (1.0 - jt[last]))
        ss.append(net.speed_kmh[je[last]])
    sizes = [len(g[0]) for g in groups]
    nodes_by_group = np.split(new_node, np.cumsum(sizes)[:-1]) if groups else []
    return (
        np.concatenate(us),
        np.concatenate(vs),
        np.concatenate(ls),
        np.concatenate(ss),
        nodes_by_group,
        n0 + int(joined.sum()),
    )


def _matrix(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sparse.csr_array:
    """Sparse graph; of parallel edges (two roads on the same vertices) the least."""
    frame = pd.DataFrame({"u": u, "v": v, "w": np.maximum(w, _EPS)})
    frame = frame.groupby(["u", "v"], sort=False)["w"].min().reset_index()
    coo = sparse.coo_array(
        (frame["w"].to_numpy(), (frame["u"].to_numpy(), frame["v"].to_numpy())),
        shape=(n, n),
    )
    return coo.tocsr()


def _geoms_in(frame: gpd.GeoDataFrame, crs: pyproj.CRS, what: str) -> np.ndarray:
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = f"{what} must be a GeoDataFrame, got {type(frame).__name__}"
        raise TypeError(msg)
    if frame.crs is None:
        msg = f"{what} have no CRS. Fix: set it with .set_crs(...)"
        raise CRSError(msg)
    return frame.geometry.to_crs(crs).to_numpy()


def _check_speed(offroad_speed_kmh: float, max_offroad_m: float) -> None:
    if not (isinstance(offroad_speed_kmh, (int, float)) and offroad_speed_kmh > 0):
        msg = f"offroad_speed_kmh must be a positive number, got {offroad_speed_kmh!r}"
        raise ValidationError(msg)
    if not (isinstance(max_offroad_m, (int, float)) and max_offroad_m >= 0):
        msg = f"max_offroad_m must be a number >= 0, got {max_offroad_m!r}"
        raise ValidationError(msg)


def _target_labels(targets: gpd.GeoDataFrame) -> np.ndarray:
    for col in ("name", "infra_id", "candidate_id", "plot_id"):
        if col in targets.columns:
            return targets[col].astype("string").fillna("").to_numpy(dtype=object)
    return targets.index.astype(str).to_numpy(dtype=object)


def network_access(
    sites: gpd.GeoDataFrame,
    network: RoadNetwork,
    targets: gpd.GeoDataFrame,
    *,
    name: str,
    offroad_speed_kmh: float = OFFROAD_SPEED_KMH,
    max_offroad_m: float = MAX_OFFROAD_M,
) -> gpd.GeoDataFrame:
    """Road distance and travel time from each site to the nearest target.

    Parameters
    ----------
    sites : GeoDataFrame
        Site polygons or points, any CRS.
    network : RoadNetwork
        From :func:`road_network`.
    targets : GeoDataFrame
        What to reach (settlements, rail stations, substations...), any CRS.
    name : str
        Names the columns, e.g. ``"town"`` -> ``road_dist_town_m``.
    offroad_speed_kmh : float, default 20
        Speed of the legs between a site or target and its nearest road.
    max_offroad_m : float, default 5000
        A site or target farther than this from every road is not joined.

    Returns
    -------
    GeoDataFrame
        A copy of ``sites`` (index, order, CRS kept) plus
        ``road_dist_<name>_m`` (shortest road distance, metres, off-road legs
        included), ``road_time_<name>_min`` (fastest travel time, minutes; it
        may follow another route than the shortest distance),
        ``road_nearest_<name>`` (the target reached fastest, by its ``name``
        or index) and ``road_note_<name>`` (why a site is NaN; empty when
        reachable).

    Raises
    ------
    CRSError
        If sites or targets have no CRS.
    ValidationError
        For a bad option, or when no target lies within ``max_offroad_m`` of a
        road.

    Notes
    -----
    One multi-source Dijkstra run (``scipy.sparse.csgraph.dijkstra`` with
    ``min_only=True``) per measure over the graph split at the join points:
    the cost does not grow with one search per site.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> roads = gpd.GeoDataFrame({"subtype": ["secondary"]}, crs=32642,
    ...     geometry=[shapely.LineString([(500000, 4760000), (510000, 4760000)])])
    >>> net = road_network(roads)
    >>> town = gpd.GeoDataFrame({"name": ["A"]}, crs=32642,
    ...     geometry=[shapely.Point(510000, 4760000)])
    >>> site = gpd.GeoDataFrame(geometry=[shapely.Point(500000, 4760100)], crs=32642)
    >>> out = network_access(site, net, town, name="town")
    >>> round(float(out["road_dist_town_m"].iloc[0]), -1)
    10100.0
    """
    if not isinstance(name, str) or not name.isidentifier():
        msg = f"name must be a short identifier such as 'town', got {name!r}"
        raise ValidationError(msg)
    _check_speed(offroad_speed_kmh, max_offroad_m)
    sg = _geoms_in(sites, network.crs, "sites")
    tg = _geoms_in(targets, network.crs, "targets")
    se, st, sd = _join(sg, network, max_offroad_m)
    te, tt, td = _join(tg, network, max_offroad_m)
    if not (te >= 0).any():
        msg = (
            f"none of the {len(targets)} {name} target(s) lies within "
            f"{max_offroad_m:g} m of a road. Fix: check the CRS of both layers, "
            f"or raise max_offroad_m"
        )
        raise ValidationError(msg)
    u, v, length, speed, (snode, tnode), n = _split_graph(network, [(se, st), (te, tt)])
    # one virtual source node per joined target, its off-road leg as the edge
    tj = np.flatnonzero(te >= 0)
    src = n + np.arange(len(tj))
    n_all = n + len(tj)
    off_kmh = float(offroad_speed_kmh)
    out = sites.copy()
    results: dict[str, np.ndarray] = {}
    for measure, w, w_off in (
        ("dist", length, td[tj]),
        ("time", length / 1000.0 / speed * 60.0, td[tj] / 1000.0 / off_kmh * 60.0),
    ):
        graph = _matrix(
            np.r_[u, src], np.r_[v, tnode[tj]], np.r_[w, np.maximum(w_off, _EPS)], n_all
        )
        dist, _, source = csgraph.dijkstra(
            graph,
            directed=False,
            indices=src,
            min_only=True,
            return_predecessors=True,
        )
        site_off = sd if measure == "dist" else sd / 1000.0 / off_kmh * 60.0
        val = np.full(len(sg), np.nan)
        joined = snode >= 0
        val[joined] = dist[snode[joined]] + site_off[joined]
        val[~np.isfinite(val)] = np.nan
        results[measure] = val
        if measure == "time":
            labels = _target_labels(targets)
            nearest = np.full(len(sg), None, dtype=object)
            ok = joined.copy()
            ok[joined] &= np.isfinite(dist[snode[joined]])
            nearest[ok] = labels[tj[source[snode[ok]] - n]]
            results["nearest"] = nearest
    note = np.full(len(sg), "", dtype=object)
    note[se < 0] = f"no road within {max_offroad_m:g} m"
    note[(se >= 0) & np.isnan(results["dist"])] = (
        f"no {name} target reachable by road from the nearest road"
    )
    out[f"road_dist_{name}_m"] = results["dist"]
    out[f"road_time_{name}_min"] = results["time"]
    out[f"road_nearest_{name}"] = pd.array(results["nearest"], dtype="string")
    out[f"road_note_{name}"] = pd.array(note, dtype="string")
    n_bad = int(np.isnan(results["dist"]).sum())
    log.info(
        "road access to %s: %d of %d sites reachable (%d targets joined)",
        name,
        len(sg) - n_bad,
        len(sg),
        len(tj),
    )
    return out


def labour_column(minutes: float) -> str:
    """Name of the labour-within-reach column, e.g. ``labour_30min``.

    Examples
    --------
    >>> labour_column(30), labour_column(22.5)
    ('labour_30min', 'labour_22.5min')
    """
    return f"labour_{float(minutes):g}min"


def labour_within(
    sites: gpd.GeoDataFrame,
    network: RoadNetwork,
    settlements: gpd.GeoDataFrame,
    *,
    minutes: float = 30,
    population_column: str = "population",
    offroad_speed_kmh: float = OFFROAD_SPEED_KMH,
    max_offroad_m: float = MAX_OFFROAD_M,
    chunk: int = 64,
) -> gpd.GeoDataFrame:
    """Add the population of the settlements within ``minutes`` of each site by road.

    Parameters
    ----------
    sites : GeoDataFrame
        Site polygons or points, any CRS.
    network : RoadNetwork
        From :func:`road_network`.
    settlements : GeoDataFrame
        Settlement points with a population column.
    minutes : float, default 30
        Travel time limit, off-road legs included.
    population_column : str, default "population"
        Inhabitants of each settlement; a missing value counts as 0 and is
        logged.
    offroad_speed_kmh, max_offroad_m : float
        As in :func:`network_access`.
    chunk : int, default 64
        Settlements searched at once (memory: chunk x nodes x 8 bytes).

    Returns
    -------
    GeoDataFrame
        A copy of ``sites`` plus ``labour_<minutes>min`` (inhabitants) and
        ``labour_note_<minutes>min``. A site not joined to any road is NaN
        with the reason; a joined site that reaches no settlement is 0 (it is
        measured: nobody lives within reach).

    Notes
    -----
    A Dijkstra search bounded by ``minutes`` runs from each settlement (in
    chunks), so the cost grows with settlements, not with sites.
    """
    if not isinstance(minutes, (int, float)) or not (0 < minutes <= 600):
        msg = f"minutes must be a number in (0, 600], got {minutes!r}"
        raise ValidationError(msg)
    _check_speed(offroad_speed_kmh, max_offroad_m)
    if population_column not in settlements.columns:
        msg = (
            f"settlements have no {population_column!r} column; they have "
            f"{list(settlements.columns)}. Fix: pass population_column="
        )
        raise SchemaError(msg)
    sg = _geoms_in(sites, network.crs, "sites")
    pg = _geoms_in(settlements, network.crs, "settlements")
    pop = pd.to_numeric(settlements[population_column], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    if np.isnan(pop).any():
        log.info("%d settlement(s) without population count as 0", np.isnan(pop).sum())
    pop = np.nan_to_num(pop, nan=0.0)
    se, st, sd = _join(sg, network, max_offroad_m)
    pe, pt, pd_ = _join(pg, network, max_offroad_m)
    u, v, length, speed, (snode, pnode), n = _split_graph(network, [(se, st), (pe, pt)])
    off_kmh = float(offroad_speed_kmh)
    w = length / 1000.0 / speed * 60.0
    graph = _matrix(u, v, w, n)
    joined_s = snode >= 0
    site_off = sd / 1000.0 / off_kmh * 60.0
    total = np.zeros(len(sg))
    pj = np.flatnonzero((pnode >= 0) & (pop > 0))
    budget = float(minutes)
    for start in range(0, len(pj), max(int(chunk), 1)):
        part = pj[start : start + chunk]
        p_off = pd_[part] / 1000.0 / off_kmh * 60.0
        dist = csgraph.dijkstra(
            graph, directed=False, indices=pnode[part], limit=budget
        )
        # time from settlement k to site i: its off-road + road + site off-road
        t = dist[:, snode[joined_s]] + p_off[:, None] + site_off[joined_s][None, :]
        total[joined_s] += (pop[part][:, None] * (t <= budget)).sum(axis=0)
    col = labour_column(minutes)
    out = sites.copy()
    val = np.where(joined_s, total, np.nan)
    note = np.where(joined_s, "", f"no road within {max_offroad_m:g} m")
    out[col] = val
    out[f"labour_note_{float(minutes):g}min"] = pd.array(note, dtype="string")
    return out
