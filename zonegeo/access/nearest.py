"""Array core of :func:`zonegeo.infrastructure_distances` (no GeoDataFrames here).

The search works in three steps, all vectorised over plots:

0. **Edges.** An edge between two vertices is the geodesic between them;
   :func:`densify_geodesic` splits every edge longer than :data:`MAX_EDGE_M`
   into stretches of that geodesic (once per layer, in longitude/latitude)
   so that each stays within half a metre of its straight chord in a UTM
   zone (docs/crs.md gives the bound).
1. **Pieces.** Every infrastructure feature is cut into pieces: its points and
   the straight segments between consecutive vertices of its lines. A piece
   remembers the position of its feature. Long segments get several *anchor*
   points, one every ``2 * ANCHOR_HALF_SPACING_M`` at most, so that every
   point of a piece lies within ``h_max`` metres of one of its anchors.
2. **Candidates.** A k-d tree over the anchors (``scipy.spatial.cKDTree``)
   is queried with the centre ``c`` of each plot's bounding box; ``r`` is
   half its diagonal, so the plot lies inside the disc of radius ``r``. An
   anchor ``a`` standing for a stretch of half-length ``h_a`` (0 for a point)
   bounds the distance to its piece ``f``:
   ``d(c, a) - h_a - r <= d(plot, f) <= d(c, a) + h_a + r``. The anchors
   seen give an upper bound ``U`` of the smallest distance; every piece that
   can be the nearest, or fall in the geodesic band below, has an anchor with
   ``d(c, a) - h_a <= R = U (1 + band) + band_abs + r``. The query asks for
   ``k`` neighbours and grows ``k`` (rounds over the rows still open, never a
   loop over plots) until the ``k``-th neighbour is beyond ``R + h_max``.
   The queries are made in a spatial order (:func:`spatial_order`).
3. **Exact and geodesic distances.** The exact planar distance and the two
   nearest points of each candidate pair in the working UTM zone come from
   :func:`zonegeo.access.outlines.nearest_points`: GEOS's arithmetic in numpy over
   the plot's edges, and shapely (``distance``, ``shortest_line``) for the
   pairs it leaves (touching, inside, ties between parallel edges, holes and
   multi-part plots). Pairs within ``(1 + band)`` of the row's minimum are
   measured again on the ellipsoid: the two nearest points are taken back to
   longitude/latitude and measured with ``pyproj.Geod.inv``. The smallest
   geodesic distance wins; ties go to the feature that comes first.

Transverse Mercator scale is never below ``k0 = 0.9996``, so a far feature can
never look more than 0.04 % closer than it is; ``band = 0.5 %`` covers the scale
growth of paths that leave the zone by up to about 8 degrees of longitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Callable

    import pyproj

    from zonegeo.access.outlines import Outlines

__all__ = [
    "ANCHOR_HALF_SPACING_M",
    "BAND_ABS_M",
    "BAND_REL",
    "MAX_EDGE_M",
    "NearestResult",
    "Pieces",
    "ProjectedPieces",
    "densify_geodesic",
    "explode_pieces",
    "nearest_features",
    "project_pieces",
    "unique",
    "utm_zone_epsg",
]

#: Every point of a piece lies within this many metres of one of its anchors.
ANCHOR_HALF_SPACING_M = 250.0
#: Relative width of the band of candidates measured on the ellipsoid.
BAND_REL = 0.005
#: Absolute width (metres) added to that band.
BAND_ABS_M = 0.5
#: Longest edge measured as a straight segment in the working UTM zone, metres.
#: Longer edges are first split along their geodesic (see :func:`densify_geodesic`).
MAX_EDGE_M = 20_000.0
#: Largest radius of the WGS 84 ellipsoid (polar radius of curvature), metres.
_MAX_RADIUS_M = 6_399_594.0
#: Most (rows x k) cells one k-d tree query may fill, to bound memory.
_MAX_CELLS = 4_000_000
#: First number of neighbours asked for.
_FIRST_K = 4
#: Side of the grid cells that order the k-d tree queries, metres.
_CELL_M = 20_000.0


def utm_zone_epsg(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the EPSG code of the WGS 84 UTM zone of each longitude/latitude.

    Parameters
    ----------
    lon, lat : ndarray
        Degrees.

    Returns
    -------
    ndarray of int64
        32601-32660 north of the equator, 32701-32760 south of it.

    Examples
    --------
    >>> utm_zone_epsg(np.array([51.9, 68.25, 84.9]), np.array([47.1, 43.3, 47.5]))
    array([32639, 32642, 32645])
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    zone = (np.floor((lon + 180.0) / 6.0).astype("int64") % 60) + 1
    return np.where(lat >= 0, 32600, 32700) + zone


@dataclass(frozen=True)
class Pieces:
    """Points and segments of one kind of infrastructure, in the source CRS.

    Attributes
    ----------
    xy0, xy1 : ndarray, shape (n, 2)
        Ends of each piece; a point has ``xy0 == xy1``.
    is_point : ndarray of bool
        Whether the piece is a point.
    feature : ndarray of int64
        Position (0-based row) of the piece's feature in the infrastructure layer.
    """

    xy0: np.ndarray
    xy1: np.ndarray
    is_point: np.ndarray
    feature: np.ndarray

    def __len__(self) -> int:
        return int(self.feature.shape[0])

    def take(self, mask: np.ndarray) -> Pieces:
        """Return the pieces where ``mask`` is true."""
        return Pieces(
            self.xy0[mask], self.xy1[mask], self.is_point[mask], self.feature[mask]
        )


def explode_pieces(geoms: np.ndarray, positions: np.ndarray) -> Pieces:
    """Cut points and lines into single points and two-vertex segments.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        Points, multipoints, lines, multilines (non-empty).
    positions : ndarray of int
        The feature position of each geometry, carried to its pieces.

    Returns
    -------
    Pieces

    Examples
    --------
    >>> from shapely import LineString, Point
    >>> geoms = np.array([Point(0, 0), LineString([(0, 0), (1, 0), (1, 1)])])
    >>> p = explode_pieces(geoms,
    ...                    np.array([0, 1]))
    >>> p.feature.tolist(), p.is_point.tolist()
    ([0, 1, 1], [True, False, False])
    """
    geoms = np.asarray(geoms, dtype=object)
    positions = np.asarray(positions, dtype="int64")
    single = shapely.get_type_id(geoms) == 0  # Points need no splitting
    pt = shapely.get_coordinates(geoms[single])
    pt_feature = positions[single]
    parts, part_of = shapely.get_parts(geoms[~single], return_index=True)
    feature_of_part = positions[~single][part_of]
    coords, vertex_part = shapely.get_coordinates(parts, return_index=True)
    n_vertices = np.bincount(vertex_part, minlength=len(parts))
    # Segments join consecutive vertices of the same part.
    seg_start = np.flatnonzero(vertex_part[1:] == vertex_part[:-1])
    seg0 = coords[seg_start]
    seg1 = coords[seg_start + 1]
    seg_feature = feature_of_part[vertex_part[seg_start]]
    # Parts with a single vertex (the points of a MultiPoint) are point pieces.
    lone = np.flatnonzero(n_vertices == 1)
    first_vertex = np.concatenate([[0], np.cumsum(n_vertices)[:-1]]).astype("int64")
    lone_xy = coords[first_vertex[lone]]
    xy0 = np.concatenate([pt, lone_xy, seg0])
    xy1 = np.concatenate([pt, lone_xy, seg1])
    feature = np.concatenate([pt_feature, feature_of_part[lone], seg_feature])
    is_point = np.all(xy0 == xy1, axis=1)
    # The order of pieces never matters: ties are broken by feature position.
    return Pieces(xy0, xy1, is_point, feature)


def densify_geodesic(
    pieces: Pieces,
    lonlat0: np.ndarray,
    lonlat1: np.ndarray,
    *,
    geod: pyproj.Geod,
    from_lonlat: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    | None,
    max_length: float = MAX_EDGE_M,
) -> tuple[Pieces, np.ndarray, np.ndarray]:
    """Split every segment longer than ``max_length`` along its geodesic.

    An edge between two vertices is the geodesic between them on the
    ellipsoid. A segment longer than ``max_length`` is cut into ``n`` equal
    stretches of that geodesic (``n = ceil(length / max_length)``); the new
    vertices come from :meth:`pyproj.Geod.fwd` (vectorised over all
    segments), the original vertices are kept exactly. Points and shorter
    segments are returned unchanged, so a layer of short edges costs only a
    screening pass.

    Parameters
    ----------
    pieces : Pieces
        In the source CRS.
    lonlat0, lonlat1 : ndarray, shape (n, 2)
        Longitude/latitude of each piece's ends (NaN where they cannot be
        converted; such pieces are left alone).
    geod : pyproj.Geod
        The ellipsoid of ``lonlat0``/``lonlat1``.
    from_lonlat : callable or None
        ``(lon, lat) -> (x, y)`` into the source CRS; None when the source CRS
        is that longitude/latitude CRS.
    max_length : float
        Longest segment kept, metres (:data:`MAX_EDGE_M`).

    Returns
    -------
    pieces : Pieces
        The unchanged pieces followed by the stretches of the long segments.
    lonlat0, lonlat1 : ndarray
        Longitude/latitude of the ends of the returned pieces.

    Notes
    -----
    Segments are screened with an upper bound of their length (an L-shaped
    path along a meridian and the parallel nearer the pole, on the largest
    radius of curvature of the ellipsoid), so :meth:`pyproj.Geod.inv` only
    measures the few that may be long.

    Examples
    --------
    >>> import pyproj
    >>> from shapely import LineString
    >>> p = explode_pieces(np.array([LineString([(66.0, 43.0), (66.0, 43.5)])]),
    ...                    np.array([0]))
    >>> q, ll0, ll1 = densify_geodesic(p, p.xy0, p.xy1,
    ...     geod=pyproj.Geod(ellps="WGS84"), from_lonlat=None)
    >>> len(q), q.feature.tolist()   # 55.5 km: three stretches of 18.5 km
    (3, [0, 0, 0])
    """
    lonlat0 = np.asarray(lonlat0, dtype="float64")
    lonlat1 = np.asarray(lonlat1, dtype="float64")
    lon0, lat0 = lonlat0[:, 0], lonlat0[:, 1]
    lon1, lat1 = lonlat1[:, 0], lonlat1[:, 1]
    seg = np.flatnonzero(~pieces.is_point)
    # Degrees of an L-shaped path (non-finite ends compare False: left alone).
    with np.errstate(invalid="ignore"):
        dlat = np.abs(lat1[seg] - lat0[seg])
        dlon = np.abs(lon1[seg] - lon0[seg])
        dlon = np.minimum(dlon, 360.0 - dlon)
        # The parallel nearer the pole is the shorter one: cos(max |lat|).
        top = np.minimum(np.maximum(np.abs(lat0[seg]), np.abs(lat1[seg])), 90.0)
        degrees = dlat + dlon * np.cos(np.radians(top))
        reach = max_length / (_MAX_RADIUS_M * math.pi / 180.0) / 1.001
        maybe = seg[(degrees > reach) & np.isfinite(degrees)]
    if maybe.size == 0:
        return pieces, lonlat0, lonlat1
    az, _, length = geod.inv(lon0[maybe], lat0[maybe], lon1[maybe], lat1[maybe])
    az = np.asarray(az, dtype="float64")
    length = np.asarray(length, dtype="float64")
    long_ = length > max_length
    idx, az, length = maybe[long_], az[long_], length[long_]
    if idx.size == 0:
        return pieces, lonlat0, lonlat1
    n_sub = np.ceil(length / max_length).astype("int64")
    # New vertices j = 1 .. n-1 of each long segment, along its geodesic.
    n_mid = n_sub - 1
    mid_of = np.repeat(np.arange(idx.size), n_mid)
    mid_start = np.concatenate([[0], np.cumsum(n_mid)[:-1]]).astype("int64")
    j = np.arange(mid_of.size) - mid_start[mid_of] + 1
    g = idx[mid_of]
    lon, lat, _ = geod.fwd(
        lon0[g], lat0[g], az[mid_of], length[mid_of] * j / n_sub[mid_of]
    )
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    lon = lon0[g] + ((lon - lon0[g] + 180.0) % 360.0 - 180.0)  # no wrap at 180
    mid_ll = np.column_stack([lon, lat])
    if from_lonlat is None:
        mid_xy = mid_ll
    else:
        x, y = from_lonlat(lon, lat)
        mid_xy = np.column_stack(
            [np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")]
        )
    # Stretch k = 0 .. n-1 of each long segment runs from vertex k to vertex k+1.
    sub_of = np.repeat(np.arange(idx.size), n_sub)
    sub_start = np.concatenate([[0], np.cumsum(n_sub)[:-1]]).astype("int64")
    k = np.arange(sub_of.size) - sub_start[sub_of]
    last = n_sub[sub_of] - 1
    top = max(mid_of.size - 1, 0)
    before = np.clip(mid_start[sub_of] + k - 1, 0, top)
    after = np.clip(mid_start[sub_of] + k, 0, top)
    first_k = (k == 0)[:, None]
    last_k = (k == last)[:, None]
    src = idx[sub_of]

    def ends(
        xy0: np.ndarray, xy1: np.ndarray, mid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        a = np.where(first_k, xy0[src], mid[before])
        b = np.where(last_k, xy1[src], mid[after])
        return a, b

    sub_xy0, sub_xy1 = ends(pieces.xy0, pieces.xy1, mid_xy)
    sub_ll0, sub_ll1 = ends(lonlat0, lonlat1, mid_ll)
    rest = np.ones(len(pieces), dtype=bool)
    rest[idx] = False
    out = Pieces(
        np.concatenate([pieces.xy0[rest], sub_xy0]),
        np.concatenate([pieces.xy1[rest], sub_xy1]),
        np.concatenate([pieces.is_point[rest], np.zeros(sub_of.size, dtype=bool)]),
        np.concatenate([pieces.feature[rest], pieces.feature[src]]),
    )
    return (
        out,
        np.concatenate([lonlat0[rest], sub_ll0]),
        np.concatenate([lonlat1[rest], sub_ll1]),
    )


@dataclass
class ProjectedPieces:
    """Pieces of one kind in a working (UTM) CRS, with their anchors and k-d tree.

    Attributes
    ----------
    xy0, xy1 : ndarray, shape (n, 2)
        Ends of each piece in metres (equal for a point).
    is_point : ndarray of bool
        Whether the piece is a point.
    feature : ndarray of int64
        Feature position of each piece.
    anchors : ndarray, shape (m, 2)
        Anchor points; every point of a piece is within :data:`ANCHOR_HALF_SPACING_M`
        of one of its anchors.
    anchor_piece : ndarray of int64
        Piece of each anchor.
    anchor_h : ndarray of float
        Half the length of the stretch of its piece an anchor stands for (0 for
        a point): every point of that stretch lies within ``anchor_h`` of it.
    """

    xy0: np.ndarray
    xy1: np.ndarray
    is_point: np.ndarray
    feature: np.ndarray
    anchors: np.ndarray
    anchor_piece: np.ndarray
    anchor_h: np.ndarray
    h_max: float = ANCHOR_HALF_SPACING_M
    _trees: dict[object, tuple[Any, np.ndarray]] = field(
        default_factory=dict, repr=False
    )
    _geoms: np.ndarray | None = field(default=None, repr=False)

    def geometries(self, pieces: np.ndarray) -> np.ndarray:
        """Return the pieces as shapely Points and two-vertex LineStrings.

        Geometries are made the first time a piece is a candidate and kept for
        the life of this object (a zone of one call).
        """
        if self._geoms is None:
            self._geoms = np.full(len(self.feature), None, dtype=object)
        cache = self._geoms
        todo = unique(pieces[shapely.is_missing(cache[pieces])])
        if todo.size:
            pt = todo[self.is_point[todo]]
            if pt.size:
                cache[pt] = shapely.points(self.xy0[pt])
            seg = todo[~self.is_point[todo]]
            if seg.size:
                cache[seg] = shapely.linestrings(
                    np.stack([self.xy0[seg], self.xy1[seg]], axis=1)
                )
        return cache[pieces]

    def tree(
        self, key: object, anchor_mask: np.ndarray | None
    ) -> tuple[Any, np.ndarray]:
        """Return a k-d tree over the anchors in ``anchor_mask`` and their indices.

        Trees are kept per ``key`` for the life of this object (one call of
        :func:`zonegeo.infrastructure_distances`), never between calls.
        """
        if key not in self._trees:
            from scipy.spatial import cKDTree

            idx = (
                np.arange(len(self.anchors))
                if anchor_mask is None
                else np.flatnonzero(anchor_mask)
            )
            self._trees[key] = (cKDTree(self.anchors[idx]), idx)
        return self._trees[key]


def project_pieces(
    pieces: Pieces,
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
    *,
    half_spacing: float = ANCHOR_HALF_SPACING_M,
) -> ProjectedPieces:
    """Move pieces into the working CRS and place their anchors.

    Only the vertices are transformed (as ``GeoSeries.to_crs`` does); a segment
    stays straight in the working CRS. Pieces whose vertices cannot be
    projected (non-finite results, e.g. on the other side of the globe) are
    dropped: they are thousands of kilometres away.

    Parameters
    ----------
    pieces : Pieces
        In the source CRS.
    transform : callable or None
        ``(x, y) -> (x', y')`` into the working CRS; None when the source CRS
        is the working CRS.
    half_spacing : float
        Half the largest distance between anchors along a segment, metres.

    Returns
    -------
    ProjectedPieces
    """
    xy0, xy1 = pieces.xy0, pieces.xy1
    if transform is not None and len(pieces):
        seg = np.flatnonzero(~pieces.is_point)
        both = np.concatenate([xy0, xy1[seg]])
        x, y = transform(both[:, 0], both[:, 1])
        both = np.column_stack(
            [np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")]
        )
        xy0 = both[: len(pieces)]
        xy1 = xy0.copy()
        xy1[seg] = both[len(pieces) :]
    ok = np.isfinite(xy0).all(axis=1) & np.isfinite(xy1).all(axis=1)
    xy0, xy1, is_point, feature = (
        xy0[ok],
        xy1[ok],
        pieces.is_point[ok],
        pieces.feature[ok],
    )
    length = np.hypot(*(xy1 - xy0).T)
    n_sub = np.maximum(1, np.ceil(length / (2.0 * half_spacing))).astype("int64")
    n_sub[is_point] = 1
    anchor_piece = np.repeat(np.arange(len(feature)), n_sub)
    first = np.concatenate([[0], np.cumsum(n_sub)[:-1]])
    j = np.arange(len(anchor_piece)) - first[anchor_piece]
    t = (j + 0.5) / n_sub[anchor_piece]
    anchors = xy0[anchor_piece] + (xy1 - xy0)[anchor_piece] * t[:, None]
    anchor_h = (length / (2.0 * n_sub))[anchor_piece]
    # A hair of slack for rounding: the bounds below must never cut a true candidate.
    anchor_h = anchor_h * (1.0 + 1e-9) + 1e-9
    h_max = float(anchor_h.max()) if anchor_h.size else 0.0
    return ProjectedPieces(
        xy0=xy0,
        xy1=xy1,
        is_point=is_point,
        feature=feature,
        anchors=anchors,
        anchor_piece=anchor_piece,
        anchor_h=anchor_h,
        h_max=h_max,
    )


def unique(values: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values (``np.unique`` by sorting; see Notes).

    Notes
    -----
    numpy 2.4's ``np.unique`` takes seconds on a few million integers here,
    against milliseconds for a sort.

    Examples
    --------
    >>> unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    s = np.sort(np.asarray(values))
    return s[_group_starts(s)]


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Return the indices where a new value starts in a sorted array."""
    if sorted_keys.size == 0:
        return np.zeros(0, dtype="int64")
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def spatial_order(x: np.ndarray, y: np.ndarray, *, cell: float = _CELL_M) -> np.ndarray:
    """Return the positions of points sorted by grid cell (rows of cells), then x.

    Examples
    --------
    >>> spatial_order(np.array([5e4, 0.0, 1e3]), np.array([0.0, 3e4, 0.0])).tolist()
    [2, 0, 1]
    """
    if x.size == 0:
        return np.zeros(0, dtype="int64")
    finite = np.isfinite(x) & np.isfinite(y)
    x0 = float(x[finite].min()) if finite.any() else 0.0
    y0 = float(y[finite].min()) if finite.any() else 0.0
    row = np.floor((np.where(finite, y, y0) - y0) / cell)
    col = np.floor((np.where(finite, x, x0) - x0) / cell)
    key = row * (float(col.max()) + 1.0) + col  # exact in float64 below 2**53
    return np.argsort(key, kind="stable").astype("int64")


def candidate_pairs(
    tree: Any,
    tree_anchor: np.ndarray,
    pp: ProjectedPieces,
    cx: np.ndarray,
    cy: np.ndarray,
    cr: np.ndarray,
    *,
    bound: float = math.inf,
    eligible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    band_rel: float = BAND_REL,
    band_abs: float = BAND_ABS_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Return every (row, piece) pair that may be a row's nearest (or in its band).

    Parameters
    ----------
    tree : scipy.spatial.cKDTree
        Over ``pp.anchors[tree_anchor]``.
    tree_anchor : ndarray of int
        Anchor index of each tree point.
    pp : ProjectedPieces
    cx, cy, cr : ndarray
        Centre and radius of each row's bounding disc, metres.
    bound : float
        Largest planar distance of interest (``inf`` for none).
    eligible : callable, optional
        ``(rows, pieces) -> bool array``: whether a piece may serve a row.
    band_rel, band_abs : float
        Width of the band of near-ties kept for the geodesic step.

    Returns
    -------
    rows, pieces : ndarray of int64
        Unique pairs sorted by row then piece.
    """
    n_tree = len(tree_anchor)
    out_rows: list[np.ndarray] = []
    out_pieces: list[np.ndarray] = []
    if n_tree == 0 or len(cx) == 0:
        return np.zeros(0, dtype="int64"), np.zeros(0, dtype="int64")
    h_max = pp.h_max
    tree_h = pp.anchor_h[tree_anchor]
    tree_piece = pp.anchor_piece[tree_anchor]
    # Query in a spatial order (rows of grid cells): neighbouring queries walk
    # the same branches of the tree, which is 1.5-2.5 times faster than a random
    # order. The pairs are sorted by row at the end whatever the order.
    open_rows = spatial_order(cx, cy)
    k = min(_FIRST_K, n_tree)
    while open_rows.size:
        still_open = []
        batch = max(1, _MAX_CELLS // k)
        for start in range(0, open_rows.size, batch):
            rows = open_rows[start : start + batch]
            r = cr[rows]
            qbound = (
                bound + float(r.max()) + h_max if math.isfinite(bound) else math.inf
            )
            d, i = tree.query(
                np.column_stack([cx[rows], cy[rows]]),
                k=k,
                distance_upper_bound=qbound,
            )
            d = d.reshape(len(rows), k)
            i = np.minimum(i.reshape(len(rows), k), n_tree)
            found = i < n_tree
            safe = np.minimum(i, n_tree - 1)
            piece = np.where(found, tree_piece[safe], -1)
            h = np.where(found, tree_h[safe], 0.0)
            ok = found
            if eligible is not None and found.any():
                rr = np.broadcast_to(rows[:, None], i.shape)
                ok = found.copy()
                ok[found] = eligible(rr[found], piece[found])
            # Distance from the centre to each piece seen: exact for a segment,
            # where the anchor's d +- h only brackets it (half the pairs and a
            # quarter of the second rounds go with it).
            centre = d.copy()  # a point is its own anchor
            seg = ok & ~pp.is_point[np.maximum(piece, 0)]
            if seg.any():
                rr = np.broadcast_to(rows[:, None], i.shape)[seg]
                centre[seg] = _centre_distance(pp, piece[seg], cx[rr], cy[rr])
            # Upper bound of the row's smallest distance, from the pieces seen.
            upper = np.where(ok, centre * _UP + _SLACK_M, np.inf).min(axis=1) + r
            reach = upper * (1.0 + band_rel) + band_abs + r
            if math.isfinite(bound):
                reach = np.minimum(reach, bound + r)
            # Anchors not returned are at least d[:, -1] away and stand for <= h_max.
            done = (k >= n_tree) | (d[:, -1] - h_max > reach) | np.isinf(d[:, -1])
            lower = np.minimum(centre * _DOWN - _SLACK_M, d - h)
            keep = ok & (lower <= reach[:, None]) & done[:, None]
            rr, cc = np.nonzero(keep)
            out_rows.append(rows[rr])
            out_pieces.append(piece[rr, cc])
            still_open.append(rows[~done])
        open_rows = (
            np.concatenate(still_open) if still_open else np.zeros(0, dtype="int64")
        )
        k = min(k * 4, n_tree)
    rows_all = np.concatenate(out_rows) if out_rows else np.zeros(0, dtype="int64")
    pieces_all = (
        np.concatenate(out_pieces) if out_pieces else np.zeros(0, dtype="int64")
    )
    key = rows_all.astype("int64") * max(len(pp.feature), 1) + pieces_all
    key.sort()
    key = key[_group_starts(key)]
    n_p = max(len(pp.feature), 1)
    return key // n_p, key % n_p


#: Rounding margins: a distance computed in float64 is shaded by these before it
#: serves as an upper (``_UP``) or lower (``_DOWN``) bound of the true one.
_UP, _DOWN, _SLACK_M = 1.0 + 1e-12, 1.0 - 1e-12, 1e-9


def _centre_distance(
    pp: ProjectedPieces, piece: np.ndarray, cx: np.ndarray, cy: np.ndarray
) -> np.ndarray:
    """Planar distance from points ``(cx, cy)`` to the pieces ``piece``, pairwise."""
    ax, ay = pp.xy0[piece, 0], pp.xy0[piece, 1]
    dx, dy = pp.xy1[piece, 0] - ax, pp.xy1[piece, 1] - ay
    px, py = cx - ax, cy - ay
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.clip(np.where(len2 > 0, (px * dx + py * dy) / len2, 0.0), 0.0, 1.0)
    return np.hypot(px - t * dx, py - t * dy)


@dataclass(frozen=True)
class NearestResult:
    """Nearest feature of each row: position (-1: none) and geodesic metres (NaN)."""

    feature: np.ndarray
    distance: np.ndarray


def nearest_features(
    geoms: np.ndarray | Outlines,
    pp: ProjectedPieces,
    *,
    to_lonlat: pyproj.Transformer,
    geod: pyproj.Geod,
    max_distance: float | None = None,
    eligible: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    tree_key: object = "all",
    anchor_mask: np.ndarray | None = None,
    band_rel: float = BAND_REL,
    band_abs: float = BAND_ABS_M,
) -> NearestResult:
    """Find, for each geometry, the nearest feature among the pieces, on the ellipsoid.

    Parameters
    ----------
    geoms : ndarray of shapely geometries or Outlines
        Plots in the working CRS (metres), or their outlines
        (:func:`zonegeo.access.outlines.outlines`, any source CRS).
    pp : ProjectedPieces
        Pieces of one kind in the working CRS.
    to_lonlat : pyproj.Transformer
        From the working CRS to longitude/latitude (``always_xy=True``).
    geod : pyproj.Geod
        The ellipsoid of the working CRS.
    max_distance : float, optional
        Geodesic metres beyond which no feature is reported.
    eligible : callable, optional
        ``(rows, pieces) -> bool array`` restricting which pieces may serve a row.
    tree_key, anchor_mask : optional
        Which anchors the k-d tree holds (a superset of every eligible one).
    band_rel, band_abs : float
        Near-ties kept for the geodesic step.

    Returns
    -------
    NearestResult
    """
    from zonegeo.access.outlines import Outlines, outlines

    plots = geoms if isinstance(geoms, Outlines) else outlines(geoms, None)
    n = len(plots)
    best_feature = np.full(n, -1, dtype="int64")
    best_dist = np.full(n, np.nan)
    if n == 0 or len(pp.feature) == 0:
        return NearestResult(best_feature, best_dist)
    b = plots.bounds
    cx = (b[:, 0] + b[:, 2]) / 2.0
    cy = (b[:, 1] + b[:, 3]) / 2.0
    cr = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 2.0
    bound = (
        math.inf if max_distance is None else max_distance * (1.0 + band_rel) + band_abs
    )
    tree, tree_anchor = pp.tree(tree_key, anchor_mask)
    rows, pieces = candidate_pairs(
        tree,
        tree_anchor,
        pp,
        cx,
        cy,
        cr,
        bound=bound,
        eligible=eligible,
        band_rel=band_rel,
        band_abs=band_abs,
    )
    if rows.size == 0:
        return NearestResult(best_feature, best_dist)
    sel, planar, plot_xy, piece_xy = _exact_pairs(
        plots, rows, pieces, pp, (cx, cy, cr), band_rel=band_rel, band_abs=band_abs
    )
    rows, pieces = rows[sel], pieces[sel]
    starts = _group_starts(rows)
    row_min = np.minimum.reduceat(planar, starts)
    per_pair_min = np.repeat(row_min, np.diff(np.r_[starts, rows.size]))
    in_band = planar <= per_pair_min * (1.0 + band_rel) + band_abs
    in_band &= planar <= bound
    keep = np.flatnonzero(in_band)
    rows, pieces, planar = rows[keep], pieces[keep], planar[keep]
    if rows.size == 0:
        return NearestResult(best_feature, best_dist)
    geodesic = np.zeros(rows.size)
    apart = np.flatnonzero(planar > 0)
    if apart.size:
        ends = np.concatenate([plot_xy[keep[apart]], piece_xy[keep[apart]]])
        lon, lat = to_lonlat.transform(ends[:, 0], ends[:, 1])
        lon = np.asarray(lon)
        lat = np.asarray(lat)
        m = apart.size
        _, _, g = geod.inv(lon[:m], lat[:m], lon[m:], lat[m:])
        g = np.asarray(g, dtype="float64")
        # Points a hair apart can round to 0 on the ellipsoid: keep them apart.
        geodesic[apart] = np.where(g > 0, g, planar[apart])
    # Per row (rows are sorted): the smallest geodesic, then the first feature.
    feature = pp.feature[pieces]
    first = _group_starts(rows)
    g0 = np.minimum.reduceat(geodesic, first)
    at_min = geodesic == np.repeat(g0, np.diff(np.r_[first, rows.size]))
    f0 = np.minimum.reduceat(np.where(at_min, feature, np.iinfo("int64").max), first)
    r0 = rows[first]
    if max_distance is not None:
        inside = g0 <= max_distance
        r0, f0, g0 = r0[inside], f0[inside], g0[inside]
    best_feature[r0] = f0
    best_dist[r0] = g0
    return NearestResult(best_feature, best_dist)


def _lower_bounds(
    plots: Outlines,
    rows: np.ndarray,
    pieces: np.ndarray,
    pp: ProjectedPieces,
    disc: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each row's disc centre to its piece, and a lower bound of the pair.

    A point's bound is its distance to the plot's bounding box; a segment's is
    its distance to the centre minus the disc's radius. Both are shaded down
    by a hair so that rounding never makes a bound exceed the true distance.
    """
    cx, cy, cr = (v[rows] for v in disc)
    centre = _centre_distance(pp, pieces, cx, cy)
    ax, ay = pp.xy0[pieces, 0], pp.xy0[pieces, 1]
    b = plots.bounds[rows]
    gap_x = np.maximum(np.maximum(b[:, 0] - ax, ax - b[:, 2]), 0.0)
    gap_y = np.maximum(np.maximum(b[:, 1] - ay, ay - b[:, 3]), 0.0)
    lower = np.where(pp.is_point[pieces], np.hypot(gap_x, gap_y), centre - cr)
    return centre, lower * _DOWN - _SLACK_M


def _exact_pairs(
    plots: Outlines,
    rows: np.ndarray,
    pieces: np.ndarray,
    pp: ProjectedPieces,
    disc: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    band_rel: float,
    band_abs: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Exact planar nearest points of the candidate pairs that can reach the band.

    Each row's pair whose piece is nearest to the row's centre is measured
    first; its exact distance ``D`` bounds the row's smallest, so another pair
    whose lower bound (:func:`_lower_bounds`) exceeds ``D (1 + band_rel) +
    band_abs`` can be neither the nearest nor in the geodesic band, and is not
    measured. The answer is the one measuring every pair gives.

    Returns
    -------
    sel : ndarray of int64
        Positions (ascending) of the pairs measured.
    distance, plot_xy, piece_xy : ndarray
        Their planar distance and nearest points.
    """
    from zonegeo.access.outlines import nearest_points

    centre, lower = _lower_bounds(plots, rows, pieces, pp, disc)
    starts = _group_starts(rows)
    sizes = np.diff(np.r_[starts, rows.size])
    nearest_centre = np.minimum.reduceat(centre, starts)
    at_min = np.flatnonzero(centre == np.repeat(nearest_centre, sizes))
    lead = at_min[_group_starts(rows[at_min])]  # first such pair of each row

    def measure(pairs: np.ndarray) -> Any:
        return nearest_points(
            plots,
            rows[pairs],
            pp.xy0[pieces[pairs]],
            pp.xy1[pieces[pairs]],
            pp.is_point[pieces[pairs]],
            lambda sub: pp.geometries(pieces[pairs[sub]]),
        )

    first = measure(lead)
    reach = np.repeat(first.distance * (1.0 + band_rel) + band_abs, sizes)
    others = np.ones(rows.size, dtype=bool)
    others[lead] = False
    others &= lower <= reach
    rest = np.flatnonzero(others)
    sel = np.concatenate([lead, rest])
    order = np.argsort(sel, kind="stable")
    if rest.size:
        second = measure(rest)
        parts = [(first.distance, second.distance), (first.plot_xy, second.plot_xy)]
        parts.append((first.piece_xy, second.piece_xy))
        distance, plot_xy, piece_xy = (np.concatenate(p)[order] for p in parts)
    else:
        distance, plot_xy, piece_xy = (
            first.distance[order],
            first.plot_xy[order],
            first.piece_xy[order],
        )
    return sel[order], distance, plot_xy, piece_xy
