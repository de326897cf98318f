"""Readers, validation and atomic writers (zonegeo.io.files, zonegeo.io.validate)."""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

import zonegeo
from tests._need import in_ci
from zonegeo import CRSError, DataWarning, GeometryError, SchemaError, ValidationError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _plots(n: int = 3, *, lon0: float = 68.0, lat0: float = 43.0) -> gpd.GeoDataFrame:
    """n small plots near Turkistan in EPSG:4326, ids S-001..."""
    geoms = [
        box(lon0 + i * 0.01, lat0, lon0 + i * 0.01 + 0.002, lat0 + 0.002)
        for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "plot_id": [f"S-{i + 1:03d}" for i in range(n)],
            "zone_id": ["Z-1"] * n,
            "district": ["Sauran"] * n,
            "status": ["free"] * n,
            "investor": [None] * n,
            "project": [None] * n,
            "sector": [None] * n,
            "investment_kzt": [0.0] * n,
            "jobs_planned": [0] * n,
            "jobs_created": [0] * n,
            "allocated_on": [None] * n,
            "build_by": [None] * n,
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def _write(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    with warnings.catch_warnings():
        # Shapefiles cut long column names, and GDAL says so.
        warnings.filterwarnings("ignore", message="Normalized/laundered field name")
        warnings.filterwarnings(
            "ignore", category=pytest.PytestUnraisableExceptionWarning
        )
        pyogrio.write_dataframe(gdf, path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- formats ---


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".shp", ".parquet"])
def test_read_plots_formats(tmp_path: Path, suffix: str) -> None:
    src = _plots()
    path = tmp_path / f"plots{suffix}"
    if suffix == ".parquet":
        src.to_parquet(path)
    else:
        _write(src, path)
    before = _digest(path)
    plots = zonegeo.read_plots(path)
    assert _digest(path) == before  # input never modified
    assert plots.crs.to_epsg() == 4326
    assert plots["plot_id"].tolist() == ["S-001", "S-002", "S-003"]
    assert (plots["area_ha"] > 0).all()
    assert str(plots["status"].dtype) == "string"
    assert str(plots["jobs_planned"].dtype) == "Int64"


def test_read_zipped_shapefile(tmp_path: Path) -> None:
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    _write(_plots(), shp_dir / "plots.shp")
    zpath = tmp_path / "plots.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp_dir.iterdir():
            zf.write(f, f.name)
    plots = zonegeo.read_plots(zpath)
    assert len(plots) == 3


def test_read_csv_wkt_and_lonlat(tmp_path: Path) -> None:
    src = _plots()
    frame = pd.DataFrame(src.drop(columns="geometry"))
    frame["wkt"] = src.geometry.to_wkt()
    path = tmp_path / "plots.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        CRSError, match=r"(?s)plots\.csv.*carries no CRS.*crs='EPSG:4326'"
    ):
        zonegeo.read_plots(path)
    plots = zonegeo.read_plots(path, crs="EPSG:4326")
    assert plots["plot_id"].tolist() == ["S-001", "S-002", "S-003"]
    (tmp_path / "plots.prj").write_text(gpd.GeoSeries([], crs=4326).crs.to_wkt())
    assert len(zonegeo.read_plots(path)) == 3

    pts = pd.DataFrame(
        {
            "infra_id": ["W-1", "W-2"],
            "kind": ["water", "water"],
            "lon": [68.1, 68.2],
            "lat": [43.1, 43.2],
        }
    )
    ppath = tmp_path / "intakes.csv"
    pts.to_csv(ppath, index=False)
    infra = zonegeo.read_infrastructure(ppath)
    assert infra.geometry.x.tolist() == [68.1, 68.2]


def test_reprojects_to_4326(tmp_path: Path) -> None:
    src = _plots().to_crs("EPSG:32642")
    plots = zonegeo.read_plots(_write(src, tmp_path / "utm.gpkg"))
    assert plots.crs.to_epsg() == 4326
    np.testing.assert_allclose(plots.total_bounds, _plots().total_bounds, atol=1e-9)


def test_gpkg_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(_plots(), path, layer="a")
    pyogrio.write_dataframe(_plots(2), path, layer="b")
    with pytest.raises(
        ValidationError, match=r"(?s)several layers \['a', 'b'\].*layer_name"
    ):
        zonegeo.read_plots(path)
    assert len(zonegeo.read_plots(path, layer_name="b")) == 2


# --- bad input: each case names the file, the rows and the fix ---


def test_missing_crs(tmp_path: Path) -> None:
    path = _write(_plots(), tmp_path / "plots.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"(?s)plots\.shp.*no CRS.*\.prj.*crs=.*--crs"):
        zonegeo.read_plots(path)


def test_swapped_lonlat(tmp_path: Path) -> None:
    src = _plots()
    src = src.set_geometry(
        shapely.transform(src.geometry.values, lambda xy: xy[:, ::-1])
    )
    with pytest.raises(CRSError, match=r"(?s)x/y look swapped.*lon 46-88, lat 40-56"):
        zonegeo.read_plots(_write(src, tmp_path / "swapped.gpkg"))


def test_empty_geometry_names_row(tmp_path: Path) -> None:
    src = _plots()
    src.loc[1, "geometry"] = Polygon()
    with pytest.raises(
        GeometryError, match=r"(?s)empty or missing geometry.*plot_id=S-002"
    ):
        zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))


def test_wrong_geometry_type(tmp_path: Path) -> None:
    src = _plots()
    src = src.set_geometry([src.geometry[0], Point(68.0, 43.0), src.geometry[2]])
    path = tmp_path / "p.geojson"
    _write(src, path)
    with pytest.raises(
        GeometryError,
        match=r"(?s)wrong geometry type \['Point'\].*plot_id=S-002.*Polygon",
    ):
        zonegeo.read_plots(path)


def test_duplicate_ids(tmp_path: Path) -> None:
    src = _plots()
    src.loc[2, "plot_id"] = "S-001"
    with pytest.raises(
        SchemaError,
        match=r"(?s)duplicate plot_id values: plot_id=S-001 in rows \[1, 3\]",
    ):
        zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))


def test_unknown_status_and_kind(tmp_path: Path) -> None:
    src = _plots()
    src.loc[[0, 2], "status"] = ["idle", "Operating"]
    with pytest.raises(
        SchemaError,
        match=r"(?s)unknown value\(s\) \{'Operating', 'idle'\} in row\(s\) "
        r"plot_id=S-001, S-003; allowed: free, allocated, construction, operating",
    ):
        zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G-1", "X-9"], "kind": ["gas", "heat"]},
        geometry=[Point(68, 43), Point(68.1, 43)],
        crs=4326,
    )
    with pytest.raises(
        SchemaError, match=r"(?s)'kind' has unknown value\(s\) \{'heat'\}.*infra_id=X-9"
    ):
        zonegeo.read_infrastructure(_write(infra, tmp_path / "i.gpkg"))


def test_missing_required_column(tmp_path: Path) -> None:
    src = _plots().drop(columns=["status"]).rename(columns={"plot_id": "plotid"})
    with pytest.raises(
        SchemaError,
        match=r"(?s)missing required column\(s\) \['plot_id', 'status'\].*"
        r"Perhaps rename 'plotid' -> 'plot_id'.*column_map",
    ):
        zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))


def test_all_problems_reported_once(tmp_path: Path) -> None:
    src = _plots()
    src.loc[0, "status"] = "idle"
    src.loc[1, "jobs_planned"] = -1  # a number: fine
    src.loc[2, "geometry"] = Polygon()
    with pytest.raises(
        ValidationError, match=r"(?s)2 problems(.|\n)*idle(.|\n)*S-003"
    ) as info:
        zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))
    assert type(info.value) is ValidationError  # of two kinds: the base class
    assert str(tmp_path / "p.gpkg") in str(info.value)


def test_bad_numbers_and_dates(tmp_path: Path) -> None:
    src = _plots()
    src["jobs_planned"] = ["10", "many", "3"]
    src["build_by"] = ["2024-01-01", "2024-13-45", None]
    path = tmp_path / "p.csv"
    frame = pd.DataFrame(src.drop(columns="geometry"))
    frame["wkt"] = src.geometry.to_wkt()
    frame.to_csv(path, index=False)
    with pytest.raises(
        SchemaError,
        match=r"(?s)'jobs_planned' must be a number.*'many'.*plot_id=S-002"
        r"(.|\n)*'build_by' must be a date.*'2024-13-45'.*plot_id=S-002",
    ):
        zonegeo.read_plots(path, crs=4326)


def test_repairs_self_intersection_with_warning(tmp_path: Path) -> None:
    src = _plots()
    bowtie = Polygon([(68.01, 43.0), (68.012, 43.002), (68.012, 43.0), (68.01, 43.002)])
    assert not bowtie.is_valid
    src.loc[1, "geometry"] = bowtie
    path = _write(src, tmp_path / "p.gpkg")
    with pytest.warns(
        DataWarning,
        match=r"(?s)repaired 1 invalid polygon.*Self-intersection.*"
        r"plot_id=S-002",
    ):
        plots = zonegeo.read_plots(path)
    assert plots.geometry.is_valid.all()
    assert plots.geometry[1].geom_type in ("Polygon", "MultiPolygon")


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"(?s)no such file"):
        zonegeo.read_plots(tmp_path / "nope.gpkg")
    bad = tmp_path / "plots.xlsx"
    bad.write_bytes(b"x")
    with pytest.raises(
        ValidationError, match=r"(?s)unsupported file type '\.xlsx'.*\.gpkg"
    ):
        zonegeo.read_plots(bad)


def test_area_from_geometry_not_file(tmp_path: Path) -> None:
    src = _plots().to_crs("EPSG:32642")
    src["area_ha"] = 999.0
    plots = zonegeo.read_plots(_write(src, tmp_path / "p.gpkg"))
    geod = plots.crs.get_geod()
    expect = [abs(geod.geometry_area_perimeter(g)[0]) / 1e4 for g in plots.geometry]
    np.testing.assert_allclose(plots["area_ha"], expect, rtol=1e-6)


# --- user-brought boundaries ---


def test_read_districts_name_column(tmp_path: Path) -> None:
    src = gpd.GeoDataFrame(
        {"shapeName": ["Sauran", "Ordabasy"], "shapeISO": ["", ""]},
        geometry=[box(68, 43, 68.5, 43.5), box(69, 42.4, 69.5, 42.8)],
        crs=4326,
    )
    d = zonegeo.read_districts(_write(src, tmp_path / "geoBoundaries.geojson"))
    assert d["district"].tolist() == ["Sauran", "Ordabasy"]
    other = src.rename(columns={"shapeName": "NAME_LAT"})
    path = _write(other, tmp_path / "cadastre.gpkg")
    with pytest.raises(
        SchemaError,
        match=r"(?s)missing required column\(s\) \['district'\].*"
        r"'NAME_LAT'.*name_column=",
    ):
        zonegeo.read_districts(path)
    assert zonegeo.read_districts(path, name_column="NAME_LAT")[
        "district"
    ].tolist() == ["Sauran", "Ordabasy"]


def test_reads_the_bundled_real_osm_boundaries() -> None:
    """Real OSM district polygons, as bundled in data/ (a fresh clone has them)."""
    from zonegeo.datasets import get_path

    d = zonegeo.read_districts(get_path("demo") / "boundaries" / "districts.gpkg")
    assert len(d) == 17 and "Sauran" in set(d["district"])
    assert dict(zip(d["district"], d["name_ru"], strict=True))["Sauran"] == (
        "Сауранский район"
    )


def test_reads_real_geokz_boundaries() -> None:
    """geokz (HDX COD-AB) ADM2 units as users download them (not bundled)."""
    if not SHARED.exists():
        msg = f"the shared real data are not beside the repo ({SHARED})"
        if in_ci():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    geokz = SHARED / "geokz-hdx-codab-2024" / "turkistan_shymkent_adm2_2024.geojson"
    d = zonegeo.read_districts(geokz)
    assert (
        len(d) == 21 and "Kentau" in set(d["district"]) and d["name_kk"].notna().all()
    )


# --- writers ---


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet", ".csv"])
def test_write_layer_round_trip(tmp_path: Path, suffix: str) -> None:
    src = zonegeo.read_plots(_write(_plots(), tmp_path / "in.gpkg"))
    out = zonegeo.write_layer(src, tmp_path / f"out{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.gpkg", f"out{suffix}"]
    )
    back = (
        zonegeo.read_plots(out, crs=4326)
        if suffix == ".csv"
        else zonegeo.read_plots(out)
    )
    assert back["plot_id"].tolist() == src["plot_id"].tolist()
    np.testing.assert_allclose(back["area_ha"], src["area_ha"], rtol=1e-9)


def test_write_layer_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.gpkg"
    target.write_bytes(b"previous")

    def boom(*args: object, **kwargs: object) -> None:
        Path(args[1]).write_bytes(b"half")
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(pyogrio, "write_dataframe", boom)
    with pytest.raises(OSError, match="disk full"):
        zonegeo.write_layer(_plots(), target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]


def test_write_layer_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError, match=r"(?s)cannot write \.txt; use one of \.gpkg"
    ):
        zonegeo.write_layer(_plots(), tmp_path / "x.txt")


# --- properties ---

lon = st.floats(min_value=46.5, max_value=87.0)
lat = st.floats(min_value=40.5, max_value=55.0)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lon=lon,
    lat=lat,
    size=st.floats(min_value=10.0, max_value=2000.0),
    epsg=st.sampled_from([3857, 32641, 32642, 32643, 4326]),
)
def test_crs_round_trip_property(
    tmp_path: Path, lon: float, lat: float, size: float, epsg: int
) -> None:
    """Writing a plot in any CRS and reading it back gives the same place and area."""
    utm = zonegeo.crs.utm_epsg(lon, lat)
    centre = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(utm).iloc[0]
    square = box(centre.x, centre.y, centre.x + size, centre.y + size)
    src = _plots(1)
    src = src.set_geometry(gpd.GeoSeries([square], crs=utm).to_crs(4326))
    path = tmp_path / f"rt_{epsg}.gpkg"
    pyogrio.write_dataframe(src.to_crs(epsg), path)
    back = zonegeo.read_plots(path)
    assert back.geometry.iloc[0].equals_exact(src.geometry.iloc[0], tolerance=1e-6)
    geod_area = abs(
        back.crs.get_geod().geometry_area_perimeter(back.geometry.iloc[0])[0]
    )
    assert back["area_ha"].iloc[0] == pytest.approx(geod_area / 1e4, rel=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    ids=st.lists(
        st.text(alphabet="ABC-0123", min_size=1, max_size=5), min_size=1, max_size=12
    )
)
def test_duplicate_ids_property(ids: list[str]) -> None:
    """Duplicate ids are refused exactly when there are some, naming one of them."""
    n = len(ids)
    src = _plots(n)
    src["plot_id"] = ids
    from zonegeo.io.validate import validate_layer

    dups = {i for i in ids if ids.count(i) > 1}
    if dups:
        with pytest.raises(SchemaError, match="duplicate plot_id") as info:
            validate_layer(src, "plots", source="mem")
        assert any(f"plot_id={d} " in str(info.value) for d in dups)
    else:
        assert validate_layer(src, "plots", source="mem")["plot_id"].tolist() == ids


def test_lines_allowed_for_infrastructure(tmp_path: Path) -> None:
    infra = gpd.GeoDataFrame(
        {"infra_id": ["G-1", "E-1"], "kind": ["gas", "electricity"]},
        geometry=[LineString([(68, 43), (68.5, 43.2)]), Point(68.2, 43.1)],
        crs=4326,
    )
    out = zonegeo.read_infrastructure(_write(infra, tmp_path / "i.gpkg"))
    assert out["kind"].tolist() == ["gas", "electricity"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "capacity" in out.columns and out["capacity"].isna().all()


def test_gpkg_ignores_attribute_tables(tmp_path: Path) -> None:
    """A registry GeoPackage also holds a status history table without geometry."""
    path = tmp_path / "registry.gpkg"
    pyogrio.write_dataframe(_plots(), path, layer="parcels")
    pyogrio.write_dataframe(
        pd.DataFrame({"plot_id": ["S-001"], "old_status": ["free"]}),
        path,
        layer="plot_status_history",
    )
    assert zonegeo.read_plots(path)["plot_id"].tolist() == ["S-001", "S-002", "S-003"]


def test_overlapping_plots_warn(tmp_path: Path) -> None:
    src = _plots(3)
    # S-002 moved onto S-001 by half its width: they share about 0.5 of a plot.
    src.loc[1, "geometry"] = box(68.001, 43.0, 68.003, 43.002)
    path = _write(src, tmp_path / "p.gpkg")
    with pytest.warns(
        DataWarning, match=r"1 pair\(s\) of plots overlap: S-001 and S-002 share \d"
    ):
        plots = zonegeo.read_plots(path)
    assert len(plots) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(zonegeo.read_plots(path, check_overlaps=False)) == 3
    # Plots that only touch do not warn.
    src.loc[1, "geometry"] = box(68.002, 43.0, 68.004, 43.002)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zonegeo.read_plots(_write(src, tmp_path / "q.gpkg"))
