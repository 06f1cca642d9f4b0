"""Inter-coder agreement statistics. Pure: numpy, pandas, statsmodels and krippendorff; no Django.

Input everywhere is a *reliability matrix*: a DataFrame (or 2-D array-like) with one row per unit
(agreement), one column per coder, numeric codes in the cells and NaN where a coder did not code
the unit. Missing is missing, never 0: a NaN never counts as a value or as a disagreement.

Every function returns a plain Python float, or None where the statistic is undefined (no unit
coded twice, no variation, ...): never NaN, so results go straight into JSON.

Conventions shared by the statistics (and why):

* A unit counts towards observed agreement when at least two coders coded it ("pairable");
  units coded once carry no information about agreement.
* Categories are the numeric codes observed, united with the codebook's allowed values when
  given (`categories`), sorted numerically. Ordinal ranks follow that order. A value outside the
  codebook still counts, so that bad data shows up as disagreement instead of an exception.
* Percent agreement, Fleiss' kappa with missing data and Gwet's AC1/AC2 follow Gwet, K. L. (2014),
  *Handbook of Inter-Rater Reliability*, 4th ed., Advanced Analytics: the general case of many
  raters where each unit i is rated by r_i of them, as implemented in Gwet's R package irrCAC
  (functions pa.coeff.raw, fleiss.kappa.raw, gwet.ac1.raw). With r_ik the number of coders who put
  unit i in category k, w the q x q weight matrix and r*_ik = sum_l w_kl r_il:

      pa   = mean over units with r_i >= 2 of  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))
      pi_k = mean over units with r_i >= 1 of  r_ik / r_i
      AC:     pe = sum_kl(w_kl) / (q (q - 1)) * sum_k pi_k (1 - pi_k)
      Fleiss: pe = sum_kl w_kl pi_k pi_l
      coefficient = (pa - pe) / (1 - pe)

  Neither irrCAC (R) nor its Python port is available in this environment, hence this numpy
  implementation; the tests check it against the values Gwet publishes for his example data.
* Krippendorff's alpha is the `krippendorff` package (Castro's implementation); Cohen's and the
  complete-data Fleiss' kappa are statsmodels.
"""

from collections.abc import Hashable, Sequence
from itertools import combinations
from typing import Any, Literal, TypeAlias

import krippendorff
import numpy as np
import numpy.typing as npt
import pandas as pd
from statsmodels.stats import inter_rater

from .notes import Note, english, gettext_noop, ngettext_lazy, note, plural_note

Level = Literal["nominal", "ordinal"]
# A statistic on fewer units is not estimable (None), never a number: on one unit alpha is 0.000
# and Gwet's AC -1.000 whatever the coders did (issue 21).
MIN_UNITS = 2
LEVELS: tuple[Level, ...] = ("nominal", "ordinal")

# A reliability matrix as callers hand it in: a DataFrame or anything numpy reads as 2-D.
Matrix: TypeAlias = "pd.DataFrame | npt.ArrayLike"
# The codebook's allowed values of an indicator (None: only the values observed).
Categories = Sequence[float] | None
Floats = npt.NDArray[np.float64]


# --- input -----------------------------------------------------------------------------------


def as_matrix(matrix: Matrix) -> pd.DataFrame:
    """Units x coders as a float DataFrame (None and pandas' NA become NaN)."""
    if isinstance(matrix, pd.DataFrame):
        return matrix.astype(float)
    return pd.DataFrame(np.asarray(matrix, dtype=float))


def categories_of(frame: pd.DataFrame, categories: Categories = None) -> Floats:
    """Sorted category values: those observed, plus the codebook's allowed values if given."""
    values = frame.to_numpy()
    found = set(values[~np.isnan(values)].tolist())
    if categories is not None:
        found |= {float(c) for c in categories}
    return np.array(sorted(found), dtype=float)


def category_counts(frame: pd.DataFrame, cats: Floats) -> Floats:
    """r_ik: how many coders put unit i into category k (units x categories)."""
    values = frame.to_numpy()
    counts = np.zeros((len(values), len(cats)))
    for k, value in enumerate(cats):
        counts[:, k] = (values == value).sum(axis=1)
    return counts


def _check_level(level: str) -> Level:
    """`level` as one of LEVELS, or ValueError naming it."""
    for known in LEVELS:
        if level == known:
            return known
    raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


def _clean(value: Any) -> float | None:
    """A plain float, or None for None/NaN/inf (undefined statistics are None, never NaN)."""
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _label(value: Hashable) -> Hashable:
    """Coder labels as plain Python values (numpy scalars are not JSON serialisable)."""
    return value.item() if isinstance(value, np.generic) else value


# --- weights ---------------------------------------------------------------------------------


def ordinal_weights(q: int) -> Floats:
    """Gwet's ordinal weights (Gwet 2014, Handbook, 4th ed., the chapter on weighted agreement
    coefficients for ordinal and interval data; irrCAC's ordinal.weights). They depend on ranks only, not on the numeric codes:

        w_kl = 1 - M_kl / max(M),  M_kl = C(n_kl, 2) = n_kl (n_kl - 1) / 2,
        n_kl = max(k, l) - min(k, l) + 1   (k, l = ranks 1..q),

    so w_kk = 1, max(M) = C(q, 2) and the two extreme categories get weight 0. M_kl counts the
    pairs of categories lying between k and l inclusive: a disagreement across more ranks gets
    less partial credit, without assuming equal distances between codes."""
    rank = np.arange(q)
    n_kl = np.abs(rank[:, None] - rank[None, :]) + 1
    m = n_kl * (n_kl - 1) / 2
    return 1 - m / m.max() if q > 1 else np.ones((q, q))


def weights_for(level: str, q: int) -> Floats:
    """Identity weights (exact agreement only) for nominal data, Gwet's ordinal weights else."""
    return ordinal_weights(q) if level == "ordinal" else np.eye(q)


# --- Gwet's building blocks --------------------------------------------------------------------


def _observed_agreement(r: Floats, w: Floats) -> float | None:
    """pa: over units coded at least twice, the (weighted) share of agreeing ordered coder pairs."""
    r_i = r.sum(axis=1)
    pairable = r_i >= 2
    if pairable.sum() < MIN_UNITS:
        return None
    r_star = r @ w.T
    per_unit = (r * (r_star - 1)).sum(axis=1)[pairable] / (r_i[pairable] * (r_i[pairable] - 1))
    return float(per_unit.mean())


def _category_shares(r: Floats) -> Floats:
    """pi_k: mean over units coded at least once of the share of their codings in category k.
    Units coded once count here (Gwet): they say something about prevalence, not agreement."""
    r_i = r.sum(axis=1)
    coded = r_i >= 1
    shares: Floats = (r[coded] / r_i[coded, None]).mean(axis=0)
    return shares


def _chance_corrected(pa: float | None, pe: float | None) -> float | None:
    if pa is None or pe is None or np.isclose(pe, 1.0):
        return None
    return _clean((pa - pe) / (1 - pe))


def _counts_and_weights(matrix: Matrix, level: str, categories: Categories) -> tuple[Floats, Floats]:
    frame = as_matrix(matrix)
    cats = categories_of(frame, categories)
    return category_counts(frame, cats), weights_for(level, len(cats))


# --- the statistics --------------------------------------------------------------------------


def percent_agreement(matrix: Matrix, categories: Categories = None) -> float | None:
    """Mean over units coded at least twice of the share of coder pairs that agree exactly
    (pairwise agreement; irrCAC's pa.coeff.raw). Exact whatever the level: that is what a
    reader understands by "percent agreement"."""
    r, w = _counts_and_weights(matrix, "nominal", categories)
    return _observed_agreement(r, w) if r.shape[1] else None


def gwet_parts(matrix: Matrix, level: str = "nominal", categories: Categories = None) -> dict[str, float] | None:
    """Gwet's AC1/AC2 ingredients: {'pa', 'pe', 'q'}, or None without a unit coded twice.
    pe = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k), T_w the sum of all weights; q counts the
    codebook's categories too, as irrCAC does with categ.labels. With q = 1 every pair agrees
    and irrCAC sets pe to ~0 (AC = pa = 1); so do we."""
    _check_level(level)
    r, w = _counts_and_weights(matrix, level, categories)
    q = r.shape[1]
    pa = _observed_agreement(r, w) if q else None
    if pa is None:
        return None
    pi = _category_shares(r)
    pe = float(w.sum() * (pi * (1 - pi)).sum() / (q * (q - 1))) if q >= 2 else 0.0
    return {"pa": pa, "pe": pe, "q": q}


def gwet_ac(matrix: Matrix, level: str = "nominal", categories: Categories = None) -> float | None:
    """Gwet's AC1 (nominal: identity weights) or AC2 (ordinal: Gwet's ordinal weights), for any
    number of coders and missing codings (Gwet 2014, ch. on multiple raters; irrCAC gwet.ac1.raw).
    Unlike kappa it stays interpretable when one value dominates (the kappa paradox)."""
    parts = gwet_parts(matrix, level, categories)
    return _chance_corrected(parts["pa"], parts["pe"]) if parts else None


def fleiss_kappa(matrix: Matrix, categories: Categories = None) -> float | None:
    """Fleiss' kappa, nominal.

    When every coded unit has the same number m >= 2 of codings (Fleiss' 1971 design) this is
    statsmodels' fleiss_kappa on the aggregate_raters table. Otherwise, rather than dropping every
    unit some coder skipped (which would discard most of a reliability sample where coders share
    units unevenly), Gwet's generalisation to varying numbers of raters is used (irrCAC's
    fleiss.kappa.raw): pa as in percent_agreement, pe = sum_k pi_k^2 with pi_k averaged over units
    coded at least once. With a constant m both give the same number. None when undefined
    (no unit coded twice, or a single category in use)."""
    frame = as_matrix(matrix)
    cats = categories_of(frame, categories)
    if len(cats) < 2:
        return None
    values = frame.to_numpy()
    per_unit = (~np.isnan(values)).sum(axis=1)
    per_unit = per_unit[per_unit > 0]
    if len(per_unit) and per_unit.min() == per_unit.max() >= 2:
        return _fleiss_complete(values)
    return _fleiss_generalised(category_counts(frame, cats))


def _fleiss_generalised(r: Floats) -> float | None:
    """Gwet's Fleiss' kappa for a varying number of raters per unit, from the counts r_ik."""
    pa = _observed_agreement(r, np.eye(r.shape[1]))
    if pa is None:
        return None
    pi = _category_shares(r)
    return _chance_corrected(pa, float((pi**2).sum()))


def _fleiss_complete(values: Floats) -> float | None:
    """statsmodels' Fleiss' kappa; each row's non-missing codings side by side (same count)."""
    rows = [row[~np.isnan(row)] for row in values if (~np.isnan(row)).any()]
    if len(rows) < MIN_UNITS:
        return None
    table, _ = inter_rater.aggregate_raters(np.array(rows))
    shares = table.sum(axis=0) / table.sum()
    if np.isclose((shares**2).sum(), 1.0):
        return None  # one category only: chance agreement is 1, kappa undefined
    return _clean(inter_rater.fleiss_kappa(table, method="fleiss"))


def _contingency(a: Floats, b: Floats, cats: Floats) -> Floats:
    """Cross-table of two coders' values (rows: first coder) over all categories."""
    table = np.zeros((len(cats), len(cats)))
    np.add.at(table, (np.searchsorted(cats, a), np.searchsorted(cats, b)), 1)
    return table


def cohen_kappa(matrix: Matrix, categories: Categories = None) -> float | None:
    """Cohen's kappa (unweighted) for exactly two coders, over the units both coded
    (statsmodels' cohens_kappa on the contingency table). None for any other number of coders,
    without a unit coded by both, or when chance agreement is 1 (both coders used one and the
    same value throughout)."""
    frame = as_matrix(matrix)
    if frame.shape[1] != 2:
        return None
    both = frame.dropna().to_numpy()
    if len(both) < MIN_UNITS:
        return None
    cats = categories_of(frame, categories)
    table = _contingency(both[:, 0], both[:, 1], cats)
    pe = (table.sum(axis=1) @ table.sum(axis=0)) / table.sum() ** 2
    if np.isclose(pe, 1.0):
        return None
    return _clean(inter_rater.cohens_kappa(table, return_results=False))


def weighted_kappa(matrix: Matrix, categories: Categories = None) -> float | None:
    """Cohen's kappa with quadratic weights on the values (Cohen 1968), two coders, over the units
    both coded: 1 - sum (x - y)^2 p_xy / sum (x - y)^2 p_x. p_.y. With equally spaced codes it is
    sklearn's cohen_kappa_score(weights="quadratic"). For scores (the depth score): a near miss
    costs little, a large gap much. None as cohen_kappa."""
    frame = as_matrix(matrix)
    if frame.shape[1] != 2:
        return None
    both = frame.dropna().to_numpy()
    if len(both) < MIN_UNITS:
        return None
    cats = categories_of(frame, categories)
    p = _contingency(both[:, 0], both[:, 1], cats) / len(both)
    distance = (cats[:, None] - cats[None, :]) ** 2
    expected = float(p.sum(axis=1) @ distance @ p.sum(axis=0))
    if np.isclose(expected, 0.0):
        return None
    return _clean(1 - float((p * distance).sum()) / expected)


def krippendorff_alpha(matrix: Matrix, level: str = "nominal", categories: Categories = None) -> float | None:
    """Krippendorff's alpha (`krippendorff` package; it takes coders x units). The value domain is
    the codebook's allowed values plus anything observed, so the ordinal metric knows the whole
    scale. Only pairable units count (Krippendorff). None without a pairable unit or when there
    is no variation (expected disagreement 0)."""
    metric = _check_level(level)
    frame = as_matrix(matrix)
    data = frame.to_numpy().T
    cats = categories_of(frame, categories)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if len(cats) < 2 or pairable.sum() < MIN_UNITS:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 without variation -> None below
        value = krippendorff.alpha(reliability_data=data, level_of_measurement=metric, value_domain=cats.tolist())
    return _clean(value)


# --- warnings and summaries ------------------------------------------------------------------


NO_VARIATION = gettext_noop(
    "every coding is %(value)s: without variation kappa and alpha are undefined (kappa paradox); "
    "percent agreement and Gwet's AC still apply"
)
PREVALENT = gettext_noop(
    "value %(value)s makes up %(share)s of all codings (over %(threshold)s): kappa and alpha can be "
    "low although coders agree (kappa paradox); read percent agreement and Gwet's AC beside them"
)
NOT_CODED_BY_EVERY_CODER = ngettext_lazy(
    "%(count)s unit is not coded by every coder: it counts where coded (missing is not 0); "
    "Cohen's kappa uses only units both coders coded",
    "%(count)s units are not coded by every coder: they count where coded (missing is not 0); "
    "Cohen's kappa uses only units both coders coded",
)
OUTSIDE_CODEBOOK = gettext_noop("values outside the codebook counted as categories: %(values)s")


def prevalence_note(matrix: Matrix, threshold: float = 0.9) -> Note | None:
    """A warning when one value makes up more than `threshold` of all non-missing codings: kappa and
    alpha then drop towards 0 (or become undefined) although coders mostly agree - the "kappa
    paradox" (Feinstein & Cicchetti 1990). None otherwise."""
    values = as_matrix(matrix).to_numpy()
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return None
    uniques, tallies = np.unique(values, return_counts=True)
    share = tallies.max() / tallies.sum()
    if share <= threshold:
        return None
    value = f"{uniques[tallies.argmax()]:g}"
    if share == 1:
        return note(NO_VARIATION, value=value)
    return note(PREVALENT, value=value, share=f"{share:.0%}", threshold=f"{threshold:.0%}")


def _coders_with_codings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[:, frame.notna().any(axis=0)]


def _missing_note(frame: pd.DataFrame) -> Note | None:
    per_unit = frame.notna().sum(axis=1)
    incomplete = int(((per_unit >= 1) & (per_unit < frame.shape[1])).sum())
    if frame.shape[1] < 2 or incomplete == 0:
        return None
    return plural_note(*NOT_CODED_BY_EVERY_CODER, incomplete)


def _outside_codebook_note(frame: pd.DataFrame, categories: Categories) -> Note | None:
    if categories is None:
        return None
    outside = sorted(set(categories_of(frame)) - {float(c) for c in categories})
    if not outside:
        return None
    return note(OUTSIDE_CODEBOOK, values=[f"{v:g}" for v in outside])


def indicator_summary(matrix: Matrix, level: str = "nominal", categories: Categories = None) -> dict[str, Any]:
    """All statistics for one indicator, JSON-ready. Coders without a single coding are ignored.
    "warnings" in English, "warning_notes" the same as notes (coding/pure/notes.py) for pages."""
    _check_level(level)
    frame = _coders_with_codings(as_matrix(matrix))
    found = [
        n
        for n in (prevalence_note(frame), _missing_note(frame), _outside_codebook_note(frame, categories))
        if n is not None
    ]
    return {
        "n_units": int((frame.notna().sum(axis=1) >= 2).sum()),
        "n_coders": int(frame.shape[1]),
        "percent_agreement": percent_agreement(frame, categories=categories),
        "cohen_kappa": cohen_kappa(frame, categories=categories),
        "fleiss_kappa": fleiss_kappa(frame, categories=categories),
        "krippendorff_alpha": krippendorff_alpha(frame, level=level, categories=categories),
        "gwet_ac": gwet_ac(frame, level=level, categories=categories),
        "level": level,
        "warnings": [english(n) for n in found],
        "warning_notes": found,
    }


def pairwise_summary(matrix: Matrix, level: str = "nominal", categories: Categories = None) -> list[dict[str, Any]]:
    """For every pair of coders (columns): units both coded and the two-coder statistics.
    Gwet's AC takes its category shares from every unit either coder coded (Gwet's treatment of
    missing data); the other statistics use the units both coded."""
    _check_level(level)
    frame = as_matrix(matrix)
    rows = []
    for a, b in combinations(frame.columns, 2):
        pair = frame[[a, b]]
        rows.append(
            {
                "coder_a": _label(a),
                "coder_b": _label(b),
                "n_units": int(pair.notna().all(axis=1).sum()),
                "percent_agreement": percent_agreement(pair, categories=categories),
                "cohen_kappa": cohen_kappa(pair, categories=categories),
                "krippendorff_alpha": krippendorff_alpha(pair, level=level, categories=categories),
                "gwet_ac": gwet_ac(pair, level=level, categories=categories),
            }
        )
    return rows


def accuracy_against(matrix: Matrix, truth: Any) -> dict[Hashable, dict[str, Any]]:
    """Per coder: {'n': units both the coder and `truth` (adjudicated or reference values, a Series
    indexed like the matrix rows) have a value for, 'accuracy': share of those where they are
    equal, None when n is 0}."""
    frame = as_matrix(matrix)
    reference = pd.Series(truth, dtype=float)
    result = {}
    for coder in frame.columns:
        both = pd.concat([frame[coder], reference], axis=1, join="inner").dropna()
        n = len(both)
        accuracy = float((both.iloc[:, 0] == both.iloc[:, 1]).mean()) if n else None
        result[_label(coder)] = {"n": n, "accuracy": accuracy}
    return result
