"""Where plots lie: in their district, in a district, in Kazakhstan.

(zonegeo.io.integrity)

The bugs these tests pin down: Saryagash plots labelled Otrar were mapped and
counted in Otrar; a plot in London was measured and its investment summed; a
UTM 41 ``.prj`` on UTM 42 data moved everything 6 degrees west; EPSG:3857 labels
put plots in the Mediterranean; 3 of 50 rows with lat/lon swapped went through
because only a fully swapped layer was caught.
"""

from __future__ import annotations

import dataclasses
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely
from shapely.geometry import box

import zonegeo
from zonegeo import CRSError, DataWarning, ValidationError
from zonegeo.datasets import get_path
from zonegeo.io.integrity import check_locations, crs_fits, extent_problem
from zonegeo.io.validate import validate_layer

UTM42 = "EPSG:32642"
X0, Y0 = 600_000.0, 4_790_000.0


def _write(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    with warnings.catch_warnings():
        # Shapefiles cut long column names, and GDAL says so.
        warnings.filterwarnings("ignore", message="Normalized/laundered field name")
        warnings.filterwarnings("ignore", message=".*not successfully written")
        warnings.filterwarnings(
            "ignore", category=pytest.PytestUnraisableExceptionWarning
        )
        pyogrio.write_dataframe(gdf, path)
    return path


def demo_folder(tmp_path: Path, plots: gpd.GeoDataFrame, name: str = "d") -> Path:
    """A copy of the demo dataset folder whose plots file is replaced."""
    folder = tmp_path / name
    shutil.copytree(
        get_path("demo"), folder, ignore=shutil.ignore_patterns("*.py", "*.md")
    )
    (folder / "plots" / "plots.gpkg").unlink()
    _write(plots, folder / "plots" / "plots.gpkg")
    return folder


# --- a hand-built region: two 10 km districts side by side in UTM 42N ---


def _hand(plot_x: float, *, label: str = "West") -> tuple[gpd.GeoDataFrame, ...]:
    """Districts West [0, 10 km] and East [10, 20 km]; one 100 m plot at plot_x."""
    districts = gpd.GeoDataFrame(
        {"district": ["West", "East"]},
        geometry=[
            box(X0, Y0, X0 + 10_000, Y0 + 10_000),
            box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000),
        ],
        crs=UTM42,
    )
    plots = gpd.GeoDataFrame(
        {"plot_id": ["P-1"], "district": [label], "status": ["free"]},
        geometry=[box(X0 + plot_x, Y0 + 5000, X0 + plot_x + 100, Y0 + 5100)],
        crs=UTM42,
    )
    return (
        validate_layer(districts, "districts", source="hand"),
        validate_layer(plots, "plots", source="hand"),
    )


def test_plot_inside_or_near_its_district_is_quiet() -> None:
    for x in (5000.0, 9900.0, 10_800.0):  # inside; on the edge; 800 m into East
        districts, plots = _hand(x)
        check_locations(plots, districts, source="hand")


def test_plot_far_outside_its_district_warns_with_distance() -> None:
    """1,500 m into the neighbour: a warning naming plot, district and distance."""
    districts, plots = _hand(11_500.0)
    with pytest.warns(
        DataWarning,
        match=r"hand: 1 plot\(s\) lie more than 1,000 m outside the district they "
        r"name: plot_id=P-1 \(district 'West', 1\.5 km outside; it lies in 'East'\)",
    ):
        check_locations(plots, districts, source="hand")


def test_tolerance_is_an_option() -> None:
    districts, plots = _hand(10_800.0)
    with pytest.warns(DataWarning, match=r"0\.8 km outside"):
        check_locations(plots, districts, tolerance_m=500.0)


def test_plot_outside_every_district_is_refused() -> None:
    districts, plots = _hand(21_500.0, label="East")  # 1.5 km beyond East
    with pytest.raises(
        ValidationError,
        match=r"1 plot\(s\) lie outside every district \(more than 1,000 m away\): "
        r"plot_id=P-1 \(1\.5 km from the nearest district\).*It: no CRS tried",
    ):
        check_locations(plots, districts)


def test_relabelled_demo_plots_warn_on_read(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    """Saryagash plots labelled Otrar (in no zone) are named with the distance."""
    plots = demo.plots.copy()
    moved = plots["plot_id"].isin(["SRG-RZ-001", "SRG-RZ-002"])
    plots.loc[moved, "district"] = "Otrar"
    plots.loc[moved, "zone_id"] = None
    folder = demo_folder(tmp_path, plots)
    with pytest.warns(DataWarning) as record:
        ds = zonegeo.read_dataset(folder)
    (w,) = [r for r in record if "outside the district" in str(r.message)]
    text = str(w.message)
    assert "2 plot(s) lie more than 1,000 m outside the district they name" in text
    assert "plot_id=SRG-RZ-001 (district 'Otrar', " in text
    assert "it lies in 'Saryagash'" in text
    # The distance, cross-checked in an azimuthal equidistant projection
    # centred on the plot (exact distances from its centre).
    plot = plots.loc[plots["plot_id"] == "SRG-RZ-001"].geometry.iloc[0]
    c = plot.centroid
    aeqd = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"
    )
    otrar = demo.districts.loc[demo.districts["district"] == "Otrar"]
    expected_km = (
        gpd.GeoSeries([plot], crs=4326)
        .to_crs(aeqd)
        .iloc[0]
        .distance(otrar.to_crs(aeqd).geometry.iloc[0])
        / 1000
    )
    shown = float(
        text.split("plot_id=SRG-RZ-001 (district 'Otrar', ")[1].split(" km")[0]
    )
    assert shown == pytest.approx(expected_km, abs=0.1)
    assert len(ds.plots) == len(demo.plots)


def test_demo_plots_all_lie_in_their_districts(demo: zonegeo.Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_locations(demo.plots, demo.districts, source="demo")
        zonegeo.read_dataset(get_path("demo"))


# --- wrong places: London, a wrong .prj, Web Mercator, swapped rows ---


def _london(demo: zonegeo.Dataset) -> gpd.GeoDataFrame:
    plots = demo.plots.copy()
    plots.loc[plots.index[0], "geometry"] = box(-0.13, 51.50, -0.125, 51.503)
    return plots


def test_london_plot_refused_by_read_plots(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    path = _write(_london(demo), tmp_path / "plots.gpkg")
    with pytest.raises(
        ValidationError,
        match=r"1 row\(s\) lie outside Kazakhstan \(lon 45 to 89, lat 39 to 57, "
        r"with a margin\): plot_id=TRK-RZ-001 at lon -0\.12\d+, lat 51\.50\d+\. It: "
        r"no CRS tried",
    ) as err:
        zonegeo.read_plots(path)
    assert not isinstance(err.value, CRSError)


def test_london_plot_refused_by_read_dataset(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match=r"plot_id=TRK-RZ-001 at lon -0\.1"):
        zonegeo.read_dataset(demo_folder(tmp_path, _london(demo)))


def test_london_plot_refused_without_districts(demo: zonegeo.Dataset) -> None:
    plots = _london(demo)
    with pytest.raises(ValidationError, match=r"plot_id=TRK-RZ-001 at lon -0\.1"):
        check_locations(plots)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_utm41_prj_on_utm42_data_refused(demo: zonegeo.Dataset, tmp_path: Path) -> None:
    """A Shapefile with a UTM 41 .prj on UTM 42 coordinates: 6 degrees west."""
    plots = demo.plots.to_crs(32642).set_crs(32641, allow_override=True)
    folder = demo_folder(tmp_path, demo.plots)
    (folder / "plots" / "plots.gpkg").unlink()
    _write(plots, folder / "plots" / "plots.shp")
    with pytest.raises(
        CRSError,
        match=r"711 plot\(s\) lie outside every district .* All 711: the coordinates "
        r"would fit EPSG:32642, not the declared EPSG:32641 \(WGS 84 / UTM zone 41N\)"
        r"\. Fix: set the right CRS",
    ):
        zonegeo.read_dataset(folder)


def test_web_mercator_label_refused(demo: zonegeo.Dataset, tmp_path: Path) -> None:
    """UTM 42 metres labelled EPSG:3857 land in the Mediterranean."""
    plots = demo.plots.to_crs(32642).set_crs(3857, allow_override=True)
    path = _write(plots, tmp_path / "plots.gpkg")
    with pytest.raises(
        CRSError,
        match=r"711 row\(s\) lie outside Kazakhstan.*would fit EPSG:32640 or "
        r"EPSG:32641 or EPSG:32642 or EPSG:32643 or EPSG:32644 \(the extent cannot "
        r"tell these apart",
    ):
        zonegeo.read_plots(path)
    # Beside its districts, the dataset tells which zone.
    with pytest.raises(
        CRSError,
        match=r"against the districts of the dataset: All 711: the coordinates would "
        r"fit EPSG:32642, not the declared EPSG:3857",
    ):
        zonegeo.read_dataset(demo_folder(tmp_path, plots))


def test_three_of_fifty_rows_swapped_refused(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    plots = demo.plots[demo.plots["district"] == "Sauran"].head(50).copy()
    rows = plots.index[[4, 20, 33]]
    swapped = plots.loc[rows, "plot_id"].tolist()
    plots.loc[rows, "geometry"] = shapely.transform(
        plots.loc[rows, "geometry"].values, lambda xy: xy[:, ::-1]
    )
    path = _write(plots, tmp_path / "plots.gpkg")
    with pytest.raises(CRSError) as err:
        zonegeo.read_plots(path)
    text = str(err.value)
    assert "3 row(s) lie outside Kazakhstan" in text
    assert "All 3: x and y look swapped (latitude written as x)" in text
    for pid in swapped:
        assert f"plot_id={pid} at lon 4" in text  # a latitude read as longitude
    others = set(plots["plot_id"]) - set(swapped)
    assert not any(f"plot_id={pid} " in text for pid in others)


def test_swapped_and_london_rows_told_apart(demo: zonegeo.Dataset) -> None:
    plots = _london(demo).head(10)
    plots.loc[plots.index[5], "geometry"] = shapely.transform(
        plots.geometry.iloc[5], lambda xy: xy[:, ::-1]
    )
    found = extent_problem(plots, source_crs="EPSG:4326", id_column="plot_id")
    assert found is not None
    cls, text = found
    assert cls is ValidationError  # not every row is explained by a CRS
    assert "plot_id=TRK-RZ-001: no CRS tried" in text
    assert f"plot_id={plots['plot_id'].iloc[5]}: x and y look swapped" in text


def test_zones_outside_kazakhstan_refused(demo: zonegeo.Dataset) -> None:
    zones = demo.zones.copy()
    zones.loc[zones.index[2], "geometry"] = shapely.affinity.translate(
        zones.geometry.iloc[2], xoff=-60
    )
    with pytest.raises(ValidationError, match=r"zone_id=ARS-RZ-01 at lon"):
        validate_layer(zones, "zones", source="z")


def test_crs_fits_unit() -> None:
    """Turkistan city in UTM 42 read as UTM 41 is found again as UTM 42."""
    lon, lat = 68.25, 43.30
    e, n = pyproj.Transformer.from_crs(4326, 32642, always_xy=True).transform(lon, lat)
    wlon, wlat = pyproj.Transformer.from_crs(32641, 4326, always_xy=True).transform(
        e, n
    )
    assert wlon < 63  # about 6 degrees west

    def near_turkistan(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (abs(x - lon) < 0.01) & (abs(y - lat) < 0.01)

    fits = crs_fits(
        np.array([wlon]), np.array([wlat]), source_crs=32641, inside=near_turkistan
    )
    assert fits == [("EPSG:32642",)]


def test_source_crs_kept_for_the_check(demo: zonegeo.Dataset, tmp_path: Path) -> None:
    path = _write(demo.plots.to_crs(32642), tmp_path / "utm.gpkg")
    plots = zonegeo.read_plots(path)
    assert pyproj.CRS.from_wkt(plots.attrs["source_crs"]).to_epsg() == 32642
    # An in-memory move of every plot by one UTM zone is explained from attrs.
    moved = plots.to_crs(32642).set_crs(32641, allow_override=True).to_crs(4326)
    moved.attrs["source_crs"] = pyproj.CRS(32641).to_wkt()
    with pytest.raises(CRSError, match="would fit EPSG:32642"):
        check_locations(moved, demo.districts)
    assert dataclasses.is_dataclass(demo)
