"""The codebook's depth score and tiers, once for both apps. Pure: pandas and numpy, no Django.

The additive depth score is the (weighted) sum of a codebook version's depth indicators; a
treaty missing any of them gets no score (NaN), never one that counts the gap as 0. A tier is
the codebook tier whose closed range [min, max] holds the score (the importer refuses
overlapping tiers, so at most one does).

Both the releases (analysis/pure/scoring.py) and the agreement figures on the depth score and
tier between coders (coding/selectors/agreement_uncertainty.py) call these functions: the coding
app may not import the analysis app, and a second copy of the sum could drift from the first."""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

Tier = dict[str, Any]  # {name, min, max}


def additive(
    codes: pd.DataFrame, indicators: list[str], weights: Mapping[str, float] | None = None
) -> "pd.Series[float]":
    """Sum (or weighted sum) of the indicators per row; NaN when any of them is missing."""
    missing = [c for c in indicators if c not in codes.columns]
    if missing:
        raise ValueError(f"indicators not in the data: {', '.join(missing)}")
    part = codes[indicators].astype(float)
    w = pd.Series({c: float((weights or {}).get(c, 1.0)) for c in indicators})
    return (part * w).sum(axis=1, min_count=len(indicators)).where(part.notna().all(axis=1))


def _lowest_first(tiers: list[Tier]) -> list[Tier]:
    return sorted(tiers, key=lambda tier: float(tier["min"]))


def _position(value: float | None, ordered: list[Tier]) -> int | None:
    if value is None or math.isnan(value):
        return None
    return next((i for i, tier in enumerate(ordered) if float(tier["min"]) <= value <= float(tier["max"])), None)


def tier_index(value: float | None, tiers: list[Tier]) -> int | None:
    """The position (0 = lowest) of the tier holding `value`, tiers ordered by their lower bound;
    None for a missing score or one outside every tier."""
    return _position(value, _lowest_first(tiers))


def _name(value: float | None, ordered: list[Tier]) -> str | None:
    index = _position(value, ordered)
    return None if index is None else str(ordered[index]["name"])


def tier_name(value: float | None, tiers: list[Tier]) -> str | None:
    """The name of the tier holding `value`; None for a missing score or one outside every tier."""
    return _name(value, _lowest_first(tiers))


def assign_tiers(depth: "pd.Series[float]", tiers: list[Tier]) -> "pd.Series[Any]":
    """Tier name for each score from [{name, min, max}, ...]; None outside every tier."""
    ordered = _lowest_first(tiers)  # once, not once per score
    return depth.map(lambda value: _name(value, ordered))


def tier_ranks(depth: pd.DataFrame, tiers: list[Tier]) -> pd.DataFrame:
    """Each score's tier position as a float (NaN when missing or outside every tier): the ordinal
    values agreement on the tier is computed over."""
    ordered = _lowest_first(tiers)

    def rank(value: float) -> float:
        index = _position(value, ordered)
        return np.nan if index is None else float(index)

    return pd.DataFrame({column: depth[column].map(rank) for column in depth.columns}, index=depth.index)
