"""The English words of the codes coding/pure/agreement_intervals.py returns: why a statistic is
not estimable ("one_unit", ...) and what a warning says ("few_units", "single_coded", ...). One
wording for the places that write English: `agreement_report` (text and JSON) and a release's
README (analysis/pure/exports.py). Pages say the same codes in the reader's language
(coding/selectors/agreement_labels.py and agreement_display.py, the same English as msgids).
An unknown code is said as it is, never dropped. Pure: no Django."""

from collections.abc import Mapping
from typing import Any

REASON_WORDS = {
    "one_unit": "only one treaty",
    "no_pairable_units": "no treaty coded twice",
    "two_coders_needed": "defined for two coders only",
    "no_variation": "no variation: every coding is the same value",
    "undefined": "undefined",
}

# Codes whose warning repeats a statistic's "not estimable" reason (said with every statistic).
REASON_WARNINGS = {"one_unit", "no_pairable_units"}


def reason_words(code: str) -> str:
    """Why a statistic has no number: "only one treaty"."""
    return REASON_WORDS.get(code, code)


def _treaties(n: int) -> str:
    return f"{n} treaty" if n == 1 else f"{n} treaties"


def single_coded_words(n_single: int, n_pairable: int) -> str:
    """The "single_coded" warning: the analytic interval counts treaties the bootstrap does not."""
    return (
        "the analytic intervals of percent agreement, Fleiss' kappa and Gwet's AC follow Gwet (irrCAC) "
        f"and also count the {_treaties(n_single)} coded by one coder only; the bootstrap intervals rest "
        f"on the {_treaties(n_pairable)} coded at least twice"
    )


def warning_words(warning: Mapping[str, Any]) -> str:
    """One coded warning of agreement_intervals.uncertainty as an English sentence."""
    code = str(warning.get("code"))
    if code == "few_units":
        return (
            f"rests on {_treaties(int(warning.get('n') or 0))}; at least {warning.get('min')} are needed "
            "for alpha >= .667 at p = .05"
        )
    if code == "single_coded":
        return single_coded_words(int(warning.get("n_single") or 0), int(warning.get("n_pairable") or 0))
    if code == "one_unit":
        return "one unit only: not estimable"
    if code == "no_pairable_units":
        return "no unit coded twice: not estimable"
    return code
