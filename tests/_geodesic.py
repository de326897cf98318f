"""An independent "geodesic-edge" reference distance, by brute-force sampling.

A line's edge between two vertices is taken to be the geodesic on the WGS 84
ellipsoid. The distance from a small lon/lat plot to such an edge is found
only with :meth:`pyproj.Geod.npts` (points along the geodesic) and
:meth:`pyproj.Geod.inv` (distances), never with zonegeo's code: sample the
edge, keep the nearest sample, sample again the stretch between its two
neighbours, and repeat until the samples are centimetres apart.
"""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

GEOD = pyproj.Geod(ellps="WGS84")


def boundary_samples(plot: shapely.Geometry, *, step_m: float = 0.25) -> np.ndarray:
    """Points on a small lon/lat plot's boundary, about ``step_m`` metres apart."""
    ring = shapely.get_coordinates(plot.exterior)
    out = []
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
        length = float(GEOD.inv(x0, y0, x1, y1)[2])
        n = max(2, int(np.ceil(length / step_m)) + 1)
        t = np.linspace(0.0, 1.0, n)[:-1]
        out.append(np.column_stack([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]))
    return np.concatenate(out)


def _nearest_sample(
    pts: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[int, float]:
    ia = np.repeat(np.arange(len(pts)), len(lon))
    ib = np.tile(np.arange(len(lon)), len(pts))
    d = GEOD.inv(pts[ia, 0], pts[ia, 1], lon[ib], lat[ib])[2]
    best = int(np.argmin(d))
    return int(ib[best]), float(d[best])


def distance_to_geodesic(
    pts: np.ndarray, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Shortest geodesic distance (m) from points ``pts`` (lon, lat) to edge a-b."""
    lon0, lat0 = a
    lon1, lat1 = b
    for _ in range(40):
        length = float(GEOD.inv(lon0, lat0, lon1, lat1)[2])
        n = int(min(14, max(2, np.ceil(length / 0.005))))
        inner = GEOD.npts(lon0, lat0, lon1, lat1, n)
        lon = np.array([lon0] + [p[0] for p in inner] + [lon1])
        lat = np.array([lat0] + [p[1] for p in inner] + [lat1])
        i, d = _nearest_sample(pts, lon, lat)
        step = length / (n + 1)
        if step < 0.01:
            return d
        lo, hi = max(i - 1, 0), min(i + 1, len(lon) - 1)
        lon0, lat0, lon1, lat1 = lon[lo], lat[lo], lon[hi], lat[hi]
    return d


def distance_to_line(
    pts: np.ndarray,
    coords: np.ndarray,
    *,
    centre: tuple[float, float],
    upper: float = np.inf,
) -> float:
    """Shortest distance from ``pts`` to a line of geodesic edges (lon/lat vertices).

    Edges that cannot beat the best one found (or ``upper``) are skipped by the
    triangle inequality: no point of an edge of length ``L`` is nearer to
    ``centre`` than ``d(centre, far end) - L``. Returns ``min(upper, distance)``.
    """
    lon, lat = coords[:, 0], coords[:, 1]
    n = len(coords)
    cx = np.full(n, centre[0])
    cy = np.full(n, centre[1])
    d_v = GEOD.inv(cx, cy, lon, lat)[2]
    if n == 1:
        return min(upper, _nearest_sample(pts, lon, lat)[1])
    length = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]
    # Every plot point lies within ``reach`` of the centre.
    reach = float(
        np.max(
            GEOD.inv(
                np.full(len(pts), centre[0]),
                np.full(len(pts), centre[1]),
                pts[:, 0],
                pts[:, 1],
            )[2]
        )
    )
    lower = np.maximum(d_v[:-1], d_v[1:]) - length - reach
    best = min(upper, float(d_v.min()) + reach)
    for j in np.argsort(lower):
        if lower[j] >= best:
            break
        best = min(
            best,
            distance_to_geodesic(pts, (lon[j], lat[j]), (lon[j + 1], lat[j + 1])),
        )
    return best
