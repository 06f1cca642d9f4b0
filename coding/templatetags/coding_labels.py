"""Template filters that name reference coders and sources of codes in the page language.
Presentation only: usernames are data, so proper names (DESTA 2.1) stay as they are and only the
workbench's own words ("the study", "approved") are translated."""
from django import template
from django.utils.translation import gettext, pgettext

from ..visibility import APPROVED_SOURCE

register = template.Library()


@register.filter
def coder_label(name):
    """A coder's name for the page: the reference coder "the study" in the active language."""
    return pgettext("reference coder", "the study") if name == "the study" else name


@register.filter
def source_label(source):
    """A source of codes: "approved" (the adjudicated codings) or a coder's name."""
    return gettext("approved codings") if source == APPROVED_SOURCE else coder_label(source)
