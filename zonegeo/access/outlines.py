"""Exact planar nearest points between plot outlines and pieces, in numpy.

:func:`zonegeo.access.nearest.nearest_features` needs, for every candidate pair of a
plot and a piece (a point or a two-vertex segment), the planar distance and the
two nearest points in the working UTM zone. shapely (GEOS ``DistanceOp``) gives
them one pair at a time; here they come from arrays, many pairs at once:

* a plot is kept as the edges of its rings (:class:`Outlines`), taken from
  :func:`shapely.to_ragged_array` and projected as plain coordinates, so no
  projected shapely geometry is built unless a pair needs it;
* the distance from a piece to a plot is the smallest over the plot's edges of
  the segment-to-segment distance, which for two segments that do not meet is
  the smallest of the four end-to-segment distances, tried in GEOS's order
  (``LineSegment::closestPoints``): the edge's point nearest to the piece's
  first end, then to its second end, then the piece's points nearest to the
  edge's two ends (the second end of an edge being the first of the next
  edge of the ring, it is tried there).

Every pair that this arithmetic cannot settle beyond doubt goes to shapely
instead: a piece that may touch or cross the plot's boundary or lie inside it
(distance 0), a distance within a micrometre of 0, a tie between two different
nearest points (parallel edges: GEOS's choice is kept), and plots with more than
:data:`MAX_FAST_EDGES` edges or that are not polygons. What remains is a pair
whose nearest points are unique, and the arithmetic is GEOS's own (projection
factor clipped to the segment), so distances agree to rounding (1e-15 relative).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MAX_FAST_EDGES", "NearestPoints", "Outlines", "nearest_points", "outlines"]

#: Plots with more edges than this are measured by shapely (GEOS).
MAX_FAST_EDGES = 64
#: Distances (metres) at or below this go to shapely: they may be 0.
_NEAR_ZERO_M = 1e-6
#: Two options this close (relative, plus 1e-9 m) are a tie.
_TIE_REL = 1e-11
#: Nearest points further apart than this (metres) make a tie ambiguous.
_SAME_POINT_M = 1e-7
#: Most (pair x edge) cells computed at once, to bound memory.
_MAX_CELLS = 32_000


@dataclass(frozen=True)
class Outlines:
    """Plots as the edges of their rings in a working CRS (metres).

    Attributes
    ----------
    geoms : ndarray of shapely geometries
        The plots in their source CRS (measured by shapely when needed).
    transform : callable or None
        ``(x, y) -> (x', y')`` from the source to the working CRS.
    start : ndarray of int64, shape (n + 1,)
        Edges of plot ``i`` are ``start[i]:start[i + 1]`` (none for plots
        that are not :attr:`fast`).
    x0, y0, x1, y1 : ndarray
        Ends of each edge, metres.
    bounds : ndarray, shape (n, 4)
        Bounding box of each plot in the working CRS.
    fast : ndarray of bool
        Plots measured here; the others are measured by shapely.
    """

    geoms: np.ndarray
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None
    start: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    bounds: np.ndarray
    fast: np.ndarray

    def __len__(self) -> int:
        return int(self.geoms.shape[0])

    def __getitem__(self, rows: np.ndarray) -> Outlines:
        """Return the outlines of the plots at positions ``rows`` (in that order)."""
        rows = np.asarray(rows, dtype="int64")
        count = np.diff(self.start)[rows]
        start = np.zeros(rows.size + 1, dtype="int64")
        np.cumsum(count, out=start[1:])
        edge = _ranges(self.start[rows], count)
        return Outlines(
            geoms=self.geoms[rows],
            transform=self.transform,
            start=start,
            x0=self.x0[edge],
            y0=self.y0[edge],
            x1=self.x1[edge],
            y1=self.y1[edge],
            bounds=self.bounds[rows],
            fast=self.fast[rows],
        )

    def projected(self, rows: np.ndarray) -> np.ndarray:
        """Return the plots at ``rows`` as shapely geometries in the working CRS."""
        geoms = self.geoms[rows]
        if self.transform is None:
            return geoms
        tr = self.transform

        def move(xy: np.ndarray) -> np.ndarray:
            x, y = tr(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geoms, move, include_z=False)


def _ranges(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(first[i], first[i] + count[i])`` over ``i``."""
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype="int64")
    offset = np.zeros(count.size, dtype="int64")
    np.cumsum(count[:-1], out=offset[1:])
    owner = np.repeat(np.arange(count.size), count)
    return first[owner] + (np.arange(total) - offset[owner])


def outlines(
    geoms: np.ndarray,
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
) -> Outlines:
    """Cut plots into the edges of their rings and project them.

    Only single polygons without holes of at most :data:`MAX_FAST_EDGES`
    edges (nearly every land plot) get edges; the others are left to shapely.

    Parameters
    ----------
    geoms : ndarray of shapely geometries
        Plots (non-empty) in their source CRS.
    transform : callable or None
        ``(x, y) -> (x', y')`` into the working CRS; None when they are in it.

    Returns
    -------
    Outlines

    Examples
    --------
    >>> o = outlines(np.array([shapely.box(0, 0, 2, 1)]), None)
    >>> o.start.tolist(), o.bounds.tolist(), o.fast.tolist()
    ([0, 4], [[0.0, 0.0, 2.0, 1.0]], [True])
    """
    geoms = np.asarray(geoms, dtype=object)
    n = geoms.shape[0]
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    per_geom = np.bincount(owner, minlength=n)
    if n == 0 or (per_geom == 0).any():  # an empty plot: leave all to shapely
        return _slow_outlines(geoms, transform)
    first = np.zeros(n, dtype="int64")
    np.cumsum(per_geom[:-1], out=first[1:])
    # One ring per plot: its coordinates are the ring's, closed.
    fast = (
        (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (per_geom - 1 <= MAX_FAST_EDGES)
        & (per_geom >= 4)
    )
    if transform is not None:
        # The closing vertex of a ring is its first: project it once.
        close = (first + per_geom - 1)[fast]
        move = np.ones(len(coords), dtype=bool)
        move[close] = False
        x, y = transform(coords[move, 0], coords[move, 1])
        coords = np.empty_like(coords)
        coords[move, 0] = x
        coords[move, 1] = y
        coords[close] = coords[first[fast]]
    bounds = np.column_stack(
        [
            np.minimum.reduceat(coords[:, 0], first),
            np.minimum.reduceat(coords[:, 1], first),
            np.maximum.reduceat(coords[:, 0], first),
            np.maximum.reduceat(coords[:, 1], first),
        ]
    )
    edges_per_geom = np.where(fast, per_geom - 1, 0)
    start = np.zeros(n + 1, dtype="int64")
    np.cumsum(edges_per_geom, out=start[1:])
    edge = _ranges(first, edges_per_geom)
    return Outlines(
        geoms=geoms,
        transform=transform,
        start=start,
        x0=coords[edge, 0],
        y0=coords[edge, 1],
        x1=coords[edge + 1, 0],
        y1=coords[edge + 1, 1],
        bounds=bounds,
        fast=fast,
    )


def _slow_outlines(
    geoms: np.ndarray,
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None,
) -> Outlines:
    """Outlines that leave every plot to shapely (not polygons only)."""
    n = geoms.shape[0]
    empty = np.zeros(0)
    out = Outlines(
        geoms=geoms,
        transform=transform,
        start=np.zeros(n + 1, dtype="int64"),
        x0=empty,
        y0=empty,
        x1=empty,
        y1=empty,
        bounds=np.zeros((n, 4)),
        fast=np.zeros(n, dtype=bool),
    )
    if n:
        bounds = shapely.bounds(out.projected(np.arange(n)))
        out.bounds[:] = bounds
    return out


@dataclass(frozen=True)
class NearestPoints:
    """Planar distance and nearest points of each (plot, piece) pair.

    ``exact`` marks the pairs measured in numpy; the others came from shapely
    (their points are NaN where the distance is 0).
    """

    distance: np.ndarray
    plot_xy: np.ndarray
    piece_xy: np.ndarray
    fast: np.ndarray


def nearest_points(
    plots: Outlines,
    rows: np.ndarray,
    xy0: np.ndarray,
    xy1: np.ndarray,
    is_point: np.ndarray,
    piece_geoms: Callable[[np.ndarray], np.ndarray],
) -> NearestPoints:
    """Return the planar distance and nearest points of plot ``rows[i]`` and piece i.

    Parameters
    ----------
    plots : Outlines
    rows : ndarray of int
        Plot of each pair.
    xy0, xy1, is_point : ndarray
        Ends of the piece of each pair (metres) and whether it is a point.
    piece_geoms : callable
        ``(pair positions) -> shapely geometries`` of those pairs' pieces, for
        the pairs left to shapely.

    Returns
    -------
    NearestPoints

    Examples
    --------
    >>> o = outlines(np.array([shapely.box(0, 0, 2, 1)]), None)
    >>> p = np.array([[5.0, 5.0], [1.0, 0.5]])
    >>> r = nearest_points(o, np.array([0, 0]), p, p, np.array([True, True]),
    ...                    lambda i: shapely.points(p[i]))
    >>> r.distance.tolist(), r.plot_xy[0].tolist(), r.fast.tolist()
    ([5.0, 0.0], [2.0, 1.0], [True, False])
    """
    m = rows.size
    dist = np.full(m, np.nan)
    plot_xy = np.full((m, 2), np.nan)
    piece_xy = np.full((m, 2), np.nan)
    ok = np.zeros(m, dtype=bool)
    fast_pairs = np.flatnonzero(plots.fast[rows])
    count = np.diff(plots.start)[rows[fast_pairs]]
    # Chunks of pairs whose edges fill at most _MAX_CELLS cells.
    cum = np.cumsum(count)
    lo = 0
    while lo < fast_pairs.size:
        base = cum[lo - 1] if lo else 0
        hi = int(np.searchsorted(cum, base + _MAX_CELLS, side="right"))
        hi = max(hi, lo + 1)
        part = fast_pairs[lo:hi]
        d, pxy, fxy, good = _kernel(
            plots, rows[part], count[lo:hi], xy0[part], xy1[part], is_point[part]
        )
        dist[part], plot_xy[part], piece_xy[part], ok[part] = d, pxy, fxy, good
        lo = hi
    slow = np.flatnonzero(~ok)
    if slow.size:
        _shapely_pairs(plots, rows, slow, piece_geoms, dist, plot_xy, piece_xy)
    return NearestPoints(dist, plot_xy, piece_xy, ok)


def _shapely_pairs(
    plots: Outlines,
    rows: np.ndarray,
    pairs: np.ndarray,
    piece_geoms: Callable[[np.ndarray], np.ndarray],
    dist: np.ndarray,
    plot_xy: np.ndarray,
    piece_xy: np.ndarray,
) -> None:
    """Measure ``pairs`` with shapely (GEOS) into the output arrays."""
    need = np.sort(rows[pairs])  # distinct rows (np.unique is slow on numpy 2.4)
    need = need[np.r_[True, need[1:] != need[:-1]]] if need.size else need
    projected = plots.projected(need)
    a = projected[np.searchsorted(need, rows[pairs])]
    b = piece_geoms(pairs)
    d = shapely.distance(a, b)
    dist[pairs] = d
    apart = d > 0
    if apart.any():
        xy = shapely.get_coordinates(shapely.shortest_line(a[apart], b[apart]))
        plot_xy[pairs[apart]] = xy[0::2]
        piece_xy[pairs[apart]] = xy[1::2]


def _closest(
    px: np.ndarray,
    py: np.ndarray,
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point of segment a-b nearest to p, and the distance.

    GEOS's arithmetic (``LineSegment::projectionFactor``, clipped to the
    segment); a segment of length 0 gives its end.
    """
    dx = bx - ax
    dy = by - ay
    len2 = dx * dx + dy * dy
    r = (px - ax) * dx
    r += (py - ay) * dy
    np.divide(r, len2, out=r, where=len2 > 0)
    r[len2 <= 0] = 0.0
    np.clip(r, 0.0, 1.0, out=r)
    dx *= r
    dx += ax
    dy *= r
    dy += ay
    ex = px - dx
    ey = py - dy
    ex *= ex
    ey *= ey
    ex += ey
    return dx, dy, np.sqrt(ex, out=ex)


def _kernel(
    plots: Outlines,
    rows: np.ndarray,
    count: np.ndarray,
    xy0: np.ndarray,
    xy1: np.ndarray,
    is_point: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nearest points of pairs of fast plots and pieces; and which are settled.

    A *cell* is a pair and one of its plot's edges.
    """
    m = rows.size
    first = np.zeros(m, dtype="int64")
    np.cumsum(count[:-1], out=first[1:])
    owner = np.repeat(np.arange(m), count)
    edge = _ranges(plots.start[rows], count)
    ax, ay = plots.x0[edge], plots.y0[edge]
    bx, by = plots.x1[edge], plots.y1[edge]
    px, py = xy0[owner, 0], xy0[owner, 1]
    # The edge's point nearest to the piece's first end (all a point piece needs).
    plot_x, plot_y, cell_d = _closest(px, py, ax, ay, bx, by)
    feat_x, feat_y = px.copy(), py.copy()
    # Crossing number of the piece's first end (odd: inside the plot).
    with np.errstate(invalid="ignore", divide="ignore"):
        crossing = ((ay > py) != (by > py)) & (
            px < ax + (py - ay) * (bx - ax) / (by - ay)
        )
    doubt = np.zeros(owner.size, dtype=bool)  # may touch, or a tie inside the cell
    seg = np.flatnonzero(~is_point[owner])
    if seg.size:
        _segment_cells(
            seg,
            xy1[owner[seg]],
            (ax, ay, bx, by),
            (plot_x, plot_y, feat_x, feat_y, cell_d),
            doubt,
        )
    # Per pair: the first cell (edge order) within a tie of the smallest.
    pair_min = np.minimum.reduceat(cell_d, first)
    near = np.flatnonzero(cell_d <= pair_min[owner] * (1.0 + _TIE_REL) + 1e-9)
    near_pair = owner[near]
    lead = np.flatnonzero(np.r_[True, near_pair[1:] != near_pair[:-1]])
    best = near[lead]
    # Several near cells with different nearest points (parallel edges): GEOS.
    tie = np.zeros(m, dtype=bool)
    many = np.diff(np.r_[lead, near.size]) > 1
    if many.any():
        best_of = np.repeat(best, np.diff(np.r_[lead, near.size]))
        spread = np.maximum.reduce(
            [
                np.abs(plot_x[near] - plot_x[best_of]),
                np.abs(plot_y[near] - plot_y[best_of]),
                np.abs(feat_x[near] - feat_x[best_of]),
                np.abs(feat_y[near] - feat_y[best_of]),
            ]
        )
        tie[near_pair[spread > _SAME_POINT_M]] = True
    tie[near_pair[doubt[near]]] = True
    inside = np.add.reduceat(crossing.astype("int8"), first, dtype="int64") % 2 == 1
    touched = np.logical_or.reduceat(doubt, first) if seg.size else tie
    good = ~(tie | inside | touched | (pair_min <= _NEAR_ZERO_M))
    plot_xy = np.column_stack([plot_x[best], plot_y[best]])
    piece_xy = np.column_stack([feat_x[best], feat_y[best]])
    return cell_d[best], plot_xy, piece_xy, good


def _segment_cells(
    seg: np.ndarray,
    end: np.ndarray,
    edge: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    cell: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    doubt: np.ndarray,
) -> None:
    """Complete the cells of segment pieces in place (options 1-3, touching).

    Options in GEOS's order (``LineSegment::closestPoints``): the edge's point
    nearest to the piece's first end (already in ``cell``), to its second end,
    then the piece's point nearest to the edge's first end. (GEOS also tries
    the edge's second end, which is the first end of the next edge of the
    ring: a different cell.) A cell whose segments may meet, or whose best
    options tie with different points, is marked in ``doubt``.
    """
    ax, ay, bx, by = (v[seg] for v in edge)
    plot_x, plot_y, feat_x, feat_y, cell_d = cell
    sx0, sy0 = feat_x[seg], feat_y[seg]
    sx1, sy1 = end[:, 0], end[:, 1]
    c1x, c1y, d1 = _closest(sx1, sy1, ax, ay, bx, by)
    c2x, c2y, d2 = _closest(ax, ay, sx0, sy0, sx1, sy1)
    options = (
        (cell_d[seg], plot_x[seg], plot_y[seg], sx0, sy0),
        (d1, c1x, c1y, sx1, sy1),
        (d2, ax, ay, c2x, c2y),
    )
    # The first smallest option (strict < in GEOS's order).
    low, bpx, bpy, bfx, bfy = (v.copy() for v in options[0])
    for d, qx, qy, fx, fy in options[1:]:
        better = d < low
        low[better] = d[better]
        bpx[better], bpy[better] = qx[better], qy[better]
        bfx[better], bfy[better] = fx[better], fy[better]
    limit = low * (1.0 + _TIE_REL) + 1e-9
    spread = np.zeros(seg.size)
    for d, qx, qy, fx, fy in options:
        gap = np.maximum(
            np.maximum(np.abs(qx - bpx), np.abs(qy - bpy)),
            np.maximum(np.abs(fx - bfx), np.abs(fy - bfy)),
        )
        np.maximum(spread, np.where(d <= limit, gap, 0.0), out=spread)
    # Segments that meet or may meet (an orientation of 0 counts).
    o1 = _orient(ax, ay, bx, by, sx0, sy0)
    o2 = _orient(ax, ay, bx, by, sx1, sy1)
    o3 = _orient(sx0, sy0, sx1, sy1, ax, ay)
    o4 = _orient(sx0, sy0, sx1, sy1, bx, by)
    doubt[seg] = ((o1 * o2 <= 0) & (o3 * o4 <= 0)) | (spread > _SAME_POINT_M)
    cell_d[seg] = low
    plot_x[seg], plot_y[seg] = bpx, bpy
    feat_x[seg], feat_y[seg] = bfx, bfy


def _orient(
    ax: np.ndarray,
    ay: np.ndarray,
    bx: np.ndarray,
    by: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
) -> np.ndarray:
    """Twice the signed area of triangle a-b-c (> 0: c left of a->b)."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
