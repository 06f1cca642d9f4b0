"""Template filters that put the reliability statistics' warnings into the page language.

coding/pure/reliability.py stays Django-free: beside its English warnings (the CLI and the JSON
report use them as they are) it keeps each as a note, a template with its parameters
(coding/pure/notes.py), which pages translate (coding/selectors/agreement_labels.py). A warning
without a note (stored before notes existed) is shown as it was stored."""

from django import template
from django.utils.translation import gettext, pgettext

from ..pure import notes
from ..selectors.agreement_labels import note_text, summary_notes_text

register = template.Library()


@register.filter
def agreement_note(value):
    """One warning: a note (coding/pure/notes.py) in the active language; text as it is."""
    return note_text("", value) if notes.is_note(value) else value


@register.filter
def agreement_warnings(summary):
    """The "warnings" of reliability.indicator_summary in the active language, each translated
    from its note in "warning_notes" (a warning without one as it is)."""
    return summary_notes_text(summary)


@register.filter
def measurement_level(level):
    """'nominal' / 'ordinal' / 'interval' (the depth score's) in the active language."""
    known = {"nominal": gettext("nominal"), "ordinal": gettext("ordinal"), "interval": pgettext("level", "interval")}
    return known.get(level, level)
