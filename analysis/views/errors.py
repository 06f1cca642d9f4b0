"""Errors of the analysis pages in the reader's language. Page layer: no reads, no writes."""

from django.utils.translation import gettext as _


def spec_error_text(exc):
    """A specification error (analysis.pure.errors.SpecError) as the page shows it: translated when
    it was raised from a marked template (SpecError.of), else as raised (the formula grammar's
    messages quote the user's tokens)."""
    template = getattr(exc, "template", None)
    if not template:
        return str(exc)
    params = {
        key: spec_error_text(value) if isinstance(value, Exception) else value for key, value in exc.params.items()
    }
    return _(template) % params
