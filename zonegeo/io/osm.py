"""Infrastructure, roads, railways and settlements from an OpenStreetMap extract.

:func:`read_osm` reads an ``.osm.pbf`` or ``.osm`` file with GDAL's OSM driver
(through pyogrio) and returns zonegeo layers: ``infrastructure`` (gas,
electricity, water, road and rail, valid against
:data:`zonegeo.schema.INFRASTRUCTURE`, ready for
:func:`zonegeo.infrastructure_distances`) and ``settlements``. Which OSM tags
become which kind is one table, :data:`OSM_TAGS`; ``docs/data.md`` prints it.

OpenStreetMap data are © OpenStreetMap contributors and licensed under the
ODbL 1.0: keep the attribution when you publish maps or files made from them.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from zonegeo.errors import ValidationError
from zonegeo.io.read_errors import read_errors
from zonegeo.schema import INFRA_KINDS, STORAGE_CRS

__all__ = ["OSM_KINDS", "OSM_TAGS", "OsmTag", "read_osm"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OsmTag:
    """One row of the tag mapping: OSM features with ``key=value`` become ``kind``.

    Parameters
    ----------
    kind : str
        An infrastructure kind (gas, electricity, water, road, rail) or
        ``"settlement"``.
    key : str
        The OSM key, e.g. ``"power"``.
    values : tuple of str
        The OSM values mapped; the value becomes the feature's ``subtype``.
    substance : tuple of str, optional
        Also required: the ``substance`` tag is one of these.
    not_substance : bool, default False
        Refused when the feature has a ``substance`` tag that is not ``water``
        (a pumping station for sewage or oil is not water supply).
    """

    kind: str
    key: str
    values: tuple[str, ...]
    substance: tuple[str, ...] = ()
    not_substance: bool = False


#: The tag mapping, in order: a feature takes the first row it matches.
OSM_TAGS: tuple[OsmTag, ...] = (
    OsmTag("electricity", "power", ("line", "minor_line", "cable")),
    OsmTag("electricity", "power", ("substation", "plant")),
    OsmTag("gas", "man_made", ("pipeline",), substance=("gas",)),
    OsmTag("gas", "pipeline", ("substation",)),
    OsmTag("water", "man_made", ("pipeline",), substance=("water",)),
    OsmTag(
        "water",
        "man_made",
        (
            "water_tower",
            "water_works",
            "water_well",
            "reservoir_covered",
            "pumping_station",
        ),
        not_substance=True,
    ),
    OsmTag(
        "road", "highway", ("motorway", "trunk", "primary", "secondary", "tertiary")
    ),
    OsmTag("rail", "railway", ("rail", "station")),
    OsmTag("settlement", "place", ("city", "town", "village", "hamlet")),
)
#: What ``kinds=`` may name: the infrastructure kinds and ``"settlement"``.
OSM_KINDS: tuple[str, ...] = (*INFRA_KINDS, "settlement")
#: GDAL's OSM layers, read one after the other.
_LAYERS = ("points", "lines", "multilinestrings", "multipolygons")
#: OSM keys read into columns (every other tag is dropped).
_KEYS = (
    "name",
    "power",
    "man_made",
    "substance",
    "pipeline",
    "highway",
    "railway",
    "place",
    "population",
    "voltage",
    "diameter",
    "capacity",
)
#: Closed ways with these tags are areas (their outline is kept, see read_osm).
_AREA_TAGS = (
    "power=substation",
    "power=plant",
    "pipeline=substation",
    "man_made=water_tower",
    "man_made=water_works",
    "man_made=water_well",
    "man_made=reservoir_covered",
    "man_made=pumping_station",
    "railway=station",
    "place",
    "building",
    "landuse",
)


def _osmconf(path: Path) -> None:
    """Write the GDAL OSM driver configuration zonegeo reads with."""
    attrs = ",".join(_KEYS)
    blocks = [
        "[general]",
        f"closed_ways_are_polygons={','.join(_AREA_TAGS)}",
        "attribute_name_laundering=yes",
    ]
    for layer in _LAYERS:
        blocks += [
            f"[{layer}]",
            "osm_id=yes",
            "osm_version=no",
            "osm_timestamp=no",
            "osm_uid=no",
            "osm_user=no",
            "osm_changeset=no",
            f"attributes={attrs}",
            "other_tags=no",
            "all_tags=no",
        ]
    path.write_text("\n".join(blocks) + "\n", encoding="utf-8")


def _where() -> str:
    """Return an OGR SQL filter keeping the features OSM_TAGS can match."""
    parts = []
    for key in dict.fromkeys(t.key for t in OSM_TAGS):
        values = sorted({v for t in OSM_TAGS if t.key == key for v in t.values})
        quoted = ", ".join(f"'{v}'" for v in values)
        parts.append(f'"{key}" IN ({quoted})')
    return " OR ".join(parts)


def _check_source(path: Path) -> None:
    if not path.is_file():
        msg = f"{path}: no such file; give an OpenStreetMap extract (.osm.pbf or .osm)"
        raise ValidationError(msg)
    name = path.name.lower()
    if not name.endswith((".pbf", ".osm")):
        msg = (
            f"{path}: not an OpenStreetMap file name; GDAL's OSM driver reads files "
            "ending in .osm.pbf (or .pbf) or .osm. Fix: download an extract, e.g. "
            "kazakhstan-latest.osm.pbf from download.geofabrik.de, or rename the file"
        )
        raise ValidationError(msg)
    try:
        info = pyogrio.read_info(path, layer="points")
    except Exception as exc:  # pyogrio raises its own DataSourceError subclasses
        msg = (
            f"{path}: cannot be read as OpenStreetMap data (.osm.pbf or .osm XML): "
            f"{exc}. Fix: check that the download finished and that the file is an "
            "OSM extract, not an HTML page or a GeoJSON"
        )
        raise ValidationError(msg) from None
    if info.get("driver") != "OSM":
        msg = (
            f"{path}: GDAL reads it as {info.get('driver')}, not as OpenStreetMap "
            "data. Fix: give an .osm.pbf or .osm extract"
        )
        raise ValidationError(msg)


def _osm_ids(frame: pd.DataFrame, layer: str) -> list[str]:
    """``osm:<type>/<id>`` of every row of a GDAL OSM layer."""
    if layer == "points":
        return [f"osm:node/{i}" for i in frame["osm_id"]]
    if layer == "lines":
        return [f"osm:way/{i}" for i in frame["osm_id"]]
    if layer == "multilinestrings":
        return [f"osm:relation/{i}" for i in frame["osm_id"]]
    # multipolygons: a relation (osm_id) or a closed way (osm_way_id)
    out = []
    rel = frame["osm_id"] if "osm_id" in frame else pd.Series([None] * len(frame))
    way = frame["osm_way_id"] if "osm_way_id" in frame else rel * None
    for r, w in zip(rel, way, strict=True):
        out.append(f"osm:relation/{r}" if pd.notna(r) else f"osm:way/{w}")
    return out


def _classify(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Kind and subtype of each row by the first matching row of OSM_TAGS."""
    n = len(frame)
    kind = np.full(n, None, dtype=object)
    subtype = np.full(n, None, dtype=object)
    substance = (
        frame["substance"].astype("string").str.strip().str.lower()
        if "substance" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    for tag in OSM_TAGS:
        if tag.key not in frame:
            continue
        value = frame[tag.key].astype("string").str.strip()
        hit = value.isin(tag.values).fillna(False).to_numpy(dtype=bool).copy()
        if tag.substance:
            hit &= substance.isin(tag.substance).fillna(False).to_numpy(dtype=bool)
        if tag.not_substance:
            other = substance.notna() & (substance != "water")
            hit &= ~other.to_numpy(dtype=bool)
        new = hit & (kind == None)  # noqa: E711 (element-wise)
        kind[new] = tag.kind
        subtype[new] = value[new].to_numpy(dtype=object)
    return kind, subtype


_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")


def _numbers(values: pd.Series, *, scale: float = 1.0) -> np.ndarray:
    """Return the largest number of a ';'-separated OSM value times ``scale``."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values.astype(object)):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        found: list[float] = []
        for part in str(v).split(";"):
            text = part.strip().lower().removesuffix("mm").strip()
            m = _NUMBER.match(text)
            if m is None:
                found = []
                break
            found.append(float(m.group(1).replace(",", ".")))
        if found:
            out[i] = max(found) * scale
    return out


def _boundary_gdf(boundary: object) -> gpd.GeoDataFrame | None:
    """Return the boundary polygons in EPSG:4326 (None for no boundary)."""
    if boundary is None:
        return None
    if isinstance(boundary, str | os.PathLike):
        from zonegeo.io.files import read_districts

        boundary = read_districts(boundary)
    if hasattr(boundary, "districts"):  # a Dataset
        boundary = boundary.districts
    if isinstance(boundary, gpd.GeoSeries):
        boundary = gpd.GeoDataFrame(geometry=boundary)
    if not isinstance(boundary, gpd.GeoDataFrame):
        msg = (
            "boundary must be a district file, a GeoDataFrame of polygons or a "
            f"zonegeo.Dataset, got {type(boundary).__name__}"
        )
        raise TypeError(msg)
    if boundary.crs is None:
        msg = "boundary has no CRS; set one with .set_crs()"
        raise ValidationError(msg)
    out = boundary.to_crs(STORAGE_CRS)
    out = out[out.geom_type.isin(["Polygon", "MultiPolygon"])]
    if out.empty:
        msg = "boundary holds no polygon to clip to"
        raise ValidationError(msg)
    return out


def _clip_area(
    boundary: gpd.GeoDataFrame | None, bbox: Sequence[float] | None
) -> tuple[shapely.Geometry | None, tuple[float, float, float, float] | None]:
    """Return the clip polygon (EPSG:4326) and the bounding box to read."""
    if boundary is not None and bbox is not None:
        msg = "give either boundary= or bbox=, not both"
        raise ValidationError(msg)
    if bbox is not None:
        if len(bbox) != 4:
            msg = f"bbox must be (west, south, east, north) in degrees, got {bbox!r}"
            raise ValidationError(msg)
        w, s, e, n = (float(v) for v in bbox)
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            msg = (
                f"bbox {bbox!r} is not (west, south, east, north) in degrees with "
                "west < east and south < north"
            )
            raise ValidationError(msg)
        return shapely.box(w, s, e, n), (w, s, e, n)
    if boundary is None:
        return None, None
    area = shapely.union_all(shapely.make_valid(boundary.geometry.to_numpy()))
    return area, tuple(float(v) for v in area.bounds)  # type: ignore[return-value]


def _as_lines(geoms: np.ndarray) -> np.ndarray:
    """Areas become their outline (the distance is then to the fence)."""
    out = geoms.copy()
    area = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    out[area] = shapely.boundary(geoms[area])
    return _single(out)


def _single(geoms: np.ndarray) -> np.ndarray:
    """Turn a MultiLineString of one part into that LineString."""
    out = geoms.copy()
    multi = shapely.get_type_id(geoms) == 5
    one = multi & (shapely.get_num_geometries(geoms) == 1)
    out[one] = shapely.get_geometry(geoms[one], 0)
    return out


def _clip(geoms: np.ndarray, area: shapely.Geometry | None) -> np.ndarray:
    """Clip to the area: lines are cut at its edge, points kept when inside."""
    if area is None:
        return geoms
    shapely.prepare(area)
    out = np.full(len(geoms), None, dtype=object)
    inside = shapely.covers(area, geoms)
    out[inside] = geoms[inside]
    cross = ~inside & shapely.intersects(area, geoms)
    if cross.any():
        cut = shapely.intersection(geoms[cross], area)
        lines = [
            _lineal(g) for g in cut
        ]  # a cut can leave points where a line touches the edge
        out[np.flatnonzero(cross)] = lines
    return out


def _lineal(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = [
        p
        for p in shapely.get_parts(geom)
        if p.geom_type in ("LineString", "MultiLineString") and not p.is_empty
    ]
    if not parts:
        return None
    merged = shapely.line_merge(shapely.multilinestrings(parts))
    return merged if not merged.is_empty else None


def read_osm(
    path: str | os.PathLike[str],
    *,
    boundary: object | None = None,
    bbox: Sequence[float] | None = None,
    kinds: str | Iterable[str] | None = None,
    progress: bool | Callable[[str], None] = False,
) -> dict[str, gpd.GeoDataFrame]:
    """Read infrastructure, roads, railways and settlements from an OSM extract.

    Parameters
    ----------
    path : str or path
        An OpenStreetMap extract: ``.osm.pbf`` (for example Geofabrik's
        ``kazakhstan-latest.osm.pbf``) or ``.osm`` XML.
    boundary : path, GeoDataFrame or Dataset, optional
        Keep only what lies inside these polygons (for example the districts
        of a region): points inside, lines cut at the boundary.
    bbox : (west, south, east, north), optional
        Keep only what lies in this box, in degrees (instead of ``boundary``).
    kinds : str or sequence of str, optional
        Which of ``gas``, ``electricity``, ``water``, ``road``, ``rail`` and
        ``settlement`` to keep; default all.
    progress : bool or callable, default False
        True shows a progress bar on stderr (one step per GDAL layer read); a
        callable receives a message per step instead.

    Returns
    -------
    dict of str to GeoDataFrame
        ``"infrastructure"``: ``infra_id`` (``osm:<type>/<id>``), ``kind``,
        ``subtype`` (the OSM value, e.g. ``line``, ``substation``,
        ``primary``, ``station``), ``name``, ``capacity``,
        ``spare_capacity`` and ``unit`` (empty: OSM has no such figures),
        plus ``voltage_kv`` (highest voltage of the ``voltage`` tag),
        ``diameter_mm`` and ``osm_capacity`` (the ``capacity`` tag as
        written, its unit varies) when any feature has them. Points and
        lines; an area (a substation or water works drawn as a polygon)
        becomes its outline, so distances are measured to its fence. Valid
        against :data:`zonegeo.schema.INFRASTRUCTURE`.
        ``"settlements"``: ``name``, ``population`` (the ``population`` tag;
        empty when missing or not a number), ``district`` (from ``boundary``
        when it has a ``district`` column), ``place``, ``osm_id``; points
        (an area gives its representative point).
        Both in EPSG:4326; ``attrs["counts"]`` of the infrastructure layer
        holds the number of features per kind.

    Raises
    ------
    ValidationError
        For a missing file, a file that is not OSM data, a bad ``bbox``,
        ``kinds`` or ``boundary``.

    See Also
    --------
    zonegeo.infrastructure_distances : Distances from plots to what was read.

    Notes
    -----
    The tag mapping is :data:`OSM_TAGS` (printed in ``docs/data.md``). A
    feature takes the first row it matches. Unmapped features are skipped.
    GDAL parses the file once per layer (points, lines, multilinestrings,
    multipolygons); see ``benchmarks/README.md`` for the speed.

    Examples
    --------
    >>> import zonegeo
    >>> layers = zonegeo.read_osm("kazakhstan-latest.osm.pbf",
    ...                           boundary=zonegeo.load_demo())  # doctest: +SKIP
    >>> layers["infrastructure"]["kind"].value_counts()  # doctest: +SKIP
    """
    src = Path(path)
    wanted = _kinds(kinds)
    districts = _boundary_gdf(boundary)
    area, box = _clip_area(districts, bbox)
    _check_source(src)
    say, close = _progress(progress)
    try:
        frames = []
        with tempfile.TemporaryDirectory(prefix="zonegeo-osm-") as tmp:
            conf = Path(tmp) / "osmconf.ini"
            _osmconf(conf)
            pyogrio.set_gdal_config_options(
                {"OSM_CONFIG_FILE": str(conf), "OSM_USE_CUSTOM_INDEXING": "YES"}
            )
            try:
                what = "an OpenStreetMap extract (.osm/.osm.pbf)"
                with read_errors(str(src), what=what):
                    for layer in _LAYERS:
                        say(f"reading {layer}")
                        frames.append(_read_layer(src, layer, box))
            finally:
                pyogrio.set_gdal_config_options(
                    {"OSM_CONFIG_FILE": None, "OSM_USE_CUSTOM_INDEXING": None}
                )
        say("mapping tags")
        raw = (
            pd.concat([f for f in frames if len(f)], ignore_index=True)
            if any(len(f) for f in frames)
            else _empty_raw()
        )
        kind, subtype = _classify(raw)
        raw = raw.assign(kind=kind, subtype=subtype)
        raw = raw[raw["kind"].isin(wanted)]
        infra = _infrastructure(raw[raw["kind"] != "settlement"], area)
        settlements = _settlements(raw[raw["kind"] == "settlement"], area, districts)
        counts = {
            k: int((infra["kind"] == k).sum()) for k in INFRA_KINDS if k in wanted
        }
        if "settlement" in wanted:
            counts["settlement"] = len(settlements)
        infra.attrs["counts"] = counts
        log.info(
            "read_osm: %s",
            ", ".join(f"{k} {v:,}" for k, v in counts.items()) or "nothing mapped",
        )
        say("done")
    finally:
        close()
    return {"infrastructure": infra, "settlements": settlements}


def _kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return OSM_KINDS
    asked = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in asked if k not in OSM_KINDS]
    if unknown or not asked:
        msg = (
            f"kinds: unknown kind(s) {unknown!r}; allowed: {', '.join(OSM_KINDS)}"
            if unknown
            else f"kinds is empty; give some of {', '.join(OSM_KINDS)}"
        )
        raise ValidationError(msg)
    return tuple(k for k in OSM_KINDS if k in asked)


def _progress(
    progress: bool | Callable[[str], None],
) -> tuple[Callable[[str], None], Callable[[], None]]:
    """Return a step reporter and a closer (the bar is closed even on an error)."""
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return (lambda _msg: None), lambda: None
    from tqdm import tqdm

    bar = tqdm(total=len(_LAYERS) + 2, unit="step", file=sys.stderr, desc="osm")

    def step(msg: str) -> None:
        bar.set_postfix_str(msg)
        bar.update(1)

    return step, bar.close


def _empty_raw() -> gpd.GeoDataFrame:
    cols = {k: pd.Series(dtype="string") for k in _KEYS}
    return gpd.GeoDataFrame(
        {"infra_id": pd.Series(dtype="string"), **cols},
        geometry=gpd.GeoSeries([], crs=STORAGE_CRS),
    )


def _read_layer(
    src: Path, layer: str, box: tuple[float, float, float, float] | None
) -> gpd.GeoDataFrame:
    info = pyogrio.read_info(src, layer=layer)
    fields = set(info["fields"])
    keys = [k for k in _KEYS if k in fields]
    ids = [c for c in ("osm_id", "osm_way_id") if c in fields]
    where = " OR ".join(
        part for part in _where().split(" OR ") if part.split('"')[1] in fields
    )
    if not where:
        return _empty_raw()
    frame = pyogrio.read_dataframe(
        src,
        layer=layer,
        columns=[*ids, *keys],
        where=where,
        bbox=box,
    )
    if frame.crs is None:
        frame = frame.set_crs(STORAGE_CRS)
    frame.insert(0, "infra_id", _osm_ids(frame, layer))
    return frame.drop(columns=ids)


def _infrastructure(
    raw: pd.DataFrame, area: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    from zonegeo.io.validate import validate_layer

    geoms = _clip(_as_lines(np.asarray(raw.geometry.to_numpy(), dtype=object)), area)
    geoms = _single(np.array(list(geoms), dtype=object))
    keep = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    raw = raw[keep]
    geoms = geoms[keep]
    out = pd.DataFrame(
        {
            "infra_id": raw["infra_id"].to_numpy(dtype=object),
            "kind": raw["kind"].to_numpy(dtype=object),
            "subtype": raw["subtype"].to_numpy(dtype=object),
            "name": raw["name"].to_numpy(dtype=object) if "name" in raw else None,
            "capacity": np.nan,
            "spare_capacity": np.nan,
            "unit": None,
        }
    )
    extra = {
        "voltage_kv": _numbers(raw["voltage"], scale=0.001)
        if "voltage" in raw
        else None,
        "diameter_mm": _numbers(raw["diameter"]) if "diameter" in raw else None,
    }
    for col, values in extra.items():
        if values is not None and np.isfinite(values).any():
            out[col] = values
    if "capacity" in raw and raw["capacity"].notna().any():
        out["osm_capacity"] = raw["capacity"].to_numpy(dtype=object)
    gdf = gpd.GeoDataFrame(out, geometry=list(geoms), crs=STORAGE_CRS)
    rank = {k: i for i, k in enumerate(INFRA_KINDS)}
    order = sorted(
        range(len(gdf)),
        key=lambda i: (rank[gdf["kind"].iat[i]], *_id_key(gdf["infra_id"].iat[i])),
    )
    gdf = gdf.iloc[order].reset_index(drop=True)
    if gdf.empty:
        return gdf
    return validate_layer(gdf, "infrastructure", source="OpenStreetMap extract")


def _id_key(infra_id: str) -> tuple[str, int]:
    """Sort key of ``osm:<type>/<id>``: the type, then the number."""
    kind, _, number = infra_id.rpartition("/")
    return (kind, int(number))


def _settlements(
    raw: pd.DataFrame,
    area: shapely.Geometry | None,
    districts: gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    geoms = np.asarray(raw.geometry.to_numpy(), dtype=object)
    if len(geoms):
        poly = np.isin(shapely.get_type_id(geoms), (3, 6))
        geoms[poly] = shapely.point_on_surface(geoms[poly])
        lines = np.isin(shapely.get_type_id(geoms), (1, 5))
        geoms[lines] = shapely.point_on_surface(geoms[lines])
    if area is not None and len(geoms):
        inside = shapely.covers(area, geoms)
        raw, geoms = raw[inside], geoms[inside]
    population = (
        _numbers(raw["population"].astype("string").str.replace(" ", "", regex=False))
        if "population" in raw
        else np.full(len(raw), np.nan)
    )
    out = gpd.GeoDataFrame(
        {
            "name": raw["name"].to_numpy(dtype=object) if "name" in raw else None,
            "population": population,
            "district": None,
            "place": raw["subtype"].to_numpy(dtype=object),
            "osm_id": raw["infra_id"].str.removeprefix("osm:").to_numpy(dtype=object),
        },
        geometry=list(geoms),
        crs=STORAGE_CRS,
    )
    out = out[out["name"].notna()].reset_index(drop=True)
    if districts is not None and "district" in districts and len(out):
        named = gpd.GeoDataFrame(
            {"district_of": districts["district"].to_numpy(dtype=object)},
            geometry=districts.geometry.to_numpy(),
            crs=STORAGE_CRS,
        )
        joined = gpd.sjoin(out, named, how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        out["district"] = joined["district_of"].to_numpy(dtype=object)
    return out
