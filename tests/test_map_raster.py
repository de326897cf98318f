"""Raster layers on district maps (zonegeo.maps.raster): hand-built GeoTIFFs.

The rasters are small planes and stripes with known answers (tests/_rasters.py);
the checks decode the PNG that the page embeds and look at its pixels.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
from pathlib import Path

import folium
import numpy as np
import pyproj
import pytest
import shapely
from affine import Affine
from folium.raster_layers import ImageOverlay
from PIL import Image

import zonegeo
from tests._rasters import (
    SQRT_HALF,
    UTM,
    expected_shade,
    plane,
    write_raster,
)
from tests.maps_data import X0, Y0, hand_dataset
from zonegeo.errors import CRSError, DataWarning, ReadError, ValidationError
from zonegeo.maps.elements import _CONTROLS_KEY
from zonegeo.maps.raster import SLOPE_BREAKS, RasterLayer
from zonegeo.maps.save import save_map
from zonegeo.maps.styles import _SLOPE_RAMP

#: The hand-built Sauran district: a 6 km square in UTM 42N.
SAURAN_UTM = (X0 - 2000, Y0 - 2000, X0 + 4000, Y0 + 4000)
TO_MERCATOR = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
DATA_URI = re.compile(
    r'L\.imageOverlay\(\s*"data:image/png;base64,([A-Za-z0-9+/=]+)",\s*(\[\[[^\]]*\],'
    r"\s*\[[^\]]*\]\])"
)


@pytest.fixture(scope="module")
def ds() -> zonegeo.Dataset:
    return hand_dataset()


def _map(ds: zonegeo.Dataset, raster: object, district: str = "Sauran", **kw):
    return zonegeo.district_map(
        ds, district, basemap="none", access=False, raster=raster, **kw
    )


def _overlays(m: folium.Map) -> list[ImageOverlay]:
    return [c for c in m._children.values() if isinstance(c, ImageOverlay)]


def _pixels(overlay: ImageOverlay) -> np.ndarray:
    """The overlay's image as RGBA, decoded from its data: URI."""
    head, data = overlay.url.split(",", 1)
    assert head == "data:image/png;base64"
    img = Image.open(io.BytesIO(base64.b64decode(data)))
    return np.asarray(img.convert("RGBA"))


def _legend(m: folium.Map, title: str) -> list[dict]:
    sections = m._children[_CONTROLS_KEY].options["legend"]["sections"]
    (found,) = [s for s in sections if s["title"] == title]
    return found["items"]


def _district_bounds(ds: zonegeo.Dataset, name: str = "Sauran") -> np.ndarray:
    return ds.districts[ds.districts["district"] == name].total_bounds


def _pixel(overlay: ImageOverlay, lon: float, lat: float) -> tuple[int, int]:
    """Row and column of the image pixel under a lon/lat point (Web Mercator)."""
    (s, w), (n, e) = overlay.bounds
    x0, y0 = TO_MERCATOR.transform(w, s)
    x1, y1 = TO_MERCATOR.transform(e, n)
    x, y = TO_MERCATOR.transform(lon, lat)
    rows, cols = _pixels(overlay).shape[:2]
    return int((y1 - y) / (y1 - y0) * rows), int((x - x0) / (x1 - x0) * cols)


def _utm_to_lonlat(x: float, y: float) -> tuple[float, float]:
    to = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    return to.transform(x, y)


def _visible_grey(overlay: ImageOverlay) -> np.ndarray:
    rgba = _pixels(overlay)
    return rgba[..., 0][rgba[..., 3] > 0]


# ------------------------------------------------------------------ hillshade


def test_flat_ground_is_sin_45_degrees(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    dem = plane(tmp_path / "flat.tif", SAURAN_UTM)
    (overlay,) = _overlays(_map(ds, RasterLayer(dem, style="hillshade")))
    grey = _visible_grey(overlay)
    assert grey.size > 1000
    assert set(np.unique(grey)) == {round(SQRT_HALF * 255)}  # 0.7071 -> 180


def test_slope_facing_the_light_is_brighter(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    # light from the north-west: a plane rising to the south-east faces it
    toward = plane(tmp_path / "nw.tif", SAURAN_UTM, east=0.2, north=-0.2)
    away = plane(tmp_path / "se.tif", SAURAN_UTM, east=-0.2, north=0.2)
    lit = _visible_grey(_overlays(_map(ds, RasterLayer(toward, style="hillshade")))[0])
    dark = _visible_grey(_overlays(_map(ds, RasterLayer(away, style="hillshade")))[0])
    # by hand: (0.1 + 0.1 + 0.7071) / sqrt(1.08) = 0.8729; (0.7071 - 0.2) / ... = 0.4880
    assert abs(np.median(lit) - 0.8729 * 255) <= 1
    assert abs(np.median(dark) - 0.4880 * 255) <= 1
    assert expected_shade(0.2, -0.2) == pytest.approx(0.8729, abs=1e-4)
    assert lit.min() > dark.max()


def test_geographic_dem_gets_its_cell_sizes_in_metres(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    # A degree of longitude at 43 deg N is 81.5 km: read as 111 km (or as 1 m)
    # the plane's hillshade would be wrong. Both DEMs rise 0.1 m per metre east.
    w, s, e, n = _district_bounds(ds)
    geographic = plane(
        tmp_path / "ll.tif", (w, s, e, n), crs="EPSG:4326", cell=0.0005, east=0.1
    )
    projected = plane(tmp_path / "utm.tif", SAURAN_UTM, east=0.1)
    expected = expected_shade(0.1) * 255  # (0.05 + 0.7071) / sqrt(1.01) -> 192.1
    for dem in (geographic, projected):
        grey = _visible_grey(
            _overlays(_map(ds, RasterLayer(dem, style="hillshade")))[0]
        )
        assert abs(np.median(grey) - expected) <= 1, dem.name
        assert grey.min() >= expected - 2 and grey.max() <= expected + 2


def test_hillshade_legend_is_a_grey_ramp(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    dem = plane(tmp_path / "dem.tif", SAURAN_UTM, east=0.1)
    m = _map(ds, RasterLayer(dem, style="hillshade"))
    (item,) = _legend(m, "Shaded relief")
    assert item["shape"] == "ramp"
    assert item["stops"][0] == "#000000" and item["stops"][-1] == "#FFFFFF"
    assert item["label"] == "in shadow \u2192 facing the light"


# ------------------------------------------------------------------ the image


def test_overlay_is_embedded_on_the_district_bounds(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    dem = plane(tmp_path / "dem.tif", SAURAN_UTM, east=0.1)
    m = _map(ds, RasterLayer(dem, style="hillshade"))
    (overlay,) = _overlays(m)
    html = m.get_root().render()
    assert len(DATA_URI.findall(html)) == 1
    w, s, e, n = _district_bounds(ds)
    cell_lat, cell_lon = 30 / 111_000, 30 / (111_000 * math.cos(math.radians(s)))
    (south, west), (north, east) = overlay.bounds
    assert abs(south - s) < cell_lat and abs(north - n) < cell_lat
    assert abs(west - w) < cell_lon and abs(east - e) < cell_lon
    path = save_map(m, tmp_path / "page.html")  # self-contained: nothing fetched
    text = path.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text and "<script src=" not in text


def test_pixels_outside_the_district_are_transparent(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    area = demo.districts[demo.districts["district"] == "Sauran"]
    bounds = tuple(area.to_crs(UTM).total_bounds)
    dem = plane(tmp_path / "sauran.tif", bounds, cell=500.0, east=0.01)
    m = _map(demo, RasterLayer(dem, style="hillshade"))
    (overlay,) = _overlays(m)
    rgba = _pixels(overlay)
    rows, cols = rgba.shape[:2]
    (s, w), (n, e) = overlay.bounds
    x0, y0 = TO_MERCATOR.transform(w, s)
    x1, y1 = TO_MERCATOR.transform(e, n)
    size = (x1 - x0) / cols
    xs = x0 + (np.arange(cols) + 0.5) * size
    ys = y1 - (np.arange(rows) + 0.5) * (y1 - y0) / rows
    gx, gy = np.meshgrid(xs, ys)
    poly = area.to_crs("EPSG:3857").geometry.union_all()
    inside = shapely.contains_xy(poly, gx, gy)
    far = shapely.distance(poly.boundary, shapely.points(gx, gy)) > 2 * size
    alpha = rgba[..., 3]
    assert (alpha[~inside & far] == 0).all()
    assert (alpha[inside & far] == 255).all()
    assert (~inside & far).mean() > 0.1  # the outline is far from a rectangle


def test_no_data_cells_are_transparent(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    cell = 30.0
    width = height = 6000 // 30 + 10
    z = np.full((height, width), 3.0, dtype="float32")
    z[50:100, 50:100] = -9999.0  # 1.5 km x 1.5 km of no data
    transform = Affine(cell, 0, SAURAN_UTM[0] - 150, 0, -cell, SAURAN_UTM[3] + 150)
    path = write_raster(tmp_path / "holes.tif", z, transform=transform)
    (overlay,) = _overlays(_map(ds, RasterLayer(path)))
    hole_x, hole_y = transform @ (75, 75)
    row, col = _pixel(overlay, *_utm_to_lonlat(hole_x, hole_y))
    rgba = _pixels(overlay)
    assert rgba[row, col, 3] == 0
    ok_x, ok_y = transform @ (150, 150)
    row, col = _pixel(overlay, *_utm_to_lonlat(ok_x, ok_y))
    assert rgba[row, col, 3] == 255


def test_the_image_is_at_most_max_size_pixels(
    demo: zonegeo.Dataset, tmp_path: Path
) -> None:
    area = demo.districts[demo.districts["district"] == "Sauran"]
    bounds = tuple(area.to_crs(UTM).total_bounds)  # 113 x 120 km
    dem = plane(tmp_path / "fine.tif", bounds, cell=100.0, east=0.01)
    (big,) = _overlays(_map(demo, RasterLayer(dem, style="hillshade")))
    assert max(_pixels(big).shape[:2]) > 1000  # about the cell size: 100 m
    (small,) = _overlays(_map(demo, RasterLayer(dem, style="hillshade", max_size=300)))
    assert max(_pixels(small).shape[:2]) == 300
    assert np.allclose(small.bounds, big.bounds)


# ------------------------------------------------------------------ classes


def _stripes(path: Path, values: list[float]) -> tuple[Path, list[float]]:
    """Vertical stripes over the hand Sauran, one value each; return stripe centres."""
    cell, n = 30.0, len(values)
    width = 6000 // 30  # exactly the district: 200 cells
    x0 = SAURAN_UTM[0]
    cols = np.repeat(np.asarray(values, dtype="float32"), width // n)
    z = np.tile(cols, (210, 1))
    transform = Affine(cell, 0, x0, 0, -cell, SAURAN_UTM[3] + 150)
    write_raster(path, z, transform=transform)
    step = 6000 / n
    return path, [x0 + step * (i + 0.5) for i in range(n)]


def _colour_at(overlay: ImageOverlay, x: float, y: float) -> str:
    row, col = _pixel(overlay, *_utm_to_lonlat(x, y))
    r, g, b, a = _pixels(overlay)[row, col]
    assert a == 255
    return f"#{r:02X}{g:02X}{b:02X}"


def test_slope_classes_land_in_their_colours(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    # 2.0 and 8.0 sit on class edges: a class holds its lower edge
    path, centres = _stripes(tmp_path / "slope.tif", [1.0, 2.0, 6.0, 8.0, 40.0])
    (overlay,) = _overlays(_map(ds, RasterLayer(path)))
    middle = (SAURAN_UTM[1] + SAURAN_UTM[3]) / 2
    found = [_colour_at(overlay, x, middle) for x in centres]
    assert found == [c.upper() for c in _SLOPE_RAMP]


def test_slope_legend_shows_the_ranges(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    path, _ = _stripes(tmp_path / "slope.tif", [1.0, 3.0])
    m = _map(ds, RasterLayer(path, opacity=0.5))
    items = _legend(m, "Slope")
    assert [it["label"] for it in items] == [
        "0\u20132\u00b0",
        "2\u20135\u00b0",
        "5\u20138\u00b0",
        "8\u201315\u00b0",
        "15\u201390\u00b0",
    ]
    assert [it["fill"].upper() for it in items] == [c.upper() for c in _SLOPE_RAMP]
    assert {it["fillOpacity"] for it in items} == {0.5}
    assert SLOPE_BREAKS == (0, 2, 5, 8, 15, 90)
    assert "0\u20132\u00b0" in m.get_root().render()


def test_breaks_and_unit_of_a_classed_raster(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    # flood depth in metres; 3 m is past the last edge, so the last class is open
    path, centres = _stripes(tmp_path / "flood.tif", [0.2, 0.7, 1.5, 3.0])
    layer = RasterLayer(path, style="classes", breaks=[0, 0.5, 1, 2], unit="m")
    m = _map(ds, layer)
    items = _legend(m, "flood")
    assert [it["label"] for it in items] == [
        "0\u20130.5 m",
        "0.5\u20131 m",
        "\u2265 1 m",
    ]
    (overlay,) = _overlays(m)
    middle = (SAURAN_UTM[1] + SAURAN_UTM[3]) / 2
    found = [_colour_at(overlay, x, middle) for x in centres]
    fills = [it["fill"].upper() for it in items]
    assert found == [fills[0], fills[1], fills[2], fills[2]]


def test_classes_without_breaks(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    # few distinct values (a hazard class): one class a value
    path, centres = _stripes(tmp_path / "hazard.tif", [1.0, 2.0, 3.0, 2.0])
    m = _map(ds, RasterLayer(path, style="classes", name="Hazard class"))
    items = _legend(m, "Hazard class")
    assert [it["label"] for it in items] == ["1", "2", "3"]
    (overlay,) = _overlays(m)
    middle = (SAURAN_UTM[1] + SAURAN_UTM[3]) / 2
    fills = [it["fill"].upper() for it in items]
    found = [_colour_at(overlay, x, middle) for x in centres]
    assert found == [fills[0], fills[1], fills[2], fills[1]]
    # many distinct values: five quantile classes of the district's valid cells
    dem = plane(tmp_path / "depth.tif", SAURAN_UTM, east=0.001)
    items = _legend(_map(ds, RasterLayer(dem, style="classes")), "depth")
    assert len(items) == 5


# ------------------------------------------------------------------ the layer


def test_text_from_the_user_is_escaped(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    path, _ = _stripes(tmp_path / "x.tif", [1.0, 3.0])
    name = "<script>alert(1)</script>"
    layer = RasterLayer(path, style="classes", name=name, unit="<b>m</b>")
    m = _map(ds, layer)
    html = m.get_root().render()
    assert name not in html and "<b>m</b>" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert _legend(m, escaped)[0]["label"] == "1 &lt;b&gt;m&lt;/b&gt;"
    (overlay,) = _overlays(m)
    assert overlay.layer_name == escaped


def test_layer_control_name_visibility_and_opacity(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    dem = plane(tmp_path / "dem.tif", SAURAN_UTM, east=0.1)
    shown = RasterLayer(dem, style="hillshade", name="Relief", opacity=0.35)
    hidden = RasterLayer(dem, style="hillshade", name="Relief (off)", show=False)
    m = _map(ds, [shown, hidden])
    html = m.get_root().render()
    on, off = _overlays(m)
    for overlay in (on, off):
        assert re.search(
            rf'"{re.escape(overlay.layer_name)}" : {overlay.get_name()}', html
        )
    assert on.options["opacity"] == 0.35 and on.show
    assert f"{on.get_name()}.addTo(" in html
    assert not off.show and f"{off.get_name()}.addTo(" not in html
    assert on.options["pane"] == "zgRaster"  # under the plots and lines
    assert "createPane(" in html and html.count("createPane(") == 1


def test_layer_names_in_kazakh_and_russian(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    path, _ = _stripes(tmp_path / "s.tif", [1.0, 3.0])
    assert _overlays(_map(ds, RasterLayer(path), lang="kk"))[0].layer_name == "Еңіс"
    items = _legend(_map(ds, RasterLayer(path), lang="ru"), "Уклон")
    assert items[0]["label"] == "0\u20132\u00b0"


def test_the_input_file_is_never_modified(ds: zonegeo.Dataset, tmp_path: Path) -> None:
    dem = plane(tmp_path / "dem.tif", SAURAN_UTM, east=0.1)
    before = (hashlib.sha256(dem.read_bytes()).hexdigest(), dem.stat().st_mtime_ns)
    _map(ds, [RasterLayer(dem, style="hillshade"), RasterLayer(dem, style="classes")])
    after = (hashlib.sha256(dem.read_bytes()).hexdigest(), dem.stat().st_mtime_ns)
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif"]


def test_raster_is_public() -> None:
    assert zonegeo.RasterLayer is RasterLayer
    assert "RasterLayer" in zonegeo.__all__


# ------------------------------------------------------------------ problems


def test_a_missing_or_unreadable_file_is_a_read_error(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    with pytest.raises(ReadError, match=r"nope\.tif: no such raster file\. Fix: "):
        _map(ds, RasterLayer(tmp_path / "nope.tif"))
    text = tmp_path / "notes.tif"
    text.write_text("not a raster", encoding="utf-8")
    with pytest.raises(ReadError, match=r"notes\.tif: cannot read the raster .*Fix: "):
        _map(ds, RasterLayer(text))


def test_a_raster_without_crs_is_a_crs_error(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    path = write_raster(
        tmp_path / "nocrs.tif",
        np.zeros((5, 5)),
        transform=Affine(30, 0, X0, 0, -30, Y0),
        crs=None,
    )
    with pytest.raises(CRSError, match=r"nocrs\.tif: the raster has no CRS.*gdal_edit"):
        _map(ds, RasterLayer(path, style="hillshade"))


def test_a_raster_elsewhere_is_left_out_with_a_warning(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    far = (X0 + 50_000, Y0, X0 + 53_000, Y0 + 3000)
    dem = plane(tmp_path / "far.tif", far, east=0.1)
    with pytest.warns(DataWarning, match="far.tif does not overlap district Sauran"):
        m = _map(ds, RasterLayer(dem, style="hillshade"))
    assert _overlays(m) == []
    assert "Shaded relief" not in m.get_root().render()


def test_a_raster_with_only_no_data_in_the_district_is_left_out(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    z = np.full((210, 210), -9999.0)
    path = write_raster(
        tmp_path / "empty.tif",
        z,
        transform=Affine(30, 0, SAURAN_UTM[0] - 150, 0, -30, SAURAN_UTM[3] + 150),
    )
    with pytest.warns(DataWarning, match="empty.tif has no valid cell in district"):
        m = _map(ds, RasterLayer(path))
    assert _overlays(m) == []


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            {"style": "contours"},
            "style='contours' is not one of hillshade, slope, classes",
        ),
        ({"opacity": 1.5}, r"opacity=1\.5 must be a number from 0 \(invisible\) to 1"),
        ({"opacity": "half"}, "opacity='half' must be a number"),
        ({"breaks": [0, 5, 2]}, r"breaks=\[0, 5, 2\] must be at least two class edges"),
        ({"breaks": [3]}, "must be at least two class edges in increasing order"),
        ({"breaks": "0,2,5"}, "must be a sequence of numbers"),
        ({"breaks": [0, float("nan")]}, "must be finite numbers"),
        ({"style": "hillshade", "breaks": [0, 1]}, "breaks are for style='slope'"),
        ({"max_size": 0}, "max_size=0 must be a whole number of pixels from 2 to 8192"),
        ({"show": "yes"}, "show='yes' must be True or False"),
    ],
)
def test_bad_options_say_what_is_allowed(options: dict, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        RasterLayer("dem.tif", **options)


def test_every_bad_option_is_listed_at_once() -> None:
    with pytest.raises(ValidationError, match=r"3 problems\n  - style=") as info:
        RasterLayer("dem.tif", style="x", opacity=-1, max_size=10_000)
    assert "opacity=-1" in str(info.value) and "max_size=10000" in str(info.value)


def test_wrong_types_raise_type_error(ds: zonegeo.Dataset) -> None:
    with pytest.raises(TypeError, match="raster must be a RasterLayer, got str"):
        _map(ds, "dem.tif")
    with pytest.raises(
        TypeError, match="raster must hold RasterLayer objects, got int"
    ):
        _map(ds, [1])
    with pytest.raises(TypeError, match="RasterLayer path must be a str or path"):
        RasterLayer(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="RasterLayer name must be a str, got int"):
        RasterLayer("dem.tif", name=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        RasterLayer("dem.tif", "hillshade")  # type: ignore[misc]  # keyword-only


# ------------------------------------------------------------------ the atlas


def _atlas(ds: zonegeo.Dataset, tmp_path: Path, raster: RasterLayer) -> Path:
    return zonegeo.write_atlas(
        ds, tmp_path / "atlas", basemap="none", progress=False, raster=raster
    )


def test_atlas_clips_the_raster_to_each_district(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    both = (X0 - 2000, Y0 - 2000, X0 + 10_000, Y0 + 4000)
    dem = plane(tmp_path / "dem.tif", both, east=0.1)
    index = _atlas(ds, tmp_path, RasterLayer(dem, style="hillshade"))
    for name, page in (("Sauran", "sauran.html"), ("Ordabasy", "ordabasy.html")):
        found = DATA_URI.findall((index.parent / page).read_text(encoding="utf-8"))
        assert len(found) == 1, page
        (south, west), (north, east) = json.loads(found[0][1])
        w, s, e, n = _district_bounds(ds, name)
        assert np.allclose([west, south, east, north], [w, s, e, n], atol=5e-4)


def test_atlas_warns_once_for_the_districts_a_raster_misses(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    west_part = (X0 - 2000, Y0 - 2000, X0 + 3500, Y0 + 4000)  # ends 500 m short
    dem = plane(tmp_path / "dem.tif", west_part, east=0.1)
    with pytest.warns(
        DataWarning,
        match=r"dem.tif does not overlap 1 of 2 districts "
        r"\(Ordabasy\); their pages are drawn without it",
    ) as caught:
        index = _atlas(ds, tmp_path, RasterLayer(dem, style="hillshade"))
    assert len(caught) == 1
    assert DATA_URI.search((index.parent / "sauran.html").read_text(encoding="utf-8"))
    assert "L.imageOverlay" not in (index.parent / "ordabasy.html").read_text(
        encoding="utf-8"
    )


def test_atlas_refuses_a_missing_raster_before_writing(
    ds: zonegeo.Dataset, tmp_path: Path
) -> None:
    with pytest.raises(ReadError, match="nope.tif"):
        _atlas(ds, tmp_path, RasterLayer(tmp_path / "nope.tif"))
    assert not (tmp_path / "atlas").exists()
