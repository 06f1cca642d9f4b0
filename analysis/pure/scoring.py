"""Depth scores, tiers and the rows of a dataset release from indicator codes. Pure
(analysis/pure): pandas, numpy and statsmodels only, no Django.

`codes` is a DataFrame with one row per agreement and one column per indicator code. Totals are
always recomputed from the codes: a printed total is never trusted. An agreement missing any
indicator of the score gets no score (NaN), not a score that treats the gap as 0.

The additive sum and the tier a score falls in are coding/pure/depth.py's, shared with the
agreement figures on the depth score (re-exported here for the callers of scoring).

A release is one pure call: analysis.selectors.releases.release_inputs reads a ReleaseInputs,
release_table() turns it into rows and a summary (deciding the tiers, once), and
analysis.services.releases.release_create hashes and stores them.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.multivariate.pca import PCA

from coding.pure.depth import Tier, additive, assign_tiers
from coding.pure.notes import Note, english, note

from . import bounds, irt
from .errors import gettext_noop

METHODS = {"additive", "weighted", "pca", "irt"}
# The first principal component's warnings (notes, coding/pure/notes.py; English in `warnings`).
UNCORRELATED = gettext_noop(
    "the component is uncorrelated with the additive score: its direction was set by the "
    "loadings and 'higher = deeper' is not established"
)
MIXED_SIGNS = gettext_noop(
    "loadings have mixed signs (negative: %(negative)s): a provision loading negatively lowers the "
    "score, so the component is not a 'more provisions = deeper' measure"
)
CONSTANT = gettext_noop("left out for not varying across the %(n)s complete agreements: %(codes)s")


@dataclass
class ScoreResult:
    depth: "pd.Series[float]"
    method: str
    indicators: list[str]
    weights: dict[str, float] = field(default_factory=dict)
    loadings: dict[str, float] = field(default_factory=dict)
    explained_variance: float | None = None
    # PCA: correlation of the (oriented) component with the additive score, and what to tell users
    # (mixed-sign loadings, indicators left out for not varying).
    correlation_with_additive: float | None = None
    notes: list[Note] = field(default_factory=list)
    # IRT (analysis/pure/irt.py): each score's posterior SD and the item parameters kept with a release.
    standard_error: "pd.Series[float] | None" = None
    irt: dict[str, Any] | None = None

    @property
    def warnings(self) -> list[str]:
        return [english(n) for n in self.notes]


def first_principal_component(
    codes: pd.DataFrame,
    indicators: list[str],
) -> "tuple[pd.Series[float], dict[str, float], float, float | None, list[Note]]":
    """Scores on the first principal component of the standardised indicators (complete rows),
    its loadings, the share of variance it explains, its correlation with the additive score,
    and warnings (notes).

    The sign of a component is arbitrary. It is oriented so that it correlates positively with
    the additive score (more provisions, higher score); the sum of loadings cannot decide it:
    with two varying indicators the loadings are +-0.707 and sum to 0 (the study's Table 6)."""
    part = codes[indicators].astype(float).dropna()
    varying = [c for c in indicators if part[c].std(ddof=0) > 0]
    if len(part) < 3 or len(varying) < 2:
        raise ValueError("the first principal component needs at least 3 complete agreements and 2 varying indicators")
    pca = PCA(part[varying], ncomp=min(len(varying), len(part)), standardize=True, normalize=True, method="svd")
    loadings = pd.Series(pca.loadings.iloc[:, 0].to_numpy(), index=varying)
    scores = pd.Series(pca.factors.iloc[:, 0].to_numpy(), index=part.index)
    warnings: list[Note] = []
    total = part.sum(axis=1)
    correlation = float(np.corrcoef(scores, total)[0, 1]) if total.std(ddof=0) > 0 else float("nan")
    if np.isnan(correlation) or abs(correlation) < 1e-12:
        # No direction from the additive score (it is constant on these agreements, or orthogonal):
        # fall back to the loadings, and say so.
        warnings.append(note(UNCORRELATED))
        flip = loadings.sum() < 0 or (abs(loadings.sum()) < 1e-12 and loadings[loadings.abs() > 1e-12].iloc[0] < 0)
    else:
        flip = correlation < 0
    if flip:
        loadings, scores, correlation = -loadings, -scores, -correlation
    explained = float(pca.eigenvals.iloc[0] / pca.eigenvals.sum())
    negative = loadings[loadings < -1e-9]
    if len(negative) and (loadings > 1e-9).any():
        warnings.append(note(MIXED_SIGNS, negative=[f"{k} {v:.3f}" for k, v in negative.items()]))
    constant = [c for c in indicators if c not in varying]
    if constant:
        warnings.append(note(CONSTANT, n=len(part), codes=constant))
    return (
        scores.reindex(codes.index),
        {str(k): float(v) for k, v in loadings.items()},
        explained,
        (None if np.isnan(correlation) else correlation),
        warnings,
    )


def _latent(
    codes: pd.DataFrame,
    indicators: list[str],
    ranges: Mapping[str, tuple[float, float]],
    calibration: Mapping[str, pd.DataFrame],
) -> ScoreResult:
    """The IRT score of `codes`' agreements, item parameters fitted on them and on the codings of
    the calibration sources (each source's coding of a treaty is one more response pattern: the
    sources are taken as exchangeable coders of the same latent depth)."""
    own = codes[indicators].copy()
    own.index = pd.Index([f"release:{i}" for i in codes.index])
    parts = [own] + [
        frame.reindex(columns=indicators).set_axis([f"{source}:{i}" for i in frame.index], axis=0)
        for source, frame in calibration.items()
    ]
    fitted = irt.fit(pd.concat(parts), ranges)
    summary = fitted.summary()
    if calibration:
        summary["calibration"] = {
            "sources": sorted(calibration),
            "codings": {
                source: int(frame.reindex(columns=indicators).notna().any(axis=1).sum())
                for source, frame in calibration.items()
            },
            "release_codings": int(own.notna().any(axis=1).sum()),
            # Their agreements count as the release's for blindness (selectors/release_visibility.py).
            "agreement_ids": sorted({int(i) for frame in calibration.values() for i in frame.index}),
        }
    return ScoreResult(
        depth=pd.Series(fitted.eap.loc[own.index].to_numpy(), index=codes.index),
        method="irt",
        indicators=list(indicators),
        notes=fitted.notes,
        standard_error=pd.Series(fitted.posterior_sd.loc[own.index].to_numpy(), index=codes.index),
        irt=summary,
    )


def score(
    codes: pd.DataFrame,
    indicators: list[str],
    method: str = "additive",
    weights: Mapping[str, float] | None = None,
    *,
    indicator_ranges: Mapping[str, tuple[float, float]] | None = None,
    calibration: Mapping[str, pd.DataFrame] | None = None,
) -> ScoreResult:
    """`calibration` (IRT only): other sources' codes {source: agreement id x indicator}, fitted
    with `codes` as further codings so the item parameters rest on more answers; only `codes`'
    agreements are scored."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, not {method!r}")
    if method == "irt":  # the latent score: EAP with its posterior SD (irt.IrtRefusal when it cannot)
        missing = [c for c in indicators if c not in codes.columns]
        if missing:
            raise ValueError(f"indicators not in the data: {', '.join(missing)}")
        return _latent(codes, indicators, indicator_ranges or {}, calibration or {})
    if method == "pca":
        depth, loadings, explained, correlation, warnings = first_principal_component(codes, indicators)
        return ScoreResult(
            depth=depth,
            method=method,
            indicators=list(indicators),
            loadings=loadings,
            explained_variance=explained,
            correlation_with_additive=correlation,
            notes=warnings,
        )
    if method == "weighted" and not weights:
        raise ValueError("the weighted method needs weights")
    depth = additive(codes, indicators, weights if method == "weighted" else None)
    return ScoreResult(
        depth=depth,
        method=method,
        indicators=list(indicators),
        weights={c: float((weights or {}).get(c, 1.0)) for c in indicators},
    )


def tiers_apply(
    method: str,
    *,
    weights: Mapping[str, float] | None = None,
    indicator_ranges: Mapping[str, tuple[float, float]] | None = None,
) -> bool:
    """Whether codebook tiers can be assigned to scores of `method`.

    Tiers are cut-offs on the additive score's range (the study's 1-2 / 3-4 / 5-6 out of 0-8).
    They apply to the additive method; to a weighted sum only when its range is the additive
    range (all weights 1, or `indicator_ranges` {code: (min, max)} showing that the weighted
    minimum and maximum equal the additive ones); never to a principal component, whose scores
    are standardised and centred on 0."""
    if method == "additive":
        return True
    if method != "weighted":
        return False
    floats = {c: float(w) for c, w in (weights or {}).items()}
    if all(w == 1.0 for w in floats.values()):
        return True
    if not indicator_ranges or not set(floats) <= set(indicator_ranges):
        return False
    ranges = indicator_ranges

    def span(w: Mapping[str, float]) -> tuple[float, float]:
        low = sum(min(w.get(c, 1.0) * lo, w.get(c, 1.0) * hi) for c, (lo, hi) in ranges.items())
        high = sum(max(w.get(c, 1.0) * lo, w.get(c, 1.0) * hi) for c, (lo, hi) in ranges.items())
        return low, high

    return bool(np.allclose(span(floats), span({})))


def result_tiers_apply(
    result: ScoreResult, *, indicator_ranges: Mapping[str, tuple[float, float]] | None = None
) -> bool:
    """tiers_apply for a ScoreResult: its method and weights, the ranges of its indicators."""
    ranges = {c: r for c, r in (indicator_ranges or {}).items() if c in result.indicators} or None
    return tiers_apply(
        result.method, weights=result.weights if result.method == "weighted" else None, indicator_ranges=ranges
    )


def tier_table(rows: list[dict[str, Any]], tiers: list[Tier]) -> list[dict[str, Any]]:
    """The study's Table 5 shape from a release's stored rows (release_table decided each row's
    tier): per tier, its score range, the count and the agreements' names, in row order."""
    return [
        {
            "tier": tier["name"],
            "min": tier["min"],
            "max": tier["max"],
            "count": sum(1 for row in rows if row["tier"] == tier["name"]),
            "agreements": [row["name"] for row in rows if row["tier"] == tier["name"]],
        }
        for tier in tiers
    ]


@dataclass
class ReleaseInputs:
    """Everything a release is computed from, read once (analysis.selectors.releases.release_inputs)."""

    codes: pd.DataFrame  # agreement id x indicator code, the source's values
    facts: dict[Any, dict[str, Any]]  # agreement id -> identifiers, name, parties, entry-into-force year, ...
    indicator_codes: list[str]  # every indicator of the codebook version, in its order
    indicator_ranges: dict[str, tuple[float, float]]  # code -> (lowest, highest) allowed value
    depth_indicators: list[str]  # the codebook's default depth indicators (may be empty)
    tiers: list[Tier]  # the codebook's tiers [{name, min, max}] (may be empty)
    coverage: dict[str, Any] = field(default_factory=dict)  # {approved, in_coding} under the version
    agreement: dict[str, Any] = field(default_factory=dict)  # inter-coder agreement per indicator on these agreements
    agreement_scores: dict[str, Any] = field(default_factory=dict)  # ... on the depth score and tier (issue 21)
    evidence: list[Any] = field(
        default_factory=list
    )  # what backs the codes, stored with the release as read (not scored)


def _plain(value: Any) -> int | float | None:
    """A JSON-stable number: None for missing, int when whole, else rounded to 10 places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() else round(float(value), 10)


def weights_checked(weights: object, known: list[str]) -> dict[str, float] | None:
    """{indicator: weight} as floats, each a finite number from 0 to bounds.MAX_WEIGHT and for an
    indicator of the codebook (`known`); BoundsError naming the weight otherwise. None stays None."""
    if weights is None:
        return None
    if not isinstance(weights, dict):
        raise bounds.BoundsError.of(
            gettext_noop("weights: expected an object {indicator: weight}, got %(value)s"), value=type(weights).__name__
        )
    unknown = [code for code in weights if code not in known]
    if unknown:
        raise bounds.BoundsError.of(
            gettext_noop("weights: %(code)s is not an indicator of the codebook (indicators: %(known)s)"),
            code=repr(unknown[0])[:60],
            known=", ".join(known),
        )
    return {code: bounds.weight(value, f"weights {code}") for code, value in weights.items()}


def release_table(
    inputs: ReleaseInputs, *, method: Mapping[str, Any], calibration: Mapping[str, pd.DataFrame] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(rows, summary) of a release: one row per agreement (its facts, codes, depth and tier),
    sorted by agreement id, and the summary stored beside them. Totals are computed fresh from the
    codes. This is the one place tiers are decided: the codebook's tiers are cut on the additive
    range, so they apply only when tiers_apply() says so (never to PCA, nor to weights that
    change the range); otherwise every row's tier is None. An IRT release keeps the tier of each
    agreement's additive score (its depth is the latent score, its tier the codebook's), and its
    summary says so (`tiers_basis`)."""
    indicators = method.get("indicators") or inputs.depth_indicators or inputs.indicator_codes
    weights = weights_checked(method.get("weights"), inputs.indicator_codes)
    ranges = {c: r for c, r in inputs.indicator_ranges.items() if c in indicators}
    result = score(
        inputs.codes,
        indicators,
        method=method.get("name", "additive"),
        weights=weights,
        indicator_ranges=ranges,
        calibration=calibration,
    )
    latent = result.method == "irt"
    applies = latent or result_tiers_apply(result, indicator_ranges=ranges)
    tier_scores = additive(inputs.codes, indicators) if latent else result.depth
    tiers = assign_tiers(tier_scores, inputs.tiers) if inputs.tiers and applies else None
    codes = inputs.codes
    rows: list[dict[str, Any]] = []
    for agreement_id in codes.index:
        row = dict(inputs.facts[agreement_id])
        row.update({code: _plain(codes.at[agreement_id, code]) for code in codes.columns})
        row["depth"] = _plain(result.depth.get(agreement_id))
        if result.standard_error is not None:  # a posterior SD: plausible values are Normal(depth, depth_se)
            row["depth_se"] = _plain(result.standard_error.get(agreement_id))
        tier = tiers.get(agreement_id) if tiers is not None else None
        row["tier"] = tier if isinstance(tier, str) else None  # pandas turns a missing tier into NaN
        rows.append(row)
    rows.sort(key=lambda r: r["agreement_id"])
    depths = [r["depth"] for r in rows if r["depth"] is not None]
    summary = {
        "n_agreements": len(rows),
        "n_scored": len(depths),
        "coverage": inputs.coverage,
        "tiers": {t["name"]: sum(1 for r in rows if r["tier"] == t["name"]) for t in inputs.tiers},
        "depth_counts": {str(k): depths.count(k) for k in sorted(set(depths))},
        "loadings": result.loadings,
        "explained_variance": result.explained_variance,
        "correlation_with_additive": result.correlation_with_additive,
        "warnings": result.warnings,
        "warning_notes": result.notes,  # the same as notes: pages translate them (coding/pure/notes.py)
        "tiers_apply": applies,
        "agreement": inputs.agreement,
        "agreement_scores": inputs.agreement_scores,
    }
    if latent:
        summary["irt"] = result.irt
        summary["tiers_basis"] = "additive"
        summary["depth_counts"] = {}  # EAPs are continuous: the release page plots the IRT curves instead
    return rows, summary


def check_printed_totals(
    table: pd.DataFrame, indicators: list[str], printed_column: str, label_column: str | None = None
) -> list[dict[str, Any]]:
    """Rows whose printed total differs from the sum of their printed codes."""
    recomputed = additive(table, indicators)
    differs = table[recomputed != table[printed_column].astype(float)]
    return [
        {
            "row": (differs.loc[i, label_column] if label_column else i),
            "printed": float(differs.loc[i, printed_column]),
            "recomputed": float(recomputed.loc[i]),
        }
        for i in differs.index
    ]
