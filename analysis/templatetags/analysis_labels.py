"""Template filters that put the analysis app's stored English words into the page language:
tier names, scoring methods, sources of codes, gravity drop reasons and the notes that the pure
modules write (they stay Django-free and keep each warning as a note beside its English text,
coding/pure/notes.py; stored releases and runs keep their words)."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext, ngettext, pgettext

from coding.pure import notes
from web.templatetags.source_labels import source_label as coding_source_label

from ..pure.estimators import drop_reasons
from ..pure.estimators import notes as estimator_notes
from ..pure.fit_checks import DROP_REASONS as FIT_DROP_REASONS
from ..pure.presets import PRESET_LABELS
from ..pure.scoring import UNCORRELATED
from ..pure.variable_labels import SHIFTED, VARIABLE_LABELS

register = template.Library()


@register.filter
def tier_label(name):
    """A depth tier of the codebook ("first", "second", "third"); other names as they are."""
    known = {
        "first": pgettext("depth tier", "first"),
        "second": pgettext("depth tier", "second"),
        "third": pgettext("depth tier", "third"),
    }
    return known.get(name, name) if name else name


@register.filter
def method_label(name):
    known = {
        "additive": pgettext("depth score", "additive"),
        "weighted": pgettext("depth score", "weighted"),
        "pca": gettext("first principal component"),
        "irt": gettext("latent depth (IRT)"),
    }
    return known.get(name, name)


@register.filter
def source_label(source):
    """A source of codes: "approved", a coder's name, or "release:N"."""
    if str(source).startswith("release:"):
        return gettext("release %(number)s") % {"number": str(source).split(":", 1)[1]}
    return coding_source_label(source)


@register.filter
def preset_label(label):
    """A preset's specification label ("(1) total, FTA") in the page language; any other label
    (a user's own, stored with the run) as it is. Files for a paper keep the English."""
    return gettext(label) if label in PRESET_LABELS else label


@register.filter
def variable_label(name):
    """A coefficient's variable in the page language ("depth_fta": "Depth x FTA" / "深度 x FTA",
    "fta_lag1": "FTA (lag 1)"), or "" for a name without a label (the page then shows the name)."""
    name = str(name)
    if name in VARIABLE_LABELS:
        return gettext(VARIABLE_LABELS[name])
    shifted = SHIFTED.match(name)
    if shifted and shifted["base"] in VARIABLE_LABELS:
        pattern = gettext("%(label)s (lag %(n)s)") if shifted["kind"] == "lag" else gettext("%(label)s (lead %(n)s)")
        return pattern % {"label": gettext(VARIABLE_LABELS[shifted["base"]]), "n": shifted["n"]}
    return ""


def table_in_reader_language(table):
    """A built regression table (analysis/pure/tables.py) with each row's `label` in the page
    language (the variable's name where it has none) and the note under it: what the page and the
    Word and Excel downloads show."""
    for row in table["rows"]:
        row["label"] = variable_label(row["variable"]) or row["variable"]
    table["note"] = gettext("*** p<0.01, ** p<0.05, * p<0.1; standard errors in parentheses.")
    return table


@register.filter
def drop_reason(key: str) -> str:
    """Why a gravity fit dropped observations (the keys of a result's "dropped"): each estimator
    declares its own (analysis/pure/estimators/), the one below is every fit's."""
    if key == "singletons_or_separation":
        return gettext("singletons or separated observations")
    if key in FIT_DROP_REASONS:  # every fit's own (analysis/pure/fit_checks.py)
        return gettext(FIT_DROP_REASONS[key])
    reasons = drop_reasons()
    return gettext(reasons[key]) if key in reasons else key


# Warnings without parameters: their stored English is their template, so a row stored before
# notes existed is still said in the page language (an exact lookup, never a pattern).
PLAIN_NOTES = frozenset({UNCORRELATED})


@register.filter
def analysis_note(text: object) -> object:
    """One warning stored in a run's results or a release's summary, in the active language: a
    note (coding/pure/notes.py) translated, an estimator's own warning (analysis/pure/estimators/)
    or a warning without parameters by its text; any other text as it is."""
    if notes.is_note(text):
        return notes.translated(text, gettext, ngettext)  # type: ignore[arg-type]  # checked by is_note
    if str(text) in estimator_notes() or str(text) in PLAIN_NOTES:
        return gettext(str(text))
    return text


@register.filter
def analysis_notes(stored: Mapping[str, Any] | None) -> list[str]:
    """The "warnings" of a run's result or a release's summary in the active language, each from
    its note in "warning_notes" (paired by exact text); one without a note, as in rows stored
    before notes existed, through analysis_note (so as stored unless it has no parameters)."""
    stored = stored or {}
    pairs = notes.noted(stored.get("warnings") or [], stored.get("warning_notes"))
    return [str(analysis_note(found if found is not None else text)) for text, found in pairs]
