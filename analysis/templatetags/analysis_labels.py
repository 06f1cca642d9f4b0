"""Template filters that put the analysis app's stored English words into the page language:
tier names, scoring methods, sources of codes, gravity drop reasons and the notes that the pure
modules write in English (they stay Django-free; stored releases and runs keep their words)."""

import re

from django import template
from django.utils.translation import gettext, pgettext

from web.templatetags.source_labels import source_label as coding_source_label

from ..pure.estimators import drop_reasons, notes
from ..pure.fit_checks import DROP_REASONS as FIT_DROP_REASONS
from ..pure.presets import PRESET_LABELS
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


# How a download link names a file format (names of programs and formats: the same in every language).
FORMAT_NAMES = {
    "tex": "LaTeX",
    "md": "Markdown",
    "csv": "CSV",
    "docx": "Word",
    "xlsx": "Excel",
    "dta": "Stata",
    "parquet": "Parquet",
    "json": "JSON",
}


@register.filter
def format_name(name):
    return FORMAT_NAMES.get(name, name)


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


def _not_finite(match):
    return gettext("not a finite number, stored as empty: %(fields)s") % match.groupdict()


def _mixed_signs(match):
    return (
        gettext(
            "loadings have mixed signs (negative: %(negative)s): a provision loading negatively lowers the "
            "score, so the component is not a 'more provisions = deeper' measure"
        )
        % match.groupdict()
    )


def _constant(match):
    return gettext("left out for not varying across the %(n)s complete agreements: %(codes)s") % match.groupdict()


NOTES = [
    (re.compile(r"^not a finite number, stored as empty: (?P<fields>.*)$"), _not_finite),
    (
        re.compile(r"^the component is uncorrelated with the additive score"),
        lambda m: gettext(
            "the component is uncorrelated with the additive score: its direction was set by the "
            "loadings and 'higher = deeper' is not established"
        ),
    ),
    (re.compile(r"^loadings have mixed signs \(negative: (?P<negative>.*?)\): "), _mixed_signs),
    (
        re.compile(r"^regressors dropped as collinear: (?P<terms>.*)$"),
        lambda m: gettext("regressors dropped as collinear: %(terms)s") % m.groupdict(),
    ),
    (
        re.compile(r"^standard error 0 or not finite, do not use: (?P<terms>.*)$"),
        lambda m: gettext("standard error 0 or not finite, do not use: %(terms)s") % m.groupdict(),
    ),
    (re.compile(r"^left out for not varying across the (?P<n>\d+) complete agreements: (?P<codes>.*)$"), _constant),
    # analysis/pure/irt.py (latent depth)
    (
        re.compile(r"^only (?P<n>\d+) treaties: item parameters rest on few answers"),
        lambda m: (
            gettext("only %(n)s treaties: item parameters rest on few answers (see their standard errors)")
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"^(?P<n>\d+) treaties have no code on any depth indicator and get no latent score$"),
        lambda m: gettext("%(n)s treaties have no code on any depth indicator and get no latent score") % m.groupdict(),
    ),
    (
        re.compile(
            r"^(?P<code>\S+): no treaty of the (?P<n>\d+) coded on it has the value (?P<values>.*); "
            r"fitted on the values used \((?P<used>.*)\)$"
        ),
        lambda m: (
            gettext(
                "%(code)s: no treaty of the %(n)s coded on it has the value %(values)s; "
                "fitted on the values used (%(used)s)"
            )
            % m.groupdict()
        ),
    ),
    (
        re.compile(r"^the optimiser did not converge: (?P<reason>.*)$"),
        lambda m: gettext("the optimiser did not converge: %(reason)s") % m.groupdict(),
    ),
]


@register.filter
def analysis_note(text: object) -> object:
    """A warning stored in a run's results or a release's summary, in the active language
    (unknown text as it is). An estimator's warnings are its own (analysis/pure/estimators/)."""
    if str(text) in notes():
        return gettext(str(text))
    for pattern, translate in NOTES:
        match = pattern.search(str(text))
        if match:
            return translate(match)
    return text
