"""Compare two codings of the same agreements: per indicator agreement statistics, the cells
that differ and the depth scores that differ; and checks of a published table. Pure
(analysis/pure): frames in, plain data out; the agreement statistic is passed in by the caller
(coding.pure.reliability.indicator_summary); the agreement on the depth score and tier between
the study's Table 5 and a source is coding/pure/agreement_intervals.py's, as agreement_report's."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from coding.pure.agreement_intervals import uncertainty, within_one
from coding.pure.depth import additive, tier_ranks

from . import scoring


def compare_sources(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    levels: Mapping[str, tuple[str, Sequence[Any]]],
    depth_indicators: list[str],
    summarize: Callable[..., Any],
    names: Mapping[Any, str] | None = None,
    labels: tuple[str, str] = ("A", "B"),
) -> dict[str, Any]:
    """a, b: wide frames (agreement id x indicator code). `levels`: code -> (level, values).
    `summarize(matrix, level=, categories=)`: the agreement statistics of one indicator's
    two-column matrix (coding.pure.reliability.indicator_summary)."""
    common = a.index.intersection(b.index)
    per_indicator: dict[str, Any] = {}
    cells: list[dict[str, Any]] = []
    for code, (level, values) in levels.items():
        if code not in a.columns or code not in b.columns:
            continue
        matrix = pd.DataFrame({labels[0]: a.loc[common, code], labels[1]: b.loc[common, code]})
        per_indicator[code] = summarize(matrix, level=level, categories=values)
        both = matrix.dropna()
        for agreement_id, row in both[both[labels[0]] != both[labels[1]]].iterrows():
            cells.append(
                {
                    "agreement_id": agreement_id,
                    "name": (names or {}).get(agreement_id, agreement_id),
                    "indicator": code,
                    labels[0]: int(row[labels[0]]),
                    labels[1]: int(row[labels[1]]),
                }
            )
    depth_a = additive(a.reindex(columns=depth_indicators), depth_indicators).loc[common]
    depth_b = additive(b.reindex(columns=depth_indicators), depth_indicators).loc[common]
    depth = pd.DataFrame({labels[0]: depth_a, labels[1]: depth_b}).dropna()
    differing = depth[depth[labels[0]] != depth[labels[1]]]
    return {
        "n_common": len(common),
        "only_a": len(a.index.difference(b.index)),
        "only_b": len(b.index.difference(a.index)),
        "indicators": per_indicator,
        "differing_cells": cells,
        "depth_same": int((depth[labels[0]] == depth[labels[1]]).sum()),
        "depth_compared": len(depth),
        "differing_depth": [
            {
                "agreement_id": i,
                "name": (names or {}).get(i, i),
                labels[0]: float(r[labels[0]]),
                labels[1]: float(r[labels[1]]),
            }
            for i, r in differing.iterrows()
        ],
    }


def check_study_tables(
    table5: pd.DataFrame,
    table6: pd.DataFrame,
    *,
    depth_indicators: list[str],
    claimed_count: int | None = None,
    desta_depth: Mapping[str, float] | None = None,
    tiers: list[dict[str, Any]] | None = None,
    replicates: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """The study's own consistency: printed totals against their codes (Table 6), the number of
    FTAs claimed against those listed (Table 5), and Table 5 scores against DESTA 2.1's codes
    recomputed with the same formula (`desta_depth`: DESTA number -> depth), with the agreement
    between the two on the depth score and on the tier (`tiers`), intervals included."""
    report: dict[str, Any] = {
        "printed_total_differs": scoring.check_printed_totals(
            table6, depth_indicators, "paper_depth", label_column="partner_en"
        )
    }
    report["listed"] = len(table5)
    report["claimed"] = claimed_count
    report["count_mismatch"] = claimed_count is not None and claimed_count != len(table5)
    if desta_depth is not None:
        differs: list[dict[str, Any]] = []
        missing: list[str] = []
        pairs: list[tuple[float, float]] = []  # (study, DESTA) of every FTA both score
        same = 0
        for _, row in table5.iterrows():
            number = str(row["desta_number"]).split(".")[0] if pd.notna(row["desta_number"]) else None
            desta = desta_depth.get(number) if number else None
            if desta is None:
                missing.append(row["fta_en"])
                continue
            if pd.notna(row["paper_score"]):
                pairs.append((float(row["paper_score"]), float(desta)))
            if float(desta) == float(row["paper_score"]):
                same += 1
            else:
                differs.append(
                    {
                        "fta": row["fta_en"],
                        "desta_number": number,
                        "study": float(row["paper_score"]),
                        "desta": float(desta),
                    }
                )
        report.update({"same_as_desta": same, "differs_from_desta": differs, "not_in_desta": missing})
        report["agreement"] = score_agreement(pairs, tiers=tiers, replicates=replicates, seed=seed)
    return report


def score_agreement(
    pairs: Sequence[tuple[float, float]],
    *,
    tiers: list[dict[str, Any]] | None = None,
    replicates: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """Agreement between two sources' depth scores of the same treaties ((study, other) pairs):
    exact and within-one agreement, interval alpha and quadratically weighted kappa with analytic
    and bootstrap intervals (the depth row of agreement_report); and on the tier, ordinal alpha."""
    scores = pd.DataFrame(list(pairs), columns=["study", "other"], dtype=float)
    depth = uncertainty(scores, level="interval", replicates=replicates, seed=seed)
    result: dict[str, Any] = {"depth": {**depth, "within_one": within_one(scores)}}
    if tiers:
        result["tier"] = uncertainty(tier_ranks(scores, tiers), level="ordinal", replicates=replicates, seed=seed)
    return result
