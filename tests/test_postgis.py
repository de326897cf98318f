"""PostGIS as a store: URL convention, reading any table, writing whole datasets."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

import zonegeo
from tests._tiny import tiny_dataset
from zonegeo.errors import CRSError, SchemaError, ValidationError
from zonegeo.io import postgis

# -- URL convention (no server needed) ------------------------------------------------


def test_parse_url_splits_schema_and_table() -> None:
    t = postgis.parse_url(
        "postgresql:///zonegeo?host=/tmp/sock&schema=registry&table=plots"
    )
    assert (t.schema, t.table) == ("registry", "plots")
    assert t.conninfo == "postgresql:///zonegeo?host=%2Ftmp%2Fsock"
    assert t.where("plots").endswith("(table registry.plots)")


def test_parse_url_defaults_to_public_and_masks_passwords() -> None:
    t = postgis.parse_url(
        "postgres://me:s3cret@db.example.kz:5433/zonegeo?sslmode=require"
    )
    assert (t.schema, t.table) == ("public", None)
    assert (
        t.conninfo == "postgres://me:s3cret@db.example.kz:5433/zonegeo?sslmode=require"
    )
    assert "s3cret" not in t.display and "me:***@db.example.kz" in t.display
    q = postgis.parse_url("postgresql:///zonegeo?password=s3cret&schema=s")
    assert "s3cret" not in q.display and "password=***" in q.display


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("zonegeo.gpkg", r"'zonegeo.gpkg' is not a PostGIS URL"),
        ("postgresql://host", r"the URL names no database"),
        (
            "postgresql://h/db?schema=a&schema=b",
            r"the parameter schema= is given twice",
        ),
        ("postgresql://h/db?table=", r"the parameter table= is empty"),
    ],
)
def test_parse_url_errors(url: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        postgis.parse_url(url)


def test_unreachable_server_is_a_connection_error(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    url = f"postgresql://me:pw@/zonegeo?host={tmp_path}&connect_timeout=2&schema=s"
    with pytest.raises(
        ConnectionError, match=r"cannot connect to postgresql://me:\*\*\*@"
    ):
        zonegeo.read_dataset(url)


# -- with a server --------------------------------------------------------------------


def _sql(url: str, *statements: str) -> None:
    with postgis.connect(url) as conn:
        for s in statements:
            conn.execute(s)


def _schema(url: str) -> str:
    return postgis.parse_url(url).schema


def test_round_trip_tiny_dataset(pg_url: str) -> None:
    ds = tiny_dataset()
    shown = zonegeo.write_dataset(ds, pg_url)
    assert shown == pg_url  # no password to mask
    back = zonegeo.read_dataset(pg_url)
    for name, gdf in ds:
        assert_geodataframe_equal(getattr(back, name), gdf)
    assert back.source == pg_url


def test_round_trip_demo(pg_url: str, demo: zonegeo.Dataset) -> None:
    zonegeo.write_dataset(demo, pg_url)
    back = zonegeo.read_dataset(pg_url)
    for name, gdf in demo:
        assert_geodataframe_equal(getattr(back, name), gdf)


def test_read_plots_and_layers_from_a_url(pg_url: str) -> None:
    ds = tiny_dataset()
    zonegeo.write_dataset(ds, pg_url)
    assert_geodataframe_equal(zonegeo.read_plots(pg_url), ds.plots)
    assert_geodataframe_equal(zonegeo.read_plots(pg_url + "&table=plots"), ds.plots)
    assert_geodataframe_equal(zonegeo.read_zones(pg_url), ds.zones)
    raw = postgis.read_layer_raw(pg_url, "infrastructure")
    assert list(raw.columns[:2]) == ["infra_id", "kind"]
    assert "fid" not in raw.columns and raw.geometry.name == "geometry"
    assert raw.crs.to_epsg() == 4326


def test_tables_get_keys_types_and_constraints(pg_url: str) -> None:
    zonegeo.write_dataset(tiny_dataset(), pg_url)
    s = _schema(pg_url)
    with postgis.connect(pg_url) as conn:
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = 'plots'",
                (s,),
            ).fetchall()
        )
        assert types["build_by"] == "date"
        assert types["jobs_planned"] == "bigint"
        assert types["investment_kzt"] == "double precision"
        assert types["geom"] == "USER-DEFINED"
        srid = conn.execute(f"SELECT Find_SRID('{s}', 'plots', 'geom')").fetchone()[0]
        assert srid == 4326
        tables = postgis.list_tables(conn, s)
    assert tables == [
        "districts",
        "exclusions",
        "infrastructure",
        "plot_status_history",
        "plots",
        "settlements",
        "zones",
    ]
    # The database itself refuses an unknown status and a duplicate plot_id.
    with pytest.raises(Exception, match="plots_status_check"):
        _sql(pg_url, f"UPDATE \"{s}\".plots SET status = 'idle' WHERE plot_id = 'P-1'")
    with pytest.raises(Exception, match="plots_plot_id_key"):
        _sql(pg_url, f"UPDATE \"{s}\".plots SET plot_id = 'P-1' WHERE plot_id = 'P-2'")


def test_foreign_table_in_another_crs(pg_url: str) -> None:
    """A table made by another tool: serial key, UTM geometry, own column names."""
    s = _schema(pg_url)
    _sql(
        pg_url,
        f'CREATE TABLE "{s}".parcels (gid serial PRIMARY KEY, plot_id text, '
        f"district text, status varchar(20), jobs_planned numeric, "
        f"the_geom geometry(Polygon, 32642))",
        f'INSERT INTO "{s}".parcels '
        f"(plot_id, district, status, jobs_planned, the_geom) "
        f"VALUES ('B', 'Sauran', 'free', 12, ST_GeomFromText("
        f"'POLYGON((600200 4790000, 600300 4790000, 600300 4790100, 600200 4790100, "
        f"600200 4790000))', 32642)), "
        f"('A', 'Sauran', 'operating', NULL, ST_GeomFromText("
        f"'POLYGON((600000 4790000, 600100 4790000, 600100 4790100, 600000 4790100, "
        f"600000 4790000))', 32642))",
    )
    plots = zonegeo.read_plots(pg_url + "&table=parcels")
    assert plots["plot_id"].tolist() == ["B", "A"]  # primary key order
    assert plots["gid"].tolist() == [1, 2]  # a foreign key column is kept
    assert plots.crs.to_epsg() == 4326
    assert plots["area_ha"].round(2).tolist() == [1.0, 1.0]
    assert plots["jobs_planned"].tolist()[0] == 12
    # layer_name names the table too.
    assert len(zonegeo.read_plots(pg_url, layer_name="parcels")) == 2


def test_missing_schema_and_table(pg_url: str, postgis_server: dict) -> None:
    from tests.pg import url_for

    with pytest.raises(
        ValidationError, match=r"no table 'plots' in schema 't_.*'; it has \[\]"
    ):
        zonegeo.read_plots(pg_url)
    with pytest.raises(
        ValidationError,
        match=r"there is no schema 'nope'; the database has "
        r"schemas \[.*'public'",
    ):
        zonegeo.read_plots(url_for(postgis_server, schema="nope"))
    zonegeo.write_dataset(tiny_dataset(), pg_url)
    _sql(pg_url, f'DROP TABLE "{_schema(pg_url)}".zones')
    with pytest.raises(ValidationError, match=r"lacks the table\(s\) \['zones'\]"):
        zonegeo.read_dataset(pg_url)
    with pytest.raises(
        ValidationError,
        match=r"a dataset is a whole schema, but the URL "
        r"names table='plots'",
    ):
        zonegeo.read_dataset(pg_url + "&table=plots")


def test_geometry_problems_are_named(pg_url: str) -> None:
    s = _schema(pg_url)
    _sql(
        pg_url,
        f'CREATE TABLE "{s}".flat (plot_id text, district text, status text)',
        f'CREATE TABLE "{s}".mixed '
        f"(plot_id text, district text, status text, g geometry)",
        f'INSERT INTO "{s}".mixed VALUES '
        f"('A', 'Sauran', 'free', ST_GeomFromText('POINT(68 43)', 4326)), "
        f"('B', 'Sauran', 'free', ST_GeomFromText('POINT(600000 4790000)', 32642))",
        f'CREATE TABLE "{s}".nosrid '
        f"(plot_id text, district text, status text, g geometry)",
        f"INSERT INTO \"{s}\".nosrid VALUES ('A', 'Sauran', 'free', "
        f"ST_GeomFromText('POLYGON((68 43, 68.1 43, 68.1 43.1, 68 43))'))",
    )
    with pytest.raises(
        SchemaError,
        match=r"table t_.*\.flat\): the table has no geometry "
        r"column; its columns are \['plot_id'",
    ):
        zonegeo.read_plots(pg_url + "&table=flat")
    with pytest.raises(CRSError, match=r"column 'g' mixes SRIDs \[4326, 32642\]"):
        zonegeo.read_plots(pg_url + "&table=mixed")
    with pytest.raises(CRSError, match="the layer has no CRS"):
        zonegeo.read_plots(pg_url + "&table=nosrid")


def test_write_refuses_to_overwrite_and_writes_nothing(pg_url: str) -> None:
    ds = tiny_dataset()
    s = _schema(pg_url)
    _sql(pg_url, f'CREATE TABLE "{s}".zones (x int)')
    with pytest.raises(
        ValidationError,
        match=r"already has the table\(s\) \['zones'\]; "
        r"nothing was written\. Fix: pass overwrite=True",
    ):
        zonegeo.write_dataset(ds, pg_url)
    with postgis.connect(pg_url) as conn:
        assert postgis.list_tables(conn, s) == ["zones"]
    zonegeo.write_dataset(ds, pg_url, overwrite=True)
    assert_geodataframe_equal(zonegeo.read_dataset(pg_url).zones, ds.zones)


def test_overwrite_keeps_the_history(pg_url: str) -> None:
    ds = tiny_dataset()
    zonegeo.write_dataset(ds, pg_url)
    zonegeo.set_plot_status(pg_url, "P-1", "allocated", as_of="2024-01-01")
    zonegeo.write_dataset(zonegeo.read_dataset(pg_url), pg_url, overwrite=True)
    assert zonegeo.plot_history(pg_url)["new_status"].tolist() == ["allocated"]
    assert (
        zonegeo.read_plots(pg_url).set_index("plot_id").loc["P-1", "status"]
        == "allocated"
    )


def test_failed_write_leaves_the_schema_as_it_was(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tiny_dataset()
    zonegeo.write_dataset(old, pg_url)
    real = postgis.write_table
    calls = {"n": 0}

    def fail_on_third(conn, gdf, schema_name, table, **kw):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("network dropped while writing plots")
        return real(conn, gdf, schema_name, table, **kw)

    monkeypatch.setattr(postgis, "write_table", fail_on_third)
    new_zones = old.zones.assign(name="Renamed")
    from dataclasses import replace

    with pytest.raises(OSError, match="network dropped"):
        zonegeo.write_dataset(replace(old, zones=new_zones), pg_url, overwrite=True)
    monkeypatch.undo()
    back = zonegeo.read_dataset(pg_url)
    for name, gdf in old:
        assert_geodataframe_equal(getattr(back, name), gdf)


def test_write_rejects_bad_input(pg_url: str) -> None:
    with pytest.raises(TypeError, match="expects a zonegeo.Dataset, got GeoDataFrame"):
        zonegeo.write_dataset(tiny_dataset().plots, pg_url)  # type: ignore[arg-type]
    with pytest.raises(
        ValidationError, match="writes a whole schema, but the URL names table='plots'"
    ):
        zonegeo.write_dataset(tiny_dataset(), pg_url + "&table=plots")
    bad = gpd.GeoDataFrame(
        {"fid": [1]}, geometry=gpd.points_from_xy([68], [43]), crs=4326
    )
    with (
        postgis.connect(pg_url) as conn,
        pytest.raises(
            SchemaError, match="names 'geom', 'fid' and 'ogc_fid' are reserved"
        ),
    ):
        postgis.write_table(conn, bad, _schema(pg_url), "bad")


def test_reading_changes_nothing(pg_url: str) -> None:
    zonegeo.write_dataset(tiny_dataset(), pg_url)
    s = _schema(pg_url)

    def snapshot() -> list:
        with postgis.connect(pg_url) as conn:
            return conn.execute(
                f'SELECT xmin::text, fid, plot_id, status FROM "{s}".plots ORDER BY fid'
            ).fetchall()

    before = snapshot()
    zonegeo.read_dataset(pg_url)
    zonegeo.read_plots(pg_url)
    zonegeo.plot_history(pg_url)
    zonegeo.reclaim(pg_url, as_of="2024-06-01", dry_run=True)
    assert snapshot() == before
    # Readers run read-only: a write through a reading connection fails.
    with (
        postgis.connect(pg_url, read_only=True) as conn,
        pytest.raises(Exception, match="read-only transaction"),
    ):
        conn.execute(f"UPDATE \"{s}\".plots SET status = 'free'")


# -- URL parameters and names as libpq and PostgreSQL take them (issue 12) -----------


def test_parse_url_keeps_spaces_and_plus_signs_for_libpq() -> None:
    t = postgis.parse_url(
        "postgresql:///zonegeo?host=/tmp/s&options=-c%20statement_timeout%3D5s"
        "&password=a+b&schema=plan%25a"
    )
    # %20 (a space) stays a space for libpq, as %20, never as "+".
    assert "options=-c%20statement_timeout%3D5s" in t.conninfo
    assert "password=a%2Bb" in t.conninfo  # libpq reads "+" as a plus sign
    assert t.schema == "plan%a"
    assert "+" not in t.conninfo


def test_libpq_options_reach_the_server(pg_url: str) -> None:
    url = pg_url + "&options=-c%20statement_timeout%3D5s"
    with postgis.connect(url) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("5s",)


def test_a_schema_with_percent_signs_can_be_edited(pg_url: str) -> None:
    url = pg_url.replace("schema=", "schema=plan%25b%25s_")
    assert postgis.parse_url(url).schema.startswith("plan%b%s_")
    zonegeo.write_dataset(tiny_dataset(), url)
    change = zonegeo.set_plot_status(url, "P-3", "construction", as_of="2024-07-01")
    assert change.changed
    assert zonegeo.reclaim(url, as_of="2024-06-01")["plot_id"].tolist() == ["P-2"]
    history = zonegeo.plot_history(url, plot_id="P-3")
    assert history["new_status"].tolist() == ["construction"]
    ds = zonegeo.read_dataset(url)
    assert len(ds.history) == 2
    zonegeo.write_dataset(ds, url, overwrite=True)
    assert len(zonegeo.plot_history(url)) == 2
    with postgis.connect(url) as conn:
        conn.execute(f'DROP SCHEMA "{postgis.parse_url(url).schema}" CASCADE')
