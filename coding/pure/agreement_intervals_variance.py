"""The analytic half of coding/pure/agreement_intervals.py: Gwet's (2014, Handbook of Inter-Rater
Reliability, 4th ed., ch. 5) linearised variances of the agreement coefficients, conditional on
the coders, ported line by line from irrCAC (pa.coeff.raw; CAC.gwet, CAC.fleiss, CAC.krippendorff,
CAC.conger) into numpy without its pandas loops. Each coefficient c has per-unit terms c*_i with
mean c; var(c) = sum_i (c*_i - c)^2 / (n (n - 1)), n the units counted (coded at least once; for
alpha the pairable ones; for Cohen's kappa those both coders coded); the interval is Student's t
with n - 1 degrees of freedom, its upper end cut at 1 (irrCAC). Pure: numpy and scipy only."""

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import stats as scipy_stats

Floats: TypeAlias = npt.NDArray[np.float64]
Result: TypeAlias = tuple[float | None, list[float] | None]


def t_interval(value: float, se: float, n: int, confidence: float) -> list[float]:
    """irrCAC's interval: value -/+ t_{n-1} se, the upper end cut at 1."""
    half = float(scipy_stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * se
    return [float(value - half), float(min(1.0, value + half))]


def _finish(value: float, terms: Floats, centre: float, confidence: float) -> Result:
    n = len(terms)
    if n < 2 or not np.isfinite(value):
        return None, None
    se = float(np.sqrt(((terms - centre) ** 2).sum() / (n * (n - 1))))
    if not np.isfinite(se):
        return None, None
    return se, t_interval(value, se, n, confidence)


def _pa_terms(r: Floats, w: Floats) -> tuple[Floats, Floats, float]:
    """(sum_q per unit, pa_i per unit, pa) as irrCAC: den = r_i (r_i - 1), 1 where r_i < 2."""
    ri = r.sum(axis=1)
    sum_q = (r * (r @ w.T - 1)).sum(axis=1)
    den = ri * (ri - 1)
    den = den - (den == 0)
    pa_i = sum_q / den
    pairable = ri >= 2
    pa = float(pa_i[pairable].sum() / pairable.sum())
    return sum_q, pa_i, pa


def percent_agreement(r: Floats, confidence: float) -> Result:
    """irrCAC pa.coeff.raw: pa*_i = n / n2 * pa_i (n2 units coded twice)."""
    n, n2 = len(r), int((r.sum(axis=1) >= 2).sum())
    _, pa_i, pa = _pa_terms(r, np.eye(r.shape[1]))
    return _finish(pa, n / n2 * pa_i, pa, confidence)


def gwet_ac(r: Floats, w: Floats, confidence: float) -> Result:
    """irrCAC CAC.gwet (AC1 with identity weights, AC2 with the level's)."""
    n, q = r.shape
    ri = r.sum(axis=1)
    n2 = int((ri >= 2).sum())
    _, pa_i, pa = _pa_terms(r, w)
    if q < 2:
        return _finish(pa, n / n2 * pa_i, pa, confidence)
    pi = (r / ri[:, None]).mean(axis=0)
    scale = w.sum() / (q * (q - 1))
    pe = float(scale * (pi * (1 - pi)).sum())
    ac = (pa - pe) / (1 - pe)
    ac_i = n / n2 * (pa_i - pe * (ri >= 2)) / (1 - pe)
    pe_i = scale * (r @ (1 - pi)) / ri
    return _finish(ac, ac_i - 2 * (1 - ac) * (pe_i - pe) / (1 - pe), ac, confidence)


def fleiss_kappa(r: Floats, confidence: float) -> Result:
    """irrCAC CAC.fleiss (identity weights; Gwet's generalisation to varying raters per unit)."""
    n, q = r.shape
    ri = r.sum(axis=1)
    n2 = int((ri >= 2).sum())
    _, pa_i, pa = _pa_terms(r, np.eye(q))
    pi = (r / ri[:, None]).mean(axis=0)
    pe = float((pi**2).sum())
    if q < 2 or np.isclose(pe, 1.0):
        return None, None
    kappa = (pa - pe) / (1 - pe)
    kappa_i = n / n2 * (pa_i - pe * (ri >= 2)) / (1 - pe)
    pe_i = (r @ pi) / ri
    return _finish(kappa, kappa_i - 2 * (1 - kappa) * (pe_i - pe) / (1 - pe), kappa, confidence)


def krippendorff_alpha(r: Floats, w: Floats, confidence: float) -> Result:
    """irrCAC CAC.krippendorff over the pairable units with agreement weights w = 1 - delta / max
    delta (delta Krippendorff's metric of the level; the same alpha, scale-free). The spread is
    centred on alpha' (irrCAC), the interval on alpha."""
    r = r[r.sum(axis=1) >= 2]
    ri = r.sum(axis=1)
    n = len(r)
    if n < 2:
        return None, None
    ri_mean = ri.mean()
    eps = 1 / ri.sum()
    sum_q = (r * (r @ w.T - 1)).sum(axis=1)
    pa_prime = float((sum_q / (ri_mean * (ri - 1))).sum() / n)
    pa = (1 - eps) * pa_prime + eps
    pi = (r / ri_mean).mean(axis=0)
    pe = float((w * np.outer(pi, pi)).sum())
    if np.isclose(pe, 1.0):
        return None, None
    alpha = (pa - pe) / (1 - pe)
    alpha_prime = (pa_prime - pe) / (1 - pe)
    pa_i = sum_q / (ri_mean * (ri - 1)) - pa * (ri - ri_mean) / ri_mean
    alpha_i = (pa_i - pe) / (1 - pe)
    pi_w = (w @ pi + w.T @ pi) / 2
    pe_i = (r @ pi_w) / ri_mean - pe * (ri - ri_mean) / ri_mean
    terms = alpha_i - 2 * (1 - alpha_prime) * (pe_i - pe) / (1 - pe)
    return _finish(alpha, terms, alpha_prime, confidence)


def conger_kappa(values: Floats, cats: Floats, w: Floats, confidence: float) -> Result:
    """irrCAC CAC.conger on complete data (units x coders, no NaN): with two coders Cohen's kappa,
    weighted by w (identity: Cohen's; quadratic: Cohen's weighted kappa)."""
    n, raters = values.shape
    q = len(cats)
    if n < 2 or raters < 2:
        return None, None
    onehot = (values[:, :, None] == cats[None, None, :]).astype(float)  # n x raters x q
    agree = onehot.sum(axis=1)
    ng = np.full(raters, float(n))
    pgk = onehot.sum(axis=0) / ng[:, None]  # raters x q
    pbar = pgk.mean(axis=0)
    s2 = (pgk.T @ pgk - raters * np.outer(pbar, pbar)) / (raters - 1)
    pe = float((w * (np.outer(pbar, pbar) - s2 / raters)).sum())
    if np.isclose(pe, 1.0):
        return None, None
    sum_q = (agree * (agree @ w.T - 1)).sum(axis=1)
    pa_i = sum_q / (raters * (raters - 1))
    kappa = (float(pa_i.mean()) - pe) / (1 - pe)
    weighted_onehot = onehot @ w.T  # n x raters x q (sum_l w_kl d_igl)
    weighted_pgk = pgk @ w.T  # raters x q
    lam = np.zeros((n, raters))
    for k in range(q):  # q is small (the codebook's values); the units stay vectorised
        part = weighted_onehot[:, :, k] - (1 - ng / n)[None, :] * weighted_pgk[None, :, k]
        lam += part * (n / ng)[None, :] * (raters * pbar[k] - pgk[:, k])[None, :]
    pe_i = lam.sum(axis=1) / (raters * (raters - 1))
    kappa_i = (pa_i - pe) / (1 - pe)
    return _finish(kappa, kappa_i - 2 * (1 - kappa) * (pe_i - pe) / (1 - pe), kappa, confidence)


def analytic(t: Any, confidence: float) -> dict[str, Result]:
    """{STAT: (se, [lo, hi])} for the Tallies `t` of agreement_intervals (None, None: undefined)."""
    from .agreement_intervals import alpha_distances, level_weights

    out: dict[str, Result] = {
        "percent_agreement": percent_agreement(t.r, confidence),
        "gwet_ac": gwet_ac(t.r, t.weights, confidence),
        "fleiss_kappa": fleiss_kappa(t.r, confidence),
    }
    if t.q >= 2:
        pairable = t.r[t.r.sum(axis=1) >= 2]
        coincidences = t.coincidences[t.pairable > 0].sum(axis=0).reshape(t.q, t.q)
        distance = alpha_distances(t.level, t.cats, coincidences.sum(axis=1))
        w = 1 - distance / distance.max() if distance.max() > 0 else np.eye(t.q)
        out["krippendorff_alpha"] = krippendorff_alpha(pairable, w, confidence)
    if t.coders == 2:
        both = t.values[t.both > 0]
        out["cohen_kappa"] = conger_kappa(both, t.cats, np.eye(t.q), confidence)
        out["weighted_kappa"] = conger_kappa(both, t.cats, level_weights("interval", t.cats), confidence)
    return out
