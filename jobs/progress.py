"""Progress as data. A worker has no reader, so it stores each progress message as its
untranslated template (the msgid, marked with gettext_noop where it is written) with its
parameters; a page or status view translates it for its reader. The English text is stored too
(`progress_message`: logs, the admin, rows written before the code existed)."""

from typing import Any

from django.utils.translation import gettext, gettext_noop

DONE = gettext_noop("done")
CANCELLED = gettext_noop("cancelled")


def progress_fields(code: str, params: dict[str, Any] | None = None, *, message: str | None = None) -> dict[str, Any]:
    """The fields that store one progress message: `code` (a template) with `params`, and its
    English text (`message`, or the template filled in)."""
    params = dict(params or {})
    english = message if message is not None else (code % params if params else code)
    return {"progress_message": english[:300], "progress_code": code, "progress_params": params}


def plain_progress(message: str) -> dict[str, Any]:
    """A message that came as plain text (no template): shown as it is."""
    return {"progress_message": message[:300], "progress_code": "", "progress_params": {}}


def progress_text(code: str, params: dict[str, Any] | None, message: str) -> str:
    """A job's progress in the reader's language: its template translated and filled in, or the
    stored text when it has no template (or the template no longer fits its parameters)."""
    if not code:
        return message
    try:
        return gettext(code) % params if params else gettext(code)
    except (KeyError, TypeError, ValueError):
        return message


def job_progress_text(job: Any) -> str:
    return progress_text(job.progress_code, job.progress_params, job.progress_message)
