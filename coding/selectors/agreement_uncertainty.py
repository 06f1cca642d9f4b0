"""Agreement figures with their uncertainty for `agreement_report`: per indicator, and for the
depth score and its tier (issue 21). Reads only; the statistics are coding/pure/reliability.py
(point estimates) and coding/pure/agreement_intervals.py (intervals, minimum sample).

The depth score is the codebook's additive score and the tier the rank of the codebook tier it
falls in, both from coding/pure/depth.py: the same functions a release scores with."""

import pandas as pd

from ..pure import reliability
from ..pure.agreement_intervals import DEFAULT_REPLICATES, uncertainty, within_one
from ..pure.agreement_words import warning_words
from ..pure.depth import additive, tier_ranks
from .agreement_display import coded_columns
from .codings import coding_matrix
from .dashboard import FIRST_ANSWERS

SCORE_LEVELS = {"depth": "interval", "tier": "ordinal"}


def warning_text(warning):
    """A coded warning of agreement_intervals in English (the CLI; pages translate the codes):
    coding/pure/agreement_words.py, the wording the release README uses too."""
    return warning_words(warning)


def with_uncertainty(summary, matrix, *, level, categories=None, replicates=DEFAULT_REPLICATES, seed=0):
    """indicator_summary's dict plus "uncertainty", "p_alpha_below", "min_units", "not_estimable",
    "warning_codes"; the coded warnings also join "warnings" in English."""
    spread = uncertainty(matrix, level=level, categories=categories, replicates=replicates, seed=seed)
    return _with_spread(summary, spread)


def _with_spread(summary, spread):
    """`summary` with the fields of uncertainty(...)'s `spread` every row carries; its coded
    warnings join the summary's own in English."""
    return {
        **summary,
        "n_analytic": spread["n_analytic"],
        "uncertainty": spread["uncertainty"],
        "p_alpha_below": spread["p_alpha_below"],
        "min_units": spread["min_units"],
        "not_estimable": spread["not_estimable"],
        "warnings": [*summary.get("warnings", []), *(warning_text(w) for w in spread["warnings"])],
        "warning_codes": spread["warnings"],
    }


def _wide(part, coders):
    matrix = part.pivot_table(index="agreement_id", columns="coder", values="value", aggfunc="first")
    return matrix.reindex(columns=list(coders)) if coders else matrix


def uncertainty_by_indicator(
    *, version, coders=None, agreements=None, answers=FIRST_ANSWERS, replicates=DEFAULT_REPLICATES, seed=0
):
    """{indicator code: indicator_summary + uncertainty} over submitted codings of the chosen coders
    (the matrices of dashboard.reliability_by_indicator)."""
    frame, _approved = coding_matrix(
        version=version, coders=coders, agreements=agreements, first_answers=answers == FIRST_ANSWERS
    )
    results = {}
    for indicator in version.indicators.all():
        matrix = _wide(frame[frame.indicator == indicator.code], coders)
        summary = reliability.indicator_summary(matrix, level=indicator.level, categories=indicator.values)
        results[indicator.code] = with_uncertainty(
            summary, matrix, level=indicator.level, categories=indicator.values, replicates=replicates, seed=seed
        )
    return results


def depth_scores(frame, indicators):
    """agreements x coders of the additive depth score (NaN unless every depth indicator is coded)."""
    part = frame[frame.indicator.isin(indicators)]
    if part.empty:
        return pd.DataFrame()
    wide = part.pivot_table(index=["agreement_id", "coder"], columns="indicator", values="value", aggfunc="first")
    return additive(wide.reindex(columns=list(indicators)), list(indicators)).unstack("coder").astype(float)


def score_summary(matrix, *, level, replicates=DEFAULT_REPLICATES, seed=0):
    """One score's row in the shape of an indicator's: point estimates (alpha at the score's level,
    Cohen's kappa with quadratic weights for two coders, exact and within-one agreement for the
    depth score: agreement_intervals.within_one, None on fewer than two treaties) and their
    uncertainty."""
    frame = coded_columns(matrix)
    spread = uncertainty(frame, level=level, replicates=replicates, seed=seed)
    summary = {
        "n_units": spread["n_units"],
        "n_analytic": spread["n_analytic"],
        "n_coders": int(frame.shape[1]),
        "level": level,
        **{name: spread["estimates"].get(name) for name in (*spread["uncertainty"],)},
        "within_one": within_one(frame) if level == "interval" else None,
        "warnings": [],
    }
    for name in ("cohen_kappa", "weighted_kappa"):
        summary.setdefault(name, None)
    return _with_spread(summary, spread)


def scores_with_uncertainty(
    *, version, coders=None, agreements=None, answers=FIRST_ANSWERS, replicates=DEFAULT_REPLICATES, seed=0
):
    """{"depth": row, "tier": row} between the chosen coders; {} without depth indicators, no tier
    row without tiers."""
    indicators = list(version.depth_indicators or [])
    if not indicators:
        return {}
    frame, _approved = coding_matrix(
        version=version, coders=coders, agreements=agreements, first_answers=answers == FIRST_ANSWERS
    )
    depth = depth_scores(frame, indicators)
    if depth.empty:
        return {}
    if coders:
        depth = depth.reindex(columns=list(coders))
    rows = {"depth": score_summary(depth, level="interval", replicates=replicates, seed=seed)}
    if version.tiers:
        rows["tier"] = score_summary(
            tier_ranks(depth, version.tiers), level="ordinal", replicates=replicates, seed=seed
        )
    return rows
