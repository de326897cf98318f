"""Rank candidate sites: weighted sum, TOPSIS, AHP weights and rank stability.

The numeric core works on plain arrays (:func:`wsm_scores`, :func:`topsis_scores`,
:func:`ahp_eigenvector`); :func:`rank`, :func:`rank_stability` and
:func:`ahp_weights` adapt it to DataFrames and GeoDataFrames. ``docs/ranking.md``
gives every formula.

Methods
-------
``"wsm"``
    Weighted sum model: min-max normalisation per criterion (1 = best site,
    0 = worst), weights normalised to sum to 1, score = weighted sum. The
    ``contrib_<column>`` columns are the weighted normalised values and sum to
    the score.
``"topsis"``
    TOPSIS of Hwang and Yoon (1981): vector normalisation ``x / ||x||``,
    weighting, Euclidean distances ``D+`` and ``D-`` to the ideal and the
    anti-ideal site, score = closeness ``D- / (D+ + D-)``. The contributions
    decompose the closeness exactly: ``score = 0.5 + sum(contrib)``, where
    ``contrib_j = (d-_j**2 - d+_j**2) / (2 (D+ + D-)**2)`` and ``d+_j``, ``d-_j``
    are the site's weighted distances to the ideal and anti-ideal value of
    criterion ``j``. A positive contribution means the site is nearer the best
    than the worst value on that criterion and so lifts the score above 0.5.
"""

from __future__ import annotations

import difflib
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, cast

import numpy as np
import pandas as pd

from zonegeo.errors import DataWarning, SchemaError, ValidationError
from zonegeo.messages import closest_names
from zonegeo.siting.criteria import Criterion

__all__ = [
    "CONSISTENCY_LIMIT",
    "MAX_STABILITY_DRAWS",
    "MAX_STABILITY_SPREAD",
    "METHODS",
    "NORMALISATIONS",
    "SAATY_RANDOM_INDEX",
    "STABILITY_MEMORY_BYTES",
    "TIE_DECIMALS",
    "AHPResult",
    "ahp_eigenvector",
    "ahp_weights",
    "dirichlet_concentration",
    "rank",
    "rank_order",
    "rank_stability",
    "stability_memory_bytes",
    "topsis_scores",
    "wsm_scores",
]

log = logging.getLogger(__name__)

Method = Literal["topsis", "wsm"]

#: Ranking methods and the normalisation each uses.
NORMALISATIONS: MappingProxyType[str, str] = MappingProxyType(
    {"topsis": "vector", "wsm": "minmax"}
)
#: Valid values of ``method``.
METHODS: tuple[str, ...] = tuple(NORMALISATIONS)

#: Saaty's random consistency index RI by matrix size n: the mean consistency
#: index of random reciprocal matrices on the 1/9..9 scale (Saaty 1980, *The
#: Analytic Hierarchy Process*, table 1.7 extended to n = 15).
SAATY_RANDOM_INDEX: MappingProxyType[int, float] = MappingProxyType(
    {
        1: 0.0,
        2: 0.0,
        3: 0.58,
        4: 0.90,
        5: 1.12,
        6: 1.24,
        7: 1.32,
        8: 1.41,
        9: 1.45,
        10: 1.49,
        11: 1.51,
        12: 1.48,
        13: 1.56,
        14: 1.57,
        15: 1.59,
    }
)

#: Consistency ratios above this are refused (Saaty's 10 % rule).
CONSISTENCY_LIMIT = 0.10

#: Scores that agree to this many decimals count as ties (ties keep input order).
TIE_DECIMALS = 12

#: Most weight draws :func:`rank_stability` takes (more changes no figure
#: that is shown to 2 decimals, and only costs time).
MAX_STABILITY_DRAWS = 100_000
#: Largest spread (coefficient of variation of an average weight) of
#: :func:`rank_stability`; beyond it the Dirichlet draws saturate.
MAX_STABILITY_SPREAD = 1.0
#: Memory :func:`rank_stability` may use for its rank tables, bytes.
STABILITY_MEMORY_BYTES = 1 << 30

_RECIPROCAL_RTOL = 1e-3
#: rank_stability keeps every draw's ranks up to this many draws per site,
#: and counts ranks per site beyond (same figures, memory independent of n).
_KEEP_RANKS_PER_SITE = 2
_CHUNK_VALUES = 2_000_000


# --------------------------------------------------------------------------- core


def _as_matrix(matrix: object) -> np.ndarray:
    arr = np.asarray(matrix, dtype=float)
    if arr.ndim != 2:
        msg = f"decision matrix must be 2-D (sites x criteria), got shape {arr.shape}"
        raise ValidationError(msg)
    if not np.isfinite(arr).all():
        rows, cols = np.nonzero(~np.isfinite(arr))
        cells = ", ".join(
            f"[{r}, {c}]" for r, c in list(zip(rows, cols, strict=True))[:10]
        )
        msg = f"decision matrix has NaN or infinite values at {cells}"
        raise ValidationError(msg)
    return arr


def _as_weights(weights: object, m: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape[-1:] != (m,) or w.ndim > 2:
        msg = f"weights must have shape ({m},) or (draws, {m}); got {w.shape}"
        raise ValidationError(msg)
    if not np.isfinite(w).all() or (w < 0).any():
        shown = w.tolist() if w.ndim == 1 else "draws"
        msg = f"weights must be finite and >= 0; got {shown}"
        raise ValidationError(msg)
    if (w.max(axis=-1) <= 0).any():
        msg = "weights sum to 0; give at least one criterion a positive weight"
        raise ValidationError(msg)
    return _normalise(w)


def _normalise(w: np.ndarray) -> np.ndarray:
    """Scale weights (last axis) to sum to 1 without overflow (1e308 + 1e308)."""
    w = w / w.max(axis=-1, keepdims=True)
    return w / w.sum(axis=-1, keepdims=True)


def _as_directions(higher_is_better: object, m: int) -> np.ndarray:
    d = np.asarray(higher_is_better)
    if d.shape != (m,):
        msg = f"higher_is_better needs one entry per criterion ({m}); got {d.shape}"
        raise ValidationError(msg)
    if d.dtype.kind in "iuf":
        if not np.isin(d, (-1, 1)).all():
            msg = "higher_is_better as numbers must be +1 (benefit) or -1 (cost)"
            raise ValidationError(msg)
        return d > 0
    return d.astype(bool)


def _minmax(x: np.ndarray, higher: np.ndarray) -> np.ndarray:
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    constant = span == 0
    safe = np.where(constant, 1.0, span)
    r = np.where(higher, (x - lo) / safe, (hi - x) / safe)
    # A constant criterion cannot separate sites: every site is as good as the
    # best one (normalised value 1), as in pymcdm.
    return np.where(constant, 1.0, r)


def _vector(x: np.ndarray) -> np.ndarray:
    norm = np.sqrt((x**2).sum(axis=0))
    return x / np.where(norm == 0, 1.0, norm)


def _wsm(
    matrix: np.ndarray, weights: np.ndarray, higher: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r = _minmax(matrix, higher)
    if weights.ndim == 1:
        contrib = r * weights
        return contrib.sum(axis=1), contrib
    return weights @ r.T, np.empty((0,))


def _topsis(
    matrix: np.ndarray, weights: np.ndarray, higher: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r = _vector(matrix)
    best = np.where(higher, r.max(axis=0), r.min(axis=0))
    worst = np.where(higher, r.min(axis=0), r.max(axis=0))
    # With w >= 0 the weighted ideal is w * best, so squared weighted
    # distances are (r - best)**2 * w**2: one matrix product for many draws.
    p = (r - best) ** 2
    q = (r - worst) ** 2
    w2 = weights**2
    if weights.ndim == 1:
        dp2, dm2 = p * w2, q * w2
        d_plus, d_minus = np.sqrt(dp2.sum(axis=1)), np.sqrt(dm2.sum(axis=1))
        total = d_plus + d_minus
        undetermined = total == 0
        safe = np.where(undetermined, 1.0, total)
        score = np.where(undetermined, 0.5, d_minus / safe)
        contrib = np.where(
            undetermined[:, None], 0.0, (dm2 - dp2) / (2.0 * safe[:, None] ** 2)
        )
        return score, contrib
    d_plus = np.sqrt(w2 @ p.T)
    d_minus = np.sqrt(w2 @ q.T)
    total = d_plus + d_minus
    undetermined = total == 0
    return np.where(
        undetermined, 0.5, d_minus / np.where(undetermined, 1.0, total)
    ), np.empty((0,))


_CORE = {"wsm": _wsm, "topsis": _topsis}


def wsm_scores(matrix: object, weights: object, higher_is_better: object) -> np.ndarray:
    """Weighted sum scores with min-max normalisation.

    Parameters
    ----------
    matrix : array (sites, criteria)
        Criterion values; finite.
    weights : array (criteria,) or (draws, criteria)
        Non-negative weights; each row is normalised to sum to 1.
    higher_is_better : array of bool (criteria,)
        True for benefit criteria, False for cost criteria (or +1 / -1).

    Returns
    -------
    ndarray
        Scores in [0, 1], shape (sites,) or (draws, sites).

    Notes
    -----
    ``n_ij = (x_ij - min_j) / (max_j - min_j)`` for benefit criteria and
    ``(max_j - x_ij) / (max_j - min_j)`` for cost criteria; a constant
    criterion normalises to 1 for every site. ``score_i = sum_j w_j n_ij``.

    Examples
    --------
    >>> wsm_scores([[1, 10], [3, 30]], [1, 1], [True, False]).tolist()
    [0.5, 0.5]
    """
    x = _as_matrix(matrix)
    w = _as_weights(weights, x.shape[1])
    return _wsm(x, w, _as_directions(higher_is_better, x.shape[1]))[0]


def topsis_scores(
    matrix: object, weights: object, higher_is_better: object
) -> np.ndarray:
    """TOPSIS closeness coefficients (Hwang and Yoon 1981, vector normalisation).

    Parameters
    ----------
    matrix : array (sites, criteria)
        Criterion values; finite.
    weights : array (criteria,) or (draws, criteria)
        Non-negative weights; each row is normalised to sum to 1.
    higher_is_better : array of bool (criteria,)
        True for benefit criteria, False for cost criteria (or +1 / -1).

    Returns
    -------
    ndarray
        Closeness in [0, 1] (1 = the ideal site), shape (sites,) or
        (draws, sites). When every site is identical the closeness is 0.5.

    Notes
    -----
    ``r_ij = x_ij / sqrt(sum_i x_ij**2)``, ``v_ij = w_j r_ij``; the ideal
    ``v+_j`` is the best and the anti-ideal ``v-_j`` the worst ``v_ij`` of
    each criterion; ``D+_i = ||v_i - v+||``, ``D-_i = ||v_i - v-||``;
    closeness ``C_i = D-_i / (D+_i + D-_i)``.

    Examples
    --------
    Tzeng and Huang (2011), four alternatives, three benefit criteria:

    >>> x = [[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]]
    >>> topsis_scores(x, [0.3, 0.4, 0.3], [True, True, True]).round(4).tolist()
    [0.5037, 0.6581, 0.7482, 0.334]
    """
    x = _as_matrix(matrix)
    w = _as_weights(weights, x.shape[1])
    return _topsis(x, w, _as_directions(higher_is_better, x.shape[1]))[0]


def rank_order(scores: np.ndarray) -> np.ndarray:
    """Return ranks (1 = highest score) per row of ``scores``; ties keep input order.

    Scores equal to :data:`TIE_DECIMALS` decimals are ties. Works on 1-D
    scores or on a (draws, sites) array, row by row.

    Examples
    --------
    >>> rank_order(np.array([0.2, 0.9, 0.2, 0.5])).tolist()
    [3, 1, 4, 2]
    """
    s = np.round(np.asarray(scores, dtype=float), TIE_DECIMALS)
    order = np.argsort(-s, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    positions = np.broadcast_to(np.arange(1, s.shape[-1] + 1), s.shape)
    np.put_along_axis(ranks, order, positions, axis=-1)
    return ranks


# ---------------------------------------------------------------------------- AHP


def ahp_eigenvector(
    matrix: object, *, tol: float = 1e-13, max_iter: int = 10_000
) -> tuple[np.ndarray, float]:
    """Principal eigenvector and eigenvalue of a positive matrix, by power iteration.

    Parameters
    ----------
    matrix : array (n, n)
        A positive (pairwise comparison) matrix.
    tol : float
        Stop when the weights change by less than this (max abs).
    max_iter : int
        Iteration limit.

    Returns
    -------
    weights : ndarray (n,)
        Summing to 1.
    lambda_max : float
        The principal (Perron) eigenvalue.

    Notes
    -----
    For a positive matrix the Perron eigenvalue is simple and strictly larger
    in modulus than every other eigenvalue, so power iteration converges
    (Perron-Frobenius); this is Saaty's own procedure of raising the matrix
    to powers and normalising its row sums.
    """
    a = np.asarray(matrix, dtype=float)
    w = np.full(a.shape[0], 1.0 / a.shape[0])
    for _ in range(max_iter):
        nxt = a @ w
        nxt /= nxt.sum()
        if np.max(np.abs(nxt - w)) < tol:
            w = nxt
            break
        w = nxt
    else:  # pragma: no cover - positive matrices converge long before
        msg = f"power iteration did not converge in {max_iter} steps"
        raise ValidationError(msg)
    lambda_max = float(np.mean((a @ w) / w))
    return w, lambda_max


@dataclass(frozen=True)
class AHPResult:
    """Weights derived from a pairwise comparison matrix by :func:`ahp_weights`.

    Attributes
    ----------
    weights : Series
        Weights by label, summing to 1 (the normalised principal eigenvector).
    lambda_max : float
        Principal eigenvalue (``n`` for a perfectly consistent matrix).
    consistency_index : float
        ``CI = (lambda_max - n) / (n - 1)`` (0 for n <= 2).
    consistency_ratio : float
        ``CR = CI / RI(n)`` with Saaty's random index (0 for n <= 2; NaN beyond
        the tabulated n = 15).
    random_index : float
        The RI used.
    matrix : DataFrame
        The comparison matrix with labels.
    most_inconsistent : tuple
        ``(row label, column label, judgement, value implied by the weights)``
        for the judgement furthest from the weights (``None`` when n < 3).
    """

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    consistency_ratio: float
    random_index: float
    matrix: pd.DataFrame
    most_inconsistent: tuple[str, str, float, float] | None

    @property
    def consistent(self) -> bool:
        """True when the consistency ratio is at most :data:`CONSISTENCY_LIMIT`."""
        return bool(self.consistency_ratio <= CONSISTENCY_LIMIT)


def _fmt(value: float) -> str:
    if value >= 1:
        return f"{value:g}" if float(value).is_integer() else f"{value:.3g}"
    inv = 1.0 / value
    return f"1/{inv:g}" if abs(inv - round(inv)) < 1e-9 else f"{value:.3g}"


def ahp_weights(
    matrix: object,
    labels: Sequence[str] | None = None,
    *,
    allow_inconsistent: bool = False,
) -> AHPResult:
    """Derive criterion weights from a pairwise comparison matrix (Saaty's AHP).

    Parameters
    ----------
    matrix : array-like (n, n) or DataFrame
        ``a[i, j]`` says how many times criterion ``i`` matters more than
        ``j`` (Saaty's 1/9..9 scale). It must be positive with ``a[i, i] = 1``
        and ``a[j, i] = 1 / a[i, j]`` (relative tolerance 1e-3).
    labels : sequence of str, optional
        Criterion names; default the DataFrame's index, else ``C1..Cn``.
    allow_inconsistent : bool, default False
        Return weights even when the consistency ratio exceeds 0.10.

    Returns
    -------
    AHPResult

    Raises
    ------
    ValidationError
        If the matrix is not square, positive and reciprocal (the message
        names the cells), or its consistency ratio exceeds 0.10 (the message
        names the most inconsistent judgement and the value the weights imply).

    Notes
    -----
    Weights are the principal right eigenvector normalised to sum to 1,
    ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with
    :data:`SAATY_RANDOM_INDEX`. The most inconsistent judgement is the pair
    ``(i, j)`` whose ratio ``a_ij w_j / w_i`` is furthest from 1 on a log
    scale.

    Examples
    --------
    >>> m = [[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]]
    >>> r = ahp_weights(m, ["gas", "power", "water"])
    >>> r.weights.round(3).to_dict()
    {'gas': 0.648, 'power': 0.23, 'water': 0.122}
    >>> round(r.consistency_ratio, 4)
    0.0032
    """
    if isinstance(matrix, pd.DataFrame):
        if labels is None:
            if list(matrix.index) != list(matrix.columns):
                msg = (
                    "the comparison DataFrame's index and columns differ "
                    f"({list(matrix.index)} vs {list(matrix.columns)}); they must list "
                    "the same criteria in the same order"
                )
                raise ValidationError(msg)
            labels = [str(v) for v in matrix.index]
        matrix = matrix.to_numpy()
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        msg = f"the comparison matrix must hold numbers: {exc}"
        raise ValidationError(msg) from exc
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        msg = (
            f"the comparison matrix must be square (n x n, n >= 1); got shape {a.shape}"
        )
        raise ValidationError(msg)
    n = a.shape[0]
    labels = (
        [f"C{i + 1}" for i in range(n)] if labels is None else [str(x) for x in labels]
    )
    if len(labels) != n:
        msg = f"{len(labels)} labels for a {n}x{n} comparison matrix; give one per row"
        raise ValidationError(msg)
    if len(set(labels)) != n:
        dup = sorted({x for x in labels if labels.count(x) > 1})
        msg = f"duplicate labels {dup}; every criterion needs its own label"
        raise ValidationError(msg)

    def cell(i: int, j: int) -> str:
        return f"a[{labels[i]}, {labels[j]}]"

    problems = []
    bad = ~np.isfinite(a) | (a <= 0)
    for i, j in zip(*np.nonzero(bad), strict=True):
        problems.append(f"{cell(i, j)} = {float(a[i, j])!r} is not a positive number")
    if not problems:
        for i in range(n):
            if abs(a[i, i] - 1.0) > _RECIPROCAL_RTOL:
                problems.append(
                    f"{cell(i, i)} = {a[i, i]:g} but the diagonal must be 1"
                )
        for i in range(n):
            for j in range(i + 1, n):
                if abs(a[i, j] * a[j, i] - 1.0) > _RECIPROCAL_RTOL:
                    problems.append(
                        f"{cell(j, i)} = {a[j, i]:.6g} but it must be 1/{cell(i, j)} = "
                        f"{_fmt(1.0 / a[i, j])} ({1.0 / a[i, j]:.6g})"
                    )
    if problems:
        shown = problems[:10]
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        msg = (
            "the comparison matrix is not positive and reciprocal: "
            + "; ".join(shown)
            + more
            + ". Fix: fill the upper triangle and set each a[j, i] to 1/a[i, j] "
            '(in TOML write fractions as strings, e.g. "1/3")'
        )
        raise ValidationError(msg)

    w, lambda_max = ahp_eigenvector(a)
    ci = 0.0 if n <= 2 else max((lambda_max - n) / (n - 1), 0.0)
    ri = SAATY_RANDOM_INDEX.get(n, math.nan)
    cr = 0.0 if n <= 2 else (ci / ri if ri > 0 else math.nan)
    worst: tuple[str, str, float, float] | None = None
    if n >= 3:
        ratio = np.abs(np.log(a * w[None, :] / w[:, None]))
        iu = np.triu_indices(n, k=1)
        k = int(np.argmax(ratio[iu]))
        i, j = int(iu[0][k]), int(iu[1][k])
        worst = (labels[i], labels[j], float(a[i, j]), float(w[i] / w[j]))
    result = AHPResult(
        weights=pd.Series(w, index=pd.Index(labels, dtype=object), name="weight"),
        lambda_max=lambda_max,
        consistency_index=ci,
        consistency_ratio=cr,
        random_index=ri,
        matrix=pd.DataFrame(a, index=labels, columns=labels),
        most_inconsistent=worst,
    )
    if math.isnan(cr) and not allow_inconsistent:
        msg = (
            f"Saaty's random index is tabulated only up to n = "
            f"{max(SAATY_RANDOM_INDEX)}, "
            f"so the consistency of this {n}x{n} matrix cannot be checked. Fix: "
            f"group the "
            f"criteria into a hierarchy of smaller matrices, or pass "
            f"allow_inconsistent=True to accept it unchecked"
        )
        raise ValidationError(msg)
    if cr > CONSISTENCY_LIMIT and not allow_inconsistent:
        assert worst is not None
        li, lj, judged, implied = worst
        msg = (
            f"the comparison matrix is too inconsistent: consistency ratio "
            f"{cr:.3f} > {CONSISTENCY_LIMIT:.2f} (CI {ci:.3f}, RI {ri:.2f} "
            f"for n = {n}). "
            f"The most inconsistent judgement is a[{li}, {lj}] = {_fmt(judged)} "
            f"({li!r} over {lj!r}); the derived weights imply "
            f"w[{li}]/w[{lj}] = {_fmt(implied)}. "
            f"Fix: revisit that judgement (and its reciprocal a[{lj}, {li}]), or pass "
            f"allow_inconsistent=True to use the weights anyway"
        )
        raise ValidationError(msg)
    return result


# ------------------------------------------------------------------------ adapter


def _check_method(method: str) -> Method:
    if method not in NORMALISATIONS:
        close = difflib.get_close_matches(str(method).lower(), METHODS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        valid = ", ".join(METHODS)
        msg = f"unknown ranking method {method!r}; valid methods: {valid}.{hint}"
        raise ValidationError(msg)
    return cast("Method", method)


def _describe_rows(index: pd.Index, mask: np.ndarray) -> str:
    labels = [repr(v) if isinstance(v, str) else str(v) for v in index[mask]]
    more = f" and {len(labels) - 10} more" if len(labels) > 10 else ""
    return ", ".join(labels[:10]) + more


def _check_criteria(criteria: object) -> list[Criterion]:
    if isinstance(criteria, Criterion):
        criteria = [criteria]
    if not isinstance(criteria, Sequence) or isinstance(criteria, (str, bytes)):
        kind = type(criteria).__name__
        msg = f"criteria must be a list of zonegeo.Criterion, got {kind}"
        raise TypeError(msg)
    crits = list(criteria)
    if not crits:
        msg = "no criteria given; pass at least one zonegeo.Criterion"
        raise ValidationError(msg)
    for c in crits:
        if not isinstance(c, Criterion):
            msg = (
                f"criteria must be zonegeo.Criterion objects, got {type(c).__name__} "
                f"{c!r}; write Criterion('dist_gas_m', 2, better='lower')"
            )
            raise TypeError(msg)
    cols = [c.column for c in crits]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        msg = f"criteria repeat the column(s) {dup}; give each column once"
        raise ValidationError(msg)
    if sum(c.weight for c in crits) <= 0:
        msg = (
            f"every criterion has weight 0 ({', '.join(cols)}); give at least one a "
            f"positive weight"
        )
        raise ValidationError(msg)
    return crits


def _eligible_mask(table: pd.DataFrame, eligible: str | None) -> np.ndarray:
    if eligible is None or eligible not in table.columns:
        return np.ones(len(table), dtype=bool)
    col = table[eligible]
    ok = col.isin([True, False]) & col.notna()
    if not ok.all():
        found = ", ".join(sorted({repr(v) for v in col[~ok]})[:5])
        msg = (
            f"column {eligible!r} must be True/False in every row; found {found} "
            f"in rows "
            f"{_describe_rows(table.index, ~ok.to_numpy())}. Fix: fill it in"
        )
        raise SchemaError(msg)
    return col.astype(bool).to_numpy()


def _decision_matrix(
    table: pd.DataFrame, crits: list[Criterion], mask: np.ndarray
) -> np.ndarray:
    missing = [c.column for c in crits if c.column not in table.columns]
    if missing:
        have = [
            str(c)
            for c in table.columns
            if c != getattr(table, "_geometry_column_name", None)
        ]
        hints = [f"{m!r} -> {c!r}?" for m, c in closest_names(missing, have).items()]
        hint = f" Perhaps: {', '.join(hints)}" if hints else ""
        msg = (
            f"criterion column(s) {missing} not in the table; it has {have}.{hint} "
            f"Fix: compute the column first (e.g. zonegeo.candidate_sites) or correct "
            f"the Criterion"
        )
        raise SchemaError(msg)
    cols = []
    for c in crits:
        s = table[c.column]
        if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(
            s.dtype
        ):
            msg = (
                f"criterion column {c.column!r} must be numeric, but its dtype is "
                f"{s.dtype}. Fix: convert it with pd.to_numeric"
            )
            raise SchemaError(msg)
        v = s.to_numpy(dtype=float, na_value=np.nan)
        bad = mask & ~np.isfinite(v)
        if bad.any():
            msg = (
                f"criterion column {c.column!r} has NaN or infinite values in "
                f"{int(bad.sum())} eligible row(s): "
                f"{_describe_rows(table.index, bad)}. "
                f"Fix: fill them in, or set eligible=False for those rows"
            )
            raise ValidationError(msg)
        cols.append(v[mask])
    return np.column_stack(cols) if cols else np.empty((int(mask.sum()), 0))


def _warn_constant(x: np.ndarray, crits: list[Criterion], method: str) -> None:
    if x.shape[0] < 2:
        return
    const = [c for j, c in enumerate(crits) if np.ptp(x[:, j]) == 0]
    for c in const:
        j = crits.index(c)
        effect = (
            "it adds the same amount to every score"
            if method == "wsm"
            else "its distance to the ideal is 0 for every site"
        )
        warnings.warn(
            f"criterion {c.column!r} has the same value ({x[0, j]:g}) at every "
            f"eligible site, so it cannot separate them and changes no rank "
            f"({effect}). Consider "
            f"dropping it or giving it weight 0",
            DataWarning,
            stacklevel=3,
        )


def rank(
    table: pd.DataFrame,
    criteria: Sequence[Criterion],
    *,
    method: Method = "topsis",
    eligible: str | None = "eligible",
) -> pd.DataFrame:
    """Score and rank sites on several criteria.

    Parameters
    ----------
    table : DataFrame or GeoDataFrame
        One row per site with a column per criterion (e.g. from
        :func:`zonegeo.candidate_sites`).
    criteria : list of Criterion
        Columns, weights and directions.
    method : {"topsis", "wsm"}, default "topsis"
        See the module docstring and ``docs/ranking.md``.
    eligible : str or None, default "eligible"
        Boolean column marking sites that may be chosen. Ineligible rows stay
        in the output, unranked: ``score``, ``rank`` and contributions are
        missing, and they do not take part in the normalisation (the ideal
        and anti-ideal come from eligible sites only). ``None`` ranks all rows.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy of ``table`` (same index, rows, order and CRS) with ``score``
        (higher is better), ``rank`` (nullable integer, 1 = best; equal scores
        keep input order) and ``contrib_<column>`` per criterion. Existing
        ``score``, ``rank`` and ``contrib_*`` columns are replaced.
        ``.attrs`` records ``method``, ``normalisation``, ``weights`` (as
        used, summing to 1), ``better``, ``contrib_baseline`` (0 for WSM, 0.5
        for TOPSIS: score = baseline + sum of contributions),
        ``tie_decimals`` and ``random_index`` (Saaty's RI table).

    Raises
    ------
    ValidationError
        For an unknown method (listing the valid ones), a NaN in a criterion
        of an eligible row (naming column and rows), no eligible row, or all
        weights 0.
    SchemaError
        For a missing or non-numeric criterion column.

    Warns
    -----
    DataWarning
        For a criterion whose value is the same at every eligible site.

    Examples
    --------
    >>> import pandas as pd
    >>> from zonegeo import Criterion, rank
    >>> sites = pd.DataFrame({"dist_gas_m": [200.0, 1500.0, 800.0],
    ...                       "area_ha": [40.0, 60.0, 55.0]}, index=["A", "B", "C"])
    >>> ranked = rank(sites, [Criterion("dist_gas_m", 2, better="lower"),
    ...                       Criterion("area_ha", 1, better="higher")], method="wsm")
    >>> ranked[["score", "rank"]].round(3)
       score  rank
    A  0.667     1
    B  0.333     3
    C  0.609     2
    >>> ranked.attrs["weights"]["dist_gas_m"]
    0.6666666666666666
    """
    if not isinstance(table, pd.DataFrame):
        msg = f"rank expects a DataFrame or GeoDataFrame, got {type(table).__name__}"
        raise TypeError(msg)
    method = _check_method(method)
    crits = _check_criteria(criteria)
    mask = _eligible_mask(table, eligible)
    if not mask.any():
        msg = (
            f"no eligible site to rank: all {len(table)} rows have {eligible}=False "
            f"(see their excluded_because). Fix: relax the exclusions, choose another "
            f"district, or pass eligible=None to rank every row"
        )
        raise ValidationError(msg)
    x = _decision_matrix(table, crits, mask)
    _warn_constant(x, crits, method)
    w = _normalise(np.array([c.weight for c in crits], dtype=float))
    higher = np.array([c.higher_is_better for c in crits])
    score_e, contrib_e = _CORE[method](x, w, higher)
    rank_e = rank_order(score_e)

    drop = [
        c
        for c in table.columns
        if c in ("score", "rank") or (isinstance(c, str) and c.startswith("contrib_"))
    ]
    out = table.drop(columns=drop) if drop else table.copy()
    if drop:
        log.info("rank: replacing existing columns %s", drop)
    score = np.full(len(table), np.nan)
    score[mask] = score_e
    out["score"] = score
    ranks = pd.array([pd.NA] * len(table), dtype="Int64")
    ranks[mask] = rank_e
    out["rank"] = ranks
    for j, c in enumerate(crits):
        col = np.full(len(table), np.nan)
        col[mask] = contrib_e[:, j]
        out[f"contrib_{c.column}"] = col
    out.attrs = {
        **{k: v for k, v in table.attrs.items() if k not in _ATTR_KEYS},
        "method": method,
        "normalisation": NORMALISATIONS[method],
        "weights": {c.column: float(wj) for c, wj in zip(crits, w, strict=True)},
        "better": {c.column: c.better for c in crits},
        "contrib_baseline": 0.5 if method == "topsis" else 0.0,
        "tie_decimals": TIE_DECIMALS,
        "random_index": dict(SAATY_RANDOM_INDEX),
        "eligible_sites": int(mask.sum()),
    }
    log.info(
        "ranked %d eligible of %d sites by %s (%s normalisation)",
        int(mask.sum()),
        len(table),
        method,
        NORMALISATIONS[method],
    )
    return out


_ATTR_KEYS = (
    "method",
    "normalisation",
    "weights",
    "better",
    "contrib_baseline",
    "tie_decimals",
    "random_index",
    "eligible_sites",
)


def dirichlet_concentration(n_criteria: int, spread: float) -> float:
    """Dirichlet concentration ``kappa`` for a relative weight spread.

    The weights of a draw are ``Dirichlet(kappa * w)``, so weight ``j`` has
    mean ``w_j`` and standard deviation ``sqrt(w_j (1 - w_j) / (kappa + 1))``.
    ``kappa`` is chosen so that a weight of average size ``1/m`` varies with a
    coefficient of variation (sd / mean) equal to ``spread``:
    ``kappa = (m - 1) / spread**2 - 1``.

    Examples
    --------
    >>> round(dirichlet_concentration(5, 0.2), 6)
    99.0
    """
    if n_criteria < 2 or spread == 0:
        return math.inf
    return max((n_criteria - 1) / spread**2 - 1.0, 1e-9)


def rank_stability(
    table: pd.DataFrame,
    criteria: Sequence[Criterion],
    *,
    method: Method = "topsis",
    n: int = 1000,
    spread: float = 0.2,
    seed: int | None = 0,
    eligible: str | None = "eligible",
) -> pd.DataFrame:
    """How robust is each site's rank to the weights? Monte Carlo over weights.

    Draws ``n`` weight vectors from a Dirichlet distribution centred on the
    given (normalised) weights, ranks the eligible sites under each draw
    (all draws at once, vectorised) and summarises each site's ranks.

    Parameters
    ----------
    table : DataFrame or GeoDataFrame
        As for :func:`rank`.
    criteria : list of Criterion
        The central weights and directions.
    method : {"topsis", "wsm"}
        Ranking method.
    n : int, default 1000
        Number of weight draws, 1 to :data:`MAX_STABILITY_DRAWS` (100,000).
        The memory needed is estimated first (see
        :func:`stability_memory_bytes`) and a run that would exceed
        :data:`STABILITY_MEMORY_BYTES` (1 GiB) is refused before anything is
        drawn; beyond twice as many draws as sites the memory no longer grows
        with ``n``.
    spread : float, default 0.2
        Coefficient of variation of a weight of average size (see
        :func:`dirichlet_concentration`), 0 to :data:`MAX_STABILITY_SPREAD`
        (1.0); 0 keeps the weights fixed. Criteria with weight 0 stay at 0.
    seed : int or None, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same
        answer.
    eligible : str or None
        As for :func:`rank`.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy of ``table`` with ``p_top1`` and ``p_top3`` (share of draws in
        which the site ranks first / in the top three), ``rank_median``,
        ``rank_p05`` and ``rank_p95`` (5th and 95th percentiles of its rank);
        missing for ineligible rows. ``.attrs`` records ``n``, ``spread``,
        ``concentration``, ``seed`` and ``method``.

    Examples
    --------
    >>> import pandas as pd
    >>> from zonegeo import Criterion, rank_stability
    >>> sites = pd.DataFrame({"dist_gas_m": [200.0, 1500.0, 800.0],
    ...                       "area_ha": [40.0, 60.0, 55.0]})
    >>> st = rank_stability(sites, [Criterion("dist_gas_m", 2, better="lower"),
    ...                             Criterion("area_ha", 1, better="higher")], n=200)
    >>> st[["p_top1", "rank_median"]].round(2)
       p_top1  rank_median
    0     1.0          1.0
    1     0.0          3.0
    2     0.0          2.0
    """
    if not isinstance(table, pd.DataFrame):
        kind = type(table).__name__
        msg = f"rank_stability expects a DataFrame or GeoDataFrame, got {kind}"
        raise TypeError(msg)
    method = _check_method(method)
    crits = _check_criteria(criteria)
    if (
        isinstance(n, bool)
        or not isinstance(n, (int, np.integer))
        or not 1 <= n <= MAX_STABILITY_DRAWS
    ):
        msg = (
            f"n (number of weight draws) must be a positive integer up to "
            f"{MAX_STABILITY_DRAWS:,}, got {n!r}"
        )
        raise ValidationError(msg)
    if (
        isinstance(spread, bool)
        or not isinstance(spread, (int, float))
        or not math.isfinite(spread)
        or not 0 <= spread <= MAX_STABILITY_SPREAD
    ):
        msg = (
            f"spread must be a number >= 0 and <= {MAX_STABILITY_SPREAD:g} "
            f"(e.g. 0.2 for +-20 %), got {spread!r}"
        )
        raise ValidationError(msg)
    mask = _eligible_mask(table, eligible)
    if not mask.any():
        msg = f"no eligible site: all {len(table)} rows have {eligible}=False"
        raise ValidationError(msg)
    x = _decision_matrix(table, crits, mask)
    _warn_constant(x, crits, method)
    w = _normalise(np.array([c.weight for c in crits], dtype=float))
    higher = np.array([c.higher_is_better for c in crits])
    positive = w > 0
    kappa = dirichlet_concentration(int(positive.sum()), float(spread))
    _check_stability_memory(int(n), x.shape[0], x.shape[1])
    rng = np.random.default_rng(seed)
    draws = np.tile(w, (int(n), 1))
    if math.isfinite(kappa):
        draws[:, positive] = rng.dirichlet(kappa * w[positive], size=int(n))
    stats = _rank_statistics(x, draws, higher, method)
    out = table.drop(columns=[c for c in stats if c in table.columns])
    for name, values in stats.items():
        col = np.full(len(table), np.nan)
        col[mask] = values
        out[name] = col
    out.attrs = {
        **table.attrs,
        "stability": {
            "method": method,
            "n": int(n),
            "spread": float(spread),
            "concentration": kappa,
            "seed": seed,
            "weights": {c.column: float(wj) for c, wj in zip(crits, w, strict=True)},
        },
    }
    return out


def stability_memory_bytes(n: int, sites: int, criteria: int) -> int:
    """Estimate the peak memory of :func:`rank_stability`, bytes.

    With fewer draws than twice the sites, every draw's ranks are kept
    (``n x sites`` int32, plus a copy for the percentiles); with more, a
    histogram of ranks per site (``sites x sites`` int64, plus the count of a
    chunk), so the memory no longer grows with ``n``. Add the weight draws
    and the temporaries of one chunk of about 2 million scores.

    Examples
    --------
    >>> round(stability_memory_bytes(1000, 800, 5) / 2**20)  # MiB
    101
    >>> round(stability_memory_bytes(100_000, 2000, 5) / 2**20)
    156
    """
    keep = n <= _KEEP_RANKS_PER_SITE * sites
    kept = 3 * 4 * n * sites if keep else 2 * 8 * sites * sites
    return int(kept + 8 * n * criteria + 6 * 8 * _CHUNK_VALUES)


def _check_stability_memory(n: int, sites: int, criteria: int) -> None:
    need = stability_memory_bytes(n, sites, criteria)
    if need > STABILITY_MEMORY_BYTES:
        msg = (
            f"rank_stability with n = {n:,} weight draws over {sites:,} eligible "
            f"sites would need about {need / 2**30:.1f} GiB, more than the "
            f"{STABILITY_MEMORY_BYTES / 2**30:.0f} GiB allowed. Fix: rank fewer "
            f"candidates (max_candidates) or draw fewer weights (n)"
        )
        raise ValidationError(msg)


def _percentile_from_counts(cum: np.ndarray, n: int, q: float) -> np.ndarray:
    """``np.percentile(ranks, q, axis=0)`` from cumulative rank counts per site.

    ``cum[i, r - 1]`` is how many draws gave site ``i`` a rank <= ``r``; the
    interpolation is numpy's default ("linear").
    """
    virtual = np.true_divide(q, 100) * (n - 1)
    lo = math.floor(virtual)
    gamma = virtual - lo
    hi = min(lo + 1, n - 1)
    # The k-th smallest rank (0-based) is 1 + the number of ranks r with cum <= k.
    a = (cum <= lo).sum(axis=1) + 1.0
    b = (cum <= hi).sum(axis=1) + 1.0
    diff = b - a
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)


def _rank_statistics(
    x: np.ndarray, draws: np.ndarray, higher: np.ndarray, method: str
) -> dict[str, np.ndarray]:
    """Rank the sites under every draw (in chunks) and summarise their ranks."""
    n, m = draws.shape[0], x.shape[0]
    # Score and rank the draws in chunks so temporaries stay near 2e6 values.
    step = max(1, _CHUNK_VALUES // max(m, 1))
    if n <= _KEEP_RANKS_PER_SITE * m:  # keep every rank
        ranks = np.empty((n, m), dtype=np.int32)
        for start in range(0, n, step):
            scores, _ = _CORE[method](x, draws[start : start + step], higher)
            ranks[start : start + step] = rank_order(scores)
        return {
            "p_top1": (ranks == 1).mean(axis=0),
            "p_top3": (ranks <= min(3, m)).mean(axis=0),
            "rank_median": np.median(ranks, axis=0),
            "rank_p05": np.percentile(ranks, 5, axis=0),
            "rank_p95": np.percentile(ranks, 95, axis=0),
        }
    # Many draws: count how often each site takes each rank instead.
    counts = np.zeros(m * m, dtype=np.int64)
    offset = np.arange(m, dtype=np.int64) * m
    for start in range(0, n, step):
        scores, _ = _CORE[method](x, draws[start : start + step], higher)
        flat = (offset + (rank_order(scores) - 1)).ravel()
        counts += np.bincount(flat, minlength=m * m)
    cum = counts.reshape(m, m).cumsum(axis=1)
    return {
        "p_top1": cum[:, 0] / n,
        "p_top3": cum[:, min(3, m) - 1] / n,
        "rank_median": _percentile_from_counts(cum, n, 50),
        "rank_p05": _percentile_from_counts(cum, n, 5),
        "rank_p95": _percentile_from_counts(cum, n, 95),
    }
