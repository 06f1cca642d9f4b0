"""The README lines of a release's agreement between coders (issue 21): per indicator, and on the
depth score and its tier, each statistic with its stored 95% intervals, "not estimable" with the
reason and the warnings in words (coding/pure/agreement_words.py: the wording agreement_report
uses), never a raw code. Pure: no Django; analysis/pure/exports.py puts them in every README."""

from collections.abc import Mapping
from typing import Any

from coding.pure.agreement_words import REASON_WARNINGS, reason_words, warning_words

RELIABILITY_NAMES = {
    "percent_agreement": "percent agreement",
    "krippendorff_alpha": "Krippendorff's alpha",
    "gwet_ac": "Gwet's AC",
}


def _interval_text(spread: Mapping[str, Any] | None) -> str:
    """' [lo, hi] (bootstrap [lo, hi])' of a stored figure's 95% intervals ('' when none stored)."""
    if not spread:
        return ""
    parts = []
    if spread.get("ci"):
        parts.append(f" [{spread['ci'][0]:.3f}, {spread['ci'][1]:.3f}]")
    if spread.get("bootstrap_ci"):
        parts.append(f" (bootstrap [{spread['bootstrap_ci'][0]:.3f}, {spread['bootstrap_ci'][1]:.3f}])")
    return "".join(parts)


def _figure_line(label: str, figure: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One figure's README line: n, each statistic with its intervals or "not estimable (reason)",
    P(alpha < .667 / .800) and the warnings, all in words (coding/pure/agreement_words.py)."""
    spreads = figure.get("uncertainty") or {}
    reasons = figure.get("not_estimable") or {}
    parts = [f"n={figure.get('n_units')}"]
    too_few = "one_unit" if int(figure.get("n_units") or 0) < 2 else None  # releases before intervals too
    for name, stat in names.items():
        reason = too_few or reasons.get(name)
        if reason or figure.get(name) is None:
            parts.append(f"{stat} not estimable ({reason_words(reason or 'undefined')})")
        else:
            parts.append(f"{stat} {figure[name]:.3f}{_interval_text(spreads.get(name))}")
    if figure.get("within_one") is not None:
        parts.append(f"within +-1 {figure['within_one']:.2f}")
    below = figure.get("p_alpha_below")
    if below:
        parts.append(f"P(alpha < .667) = {below['0.667']:.2f}, P(alpha < .800) = {below['0.800']:.2f}")
    # a score row keeps its codes under "warning_codes" (agreement_report's shape), an indicator under "warnings";
    # "one_unit" and the like are said with every statistic already
    coded = figure.get("warning_codes") if "warning_codes" in figure else figure.get("warnings")
    parts.extend(
        f"warning: {warning_words(w)}"
        for w in coded or []
        if isinstance(w, Mapping) and w.get("code") not in REASON_WARNINGS
    )
    return f"  {label}: " + "; ".join(parts)


SCORE_NAMES = {
    "percent_agreement": "exact agreement",
    "krippendorff_alpha": "Krippendorff's alpha",
    "weighted_kappa": "quadratically weighted kappa",
    "gwet_ac": "Gwet's AC",
}
SCORE_LABELS = {"depth": "depth score (additive, interval alpha)", "tier": "tier (ordinal alpha)"}


def reliability_readme(meta: Mapping[str, Any]) -> list[str]:
    """The release's stored agreement between coders per indicator and on the depth score and tier:
    n treaties, each statistic with its 95% intervals (Gwet's analytic; percentile bootstrap over
    treaties) where the release stored them, "not estimable" with the reason in words,
    P(alpha < .667 / .800) and the warnings in words."""
    figures: Mapping[str, Mapping[str, Any]] = meta.get("reliability") or {}
    scores: Mapping[str, Mapping[str, Any]] = meta.get("reliability_scores") or {}
    if not figures and not scores:
        return []
    stored = [*figures.values(), *scores.values()]
    replicates = next((f.get("replicates") for f in stored if f.get("replicates")), None)
    lines = [
        "Agreement between coders on these agreements (n: treaties coded by at least two coders; 95% intervals:",
        "Gwet's analytic variance, and a percentile bootstrap over treaties"
        + (f" with {replicates:,} replicates, seed 0):" if replicates else "):"),
    ]
    lines.extend(_figure_line(code, figure, RELIABILITY_NAMES) for code, figure in figures.items())
    if scores:
        method = meta.get("method", "additive")
        if method != "additive":
            lines.append(f"  Agreement is on the additive score; this release's depth is {method}.")
        lines.extend(_figure_line(SCORE_LABELS.get(name, name), row, SCORE_NAMES) for name, row in scores.items())
    return lines
