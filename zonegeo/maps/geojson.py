"""The geometry written into a map page: lon/lat order, rounding, vertex budget.

*Size.* Coordinates are rounded to 6 decimals (about 0.1 m), optionally
simplified, popups are built in the browser from a compact value table, and
vector layers draw on one canvas, so a district of 10,000 plots stays a few
megabytes (see ``benchmarks/maps.py``). Past :data:`MAX_VERTICES` vertices,
outlines are simplified for display only.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from zonegeo.errors import CRSError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["MAX_VERTICES", "latlon"]

log = logging.getLogger(__name__)

_DECIMALS = 6  # about 0.1 m

_DEG_PER_M = 1.0 / 111_320.0


def latlon(lon: float, lat: float) -> list[float]:
    """Return ``[lat, lon]``, the order Folium and Leaflet expect.

    Every coordinate pair zonegeo hands to Folium goes through this one
    helper; shapely and GeoJSON use ``(x=lon, y=lat)``.

    Examples
    --------
    >>> latlon(68.25, 43.3)
    [43.3, 68.25]
    """
    return [float(lat), float(lon)]


def _bounds_latlon(total_bounds: Sequence[float]) -> list[list[float]]:
    minx, miny, maxx, maxy = (float(v) for v in total_bounds)
    return [latlon(minx, miny), latlon(maxx, maxy)]


def _to_4326(gdf: gpd.GeoDataFrame | None, what: str) -> gpd.GeoDataFrame | None:
    if gdf is None:
        return None
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"{what} must be a GeoDataFrame, got {type(gdf).__name__}"
        raise TypeError(msg)
    if gdf.crs is None:
        msg = f"{what} has no CRS; set one with .set_crs() (lon/lat is EPSG:4326)"
        raise CRSError(msg)
    out = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(out) < len(gdf):
        log.info("%s: skipping %d rows without geometry", what, len(gdf) - len(out))
    return out.to_crs(4326) if not out.crs.equals("EPSG:4326") else out


def _geometries(
    geo: gpd.GeoSeries, *, simplify_m: float | None = None, decimals: int = _DECIMALS
) -> list[dict[str, Any]]:
    """GeoJSON geometries, coordinates rounded (and optionally simplified)."""
    arr = np.asarray(geo.values, dtype=object)
    if simplify_m:
        arr = shapely.simplify(arr, simplify_m * _DEG_PER_M, preserve_topology=True)
    arr = shapely.transform(arr, lambda c: np.round(c, decimals))
    if len(arr) == 0:
        return []
    return json.loads("[" + ",".join(shapely.to_geojson(arr)) + "]")


#: Default vertex budget of one map page: about 11 MB of coordinates.
MAX_VERTICES = 500_000

# Coordinates are written to 6 decimals (~0.1 m): a finer tolerance keeps
# vertices that rounding would then pile up into invalid outlines.
_MIN_TOLERANCE_M = 0.1


def _nice_up(value: float) -> float:
    """Round a positive number up to two significant digits (0.137 -> 0.14)."""
    step = 10.0 ** (np.floor(np.log10(value)) - 1)
    return float(np.ceil(value / step - 1e-9) * step)


def _check_budget(max_vertices: int | None, simplify_m: float | None) -> None:
    """Refuse a vertex budget or a tolerance that is not a usable number."""
    if max_vertices is not None and (
        isinstance(max_vertices, bool)
        or not isinstance(max_vertices, int)
        or max_vertices < 1
    ):
        msg = (
            f"max_vertices must be a positive whole number or None, "
            f"got {max_vertices!r}"
        )
        raise ValidationError(msg)
    if simplify_m is not None and not (
        isinstance(simplify_m, (int, float))
        and np.isfinite(simplify_m)
        and simplify_m >= 0
    ):
        msg = f"simplify_m must be a number of metres, 0 or more, got {simplify_m!r}"
        raise ValidationError(msg)


def _put_back(
    present: Mapping[str, gpd.GeoDataFrame], arr: np.ndarray, crs: Any
) -> dict[str, gpd.GeoDataFrame | None]:
    """Return copies of the layers with ``arr`` (in ``crs``), split back per layer."""
    out: dict[str, gpd.GeoDataFrame | None] = {}
    start = 0
    for key, frame in present.items():
        n = len(frame)
        geo = gpd.GeoSeries(arr[start : start + n], index=frame.index, crs=crs)
        copy = frame.copy()
        copy[frame.geometry.name] = geo.to_crs(frame.crs).values
        out[key] = copy
        start += n
    return out


def _vertex_budget(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    max_vertices: int | None,
    simplify_m: float | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame | None], float | None]:
    """Simplify the layers' outlines for display so they fit a vertex budget.

    Outlines are simplified in the layers' UTM zone (metres) with one
    tolerance for every layer, keeping each polygon valid
    (``preserve_topology``): ``simplify_m`` when given, else none; past
    ``max_vertices`` vertices in all, the smallest tolerance (rounded up to two
    significant digits, at least 0.1 m, the precision of the coordinates
    written) that brings the count under the budget.

    Returns
    -------
    dict, float or None
        The layers (copies, in EPSG:4326, same rows and index) and the
        tolerance in metres, or None when nothing was simplified.
    """
    from zonegeo.crs import metric_crs

    _check_budget(max_vertices, simplify_m)
    present = {k: v for k, v in layers.items() if v is not None and len(v)}
    out: dict[str, gpd.GeoDataFrame | None] = dict(layers)
    if not present:
        return out, None
    arrays = {
        k: np.asarray(v.geometry.values, dtype=object) for k, v in present.items()
    }
    total = int(sum(shapely.get_num_coordinates(a).sum() for a in arrays.values()))
    over = max_vertices is not None and total > max_vertices
    if not over and not simplify_m:
        return out, None
    crs = metric_crs(*present.values())
    projected = {
        k: np.asarray(v.geometry.to_crs(crs).values, dtype=object)
        for k, v in present.items()
    }
    joined = np.concatenate(list(projected.values()))

    polygonal = np.isin(shapely.get_type_id(joined), (3, 6))  # Polygon, MultiPolygon

    def simplified(tol: float, *, exact: bool = False) -> tuple[np.ndarray, int]:
        # Douglas-Peucker is fast (the tolerance search runs it several
        # times); a polygon it made invalid or empty is redone keeping its
        # topology, so every outline shown stays a valid polygon.
        arr = shapely.simplify(joined, tol, preserve_topology=False)
        if exact:
            bad = polygonal & (~shapely.is_valid(arr) | shapely.is_empty(arr))
            if bad.any():
                arr[bad] = shapely.simplify(joined[bad], tol, preserve_topology=True)
        return arr, int(shapely.get_num_coordinates(arr).sum())

    tol = float(simplify_m or 0.0)
    arr, count = simplified(tol, exact=True) if tol else (joined, total)
    if max_vertices is not None and count > max_vertices:
        # Start at the mean vertex spacing; a smooth outline keeps about
        # 1/sqrt(tolerance) vertices, so grow by the square of the excess,
        # then halve the bracket a few times for the smallest tolerance.
        low = tol
        length = float(shapely.length(joined).sum())
        tol = max(tol, length / max(count, 1), _MIN_TOLERANCE_M)
        _, count = simplified(tol)
        while count > max_vertices:
            low = tol
            tol *= float(np.clip((count / max_vertices) ** 2, 1.5, 100.0))
            _, count = simplified(tol)
        for _ in range(4):
            if low <= 0 or tol / low < 1.15:
                break
            mid = float(np.sqrt(low * tol))
            if simplified(mid)[1] <= max_vertices:
                tol = mid
            else:
                low = mid
        tol = _nice_up(tol)
        arr, count = simplified(tol, exact=True)
        while count > max_vertices:  # topology kept a few more vertices
            tol = _nice_up(tol * 1.25)
            arr, count = simplified(tol, exact=True)
    log.info(
        "map outlines simplified to %.3g m for display: %d -> %d vertices (budget %s)",
        tol,
        total,
        count,
        max_vertices,
    )
    out.update(_put_back(present, arr, crs))
    return out, tol


def _collection(
    geo: gpd.GeoSeries,
    *,
    values: list[list[str | None]] | None = None,
    styles: Sequence[int] | None = None,
    extra: Mapping[str, Sequence[Any]] | None = None,
    simplify_m: float | None = None,
    decimals: int = _DECIMALS,
) -> dict[str, Any]:
    geoms = _geometries(geo, simplify_m=simplify_m, decimals=decimals)
    rows = list(zip(*values, strict=True)) if values else [()] * len(geoms)
    features = []
    for i, g in enumerate(geoms):
        props: dict[str, Any] = {}
        if values:
            props["v"] = list(rows[i])
        if styles is not None:
            props["s"] = int(styles[i])
        if extra:
            for key, seq in extra.items():
                if seq[i] is not None:
                    props[key] = seq[i]
        features.append({"type": "Feature", "geometry": g, "properties": props})
    return {"type": "FeatureCollection", "features": features}
