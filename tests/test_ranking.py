"""Ranking: WSM, TOPSIS, AHP weights and rank stability.

Expected values come from published worked examples and from independent
implementations (pymcdm, numpy.linalg.eig), never from zonegeo itself.
"""

from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

import zonegeo
from tests._need import need
from zonegeo import Criterion, DataWarning, SchemaError, ValidationError
from zonegeo.siting.ranking import (
    MAX_STABILITY_DRAWS,
    SAATY_RANDOM_INDEX,
    STABILITY_MEMORY_BYTES,
    ahp_eigenvector,
    ahp_weights,
    dirichlet_concentration,
    rank,
    rank_order,
    rank_stability,
    topsis_scores,
    wsm_scores,
)

METHODS = ["topsis", "wsm"]

# --------------------------------------------------------------- published examples

#: Tzeng, G.-H. and Huang, J.-J. (2011), Multiple Attribute Decision Making:
#: Methods and Applications, CRC Press: TOPSIS example with four alternatives and
#: three benefit criteria, weights (0.3, 0.4, 0.3). Inputs as transcribed in
#: scikit-criteria's test suite (tests/madm/test_similarity.py).
TZENG_HUANG_X = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
TZENG_HUANG_W = [0.3, 0.4, 0.3]
TZENG_HUANG_CLOSENESS = [0.5037, 0.6581, 0.7482, 0.3340]

#: Saaty, T. L. (2008), Decision making with the analytic hierarchy process,
#: Int. J. Services Sciences 1(1), 83-98: "which drink is consumed more in the
#: U.S.?" Derived priorities .177 .019 .042 .116 .190 .129 .327, C.R. 0.022.
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
_DRINK_JUDGEMENTS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2,
    ("coffee", "sodas"): 1, ("coffee", "milk"): 1, ("water", "coffee"): 2,
    ("tea", "wine"): 3, ("beer", "wine"): 9, ("beer", "tea"): 3, ("beer", "milk"): 1,
    ("sodas", "wine"): 9, ("sodas", "tea"): 4, ("sodas", "beer"): 2,
    ("sodas", "milk"): 2, ("milk", "wine"): 9, ("milk", "tea"): 3,
    ("water", "wine"): 9, ("water", "tea"): 9, ("water", "beer"): 3,
    ("water", "sodas"): 2, ("water", "milk"): 3,
}  # fmt: skip
DRINKS_WEIGHTS = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]

#: Wang, Y.-M. and Chin, K.-S. (2011), A linear programming approximation to the
#: eigenvector method in the analytic hierarchy process, Information Sciences
#: 181(23), 5240-5248: an inconsistent 6x6 matrix. Eigenvector weights as in
#: pymcdm's test suite; its CR (about 0.23) is above Saaty's 0.10.
WANG_CHIN = [
    [1, 4, 3, 1, 3, 4],
    [1 / 4, 1, 7, 3, 1 / 5, 1],
    [1 / 3, 1 / 7, 1, 1 / 5, 1 / 5, 1 / 6],
    [1, 1 / 3, 5, 1, 1, 1 / 3],
    [1 / 3, 5, 5, 1, 1, 3],
    [1 / 4, 1, 6, 3, 1 / 3, 1],
]
WANG_CHIN_WEIGHTS = [0.3208, 0.1395, 0.0348, 0.1285, 0.2374, 0.1391]


def drinks_matrix() -> np.ndarray:
    a = np.ones((7, 7))
    for (row, col), value in _DRINK_JUDGEMENTS.items():
        i, j = DRINKS.index(row), DRINKS.index(col)
        a[i, j], a[j, i] = value, 1.0 / value
    return a


def test_topsis_tzeng_huang_2011() -> None:
    got = topsis_scores(TZENG_HUANG_X, TZENG_HUANG_W, [True, True, True])
    np.testing.assert_allclose(got, TZENG_HUANG_CLOSENESS, atol=5e-5)
    assert rank_order(got).tolist() == [3, 2, 1, 4]


def test_topsis_tzeng_huang_through_rank() -> None:
    table = pd.DataFrame(
        TZENG_HUANG_X, columns=["c1", "c2", "c3"], index=["A1", "A2", "A3", "A4"]
    )
    crits = [
        Criterion(c, w, better="higher")
        for c, w in zip(table.columns, TZENG_HUANG_W, strict=True)
    ]
    out = rank(table, crits, method="topsis")
    np.testing.assert_allclose(out["score"], TZENG_HUANG_CLOSENESS, atol=5e-5)
    assert out["rank"].tolist() == [3, 2, 1, 4]
    assert out.attrs["normalisation"] == "vector"


def test_pymcdm_default_topsis_differs_on_the_published_example() -> None:
    """pymcdm's TOPSIS defaults to min-max normalisation: other closeness values."""
    pymcdm = need("pymcdm")
    from pymcdm.methods import TOPSIS

    x = np.array(TZENG_HUANG_X, float)
    default = TOPSIS()(x, np.array(TZENG_HUANG_W), np.ones(3))
    assert not np.allclose(default, TZENG_HUANG_CLOSENESS, atol=1e-3)
    vector = TOPSIS(pymcdm.normalizations.vector_normalization)(
        x, np.array(TZENG_HUANG_W), np.ones(3)
    )
    np.testing.assert_allclose(vector, TZENG_HUANG_CLOSENESS, atol=5e-5)


def test_ahp_saaty_drinks() -> None:
    result = ahp_weights(drinks_matrix(), DRINKS)
    assert round(result.consistency_ratio, 3) == 0.022
    np.testing.assert_allclose(result.weights.round(3).to_numpy(), DRINKS_WEIGHTS)
    assert list(result.weights.index) == DRINKS
    assert result.random_index == 1.32
    assert result.consistent


def test_ahp_wang_chin_is_refused_naming_the_pair() -> None:
    with pytest.raises(
        ValidationError, match=r"consistency ratio 0\.229 > 0\.10"
    ) as err:
        ahp_weights(WANG_CHIN, list("ABCDEF"))
    # The message names the most inconsistent judgement and the fix.
    worst = ahp_weights(
        WANG_CHIN, list("ABCDEF"), allow_inconsistent=True
    ).most_inconsistent
    li, lj, judged, implied = worst
    assert f"a[{li}, {lj}]" in str(err.value)
    assert "allow_inconsistent=True" in str(err.value)
    assert "revisit that judgement" in str(err.value)


def test_ahp_wang_chin_allowed() -> None:
    result = ahp_weights(WANG_CHIN, allow_inconsistent=True)
    np.testing.assert_allclose(result.weights.to_numpy(), WANG_CHIN_WEIGHTS, atol=5e-5)
    assert result.consistency_ratio == pytest.approx(0.229, abs=5e-4)
    assert not result.consistent
    assert list(result.weights.index) == ["C1", "C2", "C3", "C4", "C5", "C6"]


def test_most_inconsistent_pair_is_the_planted_error() -> None:
    """Perturb one judgement of a consistent matrix: that pair is named."""
    w = np.array([0.4, 0.25, 0.15, 0.12, 0.08])
    a = w[:, None] / w[None, :]
    a[1, 3], a[3, 1] = 1 / 5, 5.0  # power over roads reversed (consistent: 2.08)
    labels = ["gas", "power", "water", "roads", "labour"]
    result = ahp_weights(a, labels, allow_inconsistent=True)
    assert result.most_inconsistent[:2] == ("power", "roads")
    with pytest.raises(
        ValidationError,
        match=r"a\[power, roads\] = 1/5 \('power' over "
        r"'roads'\); the derived weights imply",
    ):
        ahp_weights(a, labels)


# ------------------------------------------------------------- independent checks


def _random_matrix(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    return rng.uniform(1, 100, size=(n, m)) * rng.choice([1, 10, 1000], size=m)


@pytest.mark.parametrize("seed", range(8))
def test_topsis_matches_pymcdm_vector_normalisation(seed: int) -> None:
    pymcdm = need("pymcdm")
    from pymcdm.methods import TOPSIS

    rng = np.random.default_rng(seed)
    n, m = rng.integers(3, 40), rng.integers(2, 8)
    x = _random_matrix(rng, n, m)
    w = rng.dirichlet(np.ones(m))
    types = rng.choice([-1, 1], size=m)
    expected = TOPSIS(pymcdm.normalizations.vector_normalization)(x, w, types)
    np.testing.assert_allclose(topsis_scores(x, w, types > 0), expected, rtol=1e-10)


@pytest.mark.parametrize("seed", range(8))
def test_wsm_matches_pymcdm_minmax(seed: int) -> None:
    pymcdm = need("pymcdm")
    from pymcdm.methods import WSM

    rng = np.random.default_rng(100 + seed)
    n, m = rng.integers(3, 40), rng.integers(2, 8)
    x = _random_matrix(rng, n, m)
    w = rng.dirichlet(np.ones(m))
    types = rng.choice([-1, 1], size=m)
    expected = WSM(pymcdm.normalizations.minmax_normalization)(x, w, types)
    np.testing.assert_allclose(wsm_scores(x, w, types > 0), expected, rtol=1e-10)


def _random_reciprocal(rng: np.random.Generator, n: int) -> np.ndarray:
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = rng.choice(scale)
            a[j, i] = 1 / a[i, j]
    return a


@pytest.mark.parametrize("n", [3, 4, 6, 9, 12, 15])
def test_ahp_matches_numpy_eig(n: int) -> None:
    a = _random_reciprocal(np.random.default_rng(n), n)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    expected = np.abs(vectors[:, k].real)
    expected /= expected.sum()
    result = ahp_weights(a, allow_inconsistent=True)
    np.testing.assert_allclose(result.weights.to_numpy(), expected, rtol=1e-9)
    assert result.lambda_max == pytest.approx(values[k].real, rel=1e-10)
    ci = (values[k].real - n) / (n - 1)
    assert result.consistency_index == pytest.approx(ci, rel=1e-8, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(
        ci / SAATY_RANDOM_INDEX[n], rel=1e-8
    )


def test_ahp_consistent_matrix_recovers_weights() -> None:
    w = np.array([0.5, 0.3, 0.2])
    result = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights.to_numpy(), w, rtol=1e-12)
    assert result.lambda_max == pytest.approx(3.0)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_ahp_small_matrices_and_dataframe_labels() -> None:
    assert ahp_weights([[1]]).weights.tolist() == [1.0]
    two = ahp_weights(
        pd.DataFrame([[1, 3], [1 / 3, 1]], index=["x", "y"], columns=["x", "y"])
    )
    assert two.weights.round(6).to_dict() == {"x": 0.75, "y": 0.25}
    assert two.consistency_ratio == 0.0
    assert two.most_inconsistent is None
    w, lam = ahp_eigenvector([[1, 2], [0.5, 1]])
    assert lam == pytest.approx(2.0)


# ----------------------------------------------------------------------- AHP errors


def test_ahp_not_reciprocal_names_the_cell() -> None:
    with pytest.raises(
        ValidationError,
        match=r"a\[power, gas\] = 0\.5 but it must be "
        r"1/a\[gas, power\] = 1/3",
    ):
        ahp_weights(
            [[1, 3, 5], [0.5, 1, 2], [1 / 5, 1 / 2, 1]], ["gas", "power", "water"]
        )


def test_ahp_not_positive_names_the_cell() -> None:
    with pytest.raises(ValidationError, match=r"a\[C1, C2\] = -3\.0 is not a positive"):
        ahp_weights([[1, -3], [-1 / 3, 1]])


def test_ahp_diagonal_and_shape() -> None:
    with pytest.raises(
        ValidationError, match=r"a\[C2, C2\] = 2 but the diagonal must be 1"
    ):
        ahp_weights([[1, 2], [0.5, 2]])
    with pytest.raises(ValidationError, match=r"must be square.*\(2, 3\)"):
        ahp_weights([[1, 2, 3], [0.5, 1, 2]])
    with pytest.raises(ValidationError, match="3 labels for a 2x2"):
        ahp_weights([[1, 2], [0.5, 1]], ["a", "b", "c"])
    with pytest.raises(ValidationError, match=r"duplicate labels \['a'\]"):
        ahp_weights([[1, 2], [0.5, 1]], ["a", "a"])


def test_ahp_beyond_random_index_table() -> None:
    a = np.ones((16, 16))
    with pytest.raises(ValidationError, match="tabulated only up to n = 15"):
        ahp_weights(a)
    assert math.isnan(ahp_weights(a, allow_inconsistent=True).consistency_ratio)


# ------------------------------------------------------------------- rank adapter


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    """Five sites; S1 is best on both infrastructure criteria."""
    return gpd.GeoDataFrame(
        {
            "site": ["S1", "S2", "S3", "S4", "S5"],
            "dist_gas_m": [100.0, 900.0, 400.0, 2500.0, 1200.0],
            "cost_total_kzt": [1e8, 5e8, 2e8, 9e8, 4e8],
            "area_ha": [50.0, 48.0, 52.0, 55.0, 49.0],
        },
        geometry=[Point(68 + i / 100, 43.3) for i in range(5)],
        crs=4326,
    )


CRITS = [
    Criterion("dist_gas_m", 3, better="lower"),
    Criterion("cost_total_kzt", 2, better="lower"),
    Criterion("area_ha", 1, better="higher"),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("index_kind", ["range", "string", "gaps"])
def test_rank_keeps_index_rows_crs_and_input(sites, method, index_kind) -> None:
    if index_kind == "string":
        sites = sites.set_index("site", drop=False)
    elif index_kind == "gaps":
        sites.index = [3, 10, 11, 40, 7]
    before = sites.copy()
    out = rank(sites, CRITS, method=method)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == sites.crs
    pd.testing.assert_index_equal(out.index, sites.index)
    pd.testing.assert_frame_equal(pd.DataFrame(sites), before.pipe(pd.DataFrame))
    assert list(out.columns[: len(sites.columns)]) == list(sites.columns)
    assert out["rank"].dtype == "Int64"
    assert sorted(out["rank"].tolist()) == [1, 2, 3, 4, 5]
    assert out.loc[out["rank"] == 1, "site"].item() == "S1"
    assert set(out.columns) >= {f"contrib_{c.column}" for c in CRITS}


def test_wsm_contributions_sum_to_score(sites) -> None:
    out = rank(sites, CRITS, method="wsm")
    contrib = out[[f"contrib_{c.column}" for c in CRITS]].sum(axis=1)
    np.testing.assert_allclose(contrib, out["score"], rtol=1e-12)
    # Hand-computed: S1 is best on gas and cost, area (50-48)/(55-48) = 2/7.
    assert out["score"].iloc[0] == pytest.approx(3 / 6 + 2 / 6 + (2 / 7) / 6)
    assert out.attrs["contrib_baseline"] == 0.0


def test_topsis_contributions_decompose_closeness(sites) -> None:
    out = rank(sites, CRITS, method="topsis")
    contrib = out[[f"contrib_{c.column}" for c in CRITS]].sum(axis=1)
    np.testing.assert_allclose(0.5 + contrib, out["score"], rtol=1e-12)
    # S1 is best on gas: that criterion lifts its score.
    assert out["contrib_dist_gas_m"].iloc[0] > 0
    assert out["contrib_dist_gas_m"].iloc[3] < 0  # S4 is worst on gas
    assert out.attrs["contrib_baseline"] == 0.5


@pytest.mark.parametrize("method", METHODS)
def test_rank_attrs(sites, method) -> None:
    out = rank(sites, CRITS, method=method)
    assert out.attrs["method"] == method
    assert out.attrs["normalisation"] == {"topsis": "vector", "wsm": "minmax"}[method]
    assert out.attrs["weights"] == pytest.approx(
        {"dist_gas_m": 0.5, "cost_total_kzt": 1 / 3, "area_ha": 1 / 6}
    )
    assert out.attrs["better"]["area_ha"] == "higher"
    assert out.attrs["random_index"][7] == 1.32
    assert out.attrs["eligible_sites"] == 5


@pytest.mark.parametrize("method", METHODS)
def test_ties_keep_input_order(method) -> None:
    table = pd.DataFrame({"x": [1.0, 3.0, 3.0, 2.0, 3.0]}, index=list("abcde"))
    out = rank(table, [Criterion("x", better="higher")], method=method)
    assert out["rank"].tolist() == [5, 1, 2, 4, 3]


@pytest.mark.parametrize("method", METHODS)
def test_ineligible_rows_are_kept_unranked_and_ignored(sites, method) -> None:
    sites["eligible"] = [True, True, False, True, True]
    sites.loc[2, "dist_gas_m"] = np.nan  # NaN is fine on an ineligible row
    out = rank(sites, CRITS, method=method)
    assert len(out) == 5
    assert out["rank"].isna().tolist() == [False, False, True, False, False]
    assert math.isnan(out["score"].iloc[2])
    assert math.isnan(out["contrib_area_ha"].iloc[2])
    assert sorted(out["rank"].dropna().tolist()) == [1, 2, 3, 4]
    # The ineligible row takes no part in the normalisation.
    alone = rank(
        sites[sites["eligible"]].drop(columns="eligible"), CRITS, method=method
    )
    np.testing.assert_allclose(out["score"].dropna(), alone["score"], rtol=1e-12)
    assert out.attrs["eligible_sites"] == 4
    unfiltered = rank(
        sites.assign(dist_gas_m=sites["dist_gas_m"].fillna(0)),
        CRITS,
        method=method,
        eligible=None,
    )
    assert unfiltered["rank"].notna().all()


def test_rank_replaces_previous_ranking(sites) -> None:
    first = rank(sites, CRITS, method="wsm")
    again = rank(first, CRITS[:1], method="topsis")
    assert "contrib_area_ha" not in again.columns
    assert again.attrs["method"] == "topsis"
    assert list(again.columns).count("score") == 1


# ---------------------------------------------------------------------- rank errors


def test_unknown_method_lists_valid_ones(sites) -> None:
    with pytest.raises(
        ValidationError,
        match=r"unknown ranking method 'topsys'; valid "
        r"methods: topsis, wsm\. Did you mean 'topsis'",
    ):
        rank(sites, CRITS, method="topsys")


def test_negative_weight_names_the_criterion() -> None:
    with pytest.raises(
        ValidationError, match=r"weight of criterion 'dist_gas_m' is -1"
    ):
        Criterion("dist_gas_m", -1, better="lower")
    with pytest.raises(ValidationError, match=r"weight of criterion 'x' is nan"):
        Criterion("x", float("nan"), better="lower")
    with pytest.raises(ValidationError, match=r"better='cheaper' is not allowed"):
        Criterion("x", 1, better="cheaper")
    with pytest.raises(TypeError, match="better"):
        Criterion("x", 1)  # better is required


def test_nan_in_criterion_names_column_and_rows(sites) -> None:
    sites = sites.set_index("site", drop=False)
    sites.loc["S4", "cost_total_kzt"] = np.nan
    with pytest.raises(
        ValidationError,
        match=r"'cost_total_kzt' has NaN or infinite "
        r"values in 1 eligible row\(s\): 'S4'",
    ):
        rank(sites, CRITS)


def test_missing_column_is_named_with_a_hint(sites) -> None:
    with pytest.raises(
        SchemaError,
        match=r"\['dist_gaz_m'\] not in the table.*"
        r"'dist_gaz_m' -> 'dist_gas_m'",
    ):
        rank(sites, [Criterion("dist_gaz_m", better="lower")])


def test_non_numeric_column(sites) -> None:
    with pytest.raises(SchemaError, match=r"criterion column 'site' must be numeric"):
        rank(sites, [Criterion("site", better="lower")])


def test_bad_eligible_column(sites) -> None:
    sites["eligible"] = ["yes", True, True, False, True]
    with pytest.raises(
        SchemaError, match=r"'eligible' must be True/False.*'yes'.*rows 0"
    ):
        rank(sites, CRITS)


def test_no_eligible_site(sites) -> None:
    sites["eligible"] = False
    with pytest.raises(ValidationError, match="no eligible site to rank: all 5 rows"):
        rank(sites, CRITS)


def test_all_weights_zero_and_duplicates(sites) -> None:
    with pytest.raises(ValidationError, match="every criterion has weight 0"):
        rank(sites, [Criterion("area_ha", 0, better="higher")])
    with pytest.raises(ValidationError, match=r"repeat the column\(s\) \['area_ha'\]"):
        rank(sites, [Criterion("area_ha", better="higher")] * 2)
    with pytest.raises(TypeError, match="zonegeo.Criterion"):
        rank(sites, [("area_ha", 1)])


@pytest.mark.parametrize("method", METHODS)
def test_constant_criterion_warns_by_name(sites, method) -> None:
    sites["flat"] = 7.0
    with pytest.warns(DataWarning, match=r"criterion 'flat' has the same value \(7\)"):
        out = rank(sites, [*CRITS, Criterion("flat", better="higher")], method=method)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        base = rank(sites, CRITS, method=method)
    assert out["rank"].tolist() == base["rank"].tolist()


def test_core_input_errors() -> None:
    with pytest.raises(ValidationError, match=r"NaN or infinite values at \[1, 0\]"):
        wsm_scores([[1, 2], [np.nan, 3]], [1, 1], [True, True])
    with pytest.raises(ValidationError, match="weights must have shape"):
        topsis_scores([[1, 2], [2, 3]], [1, 1, 1], [True, True])
    with pytest.raises(ValidationError, match="weights sum to 0"):
        topsis_scores([[1, 2], [2, 3]], [0, 0], [True, True])
    with pytest.raises(ValidationError, match=r"\+1 \(benefit\) or -1"):
        topsis_scores([[1, 2], [2, 3]], [1, 1], [1, 2])


def test_topsis_degenerate_cases() -> None:
    assert topsis_scores([[3.0, 4.0]], [1, 1], [True, False]).tolist() == [0.5]
    assert topsis_scores([[0.0], [0.0]], [1], [True]).tolist() == [0.5, 0.5]
    # Numeric directions: +1 benefit, -1 cost.
    np.testing.assert_allclose(
        topsis_scores([[1, 5], [2, 1]], [1, 1], [1, -1]),
        topsis_scores([[1, 5], [2, 1]], [1, 1], [True, False]),
    )


# ------------------------------------------------------------------ properties

values = st.integers(min_value=0, max_value=1000).map(float)


@st.composite
def decision_problems(draw, min_sites: int = 2):
    n = draw(st.integers(min_sites, 8))
    m = draw(st.integers(1, 5))
    x = np.array(
        draw(st.lists(st.lists(values, min_size=m, max_size=m), min_size=n, max_size=n))
    )
    w = np.array(draw(st.lists(st.integers(1, 20).map(float), min_size=m, max_size=m)))
    higher = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    return x, w, higher


def _table(x, w, higher):
    cols = [f"c{j}" for j in range(x.shape[1])]
    table = pd.DataFrame(x, columns=cols)
    crits = [
        Criterion(c, float(wj), better="higher" if h else "lower")
        for c, wj, h in zip(cols, w, higher, strict=True)
    ]
    return table, crits


def _quiet_rank(table, crits, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return rank(table, crits, method=method)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    problem=decision_problems(),
    method=st.sampled_from(METHODS),
    pick=st.integers(0, 7),
    gap=st.lists(st.integers(1, 50), min_size=5, max_size=5),
)
def test_dominating_site_never_ranks_below(problem, method, pick, gap) -> None:
    x, w, higher = problem
    i = pick % x.shape[0]
    # Add a site that strictly beats site i on every criterion.
    step = np.array(gap[: x.shape[1]], float)
    better = x[i] + np.where(higher, step, -step)
    table, crits = _table(np.vstack([x, better]), w, higher)
    out = _quiet_rank(table, crits, method)
    assert out["rank"].iloc[-1] < out["rank"].iloc[i]


@settings(max_examples=150, deadline=None)
@given(
    problem=decision_problems(),
    method=st.sampled_from(METHODS),
    factor=st.sampled_from([1e-6, 0.37, 3.0, 1e6]),
)
def test_scaling_weights_keeps_ranks(problem, method, factor) -> None:
    x, w, higher = problem
    table, crits = _table(x, w, higher)
    scaled = [Criterion(c.column, c.weight * factor, better=c.better) for c in crits]
    a = _quiet_rank(table, crits, method)
    b = _quiet_rank(table, scaled, method)
    assert a["rank"].tolist() == b["rank"].tolist()


@settings(max_examples=150, deadline=None)
@given(
    problem=decision_problems(),
    method=st.sampled_from(METHODS),
    const=values,
    weight=st.integers(1, 20),
    higher_const=st.booleans(),
)
def test_constant_criterion_changes_no_rank(
    problem, method, const, weight, higher_const
) -> None:
    x, w, higher = problem
    table, crits = _table(x, w, higher)
    base = _quiet_rank(table, crits, method)
    table["flat"] = const
    extra = [
        *crits,
        Criterion("flat", weight, better="higher" if higher_const else "lower"),
    ]
    # The random problem may hold other constant columns: record every warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        out = rank(table, extra, method=method)
    assert any("'flat' has the same value" in str(c.message) for c in caught)
    assert out["rank"].tolist() == base["rank"].tolist()


# --------------------------------------------------------------------- stability


def test_dirichlet_concentration_gives_the_spread() -> None:
    w = np.array([0.5, 0.2, 0.2, 0.1])
    kappa = dirichlet_concentration(4, 0.25)
    draws = np.random.default_rng(1).dirichlet(kappa * w, size=200_000)
    # A weight of average size 1/m has coefficient of variation = spread.
    cv = np.sqrt(0.25 * 0.75 / (kappa + 1)) / 0.25
    assert cv == pytest.approx(0.25)
    np.testing.assert_allclose(draws.mean(axis=0), w, atol=2e-3)
    np.testing.assert_allclose(
        draws.std(axis=0), np.sqrt(w * (1 - w) / (kappa + 1)), rtol=0.02
    )


@pytest.mark.parametrize("method", METHODS)
def test_stability_matches_ranking_each_draw(sites, method) -> None:
    """The vectorised draws equal ranking the table once per drawn weight vector."""
    out = rank_stability(sites, CRITS, method=method, n=60, spread=0.5, seed=7)
    w = np.array([c.weight for c in CRITS])
    w = w / w.sum()
    kappa = dirichlet_concentration(3, 0.5)
    draws = np.random.default_rng(7).dirichlet(kappa * w, size=60)
    ranks = []
    for d in draws:
        crits = [
            Criterion(c.column, float(dj), better=c.better)
            for c, dj in zip(CRITS, d, strict=True)
        ]
        ranks.append(rank(sites, crits, method=method)["rank"].to_numpy(int))
    ranks = np.array(ranks)
    np.testing.assert_allclose(out["p_top1"], (ranks == 1).mean(axis=0))
    np.testing.assert_allclose(out["p_top3"], (ranks <= 3).mean(axis=0))
    np.testing.assert_allclose(out["rank_median"], np.median(ranks, axis=0))
    np.testing.assert_allclose(out["rank_p05"], np.percentile(ranks, 5, axis=0))
    np.testing.assert_allclose(out["rank_p95"], np.percentile(ranks, 95, axis=0))
    assert out.attrs["stability"]["n"] == 60


def test_stability_without_spread_repeats_the_ranking(sites) -> None:
    base = rank(sites, CRITS)
    out = rank_stability(sites, CRITS, spread=0, n=5)
    assert out["rank_median"].tolist() == base["rank"].astype(float).tolist()
    assert out["rank_p05"].tolist() == out["rank_p95"].tolist()
    assert out["p_top1"].tolist() == (base["rank"] == 1).astype(float).tolist()


def test_stability_is_reproducible_and_sane(sites) -> None:
    sites["eligible"] = [True, True, True, False, True]
    a = rank_stability(sites, CRITS, n=300, seed=3)
    b = rank_stability(sites, CRITS, n=300, seed=3)
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    assert a["p_top1"].sum() == pytest.approx(1.0)
    assert a["p_top3"].sum() == pytest.approx(3.0)
    assert a["p_top1"].isna().tolist() == [False, False, False, True, False]
    assert (a["rank_p05"].dropna() <= a["rank_median"].dropna()).all()
    assert (a["rank_median"].dropna() <= a["rank_p95"].dropna()).all()
    assert isinstance(a, gpd.GeoDataFrame)
    # S1 is best on both infrastructure criteria: it wins under most weights.
    assert a["p_top1"].iloc[0] > 0.9


def test_stability_zero_weight_stays_zero(sites) -> None:
    crits = [*CRITS[:2], Criterion("area_ha", 0, better="higher")]
    out = rank_stability(sites, crits, n=50, spread=0.3)
    assert out.attrs["stability"]["weights"]["area_ha"] == 0.0


def test_stability_errors(sites) -> None:
    with pytest.raises(ValidationError, match=r"n \(number of weight draws\).*0"):
        rank_stability(sites, CRITS, n=0)
    with pytest.raises(ValidationError, match="spread must be a number >= 0"):
        rank_stability(sites, CRITS, spread=-0.1)
    with pytest.raises(ValidationError, match="unknown ranking method 'ahp'"):
        rank_stability(sites, CRITS, method="ahp")


def test_public_names() -> None:
    for name in ("Criterion", "rank", "rank_stability", "ahp_weights", "AHPResult"):
        assert name in zonegeo.__all__
        assert getattr(zonegeo, name) is not None


@pytest.mark.parametrize("method", METHODS)
def test_stability_in_chunks_equals_one_pass(sites, method, monkeypatch) -> None:
    whole = rank_stability(sites, CRITS, method=method, n=97, spread=0.4, seed=2)
    monkeypatch.setattr("zonegeo.siting.ranking._CHUNK_VALUES", 7)  # one draw per chunk
    chunked = rank_stability(sites, CRITS, method=method, n=97, spread=0.4, seed=2)
    pd.testing.assert_frame_equal(pd.DataFrame(whole), pd.DataFrame(chunked))


# ------------------------------------------------- huge weights, draws and spreads


@pytest.mark.parametrize("method", METHODS)
def test_huge_weights_rank_like_their_ratios(sites, method) -> None:
    """1e308 + 1e308 overflows; the weights must still mean 1:1 (issue 12)."""
    huge = [Criterion(c.column, 1e308, better=c.better) for c in CRITS]
    ones = [Criterion(c.column, 1.0, better=c.better) for c in CRITS]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning either
        got = zonegeo.rank(sites, huge, method=method)
    want = zonegeo.rank(sites, ones, method=method)
    pd.testing.assert_series_equal(got["score"], want["score"])
    assert got.attrs["weights"] == pytest.approx({c.column: 1 / 3 for c in CRITS})
    tiny = [Criterion("dist_gas_m", 1e308, better="lower"), CRITS[1]]
    w = zonegeo.rank(sites, tiny, method=method).attrs["weights"]
    assert w["dist_gas_m"] == 1.0 and 0.0 <= w["cost_total_kzt"] < 1e-300
    st_ = rank_stability(sites, huge, method=method, n=50, seed=1)
    assert st_["p_top1"].notna().all()


def test_stability_refuses_too_many_draws_before_allocating(sites) -> None:
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValidationError, match=r"up to 100,000, got 1000000000"):
            rank_stability(sites, CRITS, n=10**9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # nothing of the 10**9 draws was allocated
    with pytest.raises(ValidationError, match=r"spread must be a number >= 0 and <= 1"):
        rank_stability(sites, CRITS, spread=1.5)
    with pytest.raises(ValidationError, match=r"spread must be a number"):
        rank_stability(sites, CRITS, spread=math.nan)


def test_stability_memory_estimate_is_checked_first(sites, monkeypatch) -> None:
    monkeypatch.setattr("zonegeo.siting.ranking.STABILITY_MEMORY_BYTES", 2**20)
    called = []
    monkeypatch.setattr(
        "zonegeo.siting.ranking._rank_statistics", lambda *a: called.append(a) or {}
    )
    with pytest.raises(
        ValidationError,
        match=r"n = 1,000 weight draws over 5 eligible sites would need about "
        r"0\.1 GiB, more than the 0 GiB allowed\. Fix: rank fewer candidates",
    ):
        rank_stability(sites, CRITS, n=1000)
    assert called == []


def test_stability_memory_does_not_grow_with_draws() -> None:
    from zonegeo.siting.ranking import stability_memory_bytes

    few = stability_memory_bytes(1_000, 2_000, 5)
    many = stability_memory_bytes(100_000, 2_000, 5)
    assert many < 2 * few < STABILITY_MEMORY_BYTES  # histogram beyond 2 draws/site
    assert stability_memory_bytes(4_000, 2_000, 5) == pytest.approx(
        3 * 4 * 4_000 * 2_000 + 8 * 4_000 * 5 + 6 * 8 * 2_000_000
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 10, 11, 97, 400])
def test_rank_histogram_gives_the_same_figures(sites, method, n, monkeypatch) -> None:
    """Counting ranks per site (many draws) equals keeping every rank (numpy)."""
    counted = rank_stability(sites, CRITS, method=method, n=n, spread=0.6, seed=5)
    monkeypatch.setattr("zonegeo.siting.ranking._KEEP_RANKS_PER_SITE", 10**9)
    kept = rank_stability(sites, CRITS, method=method, n=n, spread=0.6, seed=5)
    pd.testing.assert_frame_equal(pd.DataFrame(counted), pd.DataFrame(kept))


def test_stability_with_many_draws_is_fast_and_sane(sites) -> None:
    out = rank_stability(sites, CRITS, n=MAX_STABILITY_DRAWS, spread=0.3, seed=0)
    assert out["p_top1"].sum() == pytest.approx(1.0)
    assert (out["rank_p05"] <= out["rank_median"]).all()
    assert (out["rank_median"] <= out["rank_p95"]).all()
