"""Which queues have a live worker, and so why a QUEUED job is still waiting (issue 19).

Every worker process writes a heartbeat into the broker's Redis (jobs/workers.py, started in
config/celery.py): the queues it consumes and when, in one hash; a worker counts as live for
three heartbeat intervals after its last beat. Reading them is one round trip that never blocks a
page. Celery's own ways block or need a listener: `inspect().active_queues()` waits its whole
timeout for replies (it cannot know how many workers should answer) and misses a solo-pool worker
busy with a long task; worker heartbeat events need a process receiving them all the time."""

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from celery import current_app
from django.utils.translation import gettext as _

from .lifecycle import job_setting
from .models import Job, JobStatus
from .progress import job_error_text, job_progress_text

logger = logging.getLogger(__name__)

# One Redis hash: a field per worker process, holding its queues and the Redis server's time of its
# last beat (the server's clock, so machines whose clocks differ still agree on what is recent).
WORKERS_KEY = "workbench:workers"


def worker_heartbeat_seconds() -> float:
    return float(job_setting("WORKER_HEARTBEAT_SECONDS"))


def worker_heartbeat_ttl() -> int:
    """How long a worker counts as live after its last heartbeat: three beats, so one slow beat
    (a busy machine) does not make it vanish, and a killed worker is gone within 15 s."""
    return max(1, round(3 * worker_heartbeat_seconds()))


def broker_redis(*, connect_timeout: float = 0.5) -> Any:
    """A client of the broker's Redis (CELERY_BROKER_URL as the Celery app has it now), with short
    timeouts: a page asking must not wait for a Redis that is down. The caller closes it."""
    import redis

    return redis.Redis.from_url(
        current_app.conf.broker_url, socket_connect_timeout=connect_timeout, socket_timeout=2 * connect_timeout + 1
    )


def worker_beats(client: Any) -> dict[str, tuple[float, list[str]]]:
    """{worker: (seconds since its last beat, queues)} from the hash, by the Redis server's clock."""
    with client.pipeline(transaction=False) as pipe:
        now, entries = pipe.time().hgetall(WORKERS_KEY).execute()
    now = now[0] + now[1] / 1e6
    beats: dict[str, tuple[float, list[str]]] = {}
    for name, raw in entries.items():
        try:
            entry = json.loads(raw)
            beats[name.decode() if isinstance(name, bytes) else name] = (
                now - float(entry["at"]),
                list(entry["queues"]),
            )
        except (TypeError, ValueError, KeyError):  # not ours: ignore it
            continue
    return beats


# Every status request asks live_queues: with Redis down, one short line per process and minute
# in the log, not a traceback per request.
UNREACHABLE_LOG_SECONDS = 60.0
_unreachable_logged_at: float | None = None


def _warn_unreachable(exc: BaseException) -> None:
    global _unreachable_logged_at
    now = time.monotonic()
    if _unreachable_logged_at is not None and now - _unreachable_logged_at < UNREACHABLE_LOG_SECONDS:
        return
    _unreachable_logged_at = now
    detail = " ".join(str(exc).split())[:200]
    logger.warning(
        "cannot read the workers' heartbeats: the broker is unreachable (%s: %s); said once a minute",
        type(exc).__name__,
        detail,
    )


def live_queues() -> set[str] | None:
    """The names of the queues at least one live worker consumes, or None when the broker cannot
    be reached (then nothing can be said about workers, and no task can be sent either)."""
    try:
        client = broker_redis()
        try:
            beats = worker_beats(client)
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - redis-py raises many types (ValueError for a bad URL); logged
        _warn_unreachable(exc)
        return None
    ttl = worker_heartbeat_ttl()
    return {queue for age, queues in beats.values() if age <= ttl for queue in queues}


def job_queue(model: type[Job]) -> str:
    """The queue a job model's task is routed to (CELERY_TASK_ROUTES): "default" or "estimation"."""
    return str(current_app.amqp.router.route({}, model.TASK_NAME)["queue"].name)


def job_waiting_reason(job: Job | None) -> str | None:
    """Why QUEUED `job` is not being worked on, in the reader's language, or None: no live worker
    consumes its queue, or the task queue cannot be reached. None for a job that is not QUEUED,
    or whose queue has a live worker (then it waits its turn)."""
    if job is None or job.status != JobStatus.QUEUED:
        return None
    queue = job_queue(type(job))
    live = live_queues()
    if live is None:
        return _("The task queue is unreachable (is Redis running at REDIS_URL?): this job waits until it is back.")
    if queue in live:
        return None
    return _(
        "No worker is consuming the “%(queue)s” queue, so this job waits. Start one with: "
        "celery -A config worker -Q %(queue)s"
    ) % {"queue": queue}


def jobs_waiting_reason(jobs: Iterable[Job]) -> str | None:
    """The waiting reason of the first QUEUED job among `jobs` (a page listing a few jobs of one
    kind asks once), or None."""
    return job_waiting_reason(next((job for job in jobs if job.status == JobStatus.QUEUED), None))


def bar_state(status: str, progress: int) -> dict[str, Any]:
    """How a job's progress bar is drawn: a failed job's bar is full and red and says "failed"
    (its progress stops wherever the failure came, 95% say, which would read as nearly done); a
    cancelled one stays where it stopped, greyed; a finished one is full."""
    if status == JobStatus.FAILED:
        return {"state": "failed", "width": 100, "text": _("failed")}
    if status == JobStatus.CANCELLED:
        return {"state": "cancelled", "width": progress, "text": _("cancelled")}
    if status == JobStatus.DONE:
        return {"state": "done", "width": 100, "text": ""}
    return {"state": "active", "width": progress, "text": ""}


def status_payload(
    *, pk: int, status: str, progress: int, message: str, error: str, waiting_reason: str | None, **extra: Any
) -> dict[str, Any]:
    """The one shape of every job-status JSON (the pages' scripts poll it), for a job or for
    something whose status is combined from jobs (a sensitivity run from its model runs): id,
    status and its display, progress, how its bar is drawn, its message, error and why it waits
    (already in the reader's language), plus `extra`."""
    return {
        "id": pk,
        "status": status,
        "status_display": str(JobStatus(status).label),
        "progress": progress,
        "bar": bar_state(status, progress),
        "message": message,
        "error": error,
        "waiting_reason": waiting_reason,
        **extra,
    }


def job_status_payload(job: Job, *, waiting_reason: str | None = None, **extra: Any) -> dict[str, Any]:
    """What every job-status JSON view answers (`status_payload`): the job's progress message
    and error in the reader's language and why a QUEUED job waits; plus `extra` (a text
    import's result, a run's specifications). `waiting_reason`: the caller's when it knows
    better (a run whose QUEUED child waits), else the job's own."""
    return status_payload(
        pk=job.pk,
        status=job.status,
        progress=job.progress,
        message=job_progress_text(job),
        error=job_error_text(job),
        waiting_reason=waiting_reason if waiting_reason is not None else job_waiting_reason(job),
        **extra,
    )
