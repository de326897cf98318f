"""Areas shared by pairs of convex polygons, many pairs at once (private).

The overlap check of :func:`zonegeo.io.validate.overlapping_pairs` needs the
area shared by hundreds of thousands of neighbouring plots. A GEOS overlay
per pair costs tens of microseconds; land plots are nearly always convex
quadrilaterals, whose intersection is convex and can be found for all pairs
together with Sutherland-Hodgman clipping in numpy (each step clips every
pair's polygon by one edge of the other). Polygons that are not convex, have
holes or many vertices are left to GEOS by the caller.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["convex_rings", "shared_area"]

#: Relative tolerance of the convexity test (hull area vs area).
_CONVEX_RTOL = 1e-9


def convex_rings(
    geoms: np.ndarray, *, max_vertices: int = 16
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counter-clockwise vertex arrays of the convex, hole-free polygons.

    Parameters
    ----------
    geoms : array of shapely geometries
    max_vertices : int
        Polygons with more vertices are left out (``ok`` False).

    Returns
    -------
    xy : ndarray (n, width, 2)
        Vertices without the closing one (the rest of a row is padding);
        ``width`` is the most vertices of a polygon kept.
    count : ndarray (n,)
        Number of vertices of each polygon (0 where not ``ok``).
    ok : ndarray of bool (n,)
        The polygon is a convex Polygon without holes and with at most
        ``max_vertices`` vertices.

    Examples
    --------
    >>> from shapely.geometry import box, Polygon
    >>> xy, n, ok = convex_rings(np.array([box(0, 0, 2, 1),
    ...                                    Polygon([(0, 0), (2, 0), (1, 1), (2, 2)])]))
    >>> n.tolist(), ok.tolist()
    ([4, 0], [True, False])
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    count = np.zeros(n, dtype=np.int64)
    is_poly = shapely.get_type_id(geoms) == 3  # Polygon
    ok = is_poly & ~shapely.is_empty(geoms)
    ok[ok] &= shapely.get_num_interior_rings(geoms[ok]) == 0
    rings = shapely.get_exterior_ring(geoms[ok])
    nv = shapely.get_num_coordinates(rings) - 1
    small = (nv >= 3) & (nv <= max_vertices)
    idx = np.flatnonzero(ok)[small]
    ok[:] = False
    if len(idx) == 0:
        return np.zeros((n, 0, 2)), count, ok
    rings, nv = rings[small], nv[small]
    width = int(nv.max())
    coords, which = shapely.get_coordinates(rings, return_index=True)
    start = np.concatenate([[0], np.cumsum(nv + 1)[:-1]])
    pos = np.arange(len(coords)) - start[which]
    keep = pos < nv[which]
    block = np.zeros((len(idx), width, 2))
    block[which[keep], pos[keep]] = coords[keep]
    # Convex: every turn (cross product of consecutive edges) has one sign.
    k = np.arange(width)[None, :]
    m = nv[:, None]
    valid = k < m
    nxt = np.where(k + 1 < m, k + 1, 0)
    edge = np.take_along_axis(block, nxt[:, :, None], axis=1) - block
    edge_next = np.take_along_axis(edge, nxt[:, :, None], axis=1)
    turn = edge[..., 0] * edge_next[..., 1] - edge[..., 1] * edge_next[..., 0]
    scale = np.hypot(*np.moveaxis(edge, -1, 0)) * np.hypot(
        *np.moveaxis(edge_next, -1, 0)
    )
    tol = _CONVEX_RTOL * scale
    left = np.where(valid, turn >= -tol, True).all(axis=1)
    right = np.where(valid, turn <= tol, True).all(axis=1)
    signed = _shoelace(block, nv)
    good = (left | right) & (signed != 0)
    # Counter-clockwise: reverse the rings with a negative signed area.
    flip = good & (signed < 0)
    if flip.any():
        mf = nv[flip, None]
        rev = np.where(k < mf, mf - 1 - k, 0)
        block[flip] = np.take_along_axis(block[flip], rev[:, :, None], axis=1)
    idx, block, nv = idx[good], block[good], nv[good]
    ok[idx] = True
    xy = np.zeros((n, width, 2))
    xy[idx] = block
    count[idx] = nv
    return xy, count, ok


def _shoelace(xy: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Signed areas of padded rings (positive counter-clockwise)."""
    n, width = xy.shape[:2]
    if width == 0:
        return np.zeros(n)
    i = np.arange(width)[None, :]
    nxt = np.where(i + 1 < count[:, None], i + 1, 0)
    valid = i < count[:, None]
    x, y = xy[..., 0], xy[..., 1]
    xn = np.take_along_axis(x, nxt, axis=1)
    yn = np.take_along_axis(y, nxt, axis=1)
    return 0.5 * np.where(valid, x * yn - xn * y, 0.0).sum(axis=1)


def shared_area(
    subject: np.ndarray, n_subject: np.ndarray, clip: np.ndarray, n_clip: np.ndarray
) -> np.ndarray:
    """Area of the intersection of each pair of convex counter-clockwise polygons.

    Parameters
    ----------
    subject, clip : ndarray (pairs, vertices, 2)
        Padded vertex arrays (from :func:`convex_rings`).
    n_subject, n_clip : ndarray (pairs,)
        Their vertex counts.

    Returns
    -------
    ndarray (pairs,)
        Shared area in the square units of the coordinates (0 for polygons
        that only touch or are apart).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> xy, n, _ = convex_rings(np.array([box(0, 0, 2, 2), box(1, 1, 3, 4),
    ...                                   box(2, 0, 3, 1)]))
    >>> shared_area(xy[[0, 0]], n[[0, 0]], xy[[1, 2]], n[[1, 2]]).tolist()
    [1.0, 0.0]
    """
    # Work relative to each pair's first vertex: projected coordinates are
    # ~1e6 m, and the shoelace sum would lose digits to them.
    origin = np.asarray(subject, dtype=float)[:, :1, :]
    poly = np.asarray(subject, dtype=float) - origin
    clip = np.asarray(clip, dtype=float) - origin
    count = np.array(n_subject, dtype=np.int64)
    rows = np.arange(len(poly))
    for j in range(int(n_clip.max()) if len(n_clip) else 0):
        active = j < n_clip
        a = clip[rows, np.minimum(j, n_clip - 1)]
        b = clip[rows, np.where(j + 1 < n_clip, j + 1, 0)]
        width = poly.shape[1]
        i = np.arange(width)[None, :]
        valid = i < count[:, None]
        nxt = np.where(i + 1 < count[:, None], i + 1, 0)
        cur = poly
        nxp = np.take_along_axis(poly, nxt[:, :, None], axis=1)
        ex = (b - a)[:, None, :]
        d_cur = ex[..., 0] * (cur[..., 1] - a[:, None, 1]) - ex[..., 1] * (
            cur[..., 0] - a[:, None, 0]
        )
        d_nxt = np.take_along_axis(d_cur, nxt, axis=1)
        inside_cur = d_cur >= 0
        inside_nxt = d_nxt >= 0
        emit_cur = valid & (inside_cur | ~active[:, None])
        emit_x = valid & active[:, None] & (inside_cur != inside_nxt)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = d_cur / (d_cur - d_nxt)
        t = np.where(emit_x, t, 0.0)
        x = cur + (nxp - cur) * t[..., None]
        # Each vertex emits itself (if inside) and then the crossing (if any).
        emitted = emit_cur.astype(np.int64) + emit_x
        slot = np.cumsum(emitted, axis=1) - emitted
        new_count = slot[:, -1] + emitted[:, -1]
        out = np.zeros((len(poly), max(int(new_count.max()), 1), 2))
        r, c = np.nonzero(emit_cur)
        out[r, slot[r, c]] = cur[r, c]
        r, c = np.nonzero(emit_x)
        out[r, slot[r, c] + emit_cur[r, c]] = x[r, c]
        poly, count = out, new_count
    area = _shoelace(poly, count)
    return np.where(count >= 3, np.maximum(area, 0.0), 0.0)
