"""Private checks that collect every problem in a layer, then raise once."""

from __future__ import annotations

import difflib
import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zonegeo import schema
from zonegeo.crs import check_lonlat_order
from zonegeo.errors import (
    CRSError,
    DataWarning,
    GeometryError,
    SchemaError,
    ValidationError,
)
from zonegeo.messages import (
    MAX_IDS as _MAX_IDS,
)
from zonegeo.messages import (
    closest_names,
    describe_rows,
    geometry_type_names,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "Problems",
    "closest_names",
    "describe_rows",
    "geometry_type_names",
    "validate_layer",
]

log = logging.getLogger(__name__)

#: Column names other tools use for the same thing, tried when a column is missing.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "districts": {
        "district": (
            "shapeName",
            "ADM2_EN",
            "NAME_2",
            "name_en",
            "name:en",
            "NAME_EN",
            "name",
        ),
        "name_kk": ("ADM2_KK", "name:kk", "NAME_KK"),
        "name_ru": ("ADM2_RU", "name:ru", "NAME_RU", "NL_NAME_2"),
    },
}

#: Columns outside the schema that zonegeo reads (the plots' capacity demands,
#: see :data:`zonegeo.access.distances.DEMAND_COLUMNS`); their Shapefile names cut to 10
#: characters are restored like the schema's own.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "plots": ("demand_gas_m3h", "demand_electricity_kw", "demand_water_m3d"),
}


@dataclass
class Problems:
    """The problems found in one layer, raised together by :meth:`raise_if_any`."""

    source: str
    layer: str
    items: list[tuple[type[ValidationError], str]] = field(default_factory=list)

    def add(self, kind: type[ValidationError], text: str) -> None:
        """Record one problem of error class ``kind``."""
        self.items.append((kind, text))

    def raise_if_any(self) -> None:
        """Raise one error listing every problem, if there are any."""
        if not self.items:
            return
        kinds = {k for k, _ in self.items}
        cls = kinds.pop() if len(kinds) == 1 else ValidationError
        # A GeoPackage source already names its layer: do not name one twice.
        where = (
            self.source
            if self.source.endswith('")') and '(layer "' in self.source
            else f'{self.source} (layer "{self.layer}")'
        )
        if len(self.items) == 1:  # one problem: one line
            msg = f"{where}: {self.items[0][1]}"
            raise cls(msg)
        head = f"{where}: {len(self.items)} problems"
        msg = head + "\n" + "\n".join(f"  - {text}" for _, text in self.items)
        raise cls(msg)


def _row_ids(
    gdf: pd.DataFrame, mask: np.ndarray, id_column: str | None
) -> list[object]:
    if id_column and id_column in gdf.columns:
        return list(gdf.loc[mask, id_column].astype(object))
    return [int(i) + 1 for i in np.flatnonzero(mask)]  # 1-based row numbers


def _rename_columns(
    gdf: gpd.GeoDataFrame,
    sch: schema.LayerSchema,
    column_map: Mapping[str, str] | None,
    problems: Problems,
) -> gpd.GeoDataFrame:
    """Apply the user's column map, then known aliases for missing columns."""
    if column_map:
        absent = [src for src in column_map if src not in gdf.columns]
        if absent:
            problems.add(
                SchemaError,
                f"column_map names columns not in the file: {absent}; "
                f"the file has: {list(gdf.columns.drop(gdf.geometry.name))}",
            )
        gdf = gdf.rename(
            columns={k: v for k, v in column_map.items() if k in gdf.columns}
        )
    renames = {}
    for target, aliases in ALIASES.get(sch.name, {}).items():
        if target in gdf.columns:
            continue
        for alias in aliases:
            if (
                alias in gdf.columns
                and alias not in renames
                and alias not in sch.column_names
            ):
                renames[alias] = target
                log.info("%s: using column %r as %r", problems.source, alias, target)
                break
    # Shapefiles cut column names to 10 characters (investment_kzt -> investment).
    for col in [*sch.column_names, *EXTRA_COLUMNS.get(sch.name, ())]:
        short = col[:10]
        if (
            col not in gdf.columns
            and short != col
            and short in gdf.columns
            and short not in renames
            and short not in sch.column_names
        ):
            renames[short] = col
            log.info(
                "%s: using column %r as %r (Shapefile name limit)",
                problems.source,
                short,
                col,
            )
    return gdf.rename(columns=renames) if renames else gdf


def _check_crs(
    gdf: gpd.GeoDataFrame, problems: Problems, *, keep_crs: bool = False
) -> gpd.GeoDataFrame | None:
    if gdf.crs is None:
        problems.add(
            CRSError,
            "the layer has no CRS (for example a Shapefile without its .prj); "
            "zonegeo never guesses one. Fix: add the .prj, or read it with "
            "crs='EPSG:4326' (on the command line --crs EPSG:4326; or the CRS "
            "the coordinates are in)",
        )
        return None
    if len(gdf) == 0 or gdf.geometry.isna().all():
        if keep_crs or gdf.crs.equals(4326):
            return gdf
        return gdf.to_crs(schema.STORAGE_CRS)
    if gdf.crs.is_geographic:
        bounds = gdf.geometry.total_bounds
        if np.all(np.isfinite(bounds)):
            if check_lonlat_order(bounds):
                problems.add(
                    CRSError,
                    f"coordinates look like swapped lon/lat: x/y look swapped "
                    f"(x spans {bounds[0]:.4f}..{bounds[2]:.4f}, y spans "
                    f"{bounds[1]:.4f}..{bounds[3]:.4f}; Kazakhstan lies at lon 46-88, "
                    f"lat 40-56). Fix: write x=longitude, y=latitude, e.g. swap them "
                    f"with shapely.transform(geoms, lambda xy: xy[:, ::-1])",
                )
                return None
            if bounds[1] < -90 or bounds[3] > 90 or bounds[0] < -360 or bounds[2] > 360:
                problems.add(
                    CRSError,
                    f"the CRS {gdf.crs.to_string()} is geographic but the coordinates "
                    f"(bounds {np.round(bounds, 1).tolist()}) are not degrees. Fix: "
                    f"set the projected CRS the coordinates are really in",
                )
                return None
    if not keep_crs and not gdf.crs.equals(4326):
        log.info(
            "%s: reprojecting from %s to EPSG:4326",
            problems.source,
            gdf.crs.to_string(),
        )
        gdf = gdf.to_crs(schema.STORAGE_CRS)
    return gdf


def _finite_rows(geom: np.ndarray) -> np.ndarray:
    """Return True for each geometry whose x/y coordinates are all finite."""
    coords, owner = shapely.get_coordinates(geom, return_index=True)
    finite = np.ones(len(geom), dtype=bool)
    finite[np.unique(owner[~np.isfinite(coords).all(axis=1)])] = False
    return finite


#: Geometries from which :func:`_is_valid` splits the work between threads.
_VALID_BLOCK = 100_000


def _is_valid(geom: np.ndarray) -> np.ndarray:
    """``shapely.is_valid``, one block per CPU for large arrays (GEOS frees the GIL)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    n_threads = min(os.cpu_count() or 1, max(1, len(geom) // _VALID_BLOCK))
    if n_threads <= 1:
        return np.asarray(shapely.is_valid(geom))
    with ThreadPoolExecutor(n_threads) as pool:
        parts = pool.map(shapely.is_valid, np.array_split(geom, n_threads))
        return np.concatenate(list(parts))


def _check_geometry(
    gdf: gpd.GeoDataFrame,
    sch: schema.LayerSchema,
    id_column: str | None,
    problems: Problems,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Check (and repair) the geometries; also return which rows are all finite."""
    geom = np.asarray(gdf.geometry.values)
    missing = np.asarray(shapely.is_missing(geom) | shapely.is_empty(geom))
    if missing.any():
        ids = _row_ids(gdf, missing, id_column)
        problems.add(
            GeometryError,
            f"empty or missing geometry in {len(ids)} row(s) "
            f"{describe_rows(ids, id_column=id_column)}. Fix: draw the shape or "
            f"remove the row",
        )
    finite = _finite_rows(geom)
    nonfinite = ~finite
    if nonfinite.any():
        ids = _row_ids(gdf, nonfinite, id_column)
        problems.add(
            GeometryError,
            f"coordinates that are not finite numbers (NaN or infinity) in "
            f"{len(ids)} row(s) {describe_rows(ids, id_column=id_column)}. Fix: "
            f"correct those vertices in a GIS or the source table",
        )
    missing = missing | nonfinite  # no further checks on those rows
    type_names = geometry_type_names(geom)
    wrong = ~missing & ~np.isin(type_names, sch.geometry_types)
    if wrong.any():
        ids = _row_ids(gdf, wrong, id_column)
        found = sorted(set(type_names[wrong]))
        problems.add(
            GeometryError,
            f"wrong geometry type {found} in {len(ids)} row(s) "
            f"{describe_rows(ids, id_column=id_column)}; allowed for {sch.name}: "
            f"{', '.join(sch.geometry_types)}. Fix: export the layer with the right "
            f"geometry type",
        )
    polygonal = "Polygon" in sch.geometry_types
    if polygonal:
        check = ~missing & ~wrong
        invalid = check & ~_is_valid(geom)
        if invalid.any():
            repaired = shapely.make_valid(geom[invalid])
            # make_valid may return a GeometryCollection; keep its polygonal part.
            parts = [_polygonal_part(g) for g in repaired]
            ok = np.array([p is not None for p in parts])
            ids = _row_ids(gdf, invalid, id_column)
            bad_ids = [i for i, good in zip(ids, ok, strict=True) if not good]
            good_ids = [i for i, good in zip(ids, ok, strict=True) if good]
            if bad_ids:
                problems.add(
                    GeometryError,
                    f"invalid polygon that cannot be repaired in row(s) "
                    f"{describe_rows(bad_ids, id_column=id_column)}. Fix: redraw it "
                    f"in a GIS",
                )
            if good_ids:
                new = geom.copy()
                idx = np.flatnonzero(invalid)[ok]
                new[idx] = np.array([p for p in parts if p is not None], dtype=object)
                gdf = gdf.set_geometry(
                    gpd.GeoSeries(new, index=gdf.index, crs=gdf.crs), crs=gdf.crs
                )
                reasons = {shapely.is_valid_reason(g).split("[")[0] for g in geom[idx]}
                warnings.warn(
                    f"{problems.source}: repaired {len(good_ids)} invalid polygon(s) "
                    f"({'; '.join(sorted(reasons))}) with shapely.make_valid in row(s) "
                    f"{describe_rows(good_ids, id_column=id_column)}; "
                    "check them in a GIS",
                    DataWarning,
                    stacklevel=4,
                )
    return gdf, finite


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        polys = [
            g
            for g in shapely.get_parts(geom)
            if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        if not polys:
            return None
        merged = shapely.union_all(polys)
        return merged if not merged.is_empty else None
    return None


def _coerce(
    gdf: gpd.GeoDataFrame,
    col: schema.Column,
    id_column: str | None,
    problems: Problems,
    date_format: str | None = None,
) -> pd.Series:
    s = gdf[col.name]
    if col.dtype == "string":
        out = s.astype("string")
        out = out.str.strip().replace("", pd.NA)
        return out
    if col.dtype in ("int", "float", "year"):
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna() & (s.astype("string").str.strip() != "")
        if col.dtype in ("int", "year"):
            frac = num.notna() & (num.round() != num)
            bad = bad | frac
        if bad.any():
            ids = _row_ids(gdf, bad.to_numpy(), id_column)
            vals = sorted({repr(v) for v in s[bad]})[:5]
            problems.add(
                SchemaError,
                f"column {col.name!r} must be a number ({col.dtype}) but has "
                f"{', '.join(vals)} in row(s) "
                f"{describe_rows(ids, id_column=id_column)}. "
                f"Fix: correct or empty those cells",
            )
        if col.dtype == "float":
            return num.astype("float64")
        return num.where(~bad).round().astype("Int64")
    if col.dtype == "date":
        from zonegeo.dates import date_column

        row_ids = list(gdf[id_column]) if id_column in gdf.columns else None
        out, found = date_column(
            s,
            column=col.name,
            ids=row_ids,
            id_column=id_column,
            date_format=date_format,
        )
        for text in found:
            problems.add(SchemaError, text)
        return out
    msg = f"unknown dtype {col.dtype!r}"  # pragma: no cover - schema is fixed
    raise AssertionError(msg)


def _check_columns(
    gdf: gpd.GeoDataFrame,
    sch: schema.LayerSchema,
    problems: Problems,
    date_format: str | None = None,
    *,
    require_columns: bool = True,
) -> gpd.GeoDataFrame:
    id_column = sch.id_column if sch.id_column in gdf.columns else None
    missing = [c for c in sch.required if c not in gdf.columns]
    if missing and require_columns:
        have = [c for c in gdf.columns if c != gdf.geometry.name]
        hints = [f"{c!r} -> {m!r}" for m, c in closest_names(missing, have).items()]
        hint = f" Perhaps rename {', '.join(hints)}." if hints else ""
        fix = (
            "pass name_column='<your column>' (or column_map={...})"
            if sch.name == "districts"
            else "pass column_map={'your_name': 'zonegeo_name'}"
        )
        problems.add(
            SchemaError,
            f"missing required column(s) {missing}; the file has {have}.{hint} "
            f"Fix: rename the columns in the file or {fix}",
        )
    out = gdf.copy()
    for col in sch.columns:
        if col.name not in out.columns:
            if not col.required and require_columns:
                out[col.name] = pd.Series(pd.NA, index=out.index, dtype="object")
                out[col.name] = _coerce(out, col, id_column, problems)
            continue
        out[col.name] = _coerce(out, col, id_column, problems, date_format)
        values = out[col.name]
        if not col.nullable:
            empty = values.isna().to_numpy()
            if empty.any():
                rows = [int(i) + 1 for i in np.flatnonzero(empty)]
                problems.add(
                    SchemaError,
                    f"column {col.name!r} is empty in {len(rows)} row(s) "
                    f"{describe_rows(rows, id_column=None)}; every row needs a value. "
                    f"Fix: fill it in",
                )
        if col.allowed is not None:
            bad = values.notna() & ~values.isin(col.allowed)
            if bad.any():
                ids = _row_ids(out, bad.to_numpy(), id_column)
                found = sorted({str(v) for v in values[bad]})
                sugg = []
                for f in found:
                    close = difflib.get_close_matches(
                        f.lower(), col.allowed, n=1, cutoff=0.5
                    )
                    if close:
                        sugg.append(f"{f!r} -> {close[0]!r}")
                hint = f" Did you mean {', '.join(sugg)}?" if sugg else ""
                problems.add(
                    SchemaError,
                    f"column {col.name!r} has unknown value(s) "
                    f"{{{', '.join(repr(f) for f in found)}}} in row(s) "
                    f"{describe_rows(ids, id_column=id_column)}; allowed: "
                    f"{', '.join(col.allowed)}.{hint} Fix: correct those cells",
                )
    if sch.id_column and sch.id_column in out.columns:
        ids = out[sch.id_column]
        dup = ids.notna() & ids.duplicated(keep=False)
        if dup.any():
            groups = ids[dup].astype(str)
            dup_rows: dict[str, list[int]] = {
                v: [
                    int(i) + 1
                    for i in np.flatnonzero(
                        (groups == v).reindex(out.index, fill_value=False).to_numpy()
                    )
                ]
                for v in groups.unique()
            }
            shown = "; ".join(
                f"{sch.id_column}={v} in rows {r}"
                for v, r in list(dup_rows.items())[:_MAX_IDS]
            )
            n_dup = len(dup_rows)
            more = f" and {n_dup - _MAX_IDS} more" if n_dup > _MAX_IDS else ""
            problems.add(
                SchemaError,
                f"duplicate {sch.id_column} values: {shown}{more}. Fix: give every "
                f"row its own {sch.id_column}",
            )
    return out


def validate_layer(
    gdf: gpd.GeoDataFrame,
    layer: str,
    *,
    source: str,
    column_map: Mapping[str, str] | None = None,
    check_overlaps: bool = True,
    date_format: str | None = None,
    keep_crs: bool = False,
    require_columns: bool = True,
) -> gpd.GeoDataFrame:
    """Check and normalise a raw layer; raise once with every problem.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as read from a file or a database.
    layer : str
        Layer name, a key of :data:`zonegeo.schema.LAYERS`.
    source : str
        Where the layer came from (file name and layer), used in messages.
    column_map : mapping, optional
        Renames applied before checking, ``{"name in file": "zonegeo name"}``.
    check_overlaps : bool, default True
        For plots, warn about plots that overlap each other (about 1.5 s per
        100,000 plots; pass False for very large registries).
    date_format : str, optional
        How the text dates of the layer are written, when not day-first
        (``dd.mm.yyyy``) or ISO, which are recognised per column; see
        :mod:`zonegeo.dates`.
    keep_crs : bool, default False
        Keep the layer's CRS instead of reprojecting to EPSG:4326.
    require_columns : bool, default True
        False requires no schema column and adds no missing one; the columns
        present are checked as usual and the column order is kept.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, with schema columns coerced to their dtypes, missing
        optional columns added empty, repaired polygons, and ``area_ha``
        computed for plots and zones. Extra columns are kept. When the layer
        was not in EPSG:4326, ``attrs["source_crs"]`` holds its CRS (WKT).

    Raises
    ------
    CRSError, SchemaError, GeometryError, ValidationError
        Listing every problem found (ValidationError when they are of
        several kinds). Plots and zones outside Kazakhstan are refused,
        saying which CRS (or swapped x/y) would fit them
        (:func:`zonegeo.io.integrity.extent_problem`).

    Warns
    -----
    DataWarning
        When invalid polygons were repaired, or plots overlap.
    """
    from zonegeo.crs import area_ha

    if layer not in schema.LAYERS:
        msg = f"unknown layer {layer!r}; known layers: {', '.join(schema.LAYERS)}"
        raise ValidationError(msg)
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = f"expected a GeoDataFrame for {layer}, got {type(gdf).__name__}"
        raise TypeError(msg)
    sch = schema.LAYERS[layer]
    problems = Problems(source=source, layer=layer)
    gdf = _rename_columns(gdf, sch, column_map, problems)
    source_crs = gdf.crs
    checked = _check_crs(gdf, problems, keep_crs=keep_crs)
    if checked is None:
        problems.raise_if_any()
        return gdf  # unreachable: a CRS problem was recorded
    gdf = _check_columns(
        checked, sch, problems, date_format, require_columns=require_columns
    )
    id_column = sch.id_column if sch.id_column in gdf.columns else None
    gdf, finite_rows = _check_geometry(gdf, sch, id_column, problems)
    if sch.name in ("plots", "zones") and len(gdf):
        from zonegeo.io.integrity import extent_problem

        # Rows with NaN or infinite vertices are reported above, not as outside.
        finite = gdf[finite_rows]
        if keep_crs and not finite.crs.equals(schema.STORAGE_CRS):
            finite = finite.to_crs(schema.STORAGE_CRS)
        outside = extent_problem(finite, source_crs=source_crs, id_column=id_column)
        if outside:
            problems.add(*outside)
    problems.raise_if_any()
    if sch.computed and "area_ha" in sch.computed:
        if "area_ha" in checked.columns:
            log.info(
                "%s: ignoring area_ha from the file; it is computed from the geometry",
                source,
            )
        gdf["area_ha"] = area_ha(gdf) if len(gdf) else pd.Series([], dtype="float64")
    if check_overlaps and sch.name == "plots" and len(gdf) > 1:
        _warn_overlaps(gdf, id_column, source)
    order = [c for c in sch.column_names if c in gdf.columns] if require_columns else []
    order += [c for c in gdf.columns if c not in order and c != gdf.geometry.name]
    order.append(gdf.geometry.name)
    out = gdf[order]
    if not source_crs.equals(schema.STORAGE_CRS):
        # Kept so that zonegeo.io.integrity can tell which CRS misplaced rows fit.
        out.attrs["source_crs"] = source_crs.to_wkt()
    return out


#: Smallest shared area, square metres, for two plots to count as overlapping.
OVERLAP_MIN_M2 = 1.0
#: Convex plots with up to this many vertices are measured by vectorised clipping.
_CLIP_MAX_VERTICES = 32
#: Pairs clipped at once (bounds the temporary arrays to some 50 MB).
_CLIP_CHUNK = 50_000


def overlapping_pairs(
    gdf: gpd.GeoDataFrame, *, min_area_m2: float = OVERLAP_MIN_M2
) -> list[tuple[int, int, float]]:
    """Return ``(i, j, m2)`` for polygons that share more than ``min_area_m2``.

    Positions ``i < j`` are row positions, in order. The polygons are
    projected once to an equal-area CRS; candidate pairs are those whose
    envelopes meet (one bulk STRtree query). Pairs of convex polygons without
    holes (nearly every land plot) get their shared area from a vectorised
    convex clipping (:mod:`zonegeo.io._clip`, exact to rounding); other pairs
    are tested with prepared ``intersects`` and ``touches`` and measured with
    a GEOS overlay only where their interiors meet. Slivers from rounding
    (below ``min_area_m2``) do not count. About 1 s per 100,000 plots whether
    they overlap or only touch (``benchmarks/overlaps.py``).
    """
    from zonegeo.crs import equal_area_crs
    from zonegeo.io._clip import convex_rings, shared_area

    if len(gdf) < 2:
        return []
    geoms = gdf.geometry.to_crs(equal_area_crs(gdf)).to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms)
    keep = left < right
    left, right = left[keep], right[keep]
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    if len(left) == 0:
        return []
    xy, count, convex = convex_rings(geoms, max_vertices=_CLIP_MAX_VERTICES)
    shared = np.zeros(len(left))
    fast = np.flatnonzero(convex[left] & convex[right])
    for start in range(0, len(fast), _CLIP_CHUNK):
        part = fast[start : start + _CLIP_CHUNK]
        li, ri = left[part], right[part]
        width = int(max(count[li].max(), count[ri].max()))
        shared[part] = shared_area(xy[li, :width], count[li], xy[ri, :width], count[ri])
    slow = np.setdiff1d(np.arange(len(left)), fast, assume_unique=True)
    if len(slow):
        shapely.prepare(geoms)  # the projected copies, not the caller's
        li, ri = geoms[left[slow]], geoms[right[slow]]
        meet = shapely.intersects(li, ri) & ~shapely.touches(li, ri)
        slow = slow[meet]
        shared[slow] = shapely.area(
            shapely.intersection(geoms[left[slow]], geoms[right[slow]])
        )
    big = shared > min_area_m2
    return [
        (int(i), int(j), float(a))
        for i, j, a in zip(left[big], right[big], shared[big], strict=True)
    ]


def _warn_overlaps(gdf: gpd.GeoDataFrame, id_column: str | None, source: str) -> None:
    """Warn (DataWarning) about plots that overlap each other, naming them."""
    pairs = overlapping_pairs(gdf)
    if not pairs:
        return
    ids = (
        gdf[id_column].astype(str).to_numpy()
        if id_column
        else np.array([f"row {i + 1}" for i in range(len(gdf))])
    )
    shown = "; ".join(
        f"{ids[i]} and {ids[j]} share {a:,.0f} m2" for i, j, a in pairs[:_MAX_IDS]
    )
    more = f" and {len(pairs) - _MAX_IDS} more pairs" if len(pairs) > _MAX_IDS else ""
    warnings.warn(
        f"{source}: {len(pairs)} pair(s) of plots overlap: {shown}{more}. Areas and "
        f"KPIs count the shared land twice; correct the boundaries in a GIS",
        DataWarning,
        stacklevel=4,
    )


def require_columns(
    frame: pd.DataFrame, columns: Iterable[str], *, what: str, fix: str = ""
) -> None:
    """Raise SchemaError if ``frame`` lacks any of ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = [str(c) for c in frame.columns]
        hint = f" Fix: {fix}" if fix else ""
        msg = f"{what}: missing column(s) {missing}; found {have}.{hint}"
        raise SchemaError(msg)
