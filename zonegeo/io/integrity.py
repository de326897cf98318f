"""Links between layers and plot locations: every plot in a known district and zone.

A dataset is only as good as its links. A plot whose ``district`` names no
district drops out of the district table while the zone table still counts it;
a ``zone_id`` that names no zone drops out of the zone table; a plot drawn in
the wrong place (a wrong ``.prj``, swapped lon/lat, a typo in a coordinate) is
mapped, measured and summed where it does not belong. This module checks both:

* :func:`check_links` (cheap, run by every function that takes a whole
  :class:`~zonegeo.Dataset`) refuses names and ids that match nothing, and
  suggests the close ones in English, Kazakh or Russian;
* :func:`check_locations` (run when a dataset is read) warns about a plot
  more than 1 km outside the district it names and refuses a plot outside
  every district, saying which CRS its coordinates would fit;
* :func:`extent_problem` (run on every plots and zones layer read) refuses
  rows outside Kazakhstan, for layers read without districts.
"""

from __future__ import annotations

import difflib
import logging
import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zonegeo.crs import KAZAKHSTAN_BOUNDS
from zonegeo.errors import CRSError, DataWarning, SchemaError, ValidationError
from zonegeo.messages import describe_rows
from zonegeo.names import suggest_districts

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from zonegeo.dataset import Dataset

__all__ = [
    "CANDIDATE_CRS",
    "TOLERANCE_M",
    "check_links",
    "check_locations",
    "crs_fits",
    "district_fit_hint",
    "extent_problem",
]

log = logging.getLogger(__name__)

#: How far (metres) a plot may lie outside the district it names before a warning,
#: and outside every district before an error; boundaries at 1:1,000,000 scale
#: are drawn about this coarsely.
TOLERANCE_M = 1000.0

#: CRSs tried when coordinates lie in the wrong place: WGS 84, Web Mercator and
#: the UTM zones 40N-44N that cover Kazakhstan.
CANDIDATE_CRS: tuple[str, ...] = (
    "EPSG:4326",
    "EPSG:3857",
    "EPSG:32640",
    "EPSG:32641",
    "EPSG:32642",
    "EPSG:32643",
    "EPSG:32644",
)

#: Said when several CRSs put the coordinates inside Kazakhstan's extent.
AMBIGUOUS = "the extent cannot tell these apart"

#: Label of the "same CRS, x and y exchanged" candidate.
SWAPPED = "x/y swapped"

_SHOW = 10


# --------------------------------------------------------------------------
# Links between layers
# --------------------------------------------------------------------------


def _ids_text(frame: pd.DataFrame, mask: np.ndarray, id_column: str | None) -> str:
    if id_column and id_column in frame.columns:
        ids = list(frame.loc[mask, id_column].astype(str))
    else:
        ids = [str(int(i) + 1) for i in np.flatnonzero(mask)]
    return describe_rows(ids, id_column=id_column)


def _lying_in(
    frame: pd.DataFrame, rows: np.ndarray, districts: gpd.GeoDataFrame
) -> str:
    """Say in which districts the rows lie (by geometry), e.g. " (they lie in ...)"."""
    if (
        not isinstance(frame, gpd.GeoDataFrame)
        or frame.crs is None
        or len(districts) == 0
    ):
        return ""
    if districts.crs is None:
        return ""
    geoms = frame.geometry[rows]
    if not geoms.crs.equals(districts.crs):
        geoms = geoms.to_crs(districts.crs)
    values = np.asarray(geoms.values)
    values = values[~np.asarray(shapely.is_missing(values) | shapely.is_empty(values))]
    if len(values) == 0:
        return ""
    tree = shapely.STRtree(np.asarray(districts.geometry.values))
    hit_in, hit_d = tree.query(shapely.point_on_surface(values), predicate="intersects")
    first = pd.Series(hit_d).groupby(hit_in).first()
    counts = (
        districts["district"].astype(str).to_numpy()[first.to_numpy()]
        if len(first)
        else np.array([], dtype=object)
    )
    tally = pd.Series(counts).value_counts()
    shown = [f"{name!r} ({n})" for name, n in tally.head(3).items()]
    nowhere = len(values) - len(first)
    if nowhere:
        shown.append(f"no district ({nowhere})")
    return f" (by their geometry they lie in {', '.join(shown)})"


def _unknown_districts(
    frame: pd.DataFrame,
    layer: str,
    districts: gpd.GeoDataFrame,
    known: set[str],
    id_column: str | None,
) -> str | None:
    """Describe the values of ``frame['district']`` that name no district."""
    if "district" not in frame.columns or len(frame) == 0:
        return None
    values = frame["district"].astype("string")
    bad = values.notna() & ~values.isin(known)
    if not bad.any():
        return None
    parts = []
    replace = {}
    for value in pd.unique(values[bad].to_numpy()):
        rows = (values == value).fillna(False).to_numpy()
        close = suggest_districts(str(value), districts)
        if close and close[0].score == 1.0 and len(close) == 1:
            hint = f"; it is {close[0].describe()}"
            replace[str(value)] = close[0].district
        elif close:
            hint = f"; did you mean {' or '.join(m.describe() for m in close)}?"
        else:
            hint = "; no district has a similar name"
        parts.append(
            f"{str(value)!r} in {int(rows.sum())} row(s) "
            f"{_ids_text(frame, rows, id_column)}{hint}"
            f"{_lying_in(frame, rows, districts)}"
        )
    fix = (
        f" e.g. {layer}['district'] = {layer}['district'].replace({replace!r})"
        if replace
        else ""
    )
    return (
        f"{layer}: column 'district' names {len(parts)} district(s) that are not in "
        f"the districts layer: {'; '.join(parts)}. Known districts (column "
        f"'district' of the districts layer): {', '.join(sorted(known))}. Fix: "
        f"write those English names in the {layer}' district column,{fix} or add "
        f"the missing districts"
    )


def _unknown_zones(
    plots: pd.DataFrame, zones: gpd.GeoDataFrame, known: set[str]
) -> str | None:
    """Describe the values of ``plots['zone_id']`` that name no zone."""
    if "zone_id" not in plots.columns or len(plots) == 0:
        return None
    values = plots["zone_id"].astype("string")
    bad = values.notna() & ~values.isin(known)
    if not bad.any():
        return None
    by_name = {}
    if "name" in zones.columns:
        by_name = {
            str(n).strip().lower(): str(z)
            for n, z in zip(zones["name"], zones["zone_id"], strict=True)
            if not pd.isna(n)
        }
    parts = []
    for value in pd.unique(values[bad].to_numpy()):
        rows = (values == value).fillna(False).to_numpy()
        text = str(value)
        if text.strip().lower() in by_name:
            hint = f"; it is the name of zone {by_name[text.strip().lower()]!r}"
        else:
            close = difflib.get_close_matches(text, sorted(known), n=3, cutoff=0.6)
            hint = (
                f"; did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else "; no zone has a similar id"
            )
        parts.append(
            f"{text!r} in {int(rows.sum())} row(s) "
            f"{_ids_text(plots, rows, 'plot_id')}{hint}"
        )
    shown = sorted(known)
    more = f" and {len(shown) - 20} more" if len(shown) > 20 else ""
    return (
        f"plots: column 'zone_id' names {len(parts)} zone(s) that are not in the "
        f"zones layer: {'; '.join(parts)}. Known zones: "
        f"{', '.join(shown[:20]) or '(none)'}{more}. Fix: write the zone_id of "
        f"the zones layer, leave the cell empty for a plot outside every zone, or "
        f"add the missing zones"
    )


def _zone_district_mismatch(
    plots: pd.DataFrame, zones: pd.DataFrame, known: set[str]
) -> str | None:
    """Describe plots whose district differs from the district of their zone."""
    if not {"zone_id", "district"} <= set(plots.columns) or len(plots) == 0:
        return None
    zone_district = pd.Series(
        zones["district"].astype("string").to_numpy(),
        index=zones["zone_id"].astype("string").to_numpy(),
    )
    zone_district = zone_district[~zone_district.index.duplicated()]
    theirs = plots["zone_id"].astype("string").map(zone_district).astype("string")
    mine = plots["district"].astype("string")
    # Unknown names are reported by _unknown_districts; compare known ones only.
    both = theirs.isin(known) & mine.isin(known)
    bad = (both & (theirs != mine)).fillna(False).to_numpy()
    if not bad.any():
        return None
    pairs = (
        pd.DataFrame({"zone": plots["zone_id"], "zd": theirs, "pd": mine})[bad]
        .drop_duplicates()
        .head(_SHOW)
    )
    shown = "; ".join(
        f"zone {z!r} lies in {a!r} but its plots say {b!r}"
        for z, a, b in pairs.itertuples(index=False)
    )
    return (
        f"plots: {int(bad.sum())} plot(s) name a different district than their "
        f"zone, {_ids_text(plots, bad, 'plot_id')} ({shown}). The zone and "
        f"district tables would disagree. Fix: correct the plots' district (or "
        f"zone_id) column, or the zone's district"
    )


def _duplicates(frame: pd.DataFrame, column: str, layer: str) -> str | None:
    if column not in frame.columns:
        return None
    values = frame[column].astype("string")
    dup = values.notna() & values.duplicated(keep=False)
    if not dup.any():
        return None
    names = sorted({str(v) for v in values[dup]})
    return (
        f"{layer}: {column} values appear more than once: "
        f"{', '.join(repr(n) for n in names[:_SHOW])}"
        f"{f' and {len(names) - _SHOW} more' if len(names) > _SHOW else ''}; the "
        f"plots of each would be counted twice. Fix: give every row its own {column}"
    )


def check_links(dataset: Dataset) -> None:
    """Check that every plot and zone names a district and zone of the dataset.

    The checked links are: ``plots.district``, ``zones.district`` and
    ``settlements.district`` (when filled) against ``districts.district``;
    ``plots.zone_id`` (when filled) against ``zones.zone_id``; and a plot's
    district against the district of its zone. District names and zone ids
    must also be unique (a repeated name would count its plots twice). With
    these links whole, the district table of
    :func:`zonegeo.district_kpis` counts every plot once, and the zone table
    of :func:`zonegeo.zone_kpis` every plot that has a ``zone_id``.

    Parameters
    ----------
    dataset : Dataset

    Raises
    ------
    SchemaError
        Listing every broken link at once: the unknown names with the rows
        that hold them, the close matches in English, Kazakh or Russian (a
        Kazakh or Russian name of a known district is named as such), and the
        fix.

    Examples
    --------
    >>> import dataclasses, zonegeo
    >>> ds = zonegeo.load_demo()
    >>> check_links(ds)  # the demo's links are whole
    >>> plots = ds.plots.copy()
    >>> plots.loc[plots["district"] == "Saryagash", "district"] = "Сарыағаш"
    >>> try:
    ...     check_links(dataclasses.replace(ds, plots=plots))
    ... except zonegeo.SchemaError as err:
    ...     print(str(err).split("; it is ")[1].split(" (by their")[0])
    'Saryagash' (Kazakh name_kk 'Сарыағаш')
    """
    from zonegeo.dataset import Dataset

    if not isinstance(dataset, Dataset):
        msg = f"expected a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    districts, zones, plots = dataset.districts, dataset.zones, dataset.plots
    known_districts = {str(d) for d in districts["district"].dropna()}
    known_zones = (
        {str(z) for z in zones["zone_id"].dropna()}
        if "zone_id" in zones.columns
        else set()
    )
    problems = [
        _duplicates(districts, "district", "districts"),
        _duplicates(zones, "zone_id", "zones"),
        _unknown_districts(plots, "plots", districts, known_districts, "plot_id"),
        _unknown_districts(zones, "zones", districts, known_districts, "zone_id"),
        _unknown_zones(plots, zones, known_zones),
    ]
    settlements = dataset.settlements
    if "district" in settlements.columns and settlements["district"].notna().any():
        problems.append(
            _unknown_districts(
                settlements, "settlements", districts, known_districts, "name"
            )
        )
    if "zone_id" in zones.columns and "district" in zones.columns:
        problems.append(_zone_district_mismatch(plots, zones, known_districts))
    found = [p for p in problems if p]
    if not found:
        return
    n = len(found)
    msg = (
        f"{dataset.source or 'dataset'}: {n} broken link{'s' if n > 1 else ''} "
        f"between layers\n" + "\n".join(f"  - {p}" for p in found)
    )
    raise SchemaError(msg)


# --------------------------------------------------------------------------
# Which CRS would the coordinates fit?
# --------------------------------------------------------------------------


def _crs_label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def crs_fits(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    source_crs: object,
    inside: Callable[[np.ndarray, np.ndarray], np.ndarray],
    candidates: Sequence[str] = CANDIDATE_CRS,
) -> list[tuple[str, ...]]:
    """Tell, per point, which CRSs would put it where it belongs.

    The points are taken back to the coordinates of the file (``source_crs``)
    and read again as each candidate CRS, and as the source CRS with x and y
    exchanged.

    Parameters
    ----------
    lon, lat : ndarray
        The points as read, in EPSG:4326.
    source_crs : CRS-like
        The CRS the file declared (its ``.prj``, or the ``crs=`` given).
    inside : callable
        ``inside(lon, lat) -> bool array``: whether points lie where the data
        belong (in a district, or in Kazakhstan).
    candidates : sequence of str, default :data:`CANDIDATE_CRS`
        CRSs to try besides the swapped axes.

    Returns
    -------
    list of tuple of str
        Per point, the labels that fit, in the order tried: :data:`SWAPPED`
        and/or ``"EPSG:nnnn"``; empty when none does.

    Examples
    --------
    >>> import numpy as np
    >>> box = lambda x, y: (x > 67) & (x < 69) & (y > 42) & (y < 44)
    >>> crs_fits(np.array([43.3]), np.array([68.2]), source_crs="EPSG:4326",
    ...          inside=box)
    [('x/y swapped',)]
    """
    src = pyproj.CRS.from_user_input(source_crs)
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    fits: list[list[str]] = [[] for _ in range(len(lon))]
    if len(lon) == 0:
        return []
    to_src = pyproj.Transformer.from_crs(4326, src, always_xy=True)
    with np.errstate(all="ignore"):
        rx, ry = (np.asarray(a) for a in to_src.transform(lon, lat))
    tries: list[tuple[str, pyproj.CRS, bool]] = [(SWAPPED, src, True)]
    for code in candidates:
        crs = pyproj.CRS.from_user_input(code)
        if not crs.equals(src):
            tries.append((code, crs, False))
    for label, crs, swap in tries:
        back = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        x, y = (ry, rx) if swap else (rx, ry)
        with np.errstate(all="ignore"):
            blon, blat = (np.asarray(a) for a in back.transform(x, y))
        ok = np.isfinite(blon) & np.isfinite(blat)
        hit = np.zeros(len(lon), dtype=bool)
        if ok.any():
            hit[ok] = inside(blon[ok], blat[ok])
        for i in np.flatnonzero(hit):
            fits[i].append(label)
    return [tuple(f) for f in fits]


def _fit_text(
    fits: list[tuple[str, ...]], ids: np.ndarray, *, source_crs: object, where: str
) -> str:
    """Say which rows would fit which CRS (or none), group by group."""
    src = pyproj.CRS.from_user_input(source_crs)
    groups: dict[tuple[str, ...], list[str]] = {}
    for f, i in zip(fits, ids, strict=True):
        groups.setdefault(f, []).append(str(i))
    lines = []
    for labels, rows in groups.items():
        if len(groups) == 1:
            shown = "It" if len(rows) == 1 else f"All {len(rows)}"
        else:
            shown = ", ".join(rows[:_SHOW]) + (
                f" and {len(rows) - _SHOW} more" if len(rows) > _SHOW else ""
            )
        if not labels:
            lines.append(
                f"{shown}: no CRS tried (x/y swapped, {', '.join(CANDIDATE_CRS)}) "
                f"puts them {where}; check their coordinates"
            )
        elif labels == (SWAPPED,):
            lines.append(
                f"{shown}: x and y look swapped (latitude written as x); they lie "
                f"{where} once exchanged. Fix: exchange x and y in those rows, e.g. "
                f"shapely.transform(geoms, lambda xy: xy[:, ::-1])"
            )
        else:
            crs_text = " or ".join(
                "the declared CRS with x/y swapped" if s == SWAPPED else s
                for s in labels
            )
            if len(labels) > 1:
                crs_text += (
                    f" ({AMBIGUOUS}; read the layer with "
                    "read_dataset, beside its districts, or use the CRS the data "
                    "were surveyed in)"
                )
            example = labels[0] if len(labels) == 1 else "EPSG:326NN"
            lines.append(
                f"{shown}: the coordinates would fit {crs_text}, not the declared "
                f"{_crs_label(src)}. Fix: set the right CRS (replace the .prj, or "
                f"gdf.set_crs('{example}', allow_override=True) before saving; for "
                f"a CSV pass crs=) and read again"
            )
    return "; ".join(lines)


#: How near (degrees, about 1 km) a point re-read in a candidate CRS must come
#: to a district to count as fitting; plots on the region's edge have their
#: centre just outside it.
_FIT_DEGREES = 0.01


def _inside(tree: shapely.STRtree) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Return ``inside(lon, lat)``: whether points fall in (or by) a district."""
    x0, y0, x1, y1 = shapely.total_bounds(tree.geometries)
    pad = _FIT_DEGREES

    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        out = np.zeros(len(lon), dtype=bool)
        # Most candidates miss the region entirely: test the box first.
        box = np.flatnonzero(
            (lon >= x0 - pad)
            & (lon <= x1 + pad)
            & (lat >= y0 - pad)
            & (lat <= y1 + pad)
        )
        if len(box):
            hits = tree.query(
                shapely.points(lon[box], lat[box]),
                predicate="dwithin",
                distance=_FIT_DEGREES,
            )[0]
            out[box[hits]] = True
        return out

    return inside


def district_fit_hint(
    raw: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, id_column: str | None
) -> str | None:
    """Say which CRS would put the rows of a raw layer inside the districts.

    For a layer that failed the extent check on read (:func:`extent_problem`
    can only tell that some UTM zone fits), the districts of the dataset tell
    which one.

    Parameters
    ----------
    raw : GeoDataFrame
        The layer as read from the file, in the CRS it declares.
    districts : GeoDataFrame
        The validated districts layer.
    id_column : str or None
        Column naming the rows.

    Returns
    -------
    str or None
        The text, or None when the layer has no CRS or no row lies outside.
    """
    if raw.crs is None or len(raw) == 0 or len(districts) == 0:
        return None
    geoms = np.asarray(raw.geometry.values)
    present = ~np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    pts = shapely.point_on_surface(geoms[present])
    to_geo = pyproj.Transformer.from_crs(raw.crs, 4326, always_xy=True)
    with np.errstate(all="ignore"):
        lon, lat = (
            np.asarray(a)
            for a in to_geo.transform(shapely.get_x(pts), shapely.get_y(pts))
        )
    tree = shapely.STRtree(np.asarray(districts.to_crs(4326).geometry.values))
    inside = _inside(tree)
    ok = np.isfinite(lon) & np.isfinite(lat)
    placed = np.zeros(len(pts), dtype=bool)
    placed[ok] = inside(lon[ok], lat[ok])
    out = ~placed & ok
    if not out.any():
        return None
    rows = np.flatnonzero(present)[out]
    ids = (
        np.array(
            [f"{id_column}={v}" for v in raw[id_column].astype(str).to_numpy()[rows]]
        )
        if id_column and id_column in raw.columns
        else np.array([f"row {int(r) + 1}" for r in rows])
    )
    fits = crs_fits(lon[out], lat[out], source_crs=raw.crs, inside=inside)
    return _fit_text(fits, ids, source_crs=raw.crs, where="in the districts")


def _in_extent(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    x0, y0, x1, y1 = KAZAKHSTAN_BOUNDS
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def extent_problem(
    gdf: gpd.GeoDataFrame,
    *,
    source_crs: object,
    id_column: str | None,
) -> tuple[type[ValidationError], str] | None:
    """Describe the rows of a layer that lie outside Kazakhstan, if any.

    Used when a layer is read on its own (no districts to compare with). The
    extent is :data:`zonegeo.crs.KAZAKHSTAN_BOUNDS` (Kazakhstan's bounding box
    padded by about one degree); a row counts as outside when any part of it
    is. Rows with missing geometry are left to the geometry checks.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer in EPSG:4326.
    source_crs : CRS-like
        The CRS the file declared, to tell which CRS would fit.
    id_column : str or None
        Column naming the rows in the message (else 1-based row numbers).

    Returns
    -------
    (error class, text) or None
        :class:`~zonegeo.errors.CRSError` when a candidate CRS (or swapped
        axes) fits every row outside, else
        :class:`~zonegeo.errors.ValidationError`.
    """
    geoms = np.asarray(gdf.geometry.values)
    present = ~np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return None
    b = shapely.bounds(geoms[present])
    x0, y0, x1, y1 = KAZAKHSTAN_BOUNDS
    out_p = (b[:, 0] < x0) | (b[:, 2] > x1) | (b[:, 1] < y0) | (b[:, 3] > y1)
    if not out_p.any():
        return None
    outside = np.zeros(len(gdf), dtype=bool)
    outside[np.flatnonzero(present)[out_p]] = True
    pts = shapely.point_on_surface(geoms[outside])
    lon, lat = shapely.get_x(pts), shapely.get_y(pts)
    ids = (
        gdf.loc[outside, id_column].astype(str).to_numpy()
        if id_column and id_column in gdf.columns
        else np.array([f"row {int(i) + 1}" for i in np.flatnonzero(outside)])
    )
    label = f"{id_column}=" if id_column else ""
    where = ", ".join(
        f"{label}{i} at lon {x:.4f}, lat {y:.4f}"
        for i, x, y in list(zip(ids, lon, lat, strict=True))[:_SHOW]
    )
    more = f" and {len(ids) - _SHOW} more" if len(ids) > _SHOW else ""
    fits = crs_fits(lon, lat, source_crs=source_crs, inside=_in_extent)
    fit_text = _fit_text(
        fits,
        np.array([f"{label}{i}" for i in ids]),
        source_crs=source_crs,
        where="in Kazakhstan",
    )
    x0, y0, x1, y1 = KAZAKHSTAN_BOUNDS
    text = (
        f"{int(outside.sum())} row(s) lie outside Kazakhstan (lon {x0:g} to {x1:g}, "
        f"lat {y0:g} to {y1:g}, with a margin): {where}{more}. {fit_text}"
    )
    cls: type[ValidationError] = CRSError if all(fits) else ValidationError
    return cls, text


# --------------------------------------------------------------------------
# Plots in their districts
# --------------------------------------------------------------------------


def _utm_epsg(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    zone = (np.floor((lon + 180.0) / 6.0).astype("int64") % 60) + 1
    return np.where(lat >= 0, 32600, 32700) + zone


def _geodesic_to(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Geodesic length (m) of the shortest line from points to targets in degrees.

    The line is the shortest in degrees, so the figure is an upper bound of
    the true distance, close for far points; used only to report how far away
    a misplaced plot is.
    """
    lines = shapely.shortest_line(points, targets)
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    geod = pyproj.Geod(ellps="WGS84")
    _, _, dist = geod.inv(
        coords[:, 0, 0], coords[:, 0, 1], coords[:, 1, 0], coords[:, 1, 1]
    )
    return np.asarray(dist)


def _by_utm_zone(
    plots: np.ndarray, districts: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(positions, plots, districts)`` projected to each plot's UTM zone."""
    pts = shapely.centroid(plots)  # only to choose the zone
    zones = _utm_epsg(shapely.get_x(pts), shapely.get_y(pts))
    for epsg in np.unique(zones):
        sel = np.flatnonzero(zones == epsg)
        with np.errstate(all="ignore"):
            dm = gpd.GeoSeries(districts, crs=4326).to_crs(int(epsg)).values
            pm = gpd.GeoSeries(plots[sel], crs=4326).to_crs(int(epsg)).values
        yield sel, np.asarray(pm), np.asarray(dm)


def _near_any(
    plots: np.ndarray, districts: np.ndarray, *, tolerance_m: float
) -> np.ndarray:
    """Whether some district lies within ``tolerance_m`` of each plot.

    In the UTM zone of each plot (plots grouped by zone, every group projected
    once with all districts), one bulk STRtree ``dwithin`` query per zone.
    """
    near = np.zeros(len(plots), dtype=bool)
    for sel, pm, dm in _by_utm_zone(plots, districts):
        with np.errstate(all="ignore"):
            hit = shapely.STRtree(dm).query(
                pm, predicate="dwithin", distance=tolerance_m
            )[0]
        near[sel[hit]] = True
    return near


def _own_distance(
    plots: np.ndarray, own: np.ndarray, districts: np.ndarray
) -> np.ndarray:
    """Distance (m) from each plot to district ``own`` (a position), in its UTM zone."""
    d_own = np.full(len(plots), np.nan)
    for sel, pm, dm in _by_utm_zone(plots, districts):
        with np.errstate(all="ignore"):
            d_own[sel] = shapely.distance(pm, dm[own[sel]])
    return d_own


def _nearest_m(plots: np.ndarray, districts: np.ndarray) -> np.ndarray:
    """Distance (m) from each plot to the nearest district, for messages.

    In the plot's UTM zone up to 500 km; farther (a plot in London), the
    geodesic length of the shortest line in degrees.
    """
    out = np.full(len(plots), np.nan)
    for sel, pm, dm in _by_utm_zone(plots, districts):
        with np.errstate(all="ignore"):
            tree = shapely.STRtree(dm)
            _, dist = tree.query_nearest(pm, return_distance=True, all_matches=False)
        out[sel] = dist
    far = ~(out < 500_000.0)
    if far.any():
        pts = shapely.point_on_surface(plots[far])
        near = shapely.STRtree(districts).query_nearest(pts, all_matches=False)[1]
        out[far] = _geodesic_to(pts, districts[near])
    return out


def check_locations(
    plots: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None = None,
    *,
    source: str = "",
    source_crs: object | None = None,
    tolerance_m: float = TOLERANCE_M,
) -> None:
    """Check that every plot lies in (or near) the district it names.

    Parameters
    ----------
    plots : GeoDataFrame
        With ``plot_id`` and ``district``, in any CRS.
    districts : GeoDataFrame, optional
        With ``district``. Without it (or when empty) plots are only checked
        against Kazakhstan's extent (:func:`extent_problem`).
    source : str, optional
        Where the plots came from, for messages.
    source_crs : CRS-like, optional
        The CRS the plots file declared, to tell which CRS misplaced plots
        would fit; by default ``plots.attrs["source_crs"]`` (set by the
        readers) or the CRS of ``plots``.
    tolerance_m : float, default :data:`TOLERANCE_M`
        How far outside a district a plot may lie, metres.

    Raises
    ------
    ValidationError
        (:class:`~zonegeo.errors.CRSError` when a candidate CRS explains every
        misplaced plot) for plots more than ``tolerance_m`` from every district,
        naming the plots, how far away they lie and which CRS (or swapped
        x/y) would put them inside the districts.

    Warns
    -----
    DataWarning
        For plots more than ``tolerance_m`` outside the district they name,
        naming the plot, the district, the distance and the district the plot
        lies in.

    Notes
    -----
    A plot lies in its district when the two intersect (one bulk predicate
    with the district polygons prepared). Only the other plots are measured:
    in the UTM zone of each plot (scale error below 0.1 %), against their own
    district and against the nearest district (an STRtree query). About
    0.5 s per 100,000 plots when they lie where they should.

    Examples
    --------
    >>> import zonegeo
    >>> ds = zonegeo.load_demo()
    >>> check_locations(ds.plots, ds.districts, source="demo")
    """
    if plots.crs is None:
        msg = f"{source or 'plots'}: the layer has no CRS"
        raise CRSError(msg)
    if source_crs is None:
        source_crs = plots.attrs.get("source_crs", plots.crs)
    if not plots.crs.equals(4326):
        plots = plots.to_crs(4326)
    where = source or "plots"
    if districts is None or len(districts) == 0:
        found = extent_problem(plots, source_crs=source_crs, id_column="plot_id")
        if found:
            kind, text = found
            msg = f"{where}: {text}"
            raise kind(msg)
        return
    if not districts.crs.equals(4326):
        districts = districts.to_crs(4326)
    geoms = np.asarray(plots.geometry.values)
    present = ~np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    dgeoms = shapely.from_wkb(shapely.to_wkb(np.asarray(districts.geometry.values)))
    dgeoms = np.where(shapely.is_missing(dgeoms), shapely.Point(), dgeoms)
    shapely.prepare(dgeoms)
    names = districts["district"].astype("string").to_numpy()
    own = pd.Index(names).get_indexer(plots["district"].astype("string").to_numpy())
    inside = np.zeros(len(plots), dtype=bool)
    test = present & (own >= 0)
    inside[test] = shapely.intersects(dgeoms[own[test]], geoms[test])
    flagged = np.flatnonzero(present & ~inside)
    if len(flagged) == 0:
        return
    fg = geoms[flagged]
    tree = shapely.STRtree(dgeoms)
    hit_rows, hit_d = tree.query(fg, predicate="intersects")
    lies_in = np.full(len(fg), "", dtype=object)
    lies_in[hit_rows[::-1]] = names[hit_d[::-1]]
    near = np.zeros(len(fg), dtype=bool)
    near[hit_rows] = True
    if not near.all():
        near[~near] = _near_any(fg[~near], dgeoms, tolerance_m=tolerance_m)
    ids = plots["plot_id"].astype(str).to_numpy() if "plot_id" in plots else None
    label = (
        (lambda i: f"plot_id={ids[i]}")
        if ids is not None
        else (lambda i: f"row {i + 1}")
    )
    if not near.all():
        rows = flagged[~near]
        pts = shapely.point_on_surface(geoms[rows])
        far = _nearest_m(geoms[rows[:_SHOW]], dgeoms)
        listed = ", ".join(
            f"{label(int(r))} ({far[k] / 1000:,.0f} km from the nearest district)"
            if far[k] >= 10_000
            else f"{label(int(r))} ({far[k] / 1000:,.1f} km from the nearest district)"
            for k, r in enumerate(rows[:_SHOW])
        )
        more = f" and {len(rows) - _SHOW} more" if len(rows) > _SHOW else ""
        fits = crs_fits(
            shapely.get_x(pts),
            shapely.get_y(pts),
            source_crs=source_crs,
            inside=_inside(tree),
        )
        fit_text = _fit_text(
            fits,
            np.array([label(int(r)) for r in rows]),
            source_crs=source_crs,
            where="in the districts",
        )
        cls: type[ValidationError] = CRSError if all(fits) else ValidationError
        msg = (
            f"{where}: {len(rows)} plot(s) lie outside every district (more than "
            f"{tolerance_m:,.0f} m away): {listed}{more}. They would be mapped, "
            f"measured and counted where they are not. {fit_text}"
        )
        raise cls(msg)
    has = own[flagged] >= 0  # an unknown district is check_links' to report
    d_own = np.full(len(fg), np.nan)
    if has.any():
        d_own[has] = _own_distance(fg[has], own[flagged][has], dgeoms)
    stray = np.flatnonzero(has & ~(d_own <= tolerance_m))
    if len(stray) == 0:
        return
    dist_name = names[own[flagged[stray]]]
    parts = []
    for k, j in enumerate(stray[:_SHOW]):
        there = f"; it lies in {lies_in[j]!r}" if lies_in[j] else ""
        parts.append(
            f"{label(int(flagged[j]))} (district {str(dist_name[k])!r}, "
            f"{d_own[j] / 1000:,.1f} km outside{there})"
        )
    more = f" and {len(stray) - _SHOW} more" if len(stray) > _SHOW else ""
    warnings.warn(
        f"{where}: {len(stray)} plot(s) lie more than {tolerance_m:,.0f} m outside "
        f"the district they name: {'; '.join(parts)}{more}. Key figures and maps "
        f"count them in the district they name. Fix: correct their district "
        f"column or their geometry",
        DataWarning,
        stacklevel=3,
    )
