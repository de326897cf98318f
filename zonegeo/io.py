"""Read and write layers: GeoPackage, GeoJSON, GeoParquet, Shapefile, CSV, PostGIS.

Readers never modify their input; writers go through a temporary file in the
target folder that is renamed into place, so a failed write leaves no partial
file behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from zonegeo._sheets import unescape_frame, write_csv
from zonegeo._validate import validate_layer
from zonegeo.errors import CRSError, SchemaError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "atomic_path",
    "read_districts",
    "read_exclusions",
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


def _read_csv(path: Path, *, crs: object | None) -> gpd.GeoDataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
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
                    f"crs='EPSG:4326' (or the CRS of the coordinates), or put a "
                    f"{prj.name} file beside it"
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


def _read_raw(
    src: str | os.PathLike[str],
    layer: str,
    *,
    layer_name: str | None,
    crs: object | None,
) -> tuple[gpd.GeoDataFrame, str]:
    if _is_url(src):
        from zonegeo import postgis

        table = layer_name or layer
        return postgis.read_layer_raw(str(src), table), postgis.source_label(
            str(src), table
        )
    path = Path(src)
    if not path.exists():
        msg = f"{path}: no such file"
        raise ValidationError(msg)
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
    if suffix == ".gpkg":  # roll back a write that a killed process left half-done
        from zonegeo.store import LOCK_TIMEOUT, ready_gpkg

        ready_gpkg(path, timeout=LOCK_TIMEOUT)
    chosen = _pick_layer(path, layer, layer_name)
    where = f"{path}" + (f' (layer "{chosen}")' if chosen and suffix == ".gpkg" else "")
    if suffix == ".csv":
        gdf = _read_csv(path, crs=crs)
    elif suffix in (".parquet", ".geoparquet"):
        gdf = gpd.read_parquet(path)
    else:
        target = _zip_target(path) if suffix in (".zip", ".shp.zip") else str(path)
        try:
            # GeoPackages through Arrow: 2-3 times faster for large layers, same
            # dtypes (benchmarks/cli_distances.py).
            gdf = pyogrio.read_dataframe(
                target, layer=chosen, use_arrow=suffix == ".gpkg"
            )
        except pyogrio.errors.DataSourceError as exc:
            msg = f"{path}: cannot be read as a GIS file ({exc})"
            raise ValidationError(msg) from None
    if crs is not None and gdf.crs is None:
        gdf = gdf.set_crs(crs)
    return gdf, where


def read_layer(
    src: str | os.PathLike[str],
    layer: Layer,
    *,
    layer_name: str | None = None,
    column_map: Mapping[str, str] | None = None,
    crs: object | None = None,
    check_overlaps: bool = True,
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
        CRS for a file that carries none (CSV with WKT). It never overrides a
        CRS the file declares.
    check_overlaps : bool, default True
        For plots, warn (:class:`zonegeo.DataWarning`) about plots that
        overlap each other; costs about 1.5 s per 100,000 plots.
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
        Validated, in EPSG:4326; see :func:`zonegeo._validate.validate_layer`.

    Raises
    ------
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
    gdf, where = _read_raw(src, layer, layer_name=layer_name, crs=crs)
    return validate_layer(
        gdf,
        layer,
        source=where,
        column_map=column_map,
        check_overlaps=check_overlaps,
        date_format=date_format,
    )


def read_plots(src: str | os.PathLike[str], **kwargs: object) -> gpd.GeoDataFrame:
    """Read land plots; ``area_ha`` is computed from the geometry.

    Parameters
    ----------
    src : str or path-like
        File or ``postgresql://`` URL; see :func:`read_layer`.
    **kwargs
        ``layer_name``, ``column_map``, ``crs``, ``check_overlaps`` or
        ``date_format`` (how ``allocated_on`` and ``build_by`` are written
        when not ``dd.mm.yyyy`` or ISO), as in :func:`read_layer`.

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
    src: str | os.PathLike[str], **kwargs: object
) -> gpd.GeoDataFrame:
    """Read gas, electricity and water infrastructure (points and lines).

    See :func:`read_layer` for the parameters.

    Examples
    --------
    >>> from zonegeo import read_infrastructure
    >>> from zonegeo.datasets import get_path
    >>> path = get_path("demo") / "infrastructure" / "infrastructure.gpkg"
    >>> infra = read_infrastructure(path)
    >>> sorted(infra["kind"].unique())
    ['electricity', 'gas', 'water']
    """
    return read_layer(src, "infrastructure", **kwargs)  # type: ignore[arg-type]


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


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success.

    The temporary file keeps the final suffix, so drivers that look at the
    extension behave. On any error the temporary file is removed and ``path``
    is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done")
    >>> out.read_text()
    'done'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=final.suffix, dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let the writer create it (GDAL refuses to open an empty file)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.is_dir():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()


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
