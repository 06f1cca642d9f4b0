"""Sending jobs' tasks, by name, once the row is committed (for both apps).

A service creates the job row inside its transaction and calls `job_dispatch`; the task is sent
by name (the model's TASK_NAME) through Celery's current app once the row is committed, so a
worker never looks for a row that is not there yet, and no service imports a task module or
`config`. When the broker cannot be reached the job ends FAILED with the reason at once instead
of staying QUEUED for ever: within about 2 s (the broker timeouts in config/settings/base.py),
and the page or API that made it says so (`job_queue_unreachable`)."""

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from celery import current_app, group
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from .lifecycle import job_fail
from .models import Job, JobStatus
from .progress import Reason

logger = logging.getLogger(__name__)

# How the error of a job whose task could not be sent begins (pages and the API recognise it by this).
QUEUE_UNREACHABLE = "could not reach the task queue"
# The one reason stored for it, a fixed sentence translated when shown (jobs/progress.py Reason):
# not the broker's exception, whose text names a class and can be false ("The Celery application
# must be restarted" - it recovers by itself once Redis is back). At most 120 characters: the
# template is stored in Job.error_code.
QUEUE_UNREACHABLE_REASON = gettext_noop(
    "could not reach the task queue (is Redis running at REDIS_URL?): the job was not started; try again once it is back"
)


def _queue_unreachable() -> Reason:
    """Why a job whose task could not be sent failed (the exception goes to the log only)."""
    return Reason(QUEUE_UNREACHABLE_REASON)


def _log_unreachable(what: str, exc: BaseException) -> None:
    """One line for the operator, with the broker's own words but no traceback."""
    detail = " ".join(str(exc).split())[:200]
    logger.warning("could not queue %s: the task queue is unreachable (%s: %s)", what, type(exc).__name__, detail)


def job_queue_unreachable(job: Job) -> bool:
    """Whether `job` failed because its task could not be sent (Redis down), not in its work."""
    return job.status == JobStatus.FAILED and (
        job.error_code == QUEUE_UNREACHABLE_REASON or (job.error or "").startswith(QUEUE_UNREACHABLE)
    )


def job_dispatch(job: Job) -> None:
    """Send `job`'s task (its class's TASK_NAME) when the current transaction commits."""
    transaction.on_commit(lambda: job_send(job))


def job_send(job: Job, *, resend: bool = False) -> bool:
    """Send the task now; a broker that cannot be reached fails the job with the reason. A
    re-send (by the sweeper) also counts in `resends`."""
    model = type(job)
    try:
        result = current_app.send_task(model.TASK_NAME, args=[job.pk])
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many types when the broker is down; logged
        _log_unreachable(f"{model.__name__} {job.pk}", exc)
        job_fail(job, _queue_unreachable(), only_if=[JobStatus.QUEUED])
        return False
    fields: dict[str, Any] = {"task_id": result.id}
    if resend:
        fields["resends"] = F("resends") + 1
    model._default_manager.filter(pk=job.pk).update(**fields)
    return True


def job_dispatch_group(jobs: Iterable[Job], *, on_failure: Callable[[Reason], object] | None = None) -> None:
    """Send the tasks of `jobs` (rows of one Job model) as one Celery group when the current
    transaction commits: one message each, so as many workers as the queue has take them at once.
    A broker that cannot be reached fails every job with the reason, then calls on_failure()."""
    rows = list(jobs)
    transaction.on_commit(lambda: job_send_group(rows, on_failure=on_failure))


def job_send_group(jobs: Sequence[Job], *, on_failure: Callable[[Reason], object] | None = None) -> bool:
    if not jobs:
        return True
    model = type(jobs[0])
    try:
        result = group(current_app.signature(model.TASK_NAME, args=[job.pk]) for job in jobs).apply_async()
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many types when the broker is down; logged
        _log_unreachable(f"{len(jobs)} {model.__name__} jobs", exc)
        reason = _queue_unreachable()
        for job in jobs:
            job_fail(job, reason, only_if=[JobStatus.QUEUED])
        if on_failure is not None:
            on_failure(reason)
        return False
    for job, sent in zip(jobs, result.results):
        model._default_manager.filter(pk=job.pk).update(task_id=sent.id)
    return True


def tasks_revoke(task_ids: Sequence[str]) -> bool:
    """Revoke tasks a worker has not started yet (a cancelled job's): never with terminate, which
    signals whatever the pool process runs by the time the signal arrives. False when the broker
    cannot be reached (the rows say CANCELLED already, and a task that runs anyway claims nothing)."""
    if not task_ids:
        return True
    try:
        current_app.control.revoke(list(task_ids))
    except Exception:  # noqa: BLE001 - the broker may be down
        logger.warning("could not revoke the tasks %s", list(task_ids))
        return False
    return True
