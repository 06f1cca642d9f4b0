"""The double-coding planner of coding/pure/agreement_intervals.py (issue 21, item 4): how many
units must be double-coded for the lower confidence bound of Krippendorff's alpha to reach a
target. Computed by SIMULATION, not by a formula:

* A coding model with a known true alpha: each unit has a true value drawn from `prevalence`;
  each coder reports it with probability s and otherwise a value drawn from `prevalence` at random,
  independently. Two such coders agree beyond chance with kappa = alpha ~ s^2, so s = sqrt(assumed).
  The assumed true alpha is `assumed` (default .900: coders clearly above the .800 bar; a sample
  cannot show a lower bound above the true value, so it must exceed the target).
* For a candidate n, `replicates` samples of n units x `coders` coders are drawn and each gets
  Krippendorff's alpha. The bound a study of n units reports on average is alpha's mean over the
  samples less z times its standard deviation over them (the true sampling error at that n; a
  small sample's own estimate is 0 whenever its few units happen to agree, which would make 3
  units look enough). The answer is the smallest n (doubling from 4, then bisecting, up to MAX_UNITS) at which
  that average bound reaches the target and most samples (RULE_SHARE) show some variation (alpha
  is undefined on the others). Not the median sample's bound: with few units and a rare value the
  median sample agrees perfectly (alpha 1), so two coders looked better than three.
* Common random numbers: the draws are fixed before any n is tried, per replicate and unit, one
  stream for the true values and one stream per coder (numpy's default_rng([seed, 0]) and
  default_rng([seed, 1 + k]) for coder k). A candidate n uses the first n units of the same draws,
  a third coder adds her own stream to the same first two coders' draws, and a skewed prevalence
  cuts the same uniforms at other points, so seed noise does not reorder neighbouring answers.
* More coders never need more treaties: a sample coded by c coders holds one coded by c - 1 of
  them (the extra codings can be left out), so the answer for c coders is at most the one for
  c - 1. With a rare value the simulation alone is flat in the number of coders to within its
  noise (the treaties, not the coders, carry the uncertainty), so this bound is what keeps the
  answer monotone.
Pure: numpy and scipy; the whole search runs on arrays of samples x units (tens of milliseconds
for common values; about a second for a value in 1% of codings and four coders).
"""

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

MAX_UNITS = 2000
RULE_SHARE = 0.5
DEFAULT_ASSUMED_ALPHA = 0.9
PLANNER_REPLICATES = 200


def _draws(seed: int, replicates: int, coders: int) -> tuple[np.ndarray, np.ndarray]:
    """(truth uniforms: replicates x MAX_UNITS, coder uniforms: replicates x MAX_UNITS x coders x 2),
    coder k's from its own stream, the same whatever the number of coders (common random numbers)."""
    truth = np.random.default_rng([seed, 0]).random((replicates, MAX_UNITS))
    per_coder = [np.random.default_rng([seed, 1 + k]).random((replicates, MAX_UNITS, 2)) for k in range(coders)]
    return truth, np.stack(per_coder, axis=2)


def _codes(shares: np.ndarray, s: float, truth_draws: np.ndarray, coder_draws: np.ndarray) -> np.ndarray:
    """Every simulated code (samples x MAX_UNITS x coders, small integers) from the fixed draws,
    once per plan: each coder reports the true value when her first uniform is below s, else the
    value her second one picks. A candidate n takes the first n units."""
    cumulative = np.cumsum(shares)
    cumulative[-1] = 1.0
    truth = np.searchsorted(cumulative, truth_draws)  # samples x units
    guess = np.searchsorted(cumulative, coder_draws[..., 1])  # samples x units x coders
    codes: np.ndarray = np.where(coder_draws[..., 0] < s, truth[:, :, None], guess).astype(np.int8)
    return codes


def _counts(codes: np.ndarray, n: int, q: int) -> np.ndarray:
    """Category counts r (samples x n x q) of the first n units; one category at a time (a
    samples x n x coders x q boolean cube costs more than the whole search)."""
    first = codes[:, :n]
    counts: np.ndarray = np.stack([(first == k).sum(axis=2) for k in range(q)], axis=-1).astype(float)
    return counts


def _alphas(r: np.ndarray, level: str, cats: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha of each simulated sample (complete data; NaN without variation)."""
    from .agreement_intervals import alpha_distances

    samples, _, q = r.shape
    m = r[0, 0].sum()
    # pairs of values within units, summed over units: a batched matrix product (BLAS), less the diagonal
    coincidence = (np.matmul(r.transpose(0, 2, 1), r) - r.sum(axis=1)[:, :, None] * np.eye(q)) / (m - 1)
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
    Note codes: "average_bound_reaches_target" (found), "not_reached" (more than MAX_UNITS),
    "target_not_below_assumed", "one_category" (no variation: alpha undefined)."""
    answer: dict[str, Any] = {
        "units": None,
        "method": "simulation",
        "target": target,
        "assumed": assumed,
        "replicates": replicates,
        "note": "average_bound_reaches_target",
    }
    shares = np.array([max(float(p), 0.0) for p in prevalence])
    if coders < 2:
        raise ValueError(f"coders must be at least 2, not {coders}")
    if shares.sum() <= 0 or (shares > 0).sum() < 2:
        return {**answer, "note": "one_category"}
    if target >= assumed:
        return {**answer, "note": "target_not_below_assumed"}
    shares = shares / shares.sum()
    truth_draws, coder_draws = _draws(seed, replicates, coders)
    codes = _codes(shares, float(np.sqrt(assumed)), truth_draws, coder_draws)
    ceiling = MAX_UNITS
    units = None
    for panel in range(2, coders + 1):  # c coders need at most what c - 1 of them need
        found = _smallest_n(
            len(shares), level, float(scipy_stats.norm.ppf(confidence)), target, codes[:, :, :panel], ceiling
        )
        if found is not None:
            units = ceiling = found
    return {**answer, "units": units} if units is not None else {**answer, "note": "not_reached"}


def _smallest_n(q: int, level: str, z: float, target: float, codes: np.ndarray, ceiling: int) -> int | None:
    """The smallest n <= ceiling whose average lower bound reaches `target` (None: not even at
    the ceiling), by binary search on the fixed draws."""
    cats = np.arange(q, dtype=float)

    def reaches(n: int) -> bool:
        alphas = _alphas(_counts(codes, n, q), level, cats)
        finite = alphas[np.isfinite(alphas)]
        if len(finite) < max(
            2, RULE_SHARE * len(alphas)
        ):  # at least half the samples (RULE_SHARE) must show some variation
            return False
        return bool(finite.mean() - z * finite.std(ddof=1) >= target)

    # galloping, then bisecting: sizes 4, 8, 16, ... up to the ceiling until one reaches the target,
    # so a small answer costs small samples (a first try at MAX_UNITS costs more than the whole search)
    low, high = 2, min(4, ceiling)
    while not reaches(high):
        if high >= ceiling:
            return None
        low, high = high + 1, min(2 * high, ceiling)
    while low < high:  # reaches(high) holds; find the smallest such n
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    return high
