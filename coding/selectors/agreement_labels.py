"""The page words of agreement intervals: the statistics' names and the warning and reason codes
of coding/pure/agreement_intervals.py in the active language.

The pure module stays Django-free and says what is wrong with a figure in English snake_case codes
("few_units", "one_unit", ...), so the JSON report keeps them as they are; pages translate them
here, in one dict each, so a code has one wording wherever it is shown. An unknown code is shown as
it is (never dropped): a new code in the pure module then still says something."""

from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy

from ..pure import notes

STAT_LABELS = {
    "percent_agreement": gettext_lazy("Percent agreement"),
    "cohen_kappa": "Cohen κ",
    "fleiss_kappa": "Fleiss κ",
    "krippendorff_alpha": "Krippendorff α",
    "gwet_ac": "Gwet AC",
    "weighted_kappa": gettext_lazy("quadratically weighted κ"),
}

# Why a statistic has no number (uncertainty(...)["not_estimable"] values).
REASONS = {
    "one_unit": gettext_lazy("only one treaty"),
    "no_pairable_units": gettext_lazy("no treaty coded twice"),
    "two_coders_needed": gettext_lazy("defined for two coders only"),
    "no_variation": gettext_lazy("no variation: every coding is the same value"),
}

# How units_needed(...) found its number.
METHODS = {
    "simulation": gettext_lazy("by simulation"),
    "formula": gettext_lazy("by formula"),
}

# The released scores' rows beside the indicators.
SCORE_LABELS = {
    "depth": pgettext_lazy("agreement row", "depth score"),
    "tier": pgettext_lazy("agreement row", "tier"),
}


# Why the planner found no number of treaties (units_needed(...)["note"] when "units" is None).
PLANNER_NOTES = {
    "not_reached": gettext_lazy("out of reach: more treaties than the simulation tries"),
    "target_not_below_assumed": gettext_lazy(
        "out of reach: the target is not below the agreement the simulation assumes"
    ),
    "one_category": gettext_lazy("out of reach: only one value observed so far, alpha is undefined"),
}


def planner_note_text(note):
    """Why units_needed found no number, in the page language ('' when it found one)."""
    return str(PLANNER_NOTES[note]) if note in PLANNER_NOTES else ""


def reason_text(code):
    """Why a statistic is not estimable, in the page language ("only one treaty")."""
    return str(REASONS.get(code, code))


def not_estimable_text(code):
    """The whole cell text of a statistic without a number: "not estimable: only one treaty"."""
    return gettext("not estimable: %(reason)s") % {"reason": reason_text(code)}


def warning_text(warning):
    """One warning of uncertainty(...)["warnings"] ({"code": ..., more fields}) as a sentence.
    `few_units` names the treaties the figure rests on and Krippendorff's minimum for alpha >= .667
    at p = .05: the sentence a supervisor needs to decide whether to double-code more."""
    code = warning.get("code") if isinstance(warning, dict) else warning
    if code == "few_units":
        n, minimum = int(warning.get("n", 0)), int(warning.get("min", 0))
        return ngettext(
            "rests on %(n)s treaty; at least %(min)s are needed for alpha >= .667 at p = .05",
            "rests on %(n)s treaties; at least %(min)s are needed for alpha >= .667 at p = .05",
            n,
        ) % {"n": n, "min": minimum}
    if code in REASONS:
        return not_estimable_text(code)
    return str(code)


def method_text(method):
    """ "by simulation" / "by formula" (units_needed's `method`)."""
    return str(METHODS.get(method, method))


def note_text(text, found):
    """One warning of the reliability statistics in the page language: its note (a template with
    its parameters, coding/pure/notes.py) translated, or its stored text when it has none."""
    return notes.translated(found, gettext, ngettext) if found is not None else str(text)


def summary_notes_text(summary):
    """The "warnings" of reliability.indicator_summary in the page language, each from its note in
    "warning_notes" (paired by exact text: a warning without a note, say one stored before notes
    existed, is shown as it is; no pattern matching of sentences)."""
    summary = summary or {}
    pairs = notes.noted(summary.get("warnings") or [], summary.get("warning_notes"))
    return [note_text(text, found) for text, found in pairs]
