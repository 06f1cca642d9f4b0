"""Progress as data. A worker has no reader, so it stores each progress message as its
untranslated template (the msgid, marked with gettext_noop where it is written) with its
parameters; a page or status view translates it for its reader. The English text is stored too
(`progress_message`: logs, the admin, rows written before the code existed)."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop

DONE = gettext_noop("done")
CANCELLED = gettext_noop("cancelled")
# The one reason of every job kind that ran out of time (jobs/lifecycle.py: job_run).
TIME_LIMIT = gettext_noop("time limit of %(seconds)s s exceeded")
TIME_LIMIT_UNKNOWN = gettext_noop("time limit exceeded")


@dataclass(frozen=True)
class Reason:
    """Why a job failed, as data like its progress: a template (marked with gettext_noop) and its
    parameters. `str()` is the English text stored in the job's `error`; the template and
    parameters are stored in its `error_code` and `error_params`, so the reason is translated when shown
    (`job_error_text`) and a parent can carry a child's reason on (`job_reason`)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code % self.params if self.params else self.code


def time_limit_reason(seconds: float | None) -> Reason:
    """A job stopped by its time limit (`seconds`, None when unknown)."""
    return Reason(TIME_LIMIT, {"seconds": f"{seconds:g}"}) if seconds else Reason(TIME_LIMIT_UNKNOWN)


def progress_fields(code: str, params: dict[str, Any] | None = None, *, message: str | None = None) -> dict[str, Any]:
    """The fields that store one progress message: `code` (a template) with `params`, and its
    English text (`message`, or the template filled in)."""
    params = dict(params or {})
    english = message if message is not None else (code % params if params else code)
    return {"progress_message": english[:300], "progress_code": code, "progress_params": params}


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


def job_reason(job: Any) -> "Reason | str":
    """The reason a failed `job` stored: a Reason when it was written as one (`error_code` and
    `error_params`; `error` holds their English text), else the error's text."""
    error: str = getattr(job, "error", "") or ""
    code = getattr(job, "error_code", "")  # a row read with only() or an object that is no job has none
    if code:
        return Reason(code, dict(getattr(job, "error_params", None) or {}))
    return error


def job_error_text(job: Any) -> str:
    """A job's error in the reader's language when it was stored as a Reason, else as it is."""
    reason = job_reason(job)
    if isinstance(reason, Reason):
        return progress_text(reason.code, reason.params, job.error)
    return reason
