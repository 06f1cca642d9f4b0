"""Rubin's rules (Rubin 1987, *Multiple Imputation for Nonresponse in Surveys*, ch. 3): one
coefficient fitted M times, once on each plausible value of a measured regressor, combined into
one estimate whose standard error carries the measurement's uncertainty. Pure: numpy and scipy.

For M estimates q_m with standard errors s_m:
    estimate  Q = mean(q_m)
    within    W = mean(s_m^2)                      (the fits' own sampling variance)
    between   B = sum((q_m - Q)^2) / (M - 1)       (how much the plausible values move it)
    total     T = W + (1 + 1/M) B,  SE = sqrt(T)
    FMI       lambda = (1 + 1/M) B / T             (the share of T due to the measurement)
Degrees of freedom: Barnard and Rubin (1999, Biometrika 86): nu_old = (M - 1) / lambda^2,
nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lambda), nu = 1 / (1/nu_old + 1/nu_obs);
without the complete-data degrees of freedom nu_com, Rubin's nu_old."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from .errors import gettext_noop

FEW_DRAWS = 5  # below this the between variance rests on too few draws to be trusted
# Notes stored with a combination, in English, translated when shown (templates say them in words).
NOTE_FEW_DRAWS = gettext_noop(
    "fewer than 5 plausible values: the between-draw variance, and with it the total standard error "
    "and the fraction of missing information, rest on too few draws"
)
NOTE_NO_BETWEEN = gettext_noop(
    "the between-draw variance is 0: every plausible value gave the same estimate, so the coding "
    "uncertainty adds nothing to this coefficient's standard error"
)


@dataclass(frozen=True)
class Combined:
    """One coefficient combined over M fits. `df` is None when it is not estimable (B = 0 and no
    complete-data degrees of freedom: the combination is then the single fit's normal interval)."""

    m: int
    estimate: float
    within: float
    between: float
    total: float
    se: float
    fmi: float
    relative_increase: float | None
    df: float | None
    ci_low: float
    ci_high: float
    p: float
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


def barnard_rubin_df(m: int, fmi: float, complete_df: float | None) -> float | None:
    """Barnard-Rubin degrees of freedom (Rubin's (M-1)/lambda^2 without `complete_df`); None
    (infinite) when lambda = 0 and no complete-data degrees of freedom are known."""
    old = math.inf if fmi <= 0 else (m - 1) / fmi**2
    if complete_df is None or complete_df <= 0:
        return None if math.isinf(old) else old
    observed = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - fmi)
    if observed <= 0:
        return old if not math.isinf(old) else None
    return observed if math.isinf(old) else 1 / (1 / old + 1 / observed)


def combine(
    estimates: Sequence[float], standard_errors: Sequence[float], *, complete_df: float | None = None
) -> Combined:
    """Rubin's rules for one coefficient (see the module's docstring). ValueError for fewer than
    two fits or a standard error that is not a finite number (a fit whose SE is missing cannot
    be combined: its within variance is unknown)."""
    q = np.asarray(estimates, dtype=float)
    s = np.asarray(standard_errors, dtype=float)
    if q.shape != s.shape or q.size < 2:
        raise ValueError(f"Rubin's rules need at least 2 fits with an estimate and a standard error, got {q.size}")
    if not (np.isfinite(q).all() and np.isfinite(s).all()):
        raise ValueError("Rubin's rules need finite estimates and standard errors in every fit")
    m = int(q.size)
    estimate = float(q.mean())
    within = float((s**2).mean())
    between = float(q.var(ddof=1))
    # A spread below rounding noise is no spread: the same estimate M times.
    if between <= (1e-12 * max(abs(estimate), 1.0)) ** 2:
        between = 0.0
    inflated = (1 + 1 / m) * between
    total = within + inflated
    fmi = inflated / total if total > 0 else 0.0
    df = barnard_rubin_df(m, fmi, complete_df)
    se = math.sqrt(total)
    critical = float(stats.norm.ppf(0.975)) if df is None else float(stats.t.ppf(0.975, df))
    statistic = estimate / se if se > 0 else math.inf
    p = float(2 * (stats.norm.sf(abs(statistic)) if df is None else stats.t.sf(abs(statistic), df)))
    notes = ([NOTE_FEW_DRAWS] if m < FEW_DRAWS else []) + ([NOTE_NO_BETWEEN] if between == 0 else [])
    return Combined(
        m=m,
        estimate=estimate,
        within=within,
        between=between,
        total=total,
        se=se,
        fmi=fmi,
        relative_increase=inflated / within if within > 0 else None,
        df=df,
        ci_low=estimate - critical * se,
        ci_high=estimate + critical * se,
        p=p,
        notes=tuple(notes),
    )
