"""The double-coding planner of coding/pure/agreement_intervals.py (issue 21, item 4): how many
units must be double-coded for the lower confidence bound of Krippendorff's alpha to reach a
target. Computed by SIMULATION, not by a formula:

* A coding model with a known true alpha: each unit has a true value drawn from `prevalence`;
  each coder reports it with probability s and otherwise a value drawn from `prevalence` at random,
  independently. Two such coders agree beyond chance with kappa = alpha ~ s^2, so s = sqrt(assumed).
  The assumed true alpha is `assumed` (default .900: coders clearly above the .800 bar; a sample
  cannot show a lower bound above the true value, so it must exceed the target).
* For a candidate n, `replicates` samples of n units x `coders` coders are drawn (seeded; the same
  random numbers for every n, so the answer is reproducible) and each gets alpha's one-sided lower
  bound at `confidence`: alpha - z * SE, SE the standard deviation of alpha over the simulated
  samples of that size (the true sampling error; a small sample's own estimate is 0 whenever its
  few units happen to agree, which would make 3 units look enough).
* The answer is the smallest n (binary search over 2..MAX_UNITS) at which the bound reaches the
  target in at least half of the samples (the median sample succeeds): RULE_SHARE.
Pure: numpy and scipy; the whole search runs on arrays of samples x units (well under a second).
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

MAX_UNITS = 2000
RULE_SHARE = 0.5
DEFAULT_ASSUMED_ALPHA = 0.9
PLANNER_REPLICATES = 200


def _simulate(n: int, shares: np.ndarray, coders: int, s: float, uniforms: np.ndarray) -> np.ndarray:
    """Category counts r (samples x n x q) from the first n units of the fixed uniform draws."""
    cumulative = np.cumsum(shares)
    cumulative[-1] = 1.0
    truth = np.searchsorted(cumulative, uniforms[:, :n, 0])  # samples x n
    guess = np.searchsorted(cumulative, uniforms[:, :n, 1 : 1 + coders])  # samples x n x coders
    reliable = uniforms[:, :n, 1 + coders : 1 + 2 * coders] < s
    codes = np.where(reliable, truth[:, :, None], guess)
    q = len(shares)
    counts: np.ndarray = (codes[..., None] == np.arange(q)).sum(axis=2).astype(float)
    return counts


def _alphas(r: np.ndarray, level: str, cats: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha of each simulated sample (complete data; NaN without variation)."""
    from .agreement_intervals import alpha_distances

    samples, _, q = r.shape
    m = r[0, 0].sum()
    coincidence = (np.einsum("snc,snk->sck", r, r) - np.einsum("snc,ck->sck", r, np.eye(q))) / (m - 1)
    marginals = coincidence.sum(axis=2)
    distance = alpha_distances(level, cats, marginals)
    if distance.ndim == 2:
        distance = np.broadcast_to(distance, (samples, q, q))
    total = marginals.sum(axis=1)
    observed = (coincidence * distance).sum(axis=(1, 2))
    expected = np.einsum("sc,sk,sck->s", marginals, marginals, distance)
    with np.errstate(divide="ignore", invalid="ignore"):
        alphas: np.ndarray = np.where(expected > 0, 1 - (total - 1) * observed / expected, np.nan)
    return alphas


def units_needed(
    *,
    prevalence: Sequence[float],
    coders: int = 2,
    target: float = 0.667,
    confidence: float = 0.95,
    level: str = "nominal",
    seed: int = 0,
    replicates: int = PLANNER_REPLICATES,
    assumed: float = DEFAULT_ASSUMED_ALPHA,
) -> dict[str, Any]:
    """{"units": smallest n, or None, "method": "simulation", "target", "assumed", "note": code}.
    Note codes: "median_sample_reaches_target" (found), "not_reached" (more than MAX_UNITS),
    "target_not_below_assumed", "one_category" (no variation: alpha undefined)."""
    answer: dict[str, Any] = {
        "units": None,
        "method": "simulation",
        "target": target,
        "assumed": assumed,
        "rule_share": RULE_SHARE,
        "note": "median_sample_reaches_target",
    }
    shares = np.array([max(float(p), 0.0) for p in prevalence])
    if coders < 2:
        raise ValueError(f"coders must be at least 2, not {coders}")
    if shares.sum() <= 0 or (shares > 0).sum() < 2:
        return {**answer, "note": "one_category"}
    if target >= assumed:
        return {**answer, "note": "target_not_below_assumed"}
    shares = shares / shares.sum()
    cats = np.arange(len(shares), dtype=float)
    uniforms = np.random.default_rng(seed).random((replicates, MAX_UNITS, 1 + 2 * coders))
    s = float(np.sqrt(assumed))
    z = float(scipy_stats.norm.ppf(confidence))

    def reaches(n: int) -> bool:
        alphas = _alphas(_simulate(n, shares, coders, s, uniforms), level, cats)
        finite = alphas[np.isfinite(alphas)]
        if len(finite) < 2:
            return False
        # each sample's lower bound with the standard error alpha really has at this n (the spread
        # over the simulated samples; a sample's own estimate is 0 when its few units all agree)
        bounds = np.where(np.isfinite(alphas), alphas - z * finite.std(ddof=1), -np.inf)
        return bool((bounds >= target).mean() >= RULE_SHARE)

    if not reaches(MAX_UNITS):
        return {**answer, "note": "not_reached"}
    low, high = 2, MAX_UNITS  # reaches(high) holds; find the smallest such n
    while low < high:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    return {**answer, "units": high}
