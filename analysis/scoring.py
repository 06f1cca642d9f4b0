"""Depth scores from indicator codes. Pure: pandas, numpy and statsmodels only.

`codes` is a DataFrame with one row per agreement and one column per indicator code. Totals are
always recomputed from the codes: a printed total is never trusted. An agreement missing any
indicator of the score gets no score (NaN), not a score that treats the gap as 0.
"""
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

METHODS = {"additive", "weighted", "pca"}


@dataclass
class ScoreResult:
    depth: pd.Series
    method: str
    indicators: list
    weights: dict = field(default_factory=dict)
    loadings: dict = field(default_factory=dict)
    explained_variance: float | None = None


def additive(codes, indicators, weights=None):
    """Sum (or weighted sum) of the indicators; NaN when any of them is missing."""
    missing = [c for c in indicators if c not in codes.columns]
    if missing:
        raise ValueError(f"indicators not in the data: {', '.join(missing)}")
    part = codes[indicators].astype(float)
    w = pd.Series({c: float((weights or {}).get(c, 1.0)) for c in indicators})
    return (part * w).sum(axis=1, min_count=len(indicators)).where(part.notna().all(axis=1))


def first_principal_component(codes, indicators):
    """Scores on the first principal component of the standardised indicators (complete rows),
    with its loadings, oriented so that more provisions mean a higher score."""
    from statsmodels.multivariate.pca import PCA

    part = codes[indicators].astype(float).dropna()
    varying = [c for c in indicators if part[c].std(ddof=0) > 0]
    if len(part) < 3 or len(varying) < 2:
        raise ValueError("the first principal component needs at least 3 complete agreements and 2 varying indicators")
    pca = PCA(part[varying], ncomp=len(varying), standardize=True, normalize=True, method="svd")
    loadings = pd.Series(pca.loadings.iloc[:, 0].to_numpy(), index=varying)
    scores = pd.Series(pca.factors.iloc[:, 0].to_numpy(), index=part.index)
    if loadings.sum() < 0:  # the sign of a component is arbitrary: make "deeper" positive
        loadings, scores = -loadings, -scores
    explained = float(pca.eigenvals.iloc[0] / pca.eigenvals.sum())
    return scores.reindex(codes.index), {k: float(v) for k, v in loadings.items()}, explained


def score(codes, indicators, method="additive", weights=None):
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, not {method!r}")
    if method == "pca":
        depth, loadings, explained = first_principal_component(codes, indicators)
        return ScoreResult(depth=depth, method=method, indicators=list(indicators), loadings=loadings,
                           explained_variance=explained)
    if method == "weighted" and not weights:
        raise ValueError("the weighted method needs weights")
    depth = additive(codes, indicators, weights if method == "weighted" else None)
    return ScoreResult(depth=depth, method=method, indicators=list(indicators),
                       weights={c: float((weights or {}).get(c, 1.0)) for c in indicators})


def assign_tiers(depth, tiers):
    """Tier name for each score from [{name, min, max}, ...]; None outside every tier."""
    def tier_of(value):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        for tier in tiers:
            if tier["min"] <= value <= tier["max"]:
                return tier["name"]
        return None

    return depth.map(tier_of)


def tier_table(depth, tiers, names=None):
    """The study's Table 5 shape: per tier, its score range, the count and the agreements."""
    tiers_of = assign_tiers(depth, tiers)
    rows = []
    for tier in tiers:
        members = tiers_of[tiers_of == tier["name"]].index
        rows.append({
            "tier": tier["name"], "min": tier["min"], "max": tier["max"], "count": len(members),
            "agreements": [names.get(i, i) if names else i for i in members],
        })
    return rows


def check_printed_totals(table, indicators, printed_column, label_column=None):
    """Rows whose printed total differs from the sum of their printed codes."""
    recomputed = additive(table, indicators)
    differs = table[recomputed != table[printed_column].astype(float)]
    return [
        {"row": (differs.loc[i, label_column] if label_column else i),
         "printed": float(differs.loc[i, printed_column]), "recomputed": float(recomputed.loc[i])}
        for i in differs.index
    ]
