"""Reader boundary (zonegeo.io.files): each read failure is one error naming the file.

Also the reader options the command line needs: ``where``, ``kind``,
``dissolve_by``, ``keep_crs``, ``require_columns`` and :func:`read_features`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

import zonegeo
from zonegeo import (
    CRSError,
    GeometryError,
    ReadError,
    SchemaError,
    ValidationError,
)
from zonegeo.io.files import read_features
from zonegeo.io.validate import validate_layer

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


def _plots(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "plot_id": [f"S-{i + 1:03d}" for i in range(n)],
            "district": ["Sauran"] * n,
            "status": ["free"] * n,
        },
        geometry=[
            box(X0 + 300 * i, Y0, X0 + 300 * i + 100, Y0 + 100) for i in range(n)
        ],
        crs=UTM42,
    )


def _infra() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "route": ["R-1", "R-1", "R-2", "R-3"],
            "category": ["gas", "gas", "oil", "gas"],
            "part": [1, 2, 1, 1],
            "owner": ["A", "A", "B", None],
        },
        geometry=[
            LineString([(X0, Y0), (X0 + 1000, Y0)]),
            LineString([(X0 + 1000, Y0), (X0 + 2000, Y0 + 500)]),
            LineString([(X0, Y0 + 900), (X0 + 2000, Y0 + 900)]),
            LineString([(X0, Y0 - 900), (X0 + 2000, Y0 - 900)]),
        ],
        crs=UTM42,
    )


GARBAGE = bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.gpkg", b"SQLite format 3\x00" + GARBAGE, "not a GeoPackage"),
        ("p.parquet", b"PAR1" + GARBAGE + b"PAR1", "cannot be read as a GeoParquet"),
        ("p.zip", b"PK\x03\x04" + GARBAGE, "cannot be read as a zipped Shapefile"),
        ("p.geojson", b'{"type": "FeatureCollection", "feat', "as a GeoJSON file"),
        ("p.shp", GARBAGE, "cannot be read as a Shapefile"),
        ("p.csv", b"   \n\n", "has no header and no rows"),
        ("p.gpkg", b"", r"the file is empty \(0 bytes\)"),
        ("p.csv", b"", r"the file is empty \(0 bytes\)"),
        ("p.parquet", b"", r"the file is empty \(0 bytes\)"),
    ],
)
def test_damaged_files_raise_one_read_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    # GDAL's own warnings about the damage are dropped: one error, nothing else.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match=message) as info:
            zonegeo.read_plots(path)
    text = str(info.value)
    assert text.startswith(str(path))
    assert "\n" not in text
    assert "Fix:" in text or any(
        m in text for m in ("empty", "no header", "not a GeoPackage")
    )


def test_read_error_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        zonegeo.read_plots(tmp_path / "nope.gpkg")
    assert issubclass(ReadError, ValidationError)


def test_folder_and_nul(tmp_path: Path) -> None:
    folder = tmp_path / "plots.gpkg"
    folder.mkdir()
    with pytest.raises(ReadError, match=r"plots\.gpkg: is a folder.*read_dataset"):
        zonegeo.read_plots(folder)
    with pytest.raises(ReadError, match=r"NUL character"):
        zonegeo.read_plots(str(tmp_path / "a\x00b.gpkg"))
    with pytest.raises(ValidationError, match=r"zonegeo%00.*NUL"):
        zonegeo.read_plots("postgresql:///zonegeo%00?schema=x")


def test_csv_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "plots.csv"
    text = (
        "plot_id,district,status,investor,lon,lat\n"
        "S-1,Sauran,free,Tau,68.1,43.1\n"
        "S-2,Sauran,free,Şymkent Agro,68.2,43.1\n"
    )
    path.write_bytes(text.encode("cp1254"))
    with pytest.raises(
        ReadError, match=r"plots\.csv: the text is not valid UTF-8 on line 3"
    ):
        zonegeo.read_plots(path)


def test_gpkg_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "plots.gpkg"
    _plots().assign(investor=["Tau-Agro", "x", "y"]).to_file(path, layer="plots")
    path.write_bytes(path.read_bytes().replace(b"Tau-Agro", b"Tau\xffAgro"))
    with pytest.raises(ReadError, match=r"plots\.gpkg.*not valid UTF-8.*Fix") as err:
        zonegeo.read_plots(path)
    # GeoPackages are read through Arrow, which decodes text only when used:
    # the check up front names the column and the plot.
    assert "column 'investor'" in str(err.value)
    assert "plot_id=" + _plots()["plot_id"].iloc[0] in str(err.value)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_coordinates_name_the_rows(tmp_path: Path, value: float) -> None:
    plots = _plots()
    with np.errstate(invalid="ignore"):
        plots.loc[2, "geometry"] = Polygon(
            [(X0, Y0), (value, Y0), (X0 + 50, Y0 + 50), (X0, Y0)]
        )
    with pytest.raises(GeometryError, match=r"not finite numbers.*plot_id=S-003"):
        validate_layer(plots, "plots", source="t")
    path = tmp_path / "plots.parquet"
    with np.errstate(invalid="ignore"):
        plots.to_parquet(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(GeometryError, match=r"plots\.parquet.*plot_id=S-003"):
            zonegeo.read_plots(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.integers(0, 2),
    vertex=st.integers(1, 3),  # not the first: a NaN would open the ring
    axis=st.integers(0, 1),
    value=st.sampled_from([np.nan, np.inf, -np.inf]),
)
def test_any_non_finite_vertex_is_refused(row, vertex, axis, value) -> None:
    plots = _plots()
    coords = shapely.get_coordinates(plots.geometry.values[row]).copy()
    coords[vertex, axis] = value
    with np.errstate(invalid="ignore"):
        plots.loc[row, "geometry"] = Polygon(coords)
    with pytest.raises(GeometryError, match=f"plot_id=S-00{row + 1}"):
        validate_layer(plots, "plots", source="t")


def test_one_problem_is_one_line() -> None:
    plots = _plots().assign(status=["free", "idle", "free"])
    with pytest.raises(SchemaError) as info:
        validate_layer(plots, "plots", source="a.gpkg")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("a.gpkg (layer \"plots\"): column 'status'")
    plots = plots.assign(plot_id=["S-1", "S-1", "S-2"])
    with pytest.raises(SchemaError, match=r"a\.gpkg \(layer \"plots\"\): 2 problems\n"):
        validate_layer(plots, "plots", source="a.gpkg")


# -- options ------------------------------------------------------------------------


def test_where_kind_and_dissolve_by(tmp_path: Path, caplog) -> None:
    path = tmp_path / "routes.gpkg"
    _infra().to_file(path)
    with caplog.at_level("INFO", logger="zonegeo.io.files"):
        infra = zonegeo.read_infrastructure(
            path,
            where="category = 'gas'",
            kind="gas",
            column_map={"route": "infra_id"},
            dissolve_by="route",
            keep_crs=True,
        )
    assert infra["infra_id"].tolist() == ["R-1", "R-3"]
    assert infra.crs.to_epsg() == 32642
    r1 = infra.geometry.iloc[0]
    assert r1.geom_type == "MultiLineString"
    assert r1.length == pytest.approx(1000 + np.hypot(1000, 500))
    assert infra.geometry.iloc[1].geom_type == "LineString"
    assert "part" not in infra.columns and "owner" in infra.columns
    assert infra.attrs["dissolved"] == {
        "by": "route",
        "rows": 3,
        "features": 2,
        "dropped_columns": ["part"],
    }
    assert "joined 2 rows into 1 MultiLineString feature(s) by route" in caplog.text
    assert "dropped column(s) ['part']" in caplog.text
    # dissolve_by may also name the column_map target.
    same = zonegeo.read_infrastructure(
        path,
        where="category = 'gas'",
        kind="gas",
        column_map={"route": "infra_id"},
        dissolve_by="infra_id",
    )
    assert same["infra_id"].tolist() == ["R-1", "R-3"]


def test_dissolve_by_refuses_points_and_keeps_empty_ids(tmp_path: Path) -> None:
    pts = gpd.GeoDataFrame(
        {"site": ["S", "S"]}, geometry=[Point(X0, Y0), Point(X0 + 5, Y0)], crs=UTM42
    )
    path = tmp_path / "pts.gpkg"
    pts.to_file(path)
    with pytest.raises(GeometryError, match=r"joins lines only.*site=S.*\['Point'\]"):
        zonegeo.read_infrastructure(path, kind="gas", dissolve_by="site")
    with pytest.raises(SchemaError, match=r"dissolve_by='sites'.*Did you mean 'site'"):
        zonegeo.read_infrastructure(path, kind="gas", dissolve_by="sites")
    lines = _infra().assign(route=[None, None, "R-2", "R-3"])
    path = tmp_path / "lines.gpkg"
    lines.to_file(path)
    # Rows without an id are not joined into one made-up feature: validation names them.
    with pytest.raises(
        SchemaError, match=r"'infra_id' is empty in 2 row\(s\) row 1, 2"
    ):
        zonegeo.read_infrastructure(
            path, kind="gas", column_map={"route": "infra_id"}, dissolve_by="route"
        )


def test_kind_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "infra.gpkg"
    _infra().assign(kind="gas", infra_id=["a", "b", "c", "d"]).to_file(path)
    with pytest.raises(ValidationError, match="has its own 'kind' column"):
        zonegeo.read_infrastructure(path, kind="water")
    with pytest.raises(ValidationError, match="kind='steam' is not a kind"):
        zonegeo.read_infrastructure(path, kind="steam")


def test_where_on_csv_or_bad_sql(tmp_path: Path) -> None:
    csv = tmp_path / "infra.csv"
    zonegeo.write_layer(_infra().assign(infra_id=list("abcd"), kind="gas"), csv)
    with pytest.raises(ValidationError, match="where= filters files read through GDAL"):
        zonegeo.read_infrastructure(csv, crs=UTM42, where="kind = 'gas'")
    path = tmp_path / "infra.gpkg"
    _infra().to_file(path)
    with pytest.raises(ValidationError, match=r"where='colour = 1' failed.*route"):
        zonegeo.read_infrastructure(path, kind="gas", where="colour = 1")


def test_require_columns_false_checks_what_is_there(tmp_path: Path) -> None:
    any_polygons = gpd.GeoDataFrame(
        {"name": ["a", "b"], "demand_electricity_kw": [1.0, 2.0]},
        geometry=[
            box(X0, Y0, X0 + 100, Y0 + 100),
            box(X0 + 200, Y0, X0 + 300, Y0 + 100),
        ],
        crs=UTM42,
    )
    path = tmp_path / "p.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL cuts demand_electricity_kw
        any_polygons.to_file(path)
    with pytest.raises(SchemaError, match="missing required column"):
        zonegeo.read_plots(path)
    got = zonegeo.read_plots(path, require_columns=False, keep_crs=True)
    assert got.columns.tolist() == [
        "name",
        "demand_electricity_kw",
        "area_ha",
        "geometry",
    ]
    assert got.crs.to_epsg() == 32642
    assert got["area_ha"].tolist() == pytest.approx([1.0, 1.0], rel=1e-3)
    bad = any_polygons.assign(status=["free", "ALLOCATED"])
    path = tmp_path / "bad.gpkg"
    bad.to_file(path)
    with pytest.raises(SchemaError, match="'ALLOCATED' -> 'allocated'"):
        zonegeo.read_plots(path, require_columns=False)


def test_read_features(tmp_path: Path) -> None:
    path = tmp_path / "ranking.gpkg"
    frame = _plots().assign(score=[0.1, 0.9, 0.5])
    frame.to_file(path)
    got = read_features(path)
    assert got.crs.to_epsg() == 32642
    assert got["score"].tolist() == [0.1, 0.9, 0.5]
    with pytest.raises(ReadError, match="no such file"):
        read_features(tmp_path / "nope.parquet")
    shp = tmp_path / "nocrs.shp"
    with warnings.catch_warnings():  # geopandas: 'crs' was not provided
        warnings.simplefilter("ignore", UserWarning)
        frame.set_crs(None, allow_override=True).to_file(shp)
    with pytest.raises(CRSError, match="no CRS.*--crs"):
        read_features(shp)
    assert read_features(shp, crs=UTM42).crs.to_epsg() == 32642
