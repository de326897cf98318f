"""infrastructure_distances on dask-geopandas frames, on a 2-worker LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

import zonegeo
from tests._need import need
from tests.test_distance import _random_layers
from zonegeo.errors import CRSError, SchemaError

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def client():
    distributed = need("distributed")
    need("dask_geopandas")
    import dask

    # Keep pandas' own dtypes (no conversion of strings to pyarrow on the way in), so
    # the computed frame can be compared with the in-memory one exactly.
    with (
        dask.config.set({"dataframe.convert-string": False}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def layers():
    plots, layer = _random_layers(11, n_plots=400)
    plots["plot_id"] = [f"P-{i:03d}" for i in range(len(plots))]
    plots = plots.set_index("plot_id", drop=False)
    rng = np.random.default_rng(3)
    plots["demand_gas_m3h"] = np.round(rng.uniform(0, 50, len(plots)), 1)
    layer["spare_capacity"] = np.round(rng.uniform(0, 60, len(layer)), 1)
    layer["unit"] = layer["kind"].map(
        {"gas": "m3/h", "electricity": "kW", "water": "m3/d"}
    )
    return plots, layer


def _dask(plots, n=4):
    import dask_geopandas

    return dask_geopandas.from_geopandas(plots, npartitions=n, sort=False)


def test_dask_result_equals_in_memory_result_exactly(client, layers):
    import dask_geopandas

    plots, layer = layers
    expected = zonegeo.infrastructure_distances(plots, layer)
    lazy = zonegeo.infrastructure_distances(_dask(plots), layer)
    assert isinstance(lazy, dask_geopandas.GeoDataFrame)
    assert lazy.npartitions == 4
    got = lazy.compute()
    assert_geodataframe_equal(got, expected)
    # The meta announced before computing is what comes out.
    assert list(lazy._meta.columns) == list(got.columns)
    assert lazy._meta.dtypes.to_dict() == got.dtypes.to_dict()
    assert lazy.crs == plots.crs


def test_dask_capacity_and_max_distance_equal_in_memory(client, layers):
    plots, layer = layers
    kwargs = {"capacity_aware": True, "max_distance": 20_000.0}
    expected = zonegeo.infrastructure_distances(plots, layer, **kwargs)
    got = zonegeo.infrastructure_distances(_dask(plots, 3), layer, **kwargs).compute()
    assert_geodataframe_equal(got, expected)
    assert expected["unserved_gas"].any() and not expected["unserved_gas"].all()


def test_dask_with_empty_partitions(client, layers):
    plots, layer = layers
    few = plots.iloc[:5]
    got = zonegeo.infrastructure_distances(_dask(plots, 8), layer)
    kept = got[got["plot_id"].isin(list(few["plot_id"]))].compute()
    assert_geodataframe_equal(kept, zonegeo.infrastructure_distances(few, layer))


def test_dask_bad_input_fails_before_computing(layers):
    need("dask_geopandas")
    plots, layer = layers
    with pytest.raises(CRSError, match="plots have no CRS"):
        zonegeo.infrastructure_distances(
            _dask(plots.set_crs(None, allow_override=True)), layer
        )
    with pytest.raises(SchemaError, match=r"needs a demand column.*demand_water_m3d"):
        zonegeo.infrastructure_distances(
            _dask(plots.drop(columns="demand_gas_m3h")), layer, capacity_aware=True
        )
