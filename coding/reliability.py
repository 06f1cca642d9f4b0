"""Inter-coder agreement statistics. Pure: numpy, pandas, statsmodels and krippendorff only.

Input everywhere is a reliability matrix: rows are units (agreements), columns are coders, cells
are numeric codes, NaN where a coder did not code the unit. Missing is missing, never 0.

Formulas for percent agreement, Fleiss' kappa with missing data and Gwet's AC1/AC2 follow Gwet
(2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 2-4, as implemented in his R package
irrCAC (pa_i = sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)) over units rated by two or more coders,
r*_ik = sum_l w_kl r_il). irrCAC itself cannot be installed beside pandas 3, hence this module;
tests check it against the published values of Gwet's and Krippendorff's worked examples.
"""
import warnings
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa, to_table

LEVELS = {"nominal", "ordinal"}


def as_matrix(matrix):
    frame = matrix if isinstance(matrix, pd.DataFrame) else pd.DataFrame(np.asarray(matrix, dtype=float))
    return frame.astype(float)


def categories_of(frame, categories=None):
    observed = np.unique(frame.to_numpy()[~np.isnan(frame.to_numpy())])
    if categories is None:
        return np.array(sorted(observed), dtype=float)
    return np.array(sorted(set(map(float, categories)) | set(observed)), dtype=float)


def ordinal_weights(q):
    """Gwet's ordinal weights: w_kl = 1 - M_kl / max M with M_kl = C(|k - l| + 1, 2)."""
    k = np.arange(q)
    n_kl = np.abs(k[:, None] - k[None, :]) + 1
    m = n_kl * (n_kl - 1) / 2
    return 1 - m / m.max() if m.max() > 0 else np.ones((q, q))


def weights_for(level, q):
    return ordinal_weights(q) if level == "ordinal" else np.eye(q)


def counts(frame, cats):
    """r_ik: how many coders put unit i in category k."""
    values = frame.to_numpy()
    return np.stack([(values == c).sum(axis=1) for c in cats], axis=1).astype(float)


def _clean(value):
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) or np.isinf(value) else value


def _weighted_pa(r, w):
    r_i = r.sum(axis=1)
    multi = r_i >= 2
    if not multi.any():
        return None, multi
    r_star = r @ w.T
    per_unit = (r * (r_star - 1)).sum(axis=1)[multi] / (r_i[multi] * (r_i[multi] - 1))
    return float(per_unit.mean()), multi


def _category_shares(r):
    """pi_k: mean over units coded at least once of the share of codings in category k."""
    r_i = r.sum(axis=1)
    coded = r_i >= 1
    return (r[coded] / r_i[coded, None]).mean(axis=0)


def percent_agreement(matrix, categories=None):
    frame = as_matrix(matrix)
    cats = categories_of(frame, categories)
    if len(cats) == 0:
        return None
    # Exact agreement, whatever the level: what "percent agreement" means to a reader.
    pa, _ = _weighted_pa(counts(frame, cats), np.eye(len(cats)))
    return _clean(pa)


def gwet_ac(matrix, level="nominal", categories=None):
    """Gwet's AC1 (nominal) or AC2 with ordinal weights (ordinal)."""
    frame = as_matrix(matrix)
    cats = categories_of(frame, categories)
    q = len(cats)
    if q < 2:
        return None if q == 0 else _degenerate(frame)
    r = counts(frame, cats)
    w = weights_for(level, q)
    pa, _ = _weighted_pa(r, w)
    if pa is None:
        return None
    pi = _category_shares(r)
    pe = w.sum() * (pi * (1 - pi)).sum() / (q * (q - 1))
    return _clean((pa - pe) / (1 - pe)) if pe != 1 else None


def _degenerate(frame):
    """One category only, with at least one unit coded twice: perfect agreement, AC = 1."""
    r_i = (~np.isnan(frame.to_numpy())).sum(axis=1)
    return 1.0 if (r_i >= 2).any() else None


def fleiss_kappa_generalised(matrix, categories=None):
    """Fleiss' kappa; with missing data, Gwet's generalisation (varying coders per unit).
    With complete data it equals the classic statistic (statsmodels is used then)."""
    frame = as_matrix(matrix)
    cats = categories_of(frame, categories)
    if len(cats) < 2:
        return None
    r = counts(frame, cats)
    r_i = r.sum(axis=1)
    rated = r_i[r_i > 0]
    if len(rated) and (rated == rated[0]).all() and rated[0] >= 2 and (r_i > 0).sum() >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = fleiss_kappa(r[r_i > 0], method="fleiss")
        return _clean(value)
    pa, _ = _weighted_pa(r, np.eye(len(cats)))
    if pa is None:
        return None
    pi = _category_shares(r)
    pe = float((pi**2).sum())
    return _clean((pa - pe) / (1 - pe)) if pe != 1 else None


def cohen_kappa(matrix, categories=None):
    """Cohen's kappa for exactly two coders over the units both coded (statsmodels)."""
    frame = as_matrix(matrix)
    if frame.shape[1] != 2:
        return None
    both = frame.dropna()
    if len(both) < 2:
        return None
    cats = categories_of(both, categories)
    if len(cats) < 2:
        return None
    table, _ = to_table(both.to_numpy(), bins=np.append(cats, cats[-1] + 1) - 0.5)
    expected = table.sum(axis=1) @ table.sum(axis=0) / table.sum() ** 2
    if np.isclose(expected, 1.0):
        return None  # both coders used one and the same value throughout: kappa is undefined
    return _clean(cohens_kappa(table, return_results=False))


def krippendorff_alpha(matrix, level="nominal", categories=None):
    frame = as_matrix(matrix)
    data = frame.to_numpy().T  # krippendorff wants coders x units
    cats = categories_of(frame, categories)
    if len(cats) < 2 or (~np.isnan(data)).sum(axis=0).max(initial=0) < 2:
        return None
    try:
        with warnings.catch_warnings():  # 0/0 when there is no variation: reported as None below
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=data, level_of_measurement=level, value_domain=list(cats))
    except (ValueError, ZeroDivisionError):
        return None
    return _clean(value)


def prevalence_warning(matrix, threshold=0.9):
    values = as_matrix(matrix).to_numpy()
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return None
    uniques, tallies = np.unique(values, return_counts=True)
    share = tallies.max() / tallies.sum()
    if share > threshold:
        value = uniques[tallies.argmax()]
        return (f"value {value:g} makes up {share:.0%} of all codings: kappa and alpha can be low or undefined "
                "although coders agree (kappa paradox); read Gwet's AC beside them")
    return None


def _coded(frame):
    return frame.loc[:, frame.notna().any(axis=0)]


def indicator_summary(matrix, level="nominal", categories=None):
    if level not in LEVELS:
        raise ValueError(f"level must be nominal or ordinal, not {level!r}")
    frame = _coded(as_matrix(matrix))
    n_per_unit = frame.notna().sum(axis=1)
    warnings = []
    warning = prevalence_warning(frame)
    if warning:
        warnings.append(warning)
    if frame.shape[1] >= 2 and (n_per_unit < frame.shape[1]).any() and (n_per_unit >= 2).any():
        missing = int((n_per_unit < frame.shape[1]).sum())
        warnings.append(f"{missing} units are not coded by every coder; they count where coded (missing is not 0)")
    return {
        "n_units": int((n_per_unit >= 2).sum()),
        "n_coders": int(frame.shape[1]),
        "percent_agreement": percent_agreement(frame, categories=categories),
        "cohen_kappa": cohen_kappa(frame, categories=categories) if frame.shape[1] == 2 else None,
        "fleiss_kappa": fleiss_kappa_generalised(frame, categories=categories),
        "krippendorff_alpha": krippendorff_alpha(frame, level=level, categories=categories),
        "gwet_ac": gwet_ac(frame, level=level, categories=categories),
        "level": level,
        "warnings": warnings,
    }


def pairwise_summary(matrix, level="nominal", categories=None):
    frame = as_matrix(matrix)
    rows = []
    for a, b in combinations(frame.columns, 2):
        pair = frame[[a, b]]
        rows.append({
            "coder_a": a, "coder_b": b,
            "n_units": int(pair.notna().all(axis=1).sum()),
            "percent_agreement": percent_agreement(pair, categories=categories),
            "cohen_kappa": cohen_kappa(pair, categories=categories),
            "krippendorff_alpha": krippendorff_alpha(pair, level=level, categories=categories),
            "gwet_ac": gwet_ac(pair, level=level, categories=categories),
        })
    return rows


def accuracy_against(matrix, truth):
    """Per coder: share of units where the coder's value equals the truth (adjudicated or reference)."""
    frame = as_matrix(matrix)
    truth = pd.Series(truth, dtype=float)
    result = {}
    for coder in frame.columns:
        both = pd.concat([frame[coder], truth], axis=1, join="inner").dropna()
        n = len(both)
        result[coder] = {"n": n, "accuracy": float((both.iloc[:, 0] == both.iloc[:, 1]).mean()) if n else None}
    return result
