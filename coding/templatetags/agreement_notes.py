"""Template filters that put the pure statistics module's English notes into the page language.

coding/pure/reliability.py stays Django-free and writes its warnings in English (the CLI and the JSON
report use them as they are); pages translate them here, also when they come back from JSON
stored in a release summary."""

import re

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()


def _no_variation(match):
    return (
        gettext(
            "every coding is %(value)s: without variation kappa and alpha are undefined (kappa paradox); "
            "percent agreement and Gwet's AC still apply"
        )
        % match.groupdict()
    )


def _prevalence(match):
    return (
        gettext(
            "value %(value)s makes up %(share)s of all codings (over %(threshold)s): kappa and alpha can be "
            "low although coders agree (kappa paradox); read percent agreement and Gwet's AC beside them"
        )
        % match.groupdict()
    )


def _missing(match):
    count = int(match["count"] or 1)
    return ngettext(
        "%(count)s unit is not coded by every coder: it counts where coded (missing is not 0); "
        "Cohen's kappa uses only units both coders coded",
        "%(count)s units are not coded by every coder: they count where coded (missing is not 0); "
        "Cohen's kappa uses only units both coders coded",
        count,
    ) % {"count": count}


def _outside(match):
    return gettext("values outside the codebook counted as categories: %(values)s") % match.groupdict()


PATTERNS = [
    (re.compile(r"^every coding is (?P<value>\S+): without variation"), _no_variation),
    (
        re.compile(r"^value (?P<value>\S+) makes up (?P<share>\d+%) of all codings \(over (?P<threshold>\d+%)\)"),
        _prevalence,
    ),
    (re.compile(r"^(?:1 unit is|(?P<count>\d+) units are) not coded by every coder"), _missing),
    (re.compile(r"^values outside the codebook counted as categories: (?P<values>.*)$"), _outside),
]


@register.filter
def agreement_note(text):
    """One warning of reliability.indicator_summary in the active language (unknown text as is)."""
    for pattern, translate in PATTERNS:
        match = pattern.search(str(text))
        if match:
            return translate(match)
    return text


@register.filter
def measurement_level(level):
    """'nominal' / 'ordinal' in the active language."""
    return {"nominal": gettext("nominal"), "ordinal": gettext("ordinal")}.get(level, level)
