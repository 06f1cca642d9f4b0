"""Weidner & Zylkin (2021) bias correction for PPML gravity fits (pure, no Django): the numbers of
the spec option "bias_correction", which bias_correction.py declares (key, checks, result, table).

With exporter-time, importer-time and pair fixed effects ("three-way"), PPML's coefficients carry
an incidental-parameter bias of order 1/N and the pair-clustered sandwich variance is too small;
with exporter-time and importer-time effects only ("two-way") the coefficients are unbiased and
only the variance is. Weidner & Zylkin (J. Int. Econ. 133, 2021; arXiv 1909.01327) give an
analytic bias of the coefficients and a "local de-biasing" of the pair-clustered variance: each
pair's outer product of scores is divided by one minus its leverage. This module follows the
exact (not the "approx") method of their Stata command ppml_fe_bias (v1.2), written anew with
numpy, including its small-sample factors: G/(G-1) on the variance and N/(N-1) on each half of
the bias. Inputs are the estimation sample actually fitted, the fitted means (lambda) and the
coefficients; docs/bias_correction.md states the formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import SpecError, gettext_noop

Array = NDArray[np.float64]
THREE_WAY, TWO_WAY = "three_way", "two_way"
# Above this many exporter-time plus importer-time effects the three-way adjusted variance (one
# dense F x F pseudo-inverse) is not computed; ppml_fe_bias switches to an approximation there.
MAX_TIME_EFFECTS = 5000
DEMEAN_TOLERANCE = 1e-11
NEEDS = gettext_noop(
    "spec 'bias_correction': needs the fixed effects exporter^year + importer^year (two-way: adjusted standard "
    "errors) or exporter^year + importer^year + a pair effect (three-way: bias and adjusted standard errors); "
    "%(problem)s"
)
NOTE_TWO_WAY = gettext_noop(
    "two-way fixed effects: PPML's coefficients carry no incidental-parameter bias (bias 0, estimate "
    "not corrected); only the pair-clustered standard errors are adjusted"
)
NOTE_TOO_LARGE = gettext_noop(
    "the adjusted standard errors were not computed: %(count)s exporter-time and importer-time effects "
    "exceed the %(limit)s this exact method handles"
)


@dataclass(frozen=True)
class Structure:
    """Which columns play exporter (i), importer (j) and time (t); pair: the pair effect (None: two-way)."""

    exporter: str
    importer: str
    time: str
    pair: str | None

    @property
    def kind(self) -> str:
        return TWO_WAY if self.pair is None else THREE_WAY


@dataclass(frozen=True)
class Correction:
    """Per coefficient (in `names` order): the estimate, its bias (0 two-way), the corrected
    estimate, the pair-clustered SE with G/(G-1) only (as ppml_fe_bias's "original") and the
    adjusted SE (None when not computed, see `note`)."""

    kind: str
    names: list[str]
    estimate: Array
    bias: Array
    corrected: Array
    se_original: Array
    se_adjusted: Array | None
    pairs: int
    exporters: int
    importers: int
    periods: int
    note: str = ""


def fixed_effect_structure(fixed: Sequence[str]) -> Structure:
    """The structure of a formula's fixed effects (`a^t + b^t [+ pair]`); SpecError naming what
    is missing or extra otherwise. A plain-column pair effect is checked against the data later
    (pair_ids_match)."""
    interactions = [fe.split("^") for fe in fixed if "^" in fe]
    twos = [parts for parts in interactions if len(parts) == 2]
    candidates: list[tuple[str, str, str]] = []
    for first in range(len(twos)):
        for second in range(first + 1, len(twos)):
            shared = set(twos[first]) & set(twos[second])
            if len(shared) == 1:
                time = shared.pop()
                a, b = (next(c for c in twos[k] if c != time) for k in (first, second))
                if a != b:
                    candidates.append((a, b, time))
    if not candidates:
        raise SpecError.of(
            NEEDS, problem=f"no two exporter-time and importer-time effects sharing a time column in {list(fixed)}"
        )
    candidates.sort(key=lambda c: c[2] != "year")  # a panel's time column is "year" when ambiguous
    exporter, importer, time = candidates[0]
    rest = [
        fe
        for fe in fixed
        if fe not in (f"{exporter}^{time}", f"{time}^{exporter}", f"{importer}^{time}", f"{time}^{importer}")
    ]
    if not rest:
        return Structure(exporter, importer, time, None)
    if len(rest) > 1:
        raise SpecError.of(NEEDS, problem=f"extra fixed effects {rest}")
    pair = rest[0]
    if "^" in pair and set(pair.split("^")) != {exporter, importer}:
        raise SpecError.of(NEEDS, problem=f"{pair!r} is not the pair effect {exporter}^{importer}")
    return Structure(exporter, importer, time, pair)


def pair_ids_match(pair_ids: pd.Series[Any], exporter: pd.Series[Any], importer: pd.Series[Any]) -> None:
    """Refuse a plain-column pair effect that is not one level per exporter-importer pair."""
    pairs = pd.DataFrame({"p": pair_ids.to_numpy(), "i": exporter.to_numpy(), "j": importer.to_numpy()})
    per_pair = pairs.groupby("p", sort=False, observed=True)[["i", "j"]].nunique()
    n_pairs = len(pairs.drop_duplicates(["i", "j"]))
    if (per_pair.to_numpy() > 1).any() or len(per_pair) != n_pairs:
        raise SpecError.of(
            NEEDS,
            problem=f"{pair_ids.name!r} has {len(per_pair):,} levels for {n_pairs:,} exporter-importer pairs",
        )


def _codes(values: pd.Series[Any] | NDArray[np.generic]) -> NDArray[np.intp]:
    codes, _ = pd.factorize(pd.Series(np.asarray(values)), sort=True)
    return np.asarray(codes, dtype=np.intp)


def _pinv(matrices: Array) -> Array:
    """Moore-Penrose inverse of symmetric positive semi-definite matrices (a stack or one): their
    null spaces (a constant shifted between effects) are exact, so small eigenvalues are cut
    relative to the largest one."""
    values, vectors = np.linalg.eigh(matrices)
    cutoff = 1e-10 * np.max(np.abs(values), axis=-1, keepdims=True)
    inverse = np.where(np.abs(values) > cutoff, 1.0 / np.where(values == 0, 1.0, values), 0.0)
    return np.asarray((vectors * inverse[..., None, :]) @ np.swapaxes(vectors, -1, -2))


def _demeaned(regressors: Array, weights: Array, groups: list[NDArray[np.intp]]) -> Array:
    """The regressors less their weighted projection on the fixed effects (Rust alternating projections)."""
    from pyfixest.core.demean import demean  # pyfixest's demeaner; imported with the first correction

    flist = np.column_stack(groups).astype(np.uint64)
    result, _converged = demean(regressors.copy(), flist, weights, tol=DEMEAN_TOLERANCE, maxiter=100_000)
    return np.asarray(result, dtype=np.float64)


def _sandwich(x: Array, scores: Array, bread: Array, pairs: int) -> Array:
    """G/(G-1) W^-1 [sum_p x_p' scores_p x_p] W^-1 (x: P x T x K, scores: P x T x T)."""
    meat = np.einsum("ptk,pts,psl->kl", x, scores, x)
    variance = bread @ meat @ bread * pairs / (pairs - 1)
    return np.asarray((variance + variance.T) / 2)


def _block_sums(blocks: Array, owner: NDArray[np.intp], count: int) -> Array:
    out = np.zeros((count, *blocks.shape[1:]))
    np.add.at(out, owner, blocks)
    return out


def _bias_half(H: Array, x: Array, e: Array, owner: NDArray[np.intp], count: int) -> Array:
    """B (for exporters) or D (for importers), one entry per regressor: -mean over countries of
    tr(sum_p e_p (H_p x_p)' H_c^+) plus half the mean of tr(H_c^+ G_c H_c^+ S_c), where
    G_p = -(diag(x_p) H_p + H_p diag(x_p)) and S_c sums the score outer products e_p e_p'."""
    H_inv = _pinv(_block_sums(H, owner, count))
    scores = _block_sums(np.einsum("pt,ps->pts", e, e), owner, count)
    half = np.zeros(x.shape[2])
    for k in range(x.shape[2]):
        xk = x[:, :, k]
        Hx = np.einsum("pts,ps->pt", H, xk)
        first = _block_sums(np.einsum("pt,ps->pts", e, Hx), owner, count)
        scaled = xk[:, :, None] * H
        second = _block_sums(-(scaled + np.swapaxes(scaled, 1, 2)), owner, count)
        trace_first = np.einsum("cts,cst->c", first, H_inv)
        trace_second = np.einsum("cts,csu,cuv,cvt->c", H_inv, second, H_inv, scores)
        half[k] = -trace_first.mean() + trace_second.mean() / 2
    return half


def _fe_variance_blocks(H: Array, i: NDArray[np.intp], j: NDArray[np.intp], n_i: int, n_j: int) -> Array:
    """Per pair, the T x T block d_p V d_p' of the exporter-time and importer-time effects' variance
    after the pair effects are profiled out: V = (sum_p [e_i; e_j][e_i; e_j]' (x) H_p)^+."""
    P, T = H.shape[0], H.shape[1]
    info = np.zeros((n_i + n_j, T, n_i + n_j, T))
    jj = j + n_i
    for a, b in ((i, i), (jj, jj), (i, jj), (jj, i)):
        np.add.at(info, (a, slice(None), b, slice(None)), H)  # type: ignore[arg-type]  # numpy's stubs miss slices here
    V = _pinv(info.reshape((n_i + n_j) * T, (n_i + n_j) * T)).reshape(n_i + n_j, T, n_i + n_j, T)
    blocks = np.empty((P, T, T))
    for start in range(0, P, 2048):  # the pair blocks in chunks, to bound memory
        s = slice(start, start + 2048)
        blocks[s] = V[i[s], :, i[s], :] + V[i[s], :, jj[s], :] + V[jj[s], :, i[s], :] + V[jj[s], :, jj[s], :]
    return blocks


def _two_way_fe_variance(lam: Array, i: NDArray[np.intp], j: NDArray[np.intp], n_i: int, n_j: int) -> Array:
    """Per pair, the diagonal (T) of d_p V d_p' for exporter-time and importer-time effects:
    V is block-diagonal by period, one (N_i + N_j) square pseudo-inverse per period."""
    P, T = lam.shape
    out = np.zeros((P, T))
    jj = j + n_i
    for t in range(T):
        info = np.zeros((n_i + n_j, n_i + n_j))
        for a, b in ((i, i), (jj, jj), (i, jj), (jj, i)):
            np.add.at(info, (a, b), lam[:, t])
        V = _pinv(info)
        out[:, t] = V[i, i] + 2 * V[i, jj] + V[jj, jj]
    return out


def bias_correction(
    *,
    outcome: Array,
    regressors: Array,
    fitted: Array,
    coefficients: Array,
    exporter: Sequence[object] | NDArray[np.generic],
    importer: Sequence[object] | NDArray[np.generic],
    time: Sequence[object] | NDArray[np.generic],
    names: list[str],
    three_way: bool,
) -> Correction:
    """The correction for one PPML fit. Rows: the estimation sample the fit used (after its
    drops), `fitted` its means lambda, `coefficients` its estimates in `names` order."""
    lam = np.asarray(fitted, dtype=np.float64)
    keep = lam > 0
    i_all, j_all, t_all = _codes(np.asarray(exporter)), _codes(np.asarray(importer)), _codes(np.asarray(time))
    i_all, j_all, t_all = i_all[keep], j_all[keep], t_all[keep]
    lam, y = lam[keep], np.asarray(outcome, dtype=np.float64)[keep]
    X = np.asarray(regressors, dtype=np.float64).reshape(len(keep), -1)[keep]
    i, j, t = _codes(i_all), _codes(j_all), _codes(t_all)
    pair_of_row = _codes(pd.Series(i).astype(str) + "_" + pd.Series(j).astype(str))
    n_i, n_j, T, P = int(i.max()) + 1, int(j.max()) + 1, int(t.max()) + 1, int(pair_of_row.max()) + 1
    if P < 2:
        raise SpecError.of(gettext_noop("the bias correction needs at least 2 exporter-importer pairs, got %(n)s"), n=P)
    effects = [i * T + t, j * T + t] + ([pair_of_row] if three_way else [])
    x_rows = _demeaned(X, lam, effects)
    # Balanced pair x period arrays; a year a pair lacks has lambda = y = x = 0 and drops out.
    pair_i, pair_j = np.zeros(P, dtype=np.intp), np.zeros(P, dtype=np.intp)
    pair_i[pair_of_row], pair_j[pair_of_row] = i, j
    lam_b, y_b, x_b = np.zeros((P, T)), np.zeros((P, T)), np.zeros((P, T, X.shape[1]))
    lam_b[pair_of_row, t], y_b[pair_of_row, t], x_b[pair_of_row, t] = lam, y, x_rows
    e = y_b - lam_b
    bread = np.linalg.inv(np.einsum("pt,ptk,ptl->kl", lam_b, x_b, x_b))
    leverage_x = np.einsum("ptk,kl,psl->pts", x_b, bread, x_b)  # x_p W^-1 x_p'
    outer = np.einsum("pt,ps->pts", e, e)
    se_original = np.sqrt(np.diag(_sandwich(x_b, outer, bread, P)))
    beta = np.asarray(coefficients, dtype=np.float64)
    note, se_adjusted = "", None
    if three_way:
        S = lam_b.sum(axis=1)
        theta = lam_b / S[:, None]
        H = S[:, None, None] * (theta[:, :, None] * np.eye(T) - theta[:, :, None] * theta[:, None, :])
        B = _bias_half(H, x_b, e, pair_i, n_i)
        D = _bias_half(H, x_b, e, pair_j, n_j)
        # ppml_fe_bias: W^-1 (N_i/(N_i-1) B / (P/N_i) + N_j/(N_j-1) D / (P/N_j)), W = sum lambda x x' / P
        bias = (bread * P) @ (n_i / (n_i - 1) * B * n_i / P + n_j / (n_j - 1) * D * n_j / P)
        if (n_i + n_j) * T <= MAX_TIME_EFFECTS:
            dvd = _fe_variance_blocks(H, pair_i, pair_j, n_i, n_j)
            hat = np.einsum("pts,psu->ptu", H, leverage_x + dvd)
        else:
            note = NOTE_TOO_LARGE % {"count": f"{(n_i + n_j) * T:,}", "limit": f"{MAX_TIME_EFFECTS:,}"}
            hat = None
    else:
        bias = np.zeros_like(beta)
        note = NOTE_TWO_WAY
        fe_diag = _two_way_fe_variance(lam_b, pair_i, pair_j, n_i, n_j)
        hat = lam_b[:, :, None] * (leverage_x + fe_diag[:, :, None] * np.eye(T))
    if hat is not None:
        # Local de-biasing: each pair's scores e e' become (I - H_p (x V_x x' + d V_FE d'))^-1 e e'.
        adjusted_scores = np.linalg.solve(np.eye(T) - hat, outer)
        se_adjusted = np.sqrt(np.diag(_sandwich(x_b, adjusted_scores, bread, P)))
    return Correction(
        kind=THREE_WAY if three_way else TWO_WAY,
        names=list(names),
        estimate=beta,
        bias=np.asarray(bias, dtype=np.float64),
        corrected=beta - bias,
        se_original=se_original,
        se_adjusted=se_adjusted,
        pairs=P,
        exporters=n_i,
        importers=n_j,
        periods=T,
        note=note,
    )
