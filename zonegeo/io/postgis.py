"""PostgreSQL/PostGIS as a shared zonegeo store: URLs, reading and writing tables.

URL convention
--------------
A store or a layer in PostGIS is named by a libpq connection URL with two
extra query parameters that zonegeo removes before connecting::

    postgresql://[user[:password]@][host][:port]/database[?param=value&...]

``schema=NAME``
    The PostgreSQL schema that holds the layers (default ``public``). A
    dataset is one schema with the tables ``districts``, ``zones``, ``plots``,
    ``infrastructure`` and, optionally, ``settlements`` and ``exclusions``.
``table=NAME``
    One table, for :func:`zonegeo.read_layer` and friends (default: the layer
    name, e.g. ``plots``). :func:`read_dataset` and
    :func:`zonegeo.write_dataset` refuse it: a dataset is a whole schema.

Every other parameter goes to libpq unchanged: ``host=/run/postgresql`` for a
unix socket, ``port=``, ``user=``, ``sslmode=require``, ``connect_timeout=``,
``options=-c%20statement_timeout=5s``. As in libpq, ``%XX`` escapes are
decoded and ``+`` is a plus sign, not a space (write a space as ``%20``).
Keep passwords out of URLs (use ``PGPASSWORD`` or ``~/.pgpass``); zonegeo masks
a password in every message it writes. Schema and table names are used
verbatim (case-sensitive, quoted). Examples::

    postgresql:///zonegeo?host=/tmp/sock&schema=registry&table=plots
    postgresql://planner@db.example.kz/zonegeo?schema=turkistan

Tables written by zonegeo have a ``fid`` identity primary key (row order), the
layer's columns with SQL types from :mod:`zonegeo.schema`, a unique id column
(``plot_id``, ``zone_id``, ...), CHECK constraints on categorical columns, and
a ``geom geometry(Geometry, 4326)`` column with a GiST index. Tables written
by other tools are read as they are: any geometry or geography column, any
SRID, a ``fid``/``ogc_fid`` key used for row order and dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zonegeo import schema
from zonegeo.errors import CRSError, SchemaError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import psycopg

    from zonegeo.dataset import Dataset

__all__ = [
    "HISTORY_TABLE",
    "PostgisTarget",
    "connect",
    "is_url",
    "parse_url",
    "read_dataset",
    "read_layer_raw",
    "source_label",
    "write_layers",
]

log = logging.getLogger(__name__)

#: Name of the plot status history table, beside the plots table.
HISTORY_TABLE = "plot_status_history"

_SCHEMES = ("postgresql://", "postgres://")
_FID_COLUMNS = ("fid", "ogc_fid")
_SQL_TYPES = {
    "string": "text",
    "int": "bigint",
    "year": "integer",
    "float": "double precision",
    "date": "date",
}


def is_url(src: object) -> bool:
    """Return True if ``src`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return isinstance(src, str) and src.startswith(_SCHEMES)


@dataclass(frozen=True)
class PostgisTarget:
    """A parsed zonegeo PostGIS URL.

    Attributes
    ----------
    conninfo : str
        The URL without zonegeo's own parameters, for libpq.
    schema : str
        The PostgreSQL schema (``public`` unless the URL says otherwise).
    table : str or None
        The table named by ``table=``, if any.
    display : str
        The URL with any password masked, for messages.
    """

    conninfo: str
    schema: str
    table: str | None
    display: str

    def where(self, table: str) -> str:
        """Describe ``schema.table`` in this store, for messages."""
        return f"{self.display} (table {self.schema}.{table})"


def parse_url(url: str) -> PostgisTarget:
    """Split a zonegeo PostGIS URL into the libpq part, the schema and the table.

    Parameters
    ----------
    url : str
        ``postgresql://...`` with optional ``schema=`` and ``table=``
        parameters (see the module documentation).

    Returns
    -------
    PostgisTarget

    Raises
    ------
    ValidationError
        If ``url`` is not a ``postgresql://`` URL or names no database, or a
        parameter is given twice or empty.

    Examples
    --------
    >>> t = parse_url("postgresql://me:secret@db/zonegeo?schema=registry&table=plots")
    >>> t.schema, t.table, t.conninfo
    ('registry', 'plots', 'postgresql://me:secret@db/zonegeo')
    >>> t.display
    'postgresql://me:***@db/zonegeo?schema=registry&table=plots'
    >>> parse_url("postgresql:///zonegeo?host=/tmp/sock").conninfo
    'postgresql:///zonegeo?host=%2Ftmp%2Fsock'
    >>> parse_url("postgresql:///db?options=-c%20statement_timeout%3D5s").conninfo
    'postgresql:///db?options=-c%20statement_timeout%3D5s'
    >>> parse_url("postgresql:///db?schema=plan%25a+b").schema
    'plan%a+b'
    """
    if not is_url(url):
        msg = (
            f"{url!r} is not a PostGIS URL; write postgresql://[user@][host]/database"
            f"[?schema=NAME&table=NAME]"
        )
        raise ValidationError(msg)
    if "\x00" in unquote(url):
        msg = (
            f"{_mask(url).replace(chr(0), '%00')}: the URL contains a NUL "
            f"character (%00), which no "
            f"database, schema or table name can hold. Fix: remove it"
        )
        raise ValidationError(msg)
    parts = urlsplit(url)
    params = _query_params(parts.query)
    ours: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for key, value in params:
        if key in ("schema", "table"):
            if key in ours:
                msg = f"{_mask(url)}: the parameter {key}= is given twice; give it once"
                raise ValidationError(msg)
            if not value:
                msg = (
                    f"{_mask(url)}: the parameter {key}= is empty; "
                    f"name a {key} or drop it"
                )
                raise ValidationError(msg)
            ours[key] = value
        else:
            rest.append((key, value))
    if not parts.path.strip("/") and not any(k == "dbname" for k, _ in rest):
        msg = (
            f"{_mask(url)}: the URL names no database; write "
            f"postgresql://[user@][host]/DATABASE[?schema=NAME]"
        )
        raise ValidationError(msg)
    query = urlencode(rest, quote_via=quote)
    conninfo = f"{parts.scheme}://{parts.netloc}{parts.path}" + (
        f"?{query}" if query else ""
    )
    return PostgisTarget(
        conninfo=conninfo,
        schema=ours.get("schema", "public"),
        table=ours.get("table"),
        display=_mask(url),
    )


def _query_params(query: str) -> list[tuple[str, str]]:
    """Split a URL query the way libpq does: ``%XX`` decoded, ``+`` kept as it is.

    (:func:`urllib.parse.parse_qsl` would turn ``+`` into a space, which
    libpq does not.)
    """
    pairs = []
    for piece in query.split("&"):
        if piece:
            key, _, value = piece.partition("=")
            pairs.append((unquote(key), unquote(value)))
    return pairs


def _mask(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        msg = "PostGIS support needs psycopg 3: pip install 'psycopg[binary]'"
        raise ImportError(msg) from None
    return psycopg


def connect(
    target: PostgisTarget | str, *, read_only: bool = False
) -> psycopg.Connection:
    """Open a psycopg connection to a zonegeo PostGIS store.

    Parameters
    ----------
    target : PostgisTarget or str
        A parsed target or a URL.
    read_only : bool, default False
        Open read-only transactions with a consistent snapshot (REPEATABLE
        READ), as readers use.

    Returns
    -------
    psycopg.Connection
        Not in autocommit mode; use it as a context manager to commit or roll
        back.

    Raises
    ------
    ConnectionError
        If the server cannot be reached or refuses the login (the message
        names the masked URL).
    """
    psycopg = _psycopg()
    if isinstance(target, str):
        target = parse_url(target)
    try:
        conn = psycopg.connect(target.conninfo)
    except psycopg.ProgrammingError as exc:
        msg = (
            f"{target.display} is not a valid connection URL: {exc}. Fix: write "
            f"postgresql://[user@][host][:port]/database[?host=/socket/dir&schema=NAME]"
        )
        raise ValidationError(msg) from None
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        msg = (
            f"cannot connect to {target.display}: {reason}. Fix: check the host, "
            f"port, database and user in the URL, and that the server is running"
        )
        raise ConnectionError(msg) from None
    if read_only:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    return conn


def _ident(*names: str) -> Any:
    from psycopg import sql

    return sql.Identifier(*names)


def _sql(text: str) -> Any:
    from psycopg import sql

    return sql.SQL(text)


def with_params(query: Any) -> Any:
    """Return a composed query ready to run *with* parameters.

    In a query that has parameters, psycopg takes every ``%`` for the start of
    a parameter marker (``%s``), even one inside a quoted name (a schema
    ``plan%2025``); this doubles the ``%`` of names and literals, which
    psycopg turns back into one.
    """
    from psycopg import sql

    if isinstance(query, sql.Composed):
        return sql.Composed([with_params(part) for part in query])
    if isinstance(query, (sql.Identifier, sql.Literal)):
        return sql.SQL(query.as_string(None).replace("%", "%%"))
    return query


def list_tables(conn: psycopg.Connection, schema_name: str) -> list[str]:
    """Return the tables and views of ``schema_name``, sorted."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1",
        (schema_name,),
    ).fetchall()
    return [r[0] for r in rows]


def _schema_exists(conn: psycopg.Connection, schema_name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema_name,)
    ).fetchone()
    return row is not None


def _table_oid(conn: psycopg.Connection, schema_name: str, table: str) -> int | None:
    row = conn.execute(
        "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s "
        "AND c.relkind IN ('r', 'v', 'm', 'p', 'f')",
        (schema_name, table),
    ).fetchone()
    return None if row is None else int(row[0])


def _missing_table(conn: psycopg.Connection, target: PostgisTarget, table: str) -> str:
    if not _schema_exists(conn, target.schema):
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' "
            "AND nspname <> 'information_schema' ORDER BY 1"
        ).fetchall()
        return (
            f"{target.display}: there is no schema {target.schema!r}; the database "
            f"has schemas {[r[0] for r in rows]}. Fix: set schema= in the URL, or "
            f"write the dataset there with zonegeo.write_dataset"
        )
    tables = list_tables(conn, target.schema)
    return (
        f"{target.display}: there is no table {table!r} in schema {target.schema!r}; "
        f"it has {tables}. Fix: set table= in the URL (or layer_name=), or write the "
        f"dataset with zonegeo.write_dataset"
    )


def _columns(conn: psycopg.Connection, oid: int) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (oid,),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _primary_key(conn: psycopg.Connection, oid: int) -> list[str]:
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s AND i.indisprimary "
        "ORDER BY array_position(i.indkey, a.attnum)",
        (oid,),
    ).fetchall()
    return [r[0] for r in rows]


def _crs_of_srid(conn: psycopg.Connection, srid: int, where: str) -> pyproj.CRS:
    row = conn.execute(
        "SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = %s",
        (srid,),
    ).fetchone()
    if row is None:
        msg = (
            f"{where}: SRID {srid} is not in spatial_ref_sys, so its CRS is unknown. "
            f"Fix: set a known SRID with UpdateGeometrySRID / ST_SetSRID"
        )
        raise CRSError(msg)
    auth, code, wkt = row
    if auth and code:
        return pyproj.CRS.from_user_input(f"{auth}:{code}")
    return pyproj.CRS.from_wkt(wkt)


def _to_series(values: list[Any], typname: str, name: str) -> pd.Series:
    if typname in ("int2", "int4", "int8"):
        return pd.Series(values, dtype="Int64", name=name)
    if typname in ("float4", "float8", "numeric"):
        return pd.Series(
            [np.nan if v is None else float(v) for v in values],
            dtype="float64",
            name=name,
        )
    if typname == "bool":
        return pd.Series(values, dtype="boolean", name=name)
    if typname == "date":
        return pd.Series(
            pd.to_datetime(pd.Series(values, dtype="object")), name=name
        ).astype("datetime64[ms]")
    if typname in ("timestamp", "timestamptz"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype="object")), name=name)
    return pd.Series(values, dtype=None if values else "object", name=name)


def _read_table(
    conn: psycopg.Connection, target: PostgisTarget, table: str
) -> gpd.GeoDataFrame:
    """Read one table as a raw GeoDataFrame (no validation)."""
    where = target.where(table)
    oid = _table_oid(conn, target.schema, table)
    if oid is None:
        raise ValidationError(_missing_table(conn, target, table))
    columns = _columns(conn, oid)
    geo_cols = [c for c, t in columns if t in ("geometry", "geography")]
    if not geo_cols:
        msg = (
            f"{where}: the table has no geometry column; its columns are "
            f"{[c for c, _ in columns]}. Fix: add a PostGIS geometry column"
        )
        raise SchemaError(msg)
    geo = next(
        (c for c in ("geom", "geometry", "wkb_geometry", "the_geom") if c in geo_cols),
        geo_cols[0],
    )
    if len(geo_cols) > 1:
        log.info("%s: several geometry columns %s; reading %r", where, geo_cols, geo)
    pk = _primary_key(conn, oid)
    fid = pk[0] if len(pk) == 1 and pk[0] in _FID_COLUMNS else None
    attrs = [(c, t) for c, t in columns if c not in geo_cols and c != fid]
    known = {
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "numeric",
        "bool",
        "date",
        "timestamp",
        "timestamptz",
        "text",
        "varchar",
        "bpchar",
        "name",
    }
    select = [
        _sql("{}").format(_ident(c))
        if t in known
        else _sql("{}::text").format(_ident(c))
        for c, t in attrs
    ]
    g = _ident(geo)
    select.append(_sql("ST_AsBinary({}::geometry)").format(g))
    order = pk or ([fid] if fid else [])
    query = _sql("SELECT {} FROM {}").format(
        _sql(", ").join(select), _ident(target.schema, table)
    )
    if order:
        query += _sql(" ORDER BY {}").format(_sql(", ").join(_ident(c) for c in order))
    found = conn.execute(
        _sql(
            "SELECT DISTINCT ST_SRID({}::geometry) FROM {} WHERE {} IS NOT NULL"
        ).format(g, _ident(target.schema, table), g)
    ).fetchall()
    srids = sorted(int(r[0]) for r in found)
    if len(srids) > 1:
        msg = (
            f"{where}: column {geo!r} mixes SRIDs {srids}; one layer needs one CRS. "
            f"Fix: ST_Transform every row to one SRID"
        )
        raise CRSError(msg)
    crs = None
    if srids and srids[0] != 0:
        crs = _crs_of_srid(conn, srids[0], where)
    elif not srids:  # an empty table: the column's declared SRID, if any
        geo_type = dict(columns)[geo]
        row = (
            (4326,)
            if geo_type == "geography"
            else conn.execute(
                "SELECT Find_SRID(%s, %s, %s)", (target.schema, table, geo)
            ).fetchone()
        )
        if row and row[0]:
            crs = _crs_of_srid(conn, int(row[0]), where)
    rows = conn.execute(query).fetchall()
    data = {c: _to_series([r[i] for r in rows], t, c) for i, (c, t) in enumerate(attrs)}
    wkb = np.array(
        [None if r[-1] is None else bytes(r[-1]) for r in rows], dtype=object
    )
    geometry = gpd.GeoSeries(shapely.from_wkb(wkb), crs=crs, name="geometry")
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    log.info("read %d rows from %s", len(rows), where)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def source_label(url: str, layer: str) -> str:
    """Name the table :func:`read_layer_raw` reads, for messages (password masked).

    Examples
    --------
    >>> source_label("postgresql://me:pw@db/zonegeo?schema=s", "plots")
    'postgresql://me:***@db/zonegeo?schema=s (table s.plots)'
    """
    target = parse_url(url)
    return target.where(target.table or layer)


def read_layer_raw(url: str, layer: str) -> gpd.GeoDataFrame:
    """Read one PostGIS table as stored, for :func:`zonegeo.read_layer` to validate.

    Parameters
    ----------
    url : str
        ``postgresql://...[?schema=NAME][&table=NAME]``.
    layer : str
        Table to read when the URL has no ``table=`` (usually the layer name).

    Returns
    -------
    GeoDataFrame
        Columns as stored (SQL types mapped to pandas dtypes), a ``geometry``
        column in the table's CRS (or none for SRID 0), a RangeIndex, rows in
        primary key order. The ``fid``/``ogc_fid`` key is dropped.

    Raises
    ------
    ValidationError
        If the schema or table does not exist (listing those that do).
    SchemaError
        If the table has no geometry column.
    CRSError
        If rows mix SRIDs or the SRID is unknown.
    ConnectionError
        If the server cannot be reached.

    Notes
    -----
    Reading runs in a read-only transaction; nothing in the database changes.
    """
    target = parse_url(url)
    table = target.table or layer
    with connect(target, read_only=True) as conn:
        return _read_table(conn, target, table)


def read_dataset(url: str, *, date_format: str | None = None) -> Dataset:
    """Read every layer of a PostGIS schema into a validated :class:`~zonegeo.Dataset`.

    Parameters
    ----------
    url : str
        ``postgresql://...?schema=NAME`` (no ``table=``). The schema holds
        tables named after the layers; ``settlements`` and ``exclusions`` are
        optional.
    date_format : str, optional
        How text dates are written; see :func:`zonegeo.read_layer`.

    Returns
    -------
    Dataset
        Each layer validated as :func:`zonegeo.read_layer` does; ``source`` is
        the URL with any password masked.

    Raises
    ------
    ValidationError
        If the URL has ``table=``, a required table is missing, or a layer
        fails validation.

    Notes
    -----
    All tables, and the status history (``Dataset.history``), are read in one
    read-only REPEATABLE READ transaction, so they form one consistent
    snapshot even while others write.
    """
    from zonegeo.dataset import Dataset
    from zonegeo.io.validate import validate_layer

    target = parse_url(url)
    if target.table is not None:
        msg = (
            f"{target.display}: a dataset is a whole schema, but the URL names "
            f"table={target.table!r}. Fix: drop table= (keep schema=)"
        )
        raise ValidationError(msg)
    layers: dict[str, gpd.GeoDataFrame] = {}
    from zonegeo.io.read_errors import database_read_errors

    with database_read_errors(target.display), connect(target, read_only=True) as conn:
        present = set(list_tables(conn, target.schema))
        missing = [
            name
            for name in ("districts", "zones", "plots", "infrastructure")
            if name not in present
        ]
        if missing:
            if not present:
                raise ValidationError(_missing_table(conn, target, missing[0]))
            msg = (
                f"{target.display}: schema {target.schema!r} lacks the table(s) "
                f"{missing}; it has {sorted(present)}. Fix: write the dataset with "
                f"zonegeo.write_dataset, or point schema= at the right schema"
            )
            raise ValidationError(msg)
        for name in schema.LAYERS:
            if name in present:
                raw = _read_table(conn, target, name)
                layers[name] = validate_layer(
                    raw, name, source=target.where(name), date_format=date_format
                )
        history = read_history(conn, target.schema)
    return Dataset(**layers, source=target.display, history=history)


# -- writing -------------------------------------------------------------------


def _column_type(layer: str | None, name: str, series: pd.Series) -> str:
    sch = schema.LAYERS.get(layer) if layer else None
    if sch is not None and name in sch.column_names:
        return _SQL_TYPES[sch.column(name).dtype]
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(series):
        return (
            "timestamptz" if getattr(series.dt, "tz", None) is not None else "timestamp"
        )
    return "text"


def _cell(value: Any, sql_type: str) -> Any:
    """Turn one pandas cell into a value psycopg's COPY writes."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if sql_type == "date":
        return pd.Timestamp(value).date()
    if sql_type in ("timestamp", "timestamptz"):
        return pd.Timestamp(value).to_pydatetime()
    if sql_type in ("bigint", "integer"):
        return int(value)
    if sql_type == "double precision":
        return float(value)
    if sql_type == "boolean":
        return bool(value)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).isoformat()
    return str(value)


def _epsg(gdf: gpd.GeoDataFrame, where: str) -> int:
    if gdf.crs is None:
        msg = f"{where}: the layer has no CRS; set one with .set_crs() before writing"
        raise CRSError(msg)
    code = gdf.crs.to_epsg()
    if code is None:
        msg = (
            f"{where}: the CRS {gdf.crs.name!r} has no EPSG code, which PostGIS needs. "
            f"Fix: .to_crs('EPSG:4326') before writing"
        )
        raise CRSError(msg)
    return int(code)


def write_table(
    conn: psycopg.Connection,
    gdf: gpd.GeoDataFrame,
    schema_name: str,
    table: str,
    *,
    layer: str | None = None,
    display: str = "",
) -> None:
    """Create ``schema_name.table``; COPY ``gdf`` into it, in the caller's transaction.

    The table must not exist (callers drop it first). Columns get SQL types
    from the layer's schema (or from their pandas dtype), the id column a
    UNIQUE constraint, categorical columns a CHECK constraint, and the
    geometry a GiST index. Row order is kept in the ``fid`` key.
    """
    where = f"{display} (table {schema_name}.{table})"
    srid = _epsg(gdf, where)
    geo_name = gdf.geometry.name
    attrs = [c for c in gdf.columns if c != geo_name]
    if "geom" in attrs or any(c.lower() in _FID_COLUMNS for c in attrs):
        msg = (
            f"{where}: column names 'geom', 'fid' and 'ogc_fid' are reserved for the "
            f"geometry and the row key. Fix: rename those columns"
        )
        raise SchemaError(msg)
    types = {c: _column_type(layer, str(c), gdf[c]) for c in attrs}
    sch = schema.LAYERS.get(layer) if layer else None
    defs = [_sql("fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")]
    for c in attrs:
        part = _sql("{} " + types[c]).format(_ident(str(c)))
        if sch is not None and c == sch.id_column:
            part += _sql(" NOT NULL UNIQUE")
        choices = sch.column(c).allowed if sch and c in sch.column_names else None
        if choices:
            from psycopg import sql

            allowed = sql.SQL(", ").join([sql.Literal(v) for v in choices])
            part += _sql(" CHECK ({} IN ({}))").format(_ident(str(c)), allowed)
        defs.append(part)
    defs.append(_sql(f"geom geometry(Geometry, {srid})"))
    qualified = _ident(schema_name, table)
    conn.execute(_sql("CREATE TABLE {} ({})").format(qualified, _sql(", ").join(defs)))
    geoms = shapely.set_srid(np.asarray(gdf.geometry.values, dtype=object), srid)
    ewkb = shapely.to_wkb(geoms, hex=True, include_srid=True)
    columns = _sql(", ").join(_ident(str(c)) for c in [*attrs, "geom"])
    with (
        conn.cursor() as cur,
        cur.copy(_sql("COPY {} ({}) FROM STDIN").format(qualified, columns)) as copy,
    ):
        values = [gdf[c].tolist() for c in attrs]
        for i in range(len(gdf)):
            row = [_cell(v[i], types[c]) for c, v in zip(attrs, values, strict=True)]
            row.append(ewkb[i])
            copy.write_row(row)
    conn.execute(
        _sql("CREATE INDEX {} ON {} USING GIST (geom)").format(
            _ident(f"{table}_geom_idx"), qualified
        )
    )
    log.info("wrote %d rows to %s", len(gdf), where)


def history_ddl(schema_name: str) -> Any:
    """Return the CREATE TABLE IF NOT EXISTS statement of the status history table."""
    return _sql(
        "CREATE TABLE IF NOT EXISTS {} ("
        "history_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "plot_id text NOT NULL, "
        "changed_at timestamptz NOT NULL, "
        "old_status text, "
        "new_status text NOT NULL, "
        "action text NOT NULL, "
        "note text)"
    ).format(_ident(schema_name, HISTORY_TABLE))


# -- the store lock and the status history ---------------------------------------


def _lock_key(schema_name: str, table: str) -> str:
    return f"zonegeo-store:{schema_name}.{table}"


def lock_store(
    conn: psycopg.Connection,
    target: PostgisTarget,
    table: str,
    *,
    timeout: float,
    shared: bool,
) -> None:
    """Take the store's advisory lock for the rest of the transaction.

    Status changes take it shared (they lock their rows as well);
    :func:`write_layers` takes it exclusive, so replacing the plots table
    never overlaps a status change. Every lock the transaction waits for,
    rows included, waits at most ``timeout`` seconds (then
    ``psycopg.errors.LockNotAvailable``).
    """
    conn.execute(
        "SELECT set_config('lock_timeout', %s, true)",
        (f"{max(1, round(timeout * 1000))}ms",),
    )
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    conn.execute(f"SELECT {function}(hashtext(%s))", (_lock_key(target.schema, table),))


def lock_holders(target: PostgisTarget, table: str) -> str:
    """Describe the sessions that hold the store's lock or a lock on ``table``."""
    try:
        with connect(target, read_only=True) as conn:
            oid = _table_oid(conn, target.schema, table)
            rows = conn.execute(
                "SELECT DISTINCT a.pid, a.application_name, a.usename, a.xact_start "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.granted AND a.pid <> pg_backend_pid() "
                "AND a.datname = current_database() AND ("
                "(l.locktype = 'advisory' AND l.objsubid = 1 "
                "AND l.objid = (hashtext(%s)::bigint & 4294967295)::oid) "
                "OR l.relation = %s) ORDER BY a.xact_start",
                (_lock_key(target.schema, table), oid),
            ).fetchall()
    except Exception as exc:  # the busy message must be given all the same
        log.debug("cannot list the lock holders: %s", exc)
        rows = []
    if not rows:
        return f"another session holds a lock on {target.schema}.{table}"
    return "; ".join(
        f"pid {pid} ({app or 'unnamed program'}, user {user}, in a transaction "
        f"since {start:%Y-%m-%d %H:%M:%S %Z})"
        if start is not None
        else f"pid {pid} ({app or 'unnamed program'}, user {user})"
        for pid, app, user, start in rows
    )


def read_history(
    conn: psycopg.Connection, schema_name: str, *, plot_id: str | None = None
) -> pd.DataFrame:
    """Read the status history of a schema (empty if it has none), oldest first."""
    from zonegeo.schema import HISTORY_COLUMNS, history_frame

    if _table_oid(conn, schema_name, HISTORY_TABLE) is None:
        return history_frame([])
    where = "" if plot_id is None else " WHERE plot_id = %s"
    args: tuple[str, ...] = () if plot_id is None else (plot_id,)
    q = _sql(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {{}}{where} ORDER BY history_id"
    ).format(_ident(schema_name, HISTORY_TABLE))
    return history_frame(conn.execute(with_params(q), args).fetchall())


def _statuses(conn: psycopg.Connection, schema_name: str) -> dict[str, str]:
    """Return plot_id -> status of ``schema_name.plots`` (empty if it has neither)."""
    oid = _table_oid(conn, schema_name, "plots")
    if oid is None or not {"plot_id", "status"} <= {c for c, _ in _columns(conn, oid)}:
        return {}
    q = _sql("SELECT plot_id::text, status::text FROM {}").format(
        _ident(schema_name, "plots")
    )
    rows = conn.execute(q).fetchall()
    return {p: st for p, st in rows if p is not None and st is not None}


def _append_history(
    conn: psycopg.Connection, schema_name: str, rows: pd.DataFrame
) -> None:
    """Insert history rows with their ids, and move the id sequence past them."""
    if rows.empty:
        return
    table = _ident(schema_name, HISTORY_TABLE)
    q = _sql(
        "INSERT INTO {} (history_id, plot_id, changed_at, old_status, new_status, "
        "action, note) OVERRIDING SYSTEM VALUE VALUES (%s, %s, %s, %s, %s, %s, %s)"
    ).format(table)
    values = [
        (
            int(r.history_id),
            r.plot_id,
            pd.Timestamp(r.changed_at).to_pydatetime(),
            None if pd.isna(r.old_status) else r.old_status,
            r.new_status,
            r.action,
            None if pd.isna(r.note) else r.note,
        )
        for r in rows.itertuples(index=False)
    ]
    with conn.cursor() as cur:
        cur.executemany(with_params(q), values)
    q = _sql(
        "SELECT setval(pg_get_serial_sequence(%s, 'history_id'), "
        "(SELECT max(history_id) FROM {}))"
    ).format(table)
    conn.execute(with_params(q), (table.as_string(None),))


def write_layers(
    url: str,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    overwrite: bool = False,
    history: pd.DataFrame | None = None,
    lock_timeout: float | None = None,
) -> None:
    """Write layers as tables of one PostGIS schema, all in one transaction.

    Parameters
    ----------
    url : str
        ``postgresql://...?schema=NAME`` (no ``table=``). The schema is
        created if needed.
    layers : mapping of str to GeoDataFrame
        Table name to layer; names of :data:`zonegeo.schema.LAYERS` get
        their schema's SQL types and constraints.
    overwrite : bool, default False
        Replace existing tables of those names. Without it an existing table
        is an error and nothing is written.
    history : DataFrame, optional
        Status history the plots carry (:attr:`zonegeo.Dataset.history`);
        rows the schema lacks are added.
    lock_timeout : float, optional
        Seconds to wait for status changes in progress (default
        :data:`zonegeo.LOCK_TIMEOUT`).

    Raises
    ------
    ValidationError
        If a table exists and ``overwrite`` is false, or the URL has
        ``table=``.
    StoreBusyError
        If another writer holds the plots for ``lock_timeout`` seconds.

    Notes
    -----
    Either every table is written or, on any error, none: the transaction is
    rolled back and the schema is left as it was. Writing ``plots`` takes the
    store's lock exclusively (status changes take it shared). The
    ``plot_status_history`` table is created if missing and never replaced:
    its rows are kept, ``history`` rows it lacks are added, and each plot
    whose status the write changes gets a ``write-dataset`` row (see
    :func:`zonegeo.write_dataset`).
    """
    target = parse_url(url)
    if target.table is not None:
        msg = (
            f"{target.display}: write_dataset writes a whole schema, but the URL names "
            f"table={target.table!r}. Fix: drop table= (keep schema=)"
        )
        raise ValidationError(msg)
    from zonegeo.io.locks import busy_error, lock_seconds

    timeout = lock_seconds(lock_timeout)
    psycopg_module = _psycopg()
    try:
        _write_layers(
            target, layers, overwrite=overwrite, history=history, timeout=timeout
        )
    except psycopg_module.errors.LockNotAvailable:
        raise busy_error(
            target.display, lock_holders(target, "plots"), timeout
        ) from None


def _write_layers(
    target: PostgisTarget,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    overwrite: bool,
    history: pd.DataFrame | None,
    timeout: float,
) -> None:
    from zonegeo.io.history import history_to_add
    from zonegeo.io.locks import crash_point

    with connect(target) as conn, conn.transaction():
        conn.execute(
            _sql("CREATE SCHEMA IF NOT EXISTS {}").format(_ident(target.schema))
        )
        if "plots" in layers:
            lock_store(conn, target, "plots", timeout=timeout, shared=False)
        present = set(list_tables(conn, target.schema))
        clash = sorted(present & set(layers))
        if clash and not overwrite:
            msg = (
                f"{target.display}: schema {target.schema!r} already has the table(s) "
                f"{clash}; nothing was written. Fix: pass overwrite=True "
                f"or write to another schema="
            )
            raise ValidationError(msg)
        added = None
        if "plots" in layers:  # read before anything is replaced
            added = history_to_add(
                read_history(conn, target.schema),
                history,
                _statuses(conn, target.schema) if "plots" in present else {},
                layers["plots"],
                when=dt.datetime.now(dt.UTC),
            )
        for name in clash:
            conn.execute(
                _sql("DROP TABLE {} CASCADE").format(_ident(target.schema, name))
            )
        for name, gdf in layers.items():
            write_table(
                conn, gdf, target.schema, name, layer=name, display=target.display
            )
        if added is not None:
            conn.execute(history_ddl(target.schema))
            _append_history(conn, target.schema, added)
            log.info("%s: added %d history rows", target.display, len(added))
        crash_point("tx-before-commit")
