"""Uncertainty of the agreement coefficients: analytic standard errors and intervals, a percentile
bootstrap over units, Krippendorff's minimum sample and a double-coding planner. Pure: numpy,
pandas and scipy; no Django. Point estimates stay in coding/pure/reliability.py; this module adds
their spread (issue 21).

* **Analytic** standard errors follow Gwet, K. L. (2014), *Handbook of Inter-Rater Reliability*,
  4th ed., ch. 5 (variance of agreement coefficients), as the irrCAC package computes them:
  conditional on the coders (only units are sampled), linearised per unit,
  var = 1 / (n (n - 1)) * sum_i (c*_i - c)^2 over the n units coded at least once, and a
  Student-t interval with n - 1 degrees of freedom whose upper end is cut at 1 (irrCAC's
  pa.coeff.raw, CAC.gwet, CAC.fleiss, CAC.krippendorff, and CAC.conger for Cohen's kappa: with two
  coders Conger's kappa is Cohen's). The tests check each against irrCAC.
* **Bootstrap**: units (treaties) are resampled with replacement, B x n indices drawn at once by
  numpy.random.default_rng(seed).integers(0, n, (B, n)); every statistic of every replicate is
  then a matrix product of the B x n multiplicities with per-unit tallies, so 2,000 replicates cost
  a few milliseconds. The categories stay those of the whole sample (the codebook's plus those
  observed), as reliability.py would be called with `categories=`. A replicate on which a
  statistic is undefined (no variation) is left out of its percentiles.
* **Minimum sample**: Krippendorff (2004, Content Analysis, 2nd ed., sec. 11.4.4, Table 11.3;
  2019, 4th ed.), after Bloch & Kraemer (1989, eq. 3.7), for two coders:
      N >= 2 z^2 [ (1 + a)(3 - a) / (4 (1 - a) p (1 - p)) - a ],
  a the smallest acceptable alpha, p the prevalence of the rarest category, z the one-tailed normal
  quantile of the significance level (4 equally likely categories, a = .800, .05: 139 units).
"""

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

from .agreement_intervals_variance import analytic
from .reliability import Matrix, as_matrix, categories_of, category_counts, ordinal_weights

STATS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac")
LEVELS = ("nominal", "ordinal", "interval")
DEFAULT_REPLICATES = 2000
Floats: TypeAlias = npt.NDArray[np.float64]
Spread: TypeAlias = dict[str, Any]


# --- weights and distances ----------------------------------------------------------------------


def level_weights(level: str, cats: Floats) -> Floats:
    """Agreement weights of Gwet's AC and of the weighted kappas: identity (nominal), Gwet's ordinal
    weights (ordinal, as reliability.py), quadratic on the values (interval; irrCAC's "quadratic":
    1 - (x_k - x_l)^2 / max (x_k - x_l)^2)."""
    q = len(cats)
    if level == "ordinal":
        return ordinal_weights(q)
    if level == "interval" and q > 1:
        squared = (cats[:, None] - cats[None, :]) ** 2
        weights: Floats = 1 - squared / squared.max()
        return weights
    return np.eye(q)


def _ordinal_distances(marginals: Floats) -> Floats:
    """Krippendorff's ordinal metric from the coincidence marginals n_g (... x q):
    delta_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2."""
    cum = np.cumsum(marginals, axis=-1)
    lo = np.minimum.outer(np.arange(marginals.shape[-1]), np.arange(marginals.shape[-1]))
    hi = np.maximum.outer(np.arange(marginals.shape[-1]), np.arange(marginals.shape[-1]))
    between = cum[..., hi] - cum[..., lo] + marginals[..., lo]
    ends = (marginals[..., :, None] + marginals[..., None, :]) / 2
    distance: Floats = (between - ends) ** 2
    return distance


def alpha_distances(level: str, cats: Floats, marginals: Floats) -> Floats:
    """Krippendorff's squared differences delta_ck for `level` (marginals used by ordinal only)."""
    if level == "ordinal":
        return _ordinal_distances(marginals)
    if level == "interval":
        return np.asarray((cats[:, None] - cats[None, :]) ** 2, dtype=float)
    return 1 - np.eye(len(cats))


# --- the data, prepared once --------------------------------------------------------------------


class Tallies:
    """Per-unit tallies of a reliability matrix over the units coded at least once: everything the
    statistics (and their bootstrap) sum over units."""

    def __init__(self, matrix: Matrix, level: str, categories: Sequence[float] | None):
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
        frame = as_matrix(matrix)
        frame = frame.loc[frame.notna().any(axis=1), frame.notna().any(axis=0)]
        self.level = level
        self.values: Floats = frame.to_numpy(dtype=float)
        self.cats: Floats = categories_of(frame, categories)
        self.n, self.coders = self.values.shape
        self.q = len(self.cats)
        self.r: Floats = category_counts(frame, self.cats)
        self.ri: Floats = self.r.sum(axis=1)
        self.pairable: Floats = (self.ri >= 2).astype(float)
        self.weights = level_weights(level, self.cats)
        denominator = np.where(self.ri >= 2, self.ri * (self.ri - 1), 1.0)
        # per-unit observed agreement, exact (percent agreement, Fleiss) and level-weighted (Gwet)
        self.pa_exact: Floats = (self.r * (self.r - 1)).sum(axis=1) / denominator * self.pairable
        self.pa_weighted: Floats = (self.r * (self.r @ self.weights.T - 1)).sum(axis=1) / denominator * self.pairable
        self.shares: Floats = self.r / np.maximum(self.ri, 1)[:, None]
        # Krippendorff's coincidences per pairable unit, flattened q*q
        outer = self.r[:, :, None] * self.r[:, None, :] - self.r[:, :, None] * np.eye(self.q)[None]
        self.coincidences: Floats = (
            outer / np.where(self.ri >= 2, self.ri - 1, 1.0)[:, None, None] * self.pairable[:, None, None]
        ).reshape(self.n, self.q * self.q)
        # two coders: the units both coded, as one-hot cross-tables flattened q*q
        self.both: Floats = np.zeros(self.n)
        self.cross: Floats = np.zeros((self.n, self.q * self.q))
        if self.coders == 2 and self.q:
            both = ~np.isnan(self.values).any(axis=1)
            self.both = both.astype(float)
            a = np.searchsorted(self.cats, np.nan_to_num(self.values[:, 0], nan=self.cats[0]))
            b = np.searchsorted(self.cats, np.nan_to_num(self.values[:, 1], nan=self.cats[0]))
            self.cross[np.arange(self.n), a * self.q + b] = self.both

    @property
    def n_pairable(self) -> int:
        return int(self.pairable.sum())


# --- the statistics for many weightings of the units at once --------------------------------------


def _ratio(numerator: Floats, denominator: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: Floats = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)
    return out


def _chance_corrected(pa: Floats, pe: Floats) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: Floats = np.where(np.isclose(pe, 1.0), np.nan, (pa - pe) / (1 - pe))
    return out


def statistics(t: Tallies, counts: Floats) -> dict[str, Floats]:
    """Every statistic for each row of `counts` (R x n: how often each unit is drawn; a row of ones
    is the sample itself). NaN where undefined. Same conventions as reliability.py."""
    pairs = counts @ t.pairable
    coded = counts.sum(axis=1)
    pa = _ratio(counts @ t.pa_exact, pairs)
    paw = _ratio(counts @ t.pa_weighted, pairs)
    pi = _ratio(counts @ t.shares, coded[:, None]) if t.q else np.zeros((len(counts), 0))
    out: dict[str, Floats] = {"percent_agreement": pa}
    if t.q >= 2:
        pe_gwet = t.weights.sum() * (pi * (1 - pi)).sum(axis=1) / (t.q * (t.q - 1))
        out["gwet_ac"] = _chance_corrected(paw, pe_gwet)
        out["fleiss_kappa"] = _chance_corrected(pa, (pi**2).sum(axis=1))
    else:
        out["gwet_ac"] = paw  # one category: every pair agrees, AC = pa (reliability.gwet_parts)
        out["fleiss_kappa"] = np.full(len(counts), np.nan)
    out["krippendorff_alpha"] = _alpha(t, counts) if t.q >= 2 else np.full(len(counts), np.nan)
    if t.coders == 2 and t.q:
        tables = (counts @ t.cross).reshape(len(counts), t.q, t.q)
        out["cohen_kappa"] = _kappa_from_tables(tables, 1 - np.eye(t.q))
        out["weighted_kappa"] = _kappa_from_tables(tables, 1 - level_weights("interval", t.cats))
    else:
        out["cohen_kappa"] = out["weighted_kappa"] = np.full(len(counts), np.nan)
    return out


def _alpha(t: Tallies, counts: Floats) -> Floats:
    """Krippendorff's alpha = 1 - (n.. - 1) sum o_ck d_ck / sum n_c n_k d_ck (the krippendorff package)."""
    o = (counts @ t.coincidences).reshape(len(counts), t.q, t.q)
    marginals = o.sum(axis=2)
    total = marginals.sum(axis=1)
    d = alpha_distances(t.level, t.cats, marginals)
    observed = (o * d).sum(axis=(1, 2))
    if d.ndim == 2:
        d = np.broadcast_to(d, (len(counts), t.q, t.q))
    expected = np.einsum("bc,bk,bck->b", marginals, marginals, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha: Floats = np.where((expected > 0) & (total > 1), 1 - (total - 1) * observed / expected, np.nan)
    return alpha


def _kappa_from_tables(tables: Floats, disagreement: Floats) -> Floats:
    """Cohen's (weighted) kappa 1 - sum d p_obs / sum d p_row p_col of each cross-table."""
    n = tables.sum(axis=(1, 2))
    p = _ratio(tables, n[:, None, None])
    expected = np.einsum("bc,bk,ck->b", p.sum(axis=2), p.sum(axis=1), disagreement)
    observed = (p * disagreement).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa: Floats = np.where(expected > 1e-12, 1 - observed / expected, np.nan)
    return kappa


# --- the bootstrap --------------------------------------------------------------------------------


def bootstrap_counts(n: int, replicates: int, seed: int) -> Floats:
    """B x n multiplicities of the units in B resamples with replacement: the indices are
    default_rng(seed).integers(0, n, size=(B, n)), so a plain loop over those rows reproduces them."""
    idx = np.random.default_rng(seed).integers(0, n, size=(replicates, n))
    flat = (idx + n * np.arange(replicates)[:, None]).ravel()
    counts: Floats = np.bincount(flat, minlength=replicates * n).reshape(replicates, n).astype(float)
    return counts


def _percentiles(values: Floats, confidence: float) -> list[float] | None:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return None
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(finite, [tail, 100 - tail])
    return [float(lo), float(hi)]


def _plain(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


# --- the public entry point -----------------------------------------------------------------------


def uncertainty(
    matrix: Matrix,
    *,
    level: str = "nominal",
    categories: Sequence[float] | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = 0,
    thresholds: Sequence[float] = (0.667, 0.800),
    alpha_min: float = 0.667,
    significance: float = 0.05,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Spread of every statistic of reliability.py on `matrix` (units x coders, NaN missing).

    {"n_units": units coded at least twice, "n_analytic": units coded at least once (the n of the
     analytic variance of percent agreement, Fleiss' kappa and Gwet's AC, as irrCAC; warning
     "single_coded" when it exceeds n_units),
     "estimates": {STAT (and "weighted_kappa"): point value or None},
     "uncertainty": {STAT: {"se", "ci": [lo, hi] (analytic), "bootstrap_ci": [lo, hi]} or None},
     "not_estimable": {STAT: reason code}, "p_alpha_below": {"0.667": p, ...} or None,
     "min_units": int, "warnings": [{"code": ..., ...}], "replicates": B, "seed": seed}"""
    t = Tallies(matrix, level, categories)
    point = statistics(t, np.ones((1, t.n)))
    names = (*STATS, "weighted_kappa") if t.coders == 2 else STATS
    reasons: dict[str, str] = {}
    n_units = t.n_pairable
    for name in names:
        if n_units == 0:
            reasons[name] = "no_pairable_units"
        elif n_units == 1:
            reasons[name] = "one_unit"
        elif name in ("cohen_kappa", "weighted_kappa") and t.coders != 2:
            reasons[name] = "two_coders_needed"
        elif name in ("cohen_kappa", "weighted_kappa") and t.both.sum() < 2:
            reasons[name] = "one_unit" if t.both.sum() == 1 else "no_pairable_units"
        elif not np.isfinite(point[name][0]):
            reasons[name] = "no_variation"
    spreads: dict[str, Spread | None] = dict.fromkeys(names)
    replicated: dict[str, Floats] = {}
    if n_units >= 2:
        replicated = statistics(t, bootstrap_counts(t.n, replicates, seed))
        spreads_analytic = analytic(t, confidence)
        for name in names:
            if name in reasons:
                continue
            se, ci = spreads_analytic.get(name, (None, None))
            spreads[name] = {"se": se, "ci": ci, "bootstrap_ci": _percentiles(replicated[name], confidence)}
    below = None
    if "krippendorff_alpha" not in reasons and replicated:
        alphas = replicated["krippendorff_alpha"]
        alphas = alphas[np.isfinite(alphas)]
        if len(alphas):
            below = {f"{x:.3f}": float((alphas < x).mean()) for x in thresholds}
    shares = t.r.sum(axis=0) / t.r.sum() if t.r.sum() else np.ones(max(t.q, 1)) / max(t.q, 1)
    if level == "interval":  # a score: any one value can be rare, so Krippendorff's p_c = 1 / values in use
        shares = np.full(max(int((shares > 0).sum()), 1), 1 / max(int((shares > 0).sum()), 1))
    needed = min_units(alpha_min=alpha_min, significance=significance, prevalence=shares.tolist() or [1.0])
    warnings: list[dict[str, Any]] = []
    if n_units == 1:
        warnings.append({"code": "one_unit"})
    elif n_units == 0:
        warnings.append({"code": "no_pairable_units"})
    if 0 < n_units < needed:
        warnings.append({"code": "few_units", "n": n_units, "min": needed})
    if n_units >= 2 and t.n > n_units:
        # irrCAC's variance of percent agreement, Fleiss' kappa and Gwet's AC runs over every unit
        # coded at least once (n, not n2): kept, to match irrCAC, and said (issue 21)
        warnings.append({"code": "single_coded", "n_single": t.n - n_units, "n_pairable": n_units})
    return {
        "n_units": n_units,
        "n_analytic": t.n,
        "level": level,
        "estimates": {name: (None if name in reasons else _plain(point[name][0])) for name in names},
        "uncertainty": spreads,
        "not_estimable": reasons,
        "p_alpha_below": below,
        "min_units": needed,
        "warnings": warnings,
        "replicates": replicates,
        "seed": seed,
    }


def within_one(matrix: Matrix) -> float | None:
    """Share of the units coded at least twice whose codings all lie within 1 of each other (the
    depth score's "within +-1"); None on fewer than two such units: one treaty is no share."""
    frame = as_matrix(matrix)
    pairable = frame[frame.notna().sum(axis=1) >= 2]
    if len(pairable) < 2:
        return None
    return float(((pairable.max(axis=1) - pairable.min(axis=1)) <= 1).mean())


# --- how many units ----------------------------------------------------------------------------


def min_units(*, alpha_min: float = 0.667, significance: float = 0.05, prevalence: Sequence[float]) -> int:
    """Krippendorff's (2004, sec. 11.4.4, Table 11.3; after Bloch & Kraemer 1989) minimum number of
    units for two coders to tell alpha >= `alpha_min` at `significance` (one-tailed), given the
    category shares `prevalence`: the rarest (non-zero) share p decides,
    N = 2 z^2 [(1 + a)(3 - a) / (4 (1 - a) p (1 - p)) - a], rounded up."""
    shares = [float(p) for p in prevalence if float(p) > 0]
    if not shares:
        raise ValueError("prevalence: at least one positive share is needed")
    p = min(shares)
    if p >= 1:  # one category only: Krippendorff's rule takes the rarest value as 1/2 at best
        p = 0.5
    p = min(p, 1 - p)
    z = float(scipy_stats.norm.ppf(1 - significance))
    a = alpha_min
    n = 2 * z**2 * ((1 + a) * (3 - a) / (4 * (1 - a) * p * (1 - p)) - a)
    return int(np.ceil(n - 1e-9))


from .agreement_intervals_sample import units_needed as units_needed  # noqa: E402 - the planner uses the functions above
