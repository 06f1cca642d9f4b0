"""Agreement figures with their intervals, as pages show them: the supervision dashboard, the
assignment page's double-coding planner and (through the analysis selectors) the comparison pages.
Reads only; the statistics are coding/pure/reliability.py (point estimates) and
coding/pure/agreement_intervals.py (intervals, minimum sample, planner).

Pages bootstrap with fewer replicates than the report (PAGE_REPLICATES, said on the page) and keep
each result in the cache under a hash of the matrix itself, so a figure is computed once per set
of codings: a new coding changes the matrix, hence the key, and nothing is ever stale."""

import hashlib

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.utils.translation import ngettext

from ..pure import agreement_intervals
from ..pure.agreement_intervals import STATS, uncertainty, units_needed
from ..pure.agreement_intervals_sample import PLANNER_REPLICATES
from .agreement_labels import (
    REASONS,
    SCORE_LABELS,
    STAT_LABELS,
    method_text,
    not_estimable_text,
    planner_note_text,
    summary_notes_text,
    warning_text,
)

PAGE_REPLICATES = 500  # bootstrap replicates behind a page's intervals (agreement_report: 2,000)
# PLANNER_REPLICATES (imported above): the planner's simulated samples per candidate size, one
# constant for the page and units_needed's default, so the page says the function's number.
CACHE_SECONDS = 24 * 3600
TARGETS = (0.667, 0.800)  # Krippendorff's smallest acceptable alpha for tentative / firm conclusions
SEED = 0


def _digest(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def coded_columns(matrix):
    """The matrix without coders who coded none of its units (as indicator_summary counts them)."""
    frame = pd.DataFrame(matrix).astype(float)
    return frame.loc[:, frame.notna().any(axis=0)]


def cached_uncertainty(matrix, *, level, categories=None, replicates=PAGE_REPLICATES):
    """uncertainty(...) of `matrix` (seed 0), kept in the cache under a hash of its values."""
    frame = coded_columns(matrix)
    values = np.ascontiguousarray(frame.to_numpy(dtype=float))
    cats = None if categories is None else [float(c) for c in categories]
    key = "agreement-uncertainty:" + _digest(values.tobytes(), values.shape, level, cats, replicates, SEED)
    result = cache.get(key)
    if result is None:
        result = uncertainty(frame, level=level, categories=cats, replicates=replicates, seed=SEED)
        cache.set(key, result, CACHE_SECONDS)
    return result


def with_intervals(summary, matrix, *, level, categories=None, replicates=PAGE_REPLICATES):
    """`summary` (indicator_summary's dict) with its intervals under "intervals"."""
    return {
        **summary,
        "intervals": cached_uncertainty(matrix, level=level, categories=categories, replicates=replicates),
    }


def _interval(pair):
    return [float(pair[0]), float(pair[1])] if pair and None not in pair[:2] else None


def _reason_when_too_few(n_units):
    return "no_pairable_units" if n_units == 0 else "one_unit" if n_units == 1 else None


def interval_row(code, summary, *, stats=STATS):
    """One table row: each statistic's point estimate, standard error, analytic and bootstrap 95%
    intervals, or "not estimable" with the reason (never 0.000 or -1.000 on one treaty); the
    probability that alpha is below .667 and .800; the warnings, translated."""
    intervals = summary.get("intervals") or {}
    reasons = intervals.get("not_estimable") or {}
    spreads = intervals.get("uncertainty") or {}
    n_units = int(summary.get("n_units") or intervals.get("n_units") or 0)
    cells = []
    for name in stats:
        reason = _reason_when_too_few(n_units) or reasons.get(name)  # one treaty: that is the reason
        spread = None if reason else spreads.get(name)
        value = None if reason else summary.get(name)
        cells.append(
            {
                "name": name,
                "label": STAT_LABELS.get(name, name),
                "value": value,
                "se": spread.get("se") if spread else None,
                "ci": _interval(spread.get("ci")) if spread else None,
                "bootstrap_ci": _interval(spread.get("bootstrap_ci")) if spread else None,
                "not_estimable": not_estimable_text(reason) if reason and (value is None) else None,
            }
        )
    below = intervals.get("p_alpha_below") or {}
    return {
        "code": code,
        "label": code,
        "score": False,
        "within_one": None,
        "level": summary.get("level"),
        "n_units": n_units,
        "n_analytic": intervals.get("n_analytic"),
        "n_coders": summary.get("n_coders"),
        "cells": cells,
        "p_below_667": below.get("0.667"),
        "p_below_800": below.get("0.800"),
        "min_units": intervals.get("min_units"),
        # "one_unit" and the like are said in every cell already; the column keeps the rest (few_units).
        "warnings": [page_warning_text(w) for w in intervals.get("warnings") or [] if w.get("code") not in REASONS],
        "warned": bool(intervals.get("warnings")) or n_units < 2,
        "notes": summary_notes_text(summary),  # reliability.py's warnings, translated from their notes
    }


def page_warning_text(warning):
    """agreement_labels.warning_text, and the "single_coded" warning (the analytic intervals count
    treaties coded once, as irrCAC; coding/pure/agreement_words.py says it in English)."""
    if isinstance(warning, dict) and warning.get("code") == "single_coded":
        n_single, n_pairable = int(warning.get("n_single") or 0), int(warning.get("n_pairable") or 0)
        return ngettext(
            "the analytic intervals of percent agreement, Fleiss' kappa and Gwet's AC follow Gwet (irrCAC) and "
            "also count the %(n_single)s treaty coded by one coder only; the bootstrap intervals rest on the "
            "%(n_pairable)s treaties coded at least twice",
            "the analytic intervals of percent agreement, Fleiss' kappa and Gwet's AC follow Gwet (irrCAC) and "
            "also count the %(n_single)s treaties coded by one coder only; the bootstrap intervals rest on the "
            "%(n_pairable)s treaties coded at least twice",
            n_single,
        ) % {"n_single": n_single, "n_pairable": n_pairable}
    return warning_text(warning)


def interval_rows(summaries, *, stats=STATS):
    """interval_row for every indicator of {code: summary with intervals}."""
    return [interval_row(code, summary, stats=stats) for code, summary in summaries.items()]


# --- the chart -------------------------------------------------------------------------------

CHART_LEFT, CHART_WIDTH = 130, 300


def _x(value):
    """Horizontal position of a coefficient on the chart's 0..1 axis (below 0 sits at 0)."""
    return CHART_LEFT + min(1.0, max(0.0, float(value))) * CHART_WIDTH


def _bar(cell, y):
    """A bar and its whisker (bootstrap interval where computed, else the analytic one)."""
    spread = cell["bootstrap_ci"] or cell["ci"]
    bar = {
        "value": cell["value"],
        "width": (_x(cell["value"]) - CHART_LEFT) if cell["value"] is not None else 0,
        "y": y,
        "mid": y + 6,
        "not_estimable": cell["not_estimable"],
        "interval": spread,
        "whisker": None,
    }
    if spread is not None and cell["value"] is not None:
        bar["whisker"] = {"x1": _x(spread[0]), "x2": _x(spread[1]), "top": y + 1, "bottom": y + 11}
    return bar


def bar_chart(rows):
    """Inline-SVG bars of Krippendorff's alpha and Gwet's AC per indicator, each with its 95%
    interval as a whisker (no JS, no files)."""
    chart = []
    for index, row in enumerate(rows):
        cells = {cell["name"]: cell for cell in row["cells"]}
        y = 10 + index * 34
        alpha, ac = _bar(cells["krippendorff_alpha"], y), _bar(cells["gwet_ac"], y + 14)
        chart.append(
            {
                "code": row["code"],
                "y": y,
                "n_units": row["n_units"],
                "warned": row["warned"],
                "alpha": alpha,
                "ac": ac,
                "bars": [(alpha, "#1f5fa8", "α"), (ac, "#e0a800", "AC")],
            }
        )
    return {"rows": chart, "height": 20 + 34 * len(chart), "zero": CHART_LEFT, "one": CHART_LEFT + CHART_WIDTH}


# --- depth score and tier between coders --------------------------------------------------------


def score_matrices(frame, *, version):
    """{"depth": agreements x coders of each coder's additive depth score (NaN when a depth
    indicator is missing), "tier": the same as tier ranks (only when the codebook has tiers)} from
    coding_matrix's long frame; {} without depth indicators. The scores are agreement_report's
    (agreement_uncertainty.depth_scores and tier_ranks), so page and report agree."""
    from .agreement_uncertainty import depth_scores, tier_ranks  # it imports dashboard, which imports this module

    indicators = list(version.depth_indicators or [])
    depth = depth_scores(frame, indicators) if indicators and not frame.empty else pd.DataFrame()
    if depth.empty:
        return {}
    matrices = {"depth": depth}
    if version.tiers:
        matrices["tier"] = tier_ranks(depth, version.tiers)
    return matrices


SCORE_LEVELS = {"depth": "interval", "tier": "ordinal"}
# Both rows: exact agreement, alpha at the score's level (depth: interval, tier: ordinal), Cohen's
# kappa with quadratic weights (two coders) and Gwet's AC.
SCORE_STATS = ("percent_agreement", "krippendorff_alpha", "weighted_kappa", "gwet_ac")


def score_rows(scores):
    """Table rows of the depth score and its tier ({"depth": score_summary, "tier": ...})."""
    rows = []
    for name, summary in scores.items():
        row = interval_row(name, summary, stats=SCORE_STATS)
        row.update(label=SCORE_LABELS.get(name, name), score=True, within_one=summary.get("within_one"))
        rows.append(row)
    return rows


def score_summary(matrix, *, level, replicates=PAGE_REPLICATES):
    """indicator_summary's shape for a score (depth: interval level; tier rank: ordinal), with its
    intervals; the point estimates are uncertainty(...)'s (interval alpha and weighted kappa are
    not among reliability.py's levels)."""
    frame = coded_columns(matrix)
    intervals = cached_uncertainty(frame, level=level, replicates=replicates)
    summary = {
        "n_units": intervals["n_units"],
        "n_coders": int(frame.shape[1]),
        "level": level,
        "warnings": [],
        "within_one": agreement_intervals.within_one(frame) if level == "interval" else None,
        **(intervals.get("estimates") or {}),
    }
    summary["intervals"] = intervals
    return summary


# --- the double-coding planner ----------------------------------------------------------------


def observed_prevalence(frame, indicator):
    """Shares of the indicator's codebook values among the codings in `frame` (long, one indicator):
    (shares, observed). Nothing coded yet: equal shares of its values, observed False."""
    values = [float(v) for v in indicator.values]
    counts = frame.value.astype(float).value_counts()
    total = float(counts.sum())
    if total == 0:
        return [1 / len(values)] * len(values), False
    categories = sorted(set(values) | set(counts.index))
    return [float(counts.get(v, 0)) / total for v in categories], True


def cached_units_needed(prevalence, *, target, coders=2, level="nominal"):
    """units_needed(...) for these shares (rounded to 3 places: the planner's answer does not move
    with the fourth decimal), kept in the cache."""
    shares = [round(float(p), 3) for p in prevalence]
    key = "agreement-units-needed:v2:" + _digest(  # v2: the average-bound rule of session 6
        shares, target, coders, level, PLANNER_REPLICATES, SEED
    )
    result = cache.get(key)
    if result is None:
        result = units_needed(
            prevalence=shares,
            coders=coders,
            target=target,
            confidence=0.95,
            level=level,
            seed=SEED,
            replicates=PLANNER_REPLICATES,
        )
        cache.set(key, result, CACHE_SECONDS)
    return result


def sample_plan(frame, *, version, coders=2):
    """Per indicator of `version`: the prevalence observed in `frame` (coding_matrix's long frame)
    or assumed, and how many double-coded treaties are needed for the lower bound of alpha's 95%
    interval to reach .667 and .800; `needed` the largest over indicators per target."""
    rows = []
    for indicator in version.indicators.all():
        shares, observed = observed_prevalence(frame[frame.indicator == indicator.code], indicator)
        row = {"code": indicator.code, "prevalence": shares, "observed": observed, "targets": []}
        for target in TARGETS:
            answer = cached_units_needed(shares, target=target, coders=coders, level=indicator.level)
            row["targets"].append(
                {
                    "target": target,
                    "units": answer.get("units"),
                    "method": answer.get("method"),
                    "method_text": method_text(answer.get("method")),
                    "note": answer.get("note"),
                    "note_text": planner_note_text(answer.get("note")),
                    "assumed": answer.get("assumed"),
                }
            )
        rows.append(row)
    needed = []
    for index, target in enumerate(TARGETS):
        units = [row["targets"][index]["units"] for row in rows]
        reachable = [u for u in units if u is not None]
        methods = sorted({row["targets"][index]["method"] for row in rows if row["targets"][index]["method"]})
        needed.append(
            {
                "target": target,
                "units": max(reachable) if reachable else None,
                "unreachable": len(reachable) < len(units),
                "method_text": ", ".join(method_text(m) for m in methods),
            }
        )
    assumed = next((t["assumed"] for row in rows for t in row["targets"] if t["assumed"] is not None), None)
    return {
        "rows": rows,
        "needed": needed,
        "observed": any(row["observed"] for row in rows),
        "coders": coders,
        "replicates": PLANNER_REPLICATES,
        "assumed": assumed,
    }
