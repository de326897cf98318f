"""Candidate sites for a new industrial zone, with every ranking criterion.

:func:`candidate_sites` tiles a district's land into hexagons or squares of the
target area, adds the district's free plots, marks the candidates that an
exclusion rule forbids (``eligible=False`` with ``excluded_because``) and
computes the criteria :func:`zonegeo.rank` needs. Existing zones and plots
that are not ``free`` are exclusions by default (``exclude_taken=True``).

How tiles are made
------------------
Tiles are laid on a regular lattice in a Lambert azimuthal equal-area
projection centred on the district, so each tile has exactly the target area
(within the 5 % tolerance by construction). Only whole tiles that lie at least
1 m inside the district boundary are kept; partial tiles are dropped, never
clipped. When the lattice would exceed :data:`MAX_LATTICE` tiles the spacing is
widened (tiles keep their area but no longer touch) and the stride is logged.

The ``max_candidates`` tiles nearest to infrastructure are kept: a tile's key
is the largest of its distances (from its centre) to the nearest gas,
electricity and water feature, so tiles near all three come first. With
``keep_excluded=True`` (the default) excluded tiles compete for these places
too, so the planner sees why the land next to the substation is not offered;
with ``keep_excluded=False`` only eligible tiles are kept.

Criteria columns
----------------
``area_ha``; ``dist_<kind>_m`` and ``nearest_<kind>_id`` from
:func:`zonegeo.infrastructure_distances`; ``cost_<kind>_kzt`` and
``cost_total_kzt`` from :func:`zonegeo.connection_costs`;
``dist_settlement_m`` and ``nearest_settlement`` (the nearest settlement point);
``dist_centre_m`` (to the district seat, ``seat_lon``/``seat_lat``);
``population_within_<r>km`` (inhabitants of settlements within ``r`` km: the
labour supply). Distances are in metres from the candidate's boundary (0 when
the feature lies inside), measured in the district's UTM zone.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonegeo.crs import equal_area_crs, metric_crs
from zonegeo.dataset import Dataset
from zonegeo.errors import DataWarning, ValidationError
from zonegeo.siting.criteria import (
    SANITARY_SOURCE,
    apply_exclusions,
    exclusion_zones,
    roman,
    sanitary_width_m,
)

__all__ = [
    "AREA_TOLERANCE",
    "MAX_LATTICE",
    "SHAPES",
    "candidate_sites",
    "labour_column",
    "tile_district",
]

log = logging.getLogger(__name__)

#: Tile shapes.
SHAPES: tuple[str, ...] = ("hexagon", "square")
#: Largest lattice laid over a district before its spacing is widened.
MAX_LATTICE = 250_000
#: A free plot may be this much smaller than the target area and stay eligible.
AREA_TOLERANCE = 0.05
_INSET_M = 1.0
_DENSIFY_DEG = 0.0005


def labour_column(radius_km: float) -> str:
    """Name of the labour-supply column for a radius, e.g. ``population_within_10km``.

    Examples
    --------
    >>> labour_column(10), labour_column(7.5)
    ('population_within_10km', 'population_within_7.5km')
    """
    return f"population_within_{float(radius_km):g}km"


def _tile_offsets(shape: str, area_m2: float) -> tuple[np.ndarray, float, float, bool]:
    """Return (vertex offsets, dx, dy, offset odd rows) of a tile of ``area_m2``."""
    if shape == "hexagon":
        side = math.sqrt(2.0 * area_m2 / (3.0 * math.sqrt(3.0)))
        angles = np.deg2rad(90.0 + 60.0 * np.arange(6))
        offsets = np.column_stack([side * np.cos(angles), side * np.sin(angles)])
        return offsets, math.sqrt(3.0) * side, 1.5 * side, True
    half = math.sqrt(area_m2) / 2.0
    offsets = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    return offsets, 2 * half, 2 * half, False


def tile_district(
    district: shapely.Geometry,
    *,
    area_m2: float,
    shape: Literal["hexagon", "square"] = "hexagon",
    max_lattice: int = MAX_LATTICE,
) -> tuple[np.ndarray, int]:
    """Tile a polygon (in an equal-area CRS, metres) with whole tiles of ``area_m2``.

    Parameters
    ----------
    district : Polygon or MultiPolygon
        In an equal-area projected CRS.
    area_m2 : float
        Tile area, square metres.
    shape : {"hexagon", "square"}
        Pointy-top regular hexagons or axis-aligned squares.
    max_lattice : int
        Widen the lattice spacing when more tiles than this would be laid.

    Returns
    -------
    tiles : ndarray of Polygon
        Tiles at least 1 m inside ``district``, in lattice order (row by row).
    stride : int
        Lattice spacing in tile widths (1 = tiles touch).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> tiles, stride = tile_district(box(0, 0, 1000, 1000), area_m2=10_000,
    ...                               shape="square")
    >>> len(tiles), stride, round(tiles[0].area)
    (81, 1, 10000)
    """
    offsets, dx, dy, staggered = _tile_offsets(shape, area_m2)
    minx, miny, maxx, maxy = district.bounds
    lattice = ((maxx - minx) / dx + 2) * ((maxy - miny) / dy + 2)
    stride = max(1, math.ceil(math.sqrt(lattice / max_lattice)))
    if stride > 1:
        log.info(
            "candidate lattice widened to every %d tile width(s) (< %d tiles)",
            stride,
            max_lattice,
        )
    sx, sy = dx * stride, dy * stride
    ext_x, ext_y = np.abs(offsets[:, 0]).max(), np.abs(offsets[:, 1]).max()
    pad = 2 * _INSET_M  # so a tile flush with a straight edge still fits
    xs = np.arange(minx + ext_x + pad, maxx - ext_x + sx, sx)
    ys = np.arange(miny + ext_y + pad, maxy - ext_y + sy, sy)
    gx, gy = np.meshgrid(xs, ys)
    if staggered:
        gx = gx + (np.arange(len(ys)) % 2)[:, None] * (sx / 2.0)
    cx, cy = gx.ravel(), gy.ravel()
    inner = district.buffer(-_INSET_M)
    if inner.is_empty:
        return np.array([], dtype=object), stride
    shapely.prepare(inner)
    inside = shapely.contains_xy(inner, cx, cy)
    cx, cy = cx[inside], cy[inside]
    if len(cx) == 0:
        return np.array([], dtype=object), stride
    ring = np.concatenate([offsets, offsets[:1]])
    coords = np.stack([cx, cy], axis=1)[:, None, :] + ring[None, :, :]
    tiles = shapely.polygons(coords)
    whole = shapely.contains_properly(inner, tiles)
    return tiles[whole], stride


def _segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split lines into two-point segments (points stay); return geoms and owners."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    lines = shapely.get_type_id(parts) == 1
    out = [parts[~lines]]
    owners = [owner[~lines]]
    if lines.any():
        coords, idx = shapely.get_coordinates(parts[lines], return_index=True)
        same = idx[1:] == idx[:-1]
        segs = shapely.linestrings(
            np.stack([coords[:-1][same], coords[1:][same]], axis=1)
        )
        out.append(segs)
        owners.append(owner[lines][idx[:-1][same]])
    return np.concatenate(out), np.concatenate(owners)


def _nearest_distance(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Distance from each geometry in ``points`` to the nearest of ``targets``."""
    if len(targets) == 0 or len(points) == 0:
        return np.full(len(points), np.inf)
    segs, _ = _segments(targets)
    tree = shapely.STRtree(segs)
    (src, _dst), dist = tree.query_nearest(
        points, return_distance=True, all_matches=False
    )
    out = np.full(len(points), np.inf)
    out[src] = dist
    return out


def _check_args(
    area_ha: float, shape: str, max_candidates: int, labour_radius_km: float
) -> None:
    if (
        isinstance(area_ha, bool)
        or not isinstance(area_ha, (int, float))
        or not (math.isfinite(area_ha) and area_ha > 0)
    ):
        msg = f"area_ha must be a positive number of hectares, got {area_ha!r}"
        raise ValidationError(msg)
    if shape not in SHAPES:
        msg = f"unknown tile shape {shape!r}; valid shapes: {', '.join(SHAPES)}"
        raise ValidationError(msg)
    if (
        isinstance(max_candidates, bool)
        or not isinstance(max_candidates, int)
        or (max_candidates < 1)
    ):
        msg = f"max_candidates must be a positive integer, got {max_candidates!r}"
        raise ValidationError(msg)
    if not isinstance(labour_radius_km, (int, float)) or not (
        math.isfinite(labour_radius_km) and labour_radius_km > 0
    ):
        msg = f"labour_radius_km must be a positive number, got {labour_radius_km!r}"
        raise ValidationError(msg)


def _extra_exclusions(exclusions: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if exclusions is None:
        return None
    if not isinstance(exclusions, gpd.GeoDataFrame):
        msg = (
            f"exclusions must be a GeoDataFrame of polygons with name and reason, got "
            f"{type(exclusions).__name__}; read a file with zonegeo.read_exclusions"
        )
        raise TypeError(msg)
    from zonegeo.io.validate import validate_layer

    return validate_layer(exclusions, "exclusions", source="the exclusions argument")


def _seat_point(districts: gpd.GeoDataFrame, name: str) -> gpd.GeoSeries:
    row = districts.iloc[0]
    lon = row.get("seat_lon") if "seat_lon" in districts.columns else None
    lat = row.get("seat_lat") if "seat_lat" in districts.columns else None
    if lon is None or lat is None or pd.isna(lon) or pd.isna(lat):
        warnings.warn(
            f"district {name!r} has no seat_lon/seat_lat; dist_centre_m is "
            f"measured to a "
            f"point inside the district instead of its administrative centre",
            DataWarning,
            stacklevel=3,
        )
        return gpd.GeoSeries(
            [districts.geometry.union_all().representative_point()], crs=districts.crs
        )
    return gpd.GeoSeries([shapely.Point(float(lon), float(lat))], crs=4326)


def _settlement_criteria(
    cands: gpd.GeoSeries, settlements: gpd.GeoDataFrame, radius_km: float
) -> pd.DataFrame:
    n = len(cands)
    labour = labour_column(radius_km)
    out = pd.DataFrame(index=cands.index)
    if len(settlements) == 0:
        out["dist_settlement_m"] = np.nan
        out["nearest_settlement"] = pd.Series(pd.NA, index=cands.index, dtype="string")
        out[labour] = 0.0
        return out
    pts = settlements.geometry.to_crs(cands.crs).to_numpy()
    geoms = cands.to_numpy()
    tree = shapely.STRtree(pts)
    (src, dst), dist = tree.query_nearest(
        geoms, return_distance=True, all_matches=False
    )
    d = np.full(n, np.nan)
    d[src] = dist
    names = (
        settlements["name"].astype("string").to_numpy()
        if "name" in settlements.columns
        else np.array([pd.NA] * len(pts))
    )
    nearest = np.array([pd.NA] * n, dtype=object)
    nearest[src] = names[dst]
    out["dist_settlement_m"] = d
    out["nearest_settlement"] = pd.array(nearest, dtype="string")
    pop = (
        pd.to_numeric(settlements["population"], errors="coerce").to_numpy(float)
        if "population" in settlements.columns
        else np.full(len(pts), np.nan)
    )
    if np.isnan(pop).any():
        log.info(
            "%d settlement(s) without population count as 0 in %s",
            int(np.isnan(pop).sum()),
            labour,
        )
    pop = np.nan_to_num(pop, nan=0.0)
    a, b = tree.query(geoms, predicate="dwithin", distance=radius_km * 1000.0)
    out[labour] = np.bincount(a, weights=pop[b], minlength=n)
    return out


def candidate_sites(
    dataset: Dataset,
    district: str,
    *,
    area_ha: float,
    hazard_class: int | str | None = None,
    exclusions: gpd.GeoDataFrame | None = None,
    shape: Literal["hexagon", "square"] = "hexagon",
    max_candidates: int = 2000,
    free_plots: bool = True,
    keep_excluded: bool = True,
    labour_radius_km: float = 10.0,
    kinds: Sequence[str] | None = None,
    unit_costs: Mapping[str, object] | str | Path | None = None,
    sanitary_widths: Mapping[int, float] | None = None,
    exclude_taken: bool = True,
) -> gpd.GeoDataFrame:
    """Candidate sites for a new zone in a district, ready for :func:`zonegeo.rank`.

    Parameters
    ----------
    dataset : Dataset
        The region's layers (e.g. :func:`zonegeo.load_demo`).
    district : str
        District name (case-insensitive).
    area_ha : float
        Target site area, hectares. Tiles have this area; free plots smaller
        than it by more than 5 % are ineligible.
    hazard_class : int or str, optional
        Hazard class of the planned facility, 1-5 or I-V. Candidates closer
        than the class's sanitary zone width
        (:data:`zonegeo.siting.criteria.SANITARY_WIDTHS_M`) to any settlement are
        ineligible. ``None`` applies no sanitary zone.
    exclusions : GeoDataFrame, optional
        Extra exclusion polygons (``name``, ``reason``, optional ``buffer_m``),
        added to the dataset's exclusions layer.
    shape : {"hexagon", "square"}, default "hexagon"
        Tile shape.
    max_candidates : int, default 2000
        Most tiles to return, nearest to infrastructure first (free plots come
        on top of this).
    free_plots : bool, default True
        Add the district's plots with status ``free`` (``source="free_plot"``).
    keep_excluded : bool, default True
        Let excluded tiles take part (marked ineligible) instead of dropping
        them.
    labour_radius_km : float, default 10
        Radius of the labour-supply criterion.
    kinds : sequence of str, optional
        Infrastructure kinds to measure; default every kind present.
    unit_costs : mapping or path, optional
        Passed to :func:`zonegeo.connection_costs`.
    sanitary_widths : mapping, optional
        Sanitary zone widths by class, overriding the defaults.
    exclude_taken : bool, default True
        Land already in use is an exclusion: tiles that overlap an existing
        zone (``"existing zone '<name>' (<zone_id>)"``) and any candidate that
        overlaps a plot whose status is not ``free`` (``"allocated plot
        '<plot_id>'"``, ``"plot '<plot_id>' under construction"``,
        ``"operating plot '<plot_id>'"``) are ineligible, with that reason in
        ``excluded_because``. ``False`` lets candidates lie on existing zones
        and taken plots.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, a RangeIndex, one row per candidate: ``candidate_id``
        (``"<district>-T0001"`` for tiles, the ``plot_id`` for free plots),
        ``source`` (``"tile"`` or ``"free_plot"``), ``district``, ``plot_id``,
        ``zone_id``, ``area_ha``, ``eligible``, ``excluded_because`` and the
        criteria described in the module docstring. Free plots come first,
        then tiles nearest infrastructure first. ``.attrs`` records the
        district, target area, hazard class, sanitary width and its source,
        tile shape, lattice stride and counts.

    Raises
    ------
    UnknownDistrictError
        If the district is not in the dataset.
    ValidationError
        For a bad argument, or when the district has no room for a single
        tile and no free plot.

    Notes
    -----
    A new zone is never sited on an existing zone: a tile that overlaps one
    is excluded even where that zone's land is still free (free land inside a
    zone belongs to that zone and is offered as its free plots instead).
    Free plots are not excluded by their own zone, since they lie inside
    zones by definition, but they are by a taken plot they overlap (a
    digitising error or a double allocation). Touching along an edge is not
    an overlap. Sanitary zones are measured from settlement points, as the
    settlements layer has no built-up outlines.

    Examples
    --------
    >>> import zonegeo
    >>> sites = zonegeo.candidate_sites(zonegeo.load_demo(), "Sauran", area_ha=50,
    ...                                 hazard_class=3, max_candidates=200)
    >>> sorted(sites["source"].unique())
    ['free_plot', 'tile']
    >>> bool((sites.loc[sites["source"] == "tile", "area_ha"] - 50).abs().max() < 2.5)
    True
    """
    from zonegeo.access.cost import connection_costs, load_unit_costs
    from zonegeo.access.distances import infrastructure_distances
    from zonegeo.parcels import area_ha as measure_area

    if not isinstance(dataset, Dataset):
        msg = f"dataset must be a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.io.integrity import check_links

    check_links(dataset)
    _check_args(area_ha, shape, max_candidates, labour_radius_km)
    if not isinstance(exclude_taken, bool):
        msg = f"exclude_taken must be True or False, got {exclude_taken!r}"
        raise TypeError(msg)
    name = dataset.check_district(district)
    sub = dataset.district(name)
    width = (
        None
        if hazard_class is None
        else sanitary_width_m(hazard_class, widths=sanitary_widths)
    )
    extra = _extra_exclusions(exclusions)

    utm = metric_crs(sub.districts)
    laea = equal_area_crs(sub.districts)
    area_m2 = float(area_ha) * 10_000.0
    # Boundary edges are straight in lon/lat; densify them (about 50 m) so they
    # keep that shape in the equal-area projection (a 10 km edge would bow ~2 m).
    poly = sub.districts.geometry.to_crs(4326).segmentize(_DENSIFY_DEG)
    poly = poly.to_crs(laea).union_all()
    tiles, stride = tile_district(poly, area_m2=area_m2, shape=shape)
    n_tiles = len(tiles)
    tile_geo = gpd.GeoSeries(tiles, crs=laea).to_crs(utm)
    log.info(
        "%s: %d whole %s tile(s) of %g ha inside the district",
        name,
        n_tiles,
        shape,
        area_ha,
    )

    ex_layers = [g for g in (dataset.exclusions, extra) if g is not None and len(g)]
    ex_all = (
        gpd.GeoDataFrame(
            pd.concat([g.to_crs(4326) for g in ex_layers], ignore_index=True), crs=4326
        )
        if ex_layers
        else None
    )
    common = {
        "crs": utm,
        "exclusions": ex_all,
        "settlements": dataset.settlements,
        "hazard_class": hazard_class,
        "widths": sanitary_widths,
    }
    taken = {"zones": dataset.zones, "plots": dataset.plots} if exclude_taken else {}
    zones_all = exclusion_zones(**common, **taken)

    # Which tiles are excluded, and how far each is from infrastructure.
    tile_frame = gpd.GeoDataFrame(geometry=tile_geo.to_numpy(), crs=utm)
    tile_frame = apply_exclusions(tile_frame, zones_all)
    infra = dataset.infrastructure
    present = sorted(set(infra["kind"].dropna())) if len(infra) else []
    use_kinds = [k for k in present if kinds is None or k in kinds]
    key = np.zeros(n_tiles)
    if n_tiles and use_kinds:
        centres = shapely.centroid(tile_frame.geometry.to_numpy())
        infra_utm = infra.to_crs(utm)
        for kind in use_kinds:
            feats = infra_utm.geometry[infra_utm["kind"] == kind].to_numpy()
            key = np.maximum(key, _nearest_distance(centres, feats))
    pool = np.arange(n_tiles)
    if not keep_excluded:
        pool = pool[tile_frame["eligible"].to_numpy()]
    chosen = pool[np.argsort(key[pool], kind="stable")][:max_candidates]
    tile_frame = tile_frame.iloc[chosen].reset_index(drop=True)
    tile_frame.insert(
        0, "candidate_id", [f"{name}-T{i + 1:04d}" for i in range(len(chosen))]
    )
    tile_frame.insert(1, "source", "tile")
    tile_frame.insert(
        2, "plot_id", pd.Series(pd.NA, index=tile_frame.index, dtype="string")
    )
    tile_frame.insert(
        3, "zone_id", pd.Series(pd.NA, index=tile_frame.index, dtype="string")
    )

    parts = []
    n_free = 0
    if free_plots:
        plots = sub.plots[sub.plots["status"] == "free"]
        n_free = len(plots)
        if n_free:
            # Free plots lie in zones: only taken plots exclude them.
            zones_free = exclusion_zones(
                **common, plots=dataset.plots if exclude_taken else None
            )
            fp = gpd.GeoDataFrame(
                {
                    "candidate_id": plots["plot_id"].astype("string").to_numpy(),
                    "source": "free_plot",
                    "plot_id": plots["plot_id"].astype("string").to_numpy(),
                    "zone_id": plots["zone_id"].astype("string").to_numpy(),
                },
                geometry=plots.geometry.to_crs(utm).to_numpy(),
                crs=utm,
            )
            small = measure_area(fp).to_numpy() < (1.0 - AREA_TOLERANCE) * float(
                area_ha
            )
            fp["eligible"] = ~small
            fp["excluded_because"] = [
                f"free plot of {a:.1f} ha is smaller than the "
                f"{float(area_ha):g} ha needed"
                if s
                else ""
                for a, s in zip(measure_area(fp), small, strict=True)
            ]
            parts.append(apply_exclusions(fp, zones_free))
    parts.append(tile_frame)
    cands = gpd.GeoDataFrame(
        pd.concat(parts, ignore_index=True), geometry="geometry", crs=utm
    )
    if len(cands) == 0:
        district_ha = float(measure_area(sub.districts).sum())
        msg = (
            f"no candidate site in {name!r}: the district ({district_ha:,.0f} ha) "
            f"has no "
            f"room for a whole {float(area_ha):g} ha {shape}"
            + (" outside the exclusions" if n_tiles and not keep_excluded else "")
            + " and no free plot. Fix: choose a smaller area_ha or another district"
        )
        raise ValidationError(msg)
    cands.insert(2, "district", name)
    cands["eligible"] = cands["eligible"].astype(bool)
    cands["excluded_because"] = cands["excluded_because"].fillna("").astype("string")

    # Criteria.
    cands.insert(5, "area_ha", measure_area(cands).to_numpy())
    settle = _settlement_criteria(cands.geometry, dataset.settlements, labour_radius_km)
    seat = _seat_point(sub.districts, name).to_crs(utm).iloc[0]
    cands = cands.to_crs(4326)
    if use_kinds:
        cands = infrastructure_distances(cands, infra, kinds=use_kinds)
        if set(use_kinds) & set(load_unit_costs(unit_costs)):  # not railways alone
            cands = connection_costs(cands, unit_costs=unit_costs)
    geom_utm = cands.geometry.to_crs(utm).to_numpy()
    cands["dist_settlement_m"] = settle["dist_settlement_m"].to_numpy()
    cands["nearest_settlement"] = settle["nearest_settlement"].to_numpy()
    cands["dist_centre_m"] = shapely.distance(geom_utm, seat)
    labour = labour_column(labour_radius_km)
    cands[labour] = settle[labour].to_numpy()
    cands = cands[[c for c in cands.columns if c != "geometry"] + ["geometry"]]
    cands.attrs = {
        "district": name,
        "area_ha": float(area_ha),
        "hazard_class": None if hazard_class is None else roman(hazard_class),
        "sanitary_width_m": width,
        "sanitary_source": SANITARY_SOURCE if width is not None else None,
        "shape": shape,
        "lattice_stride": stride,
        "tiles_in_district": n_tiles,
        "tiles_kept": int(len(chosen)),
        "free_plots": n_free,
        "max_candidates": max_candidates,
        "labour_column": labour,
        "kinds": use_kinds,
        "exclude_taken": exclude_taken,
    }
    log.info(
        "%s: %d candidate(s) (%d tiles of %d, %d free plots), %d eligible",
        name,
        len(cands),
        len(chosen),
        n_tiles,
        n_free,
        int(cands["eligible"].sum()),
    )
    return cands
