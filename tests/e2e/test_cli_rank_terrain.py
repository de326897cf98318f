"""``zonegeo rank`` with ``[[rasters]]``, ``[roads]`` and a raster-threshold exclusion.

The demo has no DEM and no roads, so both are built here: a DEM in EPSG:4326
over Sauran whose eastern part is steeper than 8 degrees, and a grid of roads.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

import zonegeo
from tests._need import need
from zonegeo.cli import cli

pytestmark = pytest.mark.e2e


def _dem(path: Path, bounds: tuple[float, float, float, float]) -> float:
    rasterio = need("rasterio")
    from affine import Affine

    w, s, e, n = (
        bounds[0] - 0.02,
        bounds[1] - 0.02,
        bounds[2] + 0.02,
        bounds[3] + 0.02,
    )
    step = 0.002
    cols, rows = int((e - w) / step) + 1, int((n - s) / step) + 1
    lon = w + (np.arange(cols) + 0.5) * step
    split = (w + e) / 2
    m_per_deg = 111_320 * np.cos(np.radians((s + n) / 2))
    # west of `split` a bowl rising to 3 % (1.7 degrees) at `split`; east of it
    # another 15 % on top (more than 8 degrees everywhere)
    d = (lon - w) * m_per_deg
    d_split = (split - w) * m_per_deg
    z = 300 + 0.03 * d**2 / (2 * d_split) + 0.15 * np.clip(d - d_split, 0, None)
    z = np.broadcast_to(z, (rows, cols)).astype("float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=rows,
        width=cols,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(step, 0, w, 0, -step, n),
    ) as f:
        f.write(z, 1)
    return split


def _roads(path: Path, bounds: tuple[float, float, float, float]) -> None:
    w, s, e, n = bounds
    lines = []
    for x in np.arange(w, e, 0.03):
        lines.append(shapely.LineString([(x, y) for y in np.arange(s, n, 0.03)]))
    for y in np.arange(s, n, 0.03):
        lines.append(shapely.LineString([(x, y) for x in np.arange(w, e, 0.03)]))
    roads = gpd.GeoDataFrame(
        {
            "infra_id": [f"R{i}" for i in range(len(lines))],
            "kind": "road",
            "subtype": "tertiary",
            "name": "grid road",
        },
        geometry=lines,
        crs=4326,
    )
    zonegeo.write_layer(roads, path)


def test_rank_with_slope_roads_and_labour(tmp_path: Path) -> None:
    ds = zonegeo.load_demo()
    bounds = tuple(ds.districts[ds.districts["district"] == "Sauran"].total_bounds)
    split = _dem(tmp_path / "dem.tif", bounds)
    _roads(tmp_path / "roads.gpkg", bounds)
    (tmp_path / "s.toml").write_text(
        """
district = "Sauran"
area_ha = 50
[candidates]
max_candidates = 150
[[rasters]]
name = "slope"
path = "dem.tif"
derive = "slope"
stats = ["mean", "max"]
above = [8]
[roads]
file = "roads.gpkg"
targets = ["settlements"]
labour_minutes = 30
[[exclusions]]
column = "slope_frac_above_8"
above = 0.2
[[criteria]]
column = "slope_mean"
better = "lower"
[[criteria]]
column = "road_time_settlements_min"
better = "lower"
[[criteria]]
column = "labour_30min"
better = "higher"
[[criteria]]
column = "dist_gas_m"
better = "lower"
""",
        encoding="utf-8",
    )
    out = tmp_path / "ranked.gpkg"
    res = CliRunner().invoke(
        cli, ["rank", "--scenario", str(tmp_path / "s.toml"), "-o", str(out)]
    )
    assert res.exit_code == 0, (res.output, res.stderr, res.exception)
    ranked = gpd.read_file(out)
    for col in (
        "slope_mean",
        "slope_max",
        "slope_frac_above_8",
        "road_dist_settlements_m",
        "road_time_settlements_min",
        "labour_30min",
    ):
        assert col in ranked.columns
    x = ranked.to_crs("EPSG:32642").centroid.to_crs(4326).x
    east = (x > split + 0.02).to_numpy()
    west = (x < split - 0.02).to_numpy()
    assert east.any() and west.any()
    assert (ranked.loc[east, "slope_mean"] > 8.5).all()
    assert (ranked.loc[west, "slope_mean"] < 1.8).all()
    steep = ranked["slope_frac_above_8"] > 0.2
    assert not ranked.loc[steep, "eligible"].any()
    assert ranked.loc[steep, "excluded_because"].str.contains("slope").all()
    ok = ranked["rank"].notna()
    assert ok.any()
    assert np.isfinite(ranked.loc[ok, "road_time_settlements_min"]).all()
    assert (ranked.loc[ok, "labour_30min"] >= 0).all()


def test_unknown_raster_column_in_criteria_is_named(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text(
        'district = "Sauran"\narea_ha = 50\n[[criteria]]\ncolumn = "slope_mean"\n'
        'better = "lower"\n',
        encoding="utf-8",
    )
    res = CliRunner().invoke(
        cli,
        [
            "rank",
            "--scenario",
            str(tmp_path / "s.toml"),
            "-o",
            str(tmp_path / "o.gpkg"),
        ],
    )
    assert res.exit_code == 1
    assert "'slope_mean' is not a column" in res.output
