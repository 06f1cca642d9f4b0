"""Latent depth: a Rasch model for binary indicators and a partial credit model (Masters 1982) for
ordinal ones, fitted by marginal maximum likelihood over a N(0, 1) ability (Bock & Aitkin 1981);
per treaty the expected a-posteriori (EAP) score and its posterior standard deviation. Pure
(analysis/pure): numpy, scipy and pandas only, no Django.

The model. Item j has ordered categories 0..m_j (m_j = 1 for a binary item): the values
of the indicator that treaties were coded with, in order (a codebook value no treaty has carries
no information and its threshold would be infinite, so it is left out and the fit says so), with
thresholds delta_j1..delta_jm:

    P(X_j = x | theta) ∝ exp(sum_{h<=x} (a * theta - delta_jh)),  theta ~ N(0, 1).

For a binary item this is the Rasch model with difficulty delta_j1. The slope `a` is common to
all items (the Rasch restriction): it is the ability's standard deviation on the logit scale,
estimated so that the scores stay on a N(0, 1) scale. The marginal likelihood integrates theta
out by Gauss-Hermite quadrature; missing answers drop out of a treaty's likelihood, so a treaty
is scored from the items it has (with a wider posterior).

Why scipy plus our own likelihood: girth and py-irt are not installed in the workbench's
environment (nothing new may be added to it), py-irt needs PyTorch and fits by variational
inference (no maximum-likelihood standard errors), and girth's MML routines take no missing
answers without their own imputation and return no log-likelihood or convergence flag. The
model is small (one matrix product per evaluation, an analytic gradient), so scipy's L-BFGS on
the exact marginal log-likelihood is fast, and the observed information from the gradient gives
standard errors of the item parameters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize

from coding.pure.notes import Note, english, note

from .errors import SpecError, gettext_noop

Array = npt.NDArray[np.float64]

QUADRATURE_NODES = 61  # Gauss-Hermite nodes; EAPs agree with adaptive integration to ~1e-6
# Fewer treaties than this are refused: each binary difficulty rests on n answers, and its
# sampling SE, about 1 / sqrt(n p (1 - p)) in logits, is already 0.63 at n = 10 with p = 0.5 (far
# more for a provision most treaties share); below 10 the N(0, 1) prior, not the codes, decides
# the scores. Between 10 and WARN_TREATIES the fit runs with a warning.
MIN_TREATIES = 10
WARN_TREATIES = 50
GRID = np.linspace(-4.0, 4.0, 161)  # ability values at which curves are reported
# The fit's warnings (kept as notes, coding/pure/notes.py, and said in English by `warnings`).
UNUSED_VALUES = gettext_noop(
    "%(code)s: no treaty of the %(n)s coded on it has the value %(values)s; fitted on the values used (%(used)s)"
)
FEW_TREATIES = gettext_noop("only %(n)s treaties: item parameters rest on few answers (see their standard errors)")
UNSCORED = gettext_noop("%(n)s treaties have no code on any depth indicator and get no latent score")
NOT_CONVERGED = gettext_noop("the optimiser did not converge: %(reason)s")


class IrtRefusal(SpecError):
    """The latent model cannot be fitted to these codes (the message names the indicator and count)."""


@dataclass
class ItemModel:
    code: str
    values: list[int]  # the codebook value of each category 0..m (the values treaties were coded with)
    categories: int  # m + 1
    thresholds: list[float]
    threshold_ses: list[float | None]
    n_answers: int

    @property
    def kind(self) -> str:
        return "rasch" if self.categories == 2 else "partial credit"


@dataclass
class IrtFit:
    items: list[ItemModel]
    slope: float
    slope_se: float | None
    log_likelihood: float
    converged: bool
    iterations: int
    message: str
    n_treaties: int  # treaties with at least one answer (fitted and scored)
    n_answers: int
    eap: pd.Series  # agreement id -> EAP (NaN without any answer)
    posterior_sd: pd.Series
    marginal_reliability: float
    notes: list[Note] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [english(n) for n in self.notes]

    def summary(self) -> dict[str, Any]:
        """The item parameters and fit statistics as plain JSON, kept with a release."""
        return {
            "model": "Rasch (binary) / partial credit (ordinal), marginal maximum likelihood",
            "ability": "N(0, 1)",
            "quadrature_nodes": QUADRATURE_NODES,
            "slope": _round(self.slope),
            "slope_se": _round(self.slope_se),
            "log_likelihood": _round(self.log_likelihood),
            "converged": self.converged,
            "iterations": self.iterations,
            "optimizer_message": self.message,
            "n_treaties": self.n_treaties,
            "n_answers": self.n_answers,
            "marginal_reliability": _round(self.marginal_reliability),
            "items": [
                {
                    "code": item.code,
                    "model": item.kind,
                    "values": item.values,
                    "categories": item.categories,
                    "thresholds": [_round(t) for t in item.thresholds],
                    "threshold_ses": [_round(s) for s in item.threshold_ses],
                    "n_answers": item.n_answers,
                }
                for item in self.items
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 8)


def quadrature(nodes: int = QUADRATURE_NODES) -> tuple[Array, Array]:
    """Nodes and log-weights integrating against the standard normal density."""
    points, weights = np.polynomial.hermite_e.hermegauss(nodes)
    return points.astype(np.float64), np.log(weights / math.sqrt(2.0 * math.pi))


def category_log_probabilities(theta: Array, slope: float, thresholds: Array) -> Array:
    """log P(X = x | theta) for x = 0..m (rows: theta, columns: x) of one item."""
    steps = slope * theta[:, None] - thresholds[None, :]
    numerators = np.concatenate([np.zeros((len(theta), 1)), np.cumsum(steps, axis=1)], axis=1)
    top = numerators.max(axis=1, keepdims=True)
    normaliser = top + np.log(np.exp(numerators - top).sum(axis=1, keepdims=True))
    return np.asarray(numerators - normaliser, dtype=np.float64)


@dataclass
class _Design:
    """The answers as one-hot columns (one per item category) and where each item's columns are."""

    onehot: Array  # distinct answer patterns x total categories
    observed: Array  # patterns x items, 1 where answered
    starts: list[int]
    sizes: list[int]
    counts: Array  # treaties with each pattern
    pattern_of: npt.NDArray[np.intp]  # each treaty's pattern


def _design(values: Array, sizes: list[int]) -> _Design:
    starts = list(np.cumsum([0, *sizes[:-1]]).astype(int))
    onehot = np.zeros((values.shape[0], sum(sizes)))
    observed = ~np.isnan(values)
    for j, start in enumerate(starts):
        rows = np.flatnonzero(observed[:, j])
        onehot[rows, start + values[rows, j].astype(int)] = 1.0
    # Treaties with the same answers have the same posterior: the likelihood is computed once per
    # distinct pattern (at most a few hundred for seven items), weighted by how many share it.
    patterns, pattern_of, counts = np.unique(onehot, axis=0, return_inverse=True, return_counts=True)
    answered = np.stack([patterns[:, s : s + n].sum(axis=1) for s, n in zip(starts, sizes, strict=True)], axis=1)
    return _Design(patterns, answered, starts, sizes, counts.astype(np.float64), pattern_of.reshape(-1))


def _unpack(params: Array, sizes: list[int]) -> tuple[float, list[Array]]:
    slope = float(np.exp(params[0]))
    thresholds, position = [], 1
    for size in sizes:
        thresholds.append(params[position : position + size - 1])
        position += size - 1
    return slope, thresholds


def _log_probability_table(theta: Array, slope: float, thresholds: list[Array]) -> Array:
    return np.concatenate([category_log_probabilities(theta, slope, t) for t in thresholds], axis=1)


def _posterior(design: _Design, table: Array, log_weights: Array) -> tuple[Array, Array]:
    """(log marginal likelihood per treaty, posterior weights treaties x nodes)."""
    joint = design.onehot @ table.T + log_weights[None, :]
    top = joint.max(axis=1, keepdims=True)
    marginal = top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))
    return marginal, np.exp(joint - marginal[:, None])


def _negative_log_likelihood(params: Array, design: _Design, theta: Array, log_weights: Array) -> tuple[float, Array]:
    """Minus the marginal log-likelihood and its analytic gradient (Fisher's identity: the
    gradient is the posterior expectation of the complete-data score)."""
    slope, thresholds = _unpack(params, design.sizes)
    table = _log_probability_table(theta, slope, thresholds)
    marginal, weights = _posterior(design, table, log_weights)
    weights = weights * design.counts[:, None]
    counts = weights.T @ design.onehot  # nodes x categories: expected answers in each category
    answered = weights.T @ design.observed  # nodes x items: expected answers to each item
    gradient = np.zeros_like(params)
    slope_score, position = 0.0, 1
    for j, (start, size) in enumerate(zip(design.starts, design.sizes, strict=True)):
        probabilities = np.exp(table[:, start : start + size])
        category = np.arange(size)
        observed_total = counts[:, start : start + size] @ category
        expected_total = answered[:, j] * (probabilities @ category)
        slope_score += float(theta @ (observed_total - expected_total))
        # d log P(x) / d delta_h = -(1[x >= h] - P(X >= h))
        at_least_observed = np.cumsum(counts[:, start : start + size][:, ::-1], axis=1)[:, ::-1][:, 1:]
        at_least_expected = np.cumsum(probabilities[:, ::-1], axis=1)[:, ::-1][:, 1:] * answered[:, j : j + 1]
        gradient[position : position + size - 1] = -(at_least_observed - at_least_expected).sum(axis=0)
        position += size - 1
    gradient[0] = slope_score * slope  # chain rule through log(slope)
    return -float(marginal @ design.counts), -gradient


def _observed_information(params: Array, design: _Design, theta: Array, log_weights: Array) -> Array:
    """The Hessian of minus the log-likelihood by central differences of the analytic gradient."""
    step = 1e-5
    columns = []
    for k in range(len(params)):
        shift = np.zeros_like(params)
        shift[k] = step
        plus = _negative_log_likelihood(params + shift, design, theta, log_weights)[1]
        minus = _negative_log_likelihood(params - shift, design, theta, log_weights)[1]
        columns.append((plus - minus) / (2 * step))
    hessian = np.array(columns)
    return np.asarray((hessian + hessian.T) / 2, dtype=np.float64)


def _prepared(
    codes: pd.DataFrame, ranges: Mapping[str, tuple[float, float]]
) -> tuple[Array, list[int], list[list[int]], list[Note]]:
    """Answers as category numbers 0..m, each item's number of categories and the codebook value of
    each category, and warnings; refusals."""
    missing = [c for c in codes.columns if c not in ranges]
    if missing:
        raise IrtRefusal.of(gettext_noop("%(code)s: no codebook range of values"), code=missing[0])
    answered = codes.notna().any(axis=1)
    n = int(answered.sum())
    if n < MIN_TREATIES:
        raise IrtRefusal.of(
            gettext_noop(
                "The latent depth model needs at least %(minimum)s treaties with codes; %(n)s have any. "
                "With fewer, each item difficulty rests on too few answers (its standard error exceeds "
                "0.6 logits) and the N(0, 1) prior, not the codes, decides the scores."
            ),
            minimum=MIN_TREATIES,
            n=n,
        )
    values: list[Array] = []
    sizes: list[int] = []
    categories: list[list[int]] = []
    warnings: list[Note] = []
    for code in codes.columns:
        column = pd.to_numeric(codes[code], errors="coerce").astype(float)
        low, high = (round(v) for v in ranges[code])
        given = column.dropna()
        if (given % 1 != 0).any() or (given < low).any() or (given > high).any():
            raise IrtRefusal.of(
                gettext_noop("%(code)s: values must be whole numbers from %(low)s to %(high)s"),
                code=code,
                low=low,
                high=high,
            )
        if given.nunique() < 2:
            raise IrtRefusal.of(
                gettext_noop(
                    "%(code)s does not vary: all %(n)s treaties coded on it have %(value)s, so the "
                    "latent model cannot place it (leave it out of the depth indicators)"
                ),
                code=code,
                n=len(given),
                value=(_round(float(given.iloc[0])) if len(given) else "no code"),
            )
        used = sorted(int(v) for v in given.unique())
        empty = sorted(set(range(low, high + 1)) - set(used))
        if empty:
            warnings.append(note(UNUSED_VALUES, code=code, n=len(given), values=empty, used=used))
        values.append(np.asarray(column.map({v: float(k) for k, v in enumerate(used)}), dtype=np.float64))
        sizes.append(len(used))
        categories.append(used)
    return np.asarray(np.column_stack(values)[answered.to_numpy()], dtype=np.float64), sizes, categories, warnings


def _start(design: _Design) -> Array:
    """Starting values: each threshold the log-odds of stepping up among the answers, slope 1."""
    params = [0.0]
    for start, size in zip(design.starts, design.sizes, strict=True):
        counts = design.counts @ design.onehot[:, start : start + size] + 0.5
        params.extend(np.log(counts[:-1] / counts[1:]).tolist())
    return np.array(params)


def fit(codes: pd.DataFrame, ranges: Mapping[str, tuple[float, float]]) -> IrtFit:
    """Fit the model to `codes` (agreement id x indicator; NaN = missing) whose allowed values run
    over `ranges` {code: (lowest, highest)}; IrtRefusal when it cannot be fitted."""
    values, sizes, categories, warnings = _prepared(codes, ranges)
    answered = codes.notna().any(axis=1)
    design = _design(values, sizes)
    theta, log_weights = quadrature()
    result = optimize.minimize(
        _negative_log_likelihood,
        _start(design),
        args=(design, theta, log_weights),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 500, "gtol": 1e-7},
    )
    params = np.asarray(result.x, dtype=np.float64)
    slope, thresholds = _unpack(params, sizes)
    try:
        covariance = np.linalg.inv(_observed_information(params, design, theta, log_weights))
        variances = np.diag(covariance)
        ses: list[float | None] = [math.sqrt(v) if v > 0 else None for v in variances]
    except np.linalg.LinAlgError:
        ses = [None] * len(params)
    table = _log_probability_table(theta, slope, thresholds)
    _, weights = _posterior(design, table, log_weights)
    mean = (weights @ theta)[design.pattern_of]
    sd = np.sqrt(np.maximum(weights @ theta**2 - (weights @ theta) ** 2, 0.0))[design.pattern_of]
    index = codes.index[answered.to_numpy()]
    items, position = [], 1
    for code, size, used, t in zip(codes.columns, sizes, categories, thresholds, strict=True):
        items.append(
            ItemModel(
                str(code), used, size, t.tolist(), ses[position : position + size - 1], int(codes[code].notna().sum())
            )
        )
        position += size - 1
    if len(index) < WARN_TREATIES:
        warnings.append(note(FEW_TREATIES, n=len(index)))
    unscored = int((~answered).sum())
    if unscored:
        warnings.append(note(UNSCORED, n=unscored))
    if not result.success:
        warnings.append(note(NOT_CONVERGED, reason=str(result.message)))
    error_variance = float(np.mean(sd**2))
    return IrtFit(
        items=items,
        slope=slope,
        slope_se=(slope * ses[0] if ses[0] is not None else None),  # delta method through log(slope)
        log_likelihood=-float(result.fun),
        converged=bool(result.success),
        iterations=int(result.nit),
        message=str(result.message),
        n_treaties=len(index),
        n_answers=int(design.counts @ design.observed.sum(axis=1)),
        eap=pd.Series(mean, index=index).reindex(codes.index),
        posterior_sd=pd.Series(sd, index=index).reindex(codes.index),
        marginal_reliability=float(np.var(mean) / (np.var(mean) + error_variance)),
        notes=warnings,
    )


def curves(summary: Mapping[str, Any], grid: Array = GRID) -> dict[str, Any]:
    """From a stored summary (IrtFit.summary()): each item's characteristic curve (its expected
    score as a share of its highest category: P(X = 1) for a binary item), the test information
    function sum_j a^2 Var(X_j | theta), and the standard error it implies, 1 / sqrt(information)."""
    slope = float(summary["slope"])
    characteristic: dict[str, list[float]] = {}
    information = np.zeros_like(grid)
    for item in summary["items"]:
        thresholds = np.array([float(t) for t in item["thresholds"]])
        probabilities = np.exp(category_log_probabilities(grid, slope, thresholds))
        category = np.arange(probabilities.shape[1], dtype=np.float64)
        expected = probabilities @ category
        characteristic[str(item["code"])] = (expected / category[-1]).tolist()
        information += slope**2 * (probabilities @ category**2 - expected**2)
    return {
        "theta": grid.tolist(),
        "characteristic": characteristic,
        "information": information.tolist(),
        "standard_error": (1.0 / np.sqrt(information)).tolist(),
    }
