"""Read and write layers: GeoPackage, GeoJSON, GeoParquet, Shapefile, CSV, PostGIS.

Readers never modify their input; writers go through a temporary file in the
target folder that is renamed into place, so a failed write leaves no partial
file behind.
"""

from __future__ import annotations

import logging
import os
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from zonegeo.errors import (
    CRSError,
    GeometryError,
    ReadError,
    SchemaError,
    ValidationError,
)
from zonegeo.io.atomic import atomic_path
from zonegeo.io.read_errors import (
    _FORMAT_NAMES,
    _one_line,
    database_read_errors,
    read_errors,
)
from zonegeo.io.sheets import unescape_frame, write_csv
from zonegeo.io.validate import (
    closest_names,
    describe_rows,
    geometry_type_names,
    validate_layer,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "atomic_path",
    "read_districts",
    "read_exclusions",
    "read_features",
    "read_infrastructure",
    "read_layer",
    "read_plots",
    "read_settlements",
    "read_zones",
    "write_layer",
]

log = logging.getLogger(__name__)

#: File extensions zonegeo reads.
READ_FORMATS = (
    ".gpkg",
    ".geojson",
    ".json",
    ".parquet",
    ".geoparquet",
    ".shp",
    ".zip",
    ".csv",
)
#: File extensions zonegeo writes, with the pyogrio driver (None: GeoParquet or CSV).
WRITE_FORMATS: dict[str, str | None] = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".parquet": None,
    ".csv": None,
}

_WKT_COLUMNS = ("wkt", "WKT", "geometry", "geom", "the_geom")
_LON_COLUMNS = ("lon", "longitude", "lng", "x", "LON", "Longitude", "X")
_LAT_COLUMNS = ("lat", "latitude", "y", "LAT", "Latitude", "Y")

Layer = Literal[
    "districts", "zones", "plots", "infrastructure", "settlements", "exclusions"
]


def _is_url(src: object) -> bool:
    return str(src).startswith(("postgresql://", "postgres://"))


def _utf8_error(path: Path, exc: UnicodeDecodeError) -> ReadError:
    """Name the line of a text file where UTF-8 decoding fails."""
    where = ""
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as full:
        line = raw.count(b"\n", 0, full.start) + 1
        where = f" on line {line}"
        exc = full
    except OSError:  # pragma: no cover - the file was just read
        pass
    bad = exc.object[exc.start : exc.start + 1]
    msg = (
        f"{path}: the text is not valid UTF-8{where} (byte {bad!r}: {exc.reason}). "
        f"Fix: save the file with UTF-8 encoding (Excel: 'CSV UTF-8'; QGIS: "
        f"Export with encoding UTF-8)"
    )
    return ReadError(msg)


def _check_utf8(gdf: gpd.GeoDataFrame, label: str) -> None:
    """Refuse text that is not UTF-8 in a layer read through Arrow.

    Arrow keeps the bytes as read and fails only when a value is used, which
    could be anywhere later; this checks every text column once, up front.
    """
    import pyarrow as pa

    for col in gdf.columns:
        series = gdf[col]
        if col == gdf.geometry.name or not pd.api.types.is_string_dtype(series):
            continue
        try:
            values = pa.chunked_array(pa.array(series.array))
        except (pa.ArrowException, TypeError):
            continue  # not Arrow-backed: pandas decoded it already
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(
            values.type
        ):
            continue
        try:
            values.validate(full=True)
        except pa.ArrowInvalid:
            raw = values.cast(pa.large_binary()).to_pylist()
            bad = []
            for i, b in enumerate(raw):
                try:
                    b is None or b.decode("utf-8")
                except UnicodeDecodeError:
                    bad.append(i)
            ids: list[object] = [i + 1 for i in bad]  # 1-based row numbers
            id_column = next(
                (c for c in ("plot_id", "infra_id", "zone_id") if c in gdf.columns),
                None,
            )
            if id_column is not None and id_column != col:
                try:
                    ids = [gdf[id_column].iloc[i] for i in bad]
                except UnicodeDecodeError:
                    id_column = None
            msg = (
                f"{label}: text in column {col!r} is not valid UTF-8 in "
                f"{describe_rows(ids, id_column=id_column)}. Fix: save the layer "
                f"again with UTF-8 "
                f"text (QGIS: Export, encoding UTF-8)"
            )
            raise ReadError(msg) from None


def _read_csv(path: Path, *, crs: object | None) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError as exc:
        raise _utf8_error(path, exc) from None
    except pd.errors.EmptyDataError:
        msg = (
            f"{path}: the CSV file has no header and no rows. Fix: write a header "
            f"line (e.g. plot_id,status,wkt) and one line per feature"
        )
        raise ReadError(msg) from None
    df = unescape_frame(df)  # undo the ' that zonegeo's CSV writer adds (_sheets)
    wkt = next((c for c in _WKT_COLUMNS if c in df.columns), None)
    lon = next((c for c in _LON_COLUMNS if c in df.columns), None)
    lat = next((c for c in _LAT_COLUMNS if c in df.columns), None)
    if wkt is not None:
        text = df[wkt]
        try:
            geom = shapely.from_wkt(text.to_numpy(dtype=object), on_invalid="raise")
        except shapely.errors.GEOSException as exc:
            bad = []
            for i, t in enumerate(text):
                try:
                    shapely.from_wkt(t, on_invalid="raise")
                except (shapely.errors.GEOSException, TypeError):
                    bad.append(i + 2)  # header is line 1
            msg = (
                f"{path}: column {wkt!r} has text that is not WKT on line(s) "
                f"{bad[:10]} ({exc}). Fix: write geometries as WKT, "
                "e.g. 'POLYGON ((68.1 43.2, ...))'"
            )
            raise SchemaError(msg) from None
        if crs is None:
            prj = path.with_suffix(".prj")
            if prj.exists():
                crs = prj.read_text()
            else:
                msg = (
                    f"{path}: a CSV with WKT geometries carries no CRS. Fix: pass "
                    f"crs='EPSG:4326' (on the command line --crs EPSG:4326; or the "
                    f"CRS of the coordinates), or put a {prj.name} file beside it"
                )
                raise CRSError(msg)
        return gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geom, crs=crs)
    if lon is not None and lat is not None:
        x = pd.to_numeric(df[lon], errors="coerce")
        y = pd.to_numeric(df[lat], errors="coerce")
        bad = (x.isna() | y.isna()).to_numpy()
        if bad.any():
            rows = [int(i) + 2 for i in bad.nonzero()[0]]
            msg = (
                f"{path}: columns {lon!r}/{lat!r} are not numbers on line(s) "
                f"{rows[:10]}. "
                f"Fix: write decimal degrees"
            )
            raise SchemaError(msg)
        # Columns named lon/lat are by definition WGS 84 degrees unless told otherwise.
        return gpd.GeoDataFrame(
            df.drop(columns=[lon, lat]),
            geometry=gpd.points_from_xy(x, y),
            crs=crs or "EPSG:4326",
        )
    msg = (
        f"{path}: a CSV needs a WKT column (one of {list(_WKT_COLUMNS)}) or lon/lat "
        f"columns (e.g. 'lon' and 'lat'); found columns {list(df.columns)}"
    )
    raise SchemaError(msg)


def _zip_target(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
    if not shps:
        msg = (
            f"{path}: the zip file holds no .shp file; "
            "zip a Shapefile with its .dbf/.shx/.prj"
        )
        raise ValidationError(msg)
    return f"/vsizip/{path}/{shps[0]}"


def _pick_layer(path: Path, layer: str, layer_name: str | None) -> str | None:
    if path.suffix.lower() != ".gpkg":
        return layer_name
    # Spatial layers only: a registry GeoPackage also holds its status history table.
    names = [
        str(n) for n, geom_type in pyogrio.list_layers(path) if geom_type is not None
    ]
    if layer_name is not None:
        if layer_name not in names:
            msg = f"{path}: no layer {layer_name!r}; the GeoPackage has layers {names}"
            raise ValidationError(msg)
        return layer_name
    if layer in names:
        return layer
    if len(names) == 1:
        return names[0]
    msg = (
        f"{path}: the GeoPackage has several layers {names} and none is called "
        f"{layer!r}. Fix: pass layer_name='...'"
    )
    raise ValidationError(msg)












def _check_path_text(text: str) -> None:
    if "\x00" in text:
        msg = (
            f"{text!r}: the path contains a NUL character (\\x00), which no file "
            f"name can hold. Fix: remove it"
        )
        raise ReadError(msg)


@contextmanager
def _stage(stage: str, label: object) -> Iterator[None]:
    """Log the wall time of a stage of reading at INFO (``zonegeo -v``).

    ``benchmarks/cli_distances.py`` reads these lines to split a command's time.
    """
    start = time.perf_counter()
    yield
    log.info("stage %s %s: %.2f s", stage, label, time.perf_counter() - start)


def _read_raw(
    src: str | os.PathLike[str],
    layer: str,
    *,
    layer_name: str | None,
    crs: object | None,
    where: str | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a layer as stored; every read failure becomes a zonegeo error."""
    with _stage("read", os.fspath(src)):
        return _read_raw_untimed(
            src, layer, layer_name=layer_name, crs=crs, where=where
        )


def _read_raw_untimed(
    src: str | os.PathLike[str],
    layer: str,
    *,
    layer_name: str | None,
    crs: object | None,
    where: str | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    text = os.fspath(src)
    if _is_url(text):
        from zonegeo.io import postgis
        table = layer_name or layer
        label = postgis.source_label(text, table)
        if where is not None:
            msg = (
                f"{label}: where= filters files read through GDAL (GeoPackage, "
                f"GeoJSON, Shapefile); for a PostGIS table, create a view with the "
                f"filter and read the view (table=VIEW in the URL)"
            )
            raise ValidationError(msg)
        with database_read_errors(label):
            gdf = postgis.read_layer_raw(text, table)
        if crs is not None and gdf.crs is None:
            gdf = gdf.set_crs(crs)
        return gdf, label
    _check_path_text(text)
    path = Path(text)
    if not path.exists():
        msg = f"{path}: no such file"
        raise ReadError(msg)
    if path.is_dir():
        msg = (
            f"{path}: is a folder, not a layer file. Fix: name one file "
            f"({', '.join(READ_FORMATS)}); a dataset folder is read with "
            f"zonegeo.read_dataset (on the command line: --data FOLDER)"
        )
        raise ReadError(msg)
    suffix = (
        "".join(path.suffixes[-2:]).lower()
        if path.name.lower().endswith(".shp.zip")
        else path.suffix.lower()
    )
    if suffix not in (*READ_FORMATS, ".shp.zip"):
        msg = (
            f"{path}: unsupported file type {suffix!r}; zonegeo reads "
            f"{', '.join(READ_FORMATS)} (zip = zipped Shapefile) and postgresql:// URLs"
        )
        raise ValidationError(msg)
    what = _FORMAT_NAMES[suffix]
    with read_errors(str(path), what=f"a {what}"):
        if path.stat().st_size == 0:
            msg = f"{path}: the file is empty (0 bytes). Fix: export the layer again"
            raise ReadError(msg)
        if where is not None and suffix in (".csv", ".parquet", ".geoparquet"):
            msg = (
                f"{path}: where= filters files read through GDAL (GeoPackage, "
                f"GeoJSON, Shapefile), not a {what}. Fix: filter the table "
                f"before reading, or save it as a GeoPackage"
            )
            raise ValidationError(msg)
        if suffix == ".gpkg":  # roll back a write a killed process left half-done
            from zonegeo.io.locks import LOCK_TIMEOUT, ready_gpkg

            ready_gpkg(path, timeout=LOCK_TIMEOUT)
        chosen = _pick_layer(path, layer, layer_name)
        label = f"{path}" + (
            f' (layer "{chosen}")' if chosen and suffix == ".gpkg" else ""
        )
        if suffix == ".csv":
            gdf = _read_csv(path, crs=crs)
        elif suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            target = _zip_target(path) if suffix in (".zip", ".shp.zip") else str(path)
            try:
                # GeoPackages through Arrow: 2-3 times faster for large layers,
                # same dtypes (benchmarks/cli_distances.py).
                gdf = pyogrio.read_dataframe(
                    target, layer=chosen, where=where, use_arrow=suffix == ".gpkg"
                )
                if suffix == ".gpkg":
                    _check_utf8(gdf, label)
            except (
                pyogrio.errors.DataLayerError,
                pyogrio.errors.DataSourceError,
                OSError,  # what a bad filter raises when read through Arrow
            ) as exc:
                if where is None:
                    raise
                msg = (
                    f"{label}: the filter where={where!r} failed: {_one_line(exc)}. "
                    f"Fix: write an OGR SQL condition on the file's columns "
                    f"({', '.join(map(str, _columns_of(target, chosen)))}), e.g. "
                    f"\"category = 'gas-pipelines'\""
                )
                raise ValidationError(msg) from None
    if where is not None:
        log.info("%s: %d row(s) match where=%r", label, len(gdf), where)
    if crs is not None and gdf.crs is None:
        gdf = gdf.set_crs(crs)
    return gdf, label


def _columns_of(target: str, layer: str | None) -> list[object]:
    try:
        return list(pyogrio.read_info(target, layer=layer)["fields"])
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return []


def read_layer(
    src: str | os.PathLike[str],
    layer: Layer,
    *,
    layer_name: str | None = None,
    column_map: Mapping[str, str] | None = None,
    crs: object | None = None,
    check_overlaps: bool = True,
    where: str | None = None,
    keep_crs: bool = False,
    require_columns: bool = True,
    date_format: str | None = None,
) -> gpd.GeoDataFrame:
    """Read and validate one layer from a file or a PostGIS URL.

    Parameters
    ----------
    src : str or path-like
        A GeoPackage, GeoJSON, GeoParquet, Shapefile (``.shp`` or zipped
        ``.zip``), CSV (a WKT column, or lon/lat columns), or a
        ``postgresql://`` URL.
    layer : str
        One of "districts", "zones", "plots", "infrastructure",
        "settlements" or "exclusions".
        Which zonegeo layer the data are; decides the schema checked.
    layer_name : str, optional
        Layer inside a GeoPackage (default: the one named like ``layer``, or
        the only one) or table in PostGIS.
    column_map : mapping, optional
        Renames applied before checking, ``{"name in file": "zonegeo name"}``.
    crs : optional
        CRS for a file that carries none (CSV with WKT, Shapefile without
        ``.prj``). It never overrides a CRS the file declares.
    check_overlaps : bool, default True
        For plots, warn (:class:`zonegeo.DataWarning`) about plots that
        overlap each other; costs about 1.5 s per 100,000 plots.
    where : str, optional
        Keep only the rows matching this OGR SQL condition, e.g.
        ``"category = 'gas-pipelines'"`` (GeoPackage, GeoJSON and Shapefile;
        passed to :func:`pyogrio.read_dataframe`).
    keep_crs : bool, default False
        Return the layer in the file's CRS instead of EPSG:4326 (the checks
        are the same).
    require_columns : bool, default True
        False checks only the schema columns the file has (their types,
        allowed values, empty and duplicate ids) and requires none, and adds
        no missing ones; the file's column order is kept. For any polygon
        layer measured as plots, as ``zonegeo distances`` does.
    date_format : str, optional
        How text dates (``allocated_on``, ``build_by``) are written. By
        default each column is read day first (``dd.mm.yyyy``, also
        ``dd/mm/yyyy``, ``dd-mm-yyyy``) or, if its dates start with the year,
        as ISO ``YYYY-MM-DD``; a column mixing the two, or holding anything
        else, is refused. Pass ``"dd.mm.yyyy"``, ``"iso"``, ``"excel"``
        (serial day numbers) or a strptime pattern such as ``"%m/%d/%Y"`` to
        read every date one stated way. Real date fields are used as they are.

    Returns
    -------
    GeoDataFrame
        Validated, in EPSG:4326 (or the file's CRS with ``keep_crs``); see
        :func:`zonegeo.io.validate.validate_layer`.

    Raises
    ------
    ReadError
        If the file is missing, empty, a folder, damaged, not UTF-8, or the
        database refuses access; the message names the file or URL.
    ValidationError
        (or a subclass) naming the file, the rows, what was found, what is
        allowed and the fix.

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.datasets import get_path
    >>> plots = zonegeo.read_layer(get_path("demo") / "plots" / "plots.gpkg", "plots")
    >>> sorted(plots["status"].unique())
    ['allocated', 'construction', 'free', 'operating']
    """
    gdf, label = _read_raw(src, layer, layer_name=layer_name, crs=crs, where=where)
    with _stage("validate", label):
        return validate_layer(
            gdf,
            layer,
            source=label,
            column_map=column_map,
            check_overlaps=check_overlaps,
            date_format=date_format,
            keep_crs=keep_crs,
            require_columns=require_columns,
        )


def read_plots(src: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read land plots; ``area_ha`` is computed from the geometry.

    Parameters
    ----------
    src : str or path-like
        File or ``postgresql://`` URL; see :func:`read_layer`.
    **kwargs
        ``layer_name``, ``column_map``, ``crs``, ``check_overlaps``,
        ``where``, ``keep_crs``, ``require_columns`` or ``date_format`` (how
        ``allocated_on`` and ``build_by`` are written when not ``dd.mm.yyyy``
        or ISO), as in :func:`read_layer`.

    Returns
    -------
    GeoDataFrame

    Examples
    --------
    >>> from zonegeo import read_plots
    >>> from zonegeo.datasets import get_path
    >>> plots = read_plots(get_path("demo") / "plots" / "plots.gpkg")
    >>> plots.crs.to_epsg(), plots["plot_id"].is_unique
    (4326, True)
    """
    return read_layer(src, "plots", **kwargs)  # type: ignore[arg-type]


def read_zones(src: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read industrial zones; ``area_ha`` is computed from the geometry.

    See :func:`read_layer` for the parameters.

    Examples
    --------
    >>> from zonegeo import read_zones
    >>> from zonegeo.datasets import get_path
    >>> zones = read_zones(get_path("demo") / "plots" / "zones.gpkg")
    >>> round(float(zones.loc[zones["kind"] == "regional", "area_ha"].sum()), 2)
    1700.0
    """
    return read_layer(src, "zones", **kwargs)  # type: ignore[arg-type]


def read_districts(
    src: str | os.PathLike[str], *, name_column: str | None = None, **kwargs: object
) -> gpd.GeoDataFrame:
    """Read district boundaries, including official ones brought by the user.

    Parameters
    ----------
    src : str or path-like
        File or ``postgresql://`` URL; see :func:`read_layer`.
    name_column : str, optional
        Column holding the English district name, for files that do not call
        it ``district`` (geoBoundaries ``shapeName``, geokz/HDX ``ADM2_EN``,
        GADM ``NAME_2``; these three are recognised without being named).
    **kwargs
        ``layer_name``, ``column_map`` or ``crs``, as in :func:`read_layer`.

    Returns
    -------
    GeoDataFrame

    Examples
    --------
    >>> from zonegeo import read_districts
    >>> from zonegeo.datasets import get_path
    >>> d = read_districts(get_path("demo") / "boundaries" / "districts.gpkg")
    >>> "Sauran" in set(d["district"])
    True
    """
    column_map = dict(kwargs.pop("column_map", None) or {})  # type: ignore[call-overload]
    if name_column is not None:
        column_map[name_column] = "district"
    return read_layer(src, "districts", column_map=column_map or None, **kwargs)  # type: ignore[arg-type]


def read_infrastructure(
    src: str | os.PathLike[str],
    *,
    kind: str | None = None,
    dissolve_by: str | None = None,
    **kwargs: object,
) -> gpd.GeoDataFrame:
    """Read gas, electricity and water infrastructure (points and lines).

    Parameters
    ----------
    src : str or path-like
        File or ``postgresql://`` URL; see :func:`read_layer`.
    kind : {"gas", "electricity", "water"}, optional
        The kind of every feature, for a file without a ``kind`` column (a
        pipeline file such as Global Energy Monitor's). A file that has its
        own ``kind`` column is refused rather than overwritten.
    dissolve_by : str, optional
        Column (as named in the file, or its ``column_map`` target) whose
        repeated values are parts of one feature, as GEM's
        ``gem_project_id``: the rows sharing a value become one
        MultiLineString feature. Columns whose values differ between the
        parts (``part``, ``osm_id``) are dropped; rows with an empty value are
        kept as they are (validation then names them). A log line (INFO)
        says how many rows became how many features.
    **kwargs
        ``layer_name``, ``column_map``, ``crs``, ``where``, ``keep_crs`` or
        ``require_columns``, as in :func:`read_layer`.

    Returns
    -------
    GeoDataFrame
        Validated, one row per feature. With ``dissolve_by``,
        ``attrs["dissolved"]`` holds ``{"by", "rows", "features",
        "dropped_columns"}``.

    Raises
    ------
    ValidationError
        As :func:`read_layer`; also for ``kind`` with a file that has a
        ``kind`` column, and a ``dissolve_by`` column that is missing or
        whose repeated values join points.

    Examples
    --------
    >>> from zonegeo import read_infrastructure
    >>> from zonegeo.datasets import get_path
    >>> path = get_path("demo") / "infrastructure" / "infrastructure.gpkg"
    >>> infra = read_infrastructure(path)
    >>> sorted(infra["kind"].unique())
    ['electricity', 'gas', 'water']
    >>> gas = read_infrastructure(path, where="kind = 'gas'")
    >>> sorted(gas["kind"].unique())
    ['gas']
    """
    layer_name = kwargs.pop("layer_name", None)
    crs = kwargs.pop("crs", None)
    where = kwargs.pop("where", None)
    column_map = dict(kwargs.pop("column_map", None) or {})  # type: ignore[call-overload]
    gdf, label = _read_raw(
        src,
        "infrastructure",
        layer_name=layer_name,  # type: ignore[arg-type]
        crs=crs,
        where=where,  # type: ignore[arg-type]
    )
    if kind is not None:
        gdf = _set_kind(gdf, kind, column_map, label)
    dissolved = None
    if dissolve_by is not None:
        gdf, dissolved = _dissolve_lines(gdf, dissolve_by, column_map, label)
    with _stage("validate", label):
        out = validate_layer(
            gdf,
            "infrastructure",
            source=label,
            column_map=column_map or None,
            **kwargs,  # type: ignore[arg-type]
        )
    if dissolved is not None:
        out.attrs["dissolved"] = dissolved
    return out


def _set_kind(
    gdf: gpd.GeoDataFrame, kind: str, column_map: Mapping[str, str], label: str
) -> gpd.GeoDataFrame:
    from zonegeo.schema import INFRA_KINDS

    if kind not in INFRA_KINDS:
        msg = f"kind={kind!r} is not a kind of infrastructure; use one of {INFRA_KINDS}"
        raise ValidationError(msg)
    own = [c for c in gdf.columns if c == "kind" or column_map.get(c) == "kind"]
    if own:
        msg = (
            f"{label}: kind={kind!r} (--infra-kind) was given but the layer has its "
            f"own 'kind' column {own[0]!r}; drop kind= (--infra-kind) or the column"
        )
        raise ValidationError(msg)
    return gdf.assign(kind=kind)


def _dissolve_lines(
    gdf: gpd.GeoDataFrame, column: str, column_map: Mapping[str, str], label: str
) -> tuple[gpd.GeoDataFrame, dict[str, object]]:
    """Join the line rows that share a value of ``column`` into one feature each."""
    name = column
    if name not in gdf.columns:
        back = [k for k, v in column_map.items() if v == name and k in gdf.columns]
        if not back:
            have = [str(c) for c in gdf.columns if c != gdf.geometry.name]
            near = closest_names([name], have, cutoff=0.5)
            hint = f" Did you mean {near[name]!r}?" if near else ""
            msg = (
                f"{label}: dissolve_by={name!r} (--dissolve-by) is not a column of "
                f"the layer; it has {have}.{hint}"
            )
            raise SchemaError(msg)
        name = back[0]
    key = gdf[name]
    has_key = (key.notna() & (key.astype("string").str.strip() != "")).to_numpy(
        dtype=bool
    )
    repeated = has_key & key.duplicated(keep=False).to_numpy(dtype=bool)
    info: dict[str, object] = {
        "by": name,
        "rows": len(gdf),
        "features": len(gdf),
        "dropped_columns": [],
    }
    if not repeated.any():
        log.info("%s: no %s value repeats; nothing to dissolve", label, name)
        return gdf, info
    geoms = gdf.geometry.values
    types = geometry_type_names(geoms)
    not_line = repeated & ~np.isin(types, ("LineString", "MultiLineString"))
    if not_line.any():
        ids = sorted({str(v) for v in key[not_line]})
        found = sorted({t or "missing" for t in types[not_line]})
        msg = (
            f"{label}: dissolve_by={name!r} joins lines only, but rows with "
            f"{describe_rows(ids, id_column=name)} have {found} geometries. Fix: "
            f"give those rows their own ids, or remove them"
        )
        raise GeometryError(msg)
    attrs = gdf.drop(columns=gdf.geometry.name).loc[repeated]
    groups = key[repeated].astype("string")
    varying = [
        str(c)
        for c in attrs.columns
        if c != name
        and bool(
            (attrs[c].groupby(groups.to_numpy(), sort=False).nunique(dropna=False) > 1)
            .to_numpy()
            .any()
        )
    ]
    keep = ~repeated | ~key.duplicated(keep="first").to_numpy(dtype=bool)
    out = gdf.loc[keep].drop(columns=varying)
    new_geoms = out.geometry.values.copy()
    kept_keys = key[keep].astype("string").to_numpy()
    kept_repeated = repeated[keep]
    group_keys = groups.to_numpy()
    for pos in np.flatnonzero(kept_repeated):
        parts = shapely.get_parts(geoms[repeated][group_keys == kept_keys[pos]])
        new_geoms[pos] = shapely.multilinestrings(parts)
    out = out.set_geometry(
        gpd.GeoSeries(new_geoms, index=out.index, crs=gdf.crs), crs=gdf.crs
    ).reset_index(drop=True)
    joined = int(kept_repeated.sum())
    info.update(features=len(out), dropped_columns=varying)
    log.info(
        "%s: joined %d rows into %d MultiLineString feature(s) by %s (%s); %d "
        "feature(s) in all%s",
        label,
        int(repeated.sum()),
        joined,
        name,
        describe_rows(sorted(set(group_keys)), id_column=name),
        len(out),
        f"; dropped column(s) {varying} whose values differ between the parts"
        if varying
        else "",
    )
    return out, info


def read_features(
    src: str | os.PathLike[str],
    *,
    layer_name: str | None = None,
    crs: object | None = None,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read any layer as stored, without a zonegeo schema (e.g. a ranking file).

    The same file handling and messages as :func:`read_layer`: a missing,
    empty, damaged or non-UTF-8 file raises :class:`zonegeo.ReadError` naming
    it. No columns are checked or renamed and the CRS is kept.

    Parameters
    ----------
    src : str or path-like
        A file in a format :func:`read_layer` reads, or a ``postgresql://``
        URL with ``table=``.
    layer_name : str, optional
        Layer of a multi-layer GeoPackage (default: the only one).
    crs : optional
        CRS for a file that carries none; never overrides a declared one.
    where : str, optional
        OGR SQL row filter, as in :func:`read_layer`.

    Returns
    -------
    GeoDataFrame
        As stored, in the file's CRS.

    Raises
    ------
    ReadError
        If the file cannot be read.
    CRSError
        If the layer has no CRS and ``crs`` is not given.

    Examples
    --------
    >>> from zonegeo.io.files import read_features
    >>> from zonegeo.datasets import get_path
    >>> towns = read_features(get_path("demo") / "boundaries" / "settlements.gpkg")
    >>> towns.crs.to_epsg()
    4326
    """
    gdf, label = _read_raw(src, "", layer_name=layer_name, crs=crs, where=where)
    if gdf.crs is None:
        msg = (
            f"{label}: the layer has no CRS (for example a Shapefile without its "
            f".prj); zonegeo never guesses one. Fix: add the .prj, or pass "
            f"crs='EPSG:...' (on the command line --crs EPSG:...)"
        )
        raise CRSError(msg)
    return gdf


def read_settlements(src: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read settlements (points with ``name`` and ``population``).

    See :func:`read_layer` for the parameters.

    Examples
    --------
    >>> from zonegeo import read_settlements
    >>> from zonegeo.datasets import get_path
    >>> towns = read_settlements(get_path("demo") / "boundaries" / "settlements.gpkg")
    >>> "Turkistan" in set(towns["name"])
    True
    """
    return read_layer(src, "settlements", **kwargs)  # type: ignore[arg-type]


def read_exclusions(src: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read exclusion areas (polygons with ``name`` and ``reason``).

    See :func:`read_layer` for the parameters.

    Examples
    --------
    >>> from zonegeo import read_exclusions
    >>> from zonegeo.datasets import get_path
    >>> areas = read_exclusions(get_path("demo") / "boundaries" / "exclusions.gpkg")
    >>> bool(areas["reason"].notna().all())
    True
    """
    return read_layer(src, "exclusions", **kwargs)  # type: ignore[arg-type]




def write_layer(
    gdf: gpd.GeoDataFrame | pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    layer_name: str | None = None,
) -> Path:
    """Write a layer atomically; the format follows the extension.

    Parameters
    ----------
    gdf : GeoDataFrame or DataFrame
        What to write. A CSV stores the geometry as WKT in a ``wkt`` column.
    path : str or path-like
        ``.gpkg``, ``.geojson``, ``.parquet`` (GeoParquet) or ``.csv``.
    layer_name : str, optional
        GeoPackage layer name (default: the file stem).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValidationError
        For an extension zonegeo does not write.

    Examples
    --------
    >>> import tempfile, pathlib, zonegeo
    >>> plots = zonegeo.load_demo().district("Sauran").plots
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sauran.gpkg"
    >>> out = zonegeo.write_layer(plots, out)
    >>> len(zonegeo.read_plots(out)) == len(plots)
    True
    """
    final = Path(path)
    suffix = final.suffix.lower()
    if suffix not in WRITE_FORMATS:
        msg = (
            f"{final}: cannot write {suffix or 'a file without extension'}; use one of "
            f"{', '.join(WRITE_FORMATS)}"
        )
        raise ValidationError(msg)
    is_geo = isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns
    with atomic_path(final) as tmp:
        if suffix == ".csv":
            frame = pd.DataFrame(gdf.copy())
            if is_geo:
                geo = gdf.geometry
                frame = frame.drop(columns=[geo.name])
                frame["wkt"] = shapely.to_wkt(geo.values, rounding_precision=-1)
            write_csv(frame, tmp)  # text that could start a formula gets a '
        elif suffix == ".parquet":
            if is_geo:
                gdf.to_parquet(tmp, index=False)
            else:
                pd.DataFrame(gdf).to_parquet(tmp, index=False)
        else:
            if not is_geo:
                msg = (
                    f"{final}: {suffix} needs geometries; "
                    "write a table as .csv or .parquet"
                )
                raise ValidationError(msg)
            pyogrio.write_dataframe(
                gdf, tmp, layer=layer_name or final.stem, driver=WRITE_FORMATS[suffix]
            )
    log.info("wrote %d rows to %s", len(gdf), final)
    return final
