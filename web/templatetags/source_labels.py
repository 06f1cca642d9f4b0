"""Template filters that name reference coders and sources of codes in the page language, on the
pages of both apps (`{% load source_labels %}`).
Presentation only: usernames are data, so proper names (DESTA 2.1) stay as they are and only the
workbench's own words ("the study", "approved") are translated."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from coding.selectors.codings import reference_coders
from coding.visibility import APPROVED_SOURCE

register = template.Library()


@register.filter
def coder_label(name):
    """A coder's name for the page: the reference coder "the study" in the active language."""
    return pgettext("reference coder", "the study") if name == "the study" else name


@register.filter
def source_label(source):
    """A source of codes: "approved" (the adjudicated codings) or a coder's name."""
    return gettext("approved codings") if source == APPROVED_SOURCE else coder_label(source)


def _reference_names(context):
    """The reference sources' names, read once per request (a page lists many names)."""
    request = context.get("request")
    names = getattr(request, "_reference_source_names", None)
    if names is None:
        names = set(reference_coders().values_list("username", flat=True))
        if request is not None:
            request._reference_source_names = names
    return names


@register.simple_tag(takes_context=True)
def reference_mark(context, name):
    """A "reference" mark after a name that is a reference source (DESTA 2.1, the study, a file's
    source), wherever sources are listed beside coders, so no source can pass for a person."""
    if str(name) not in _reference_names(context):
        return ""
    # The leading space is the mark's own, so a template writes `{{ name }}{% reference_mark name %}`
    # and a name that is not a source renders exactly as before.
    return format_html(
        ' <span class="badge reference-mark" title="{}">{}</span>',
        gettext("a reference source: published or imported codings, not a person who logs in"),
        pgettext("source mark", "reference"),
    )
