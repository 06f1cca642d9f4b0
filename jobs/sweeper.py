"""The sweeper: jobs whose worker or task was lost end instead of waiting for ever.

- RUNNING jobs whose owner is gone (its process no longer exists on this machine and its last
  heartbeat is two heartbeats old, or no heartbeat for JOB_OWNER_TIMEOUT seconds) end FAILED:
  "the worker running this job stopped (...)".
- QUEUED jobs older than JOB_QUEUED_LOST_AFTER seconds whose task is no longer waiting in the
  broker (Redis restarted without persistence, a web process killed between commit and send, a
  message reserved by a worker that was killed) are sent again, up to JOB_MAX_RESENDS times, then
  fail. A second copy of a task is harmless: only one task can claim a job.

It runs inside every worker (config/celery.py): once when the worker is ready, then every
JOB_SWEEP_SECONDS from a thread of the worker's main process. Every write is conditional on the
row as it was read, so sweepers of several workers, and a task taking a job over, never undo
each other. Jobs of both apps are found through the Job base class (this app imports neither),
and what an app settles from its swept jobs is named in JOB_SWEEP_HOOKS."""

import json
import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from .dispatch import job_send
from .lifecycle import job_fail, job_owner_gone, job_setting
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

NOT_READ = object()
_thread: threading.Thread | None = None
_stop = threading.Event()


def job_models() -> list[type[Job]]:
    return [model for model in apps.get_models() if issubclass(model, Job)]


def waiting_task_ids(*, delivered_within: float) -> set[str] | None:
    """Ids of the tasks the broker still holds for a worker: waiting in a queue (Redis lists, every
    priority), or handed to a worker less than `delivered_within` seconds ago and not yet
    acknowledged (a message reserved longer than that by a job still QUEUED belongs to a worker
    that died before starting it). None when that cannot be read (another transport, the broker
    down): then nothing is re-sent."""
    app = current_app

    def task_id(raw: bytes) -> str | None:
        message = json.loads(raw)
        if isinstance(message, list):  # the unacked hash holds [message, exchange, routing key]
            message = message[0]
        return (message.get("headers") or {}).get("id") or (message.get("properties") or {}).get("correlation_id")

    try:
        # Every queue, not only the ones this worker consumes: a worker on `default` must not take
        # a fit waiting in `estimation` for a lost task (and send it again).
        queues = (
            {queue.name for queue in app.amqp.queues.consume_from.values()}
            | {app.conf.task_default_queue}
            | set(getattr(settings, "WORKBENCH_QUEUES", ()))
        )
        ids: set[str | None] = set()
        with app.connection_for_read() as conn:
            channel = conn.default_channel
            client = channel.client
            for queue in queues:
                for priority in channel.priority_steps:
                    key = channel._q_for_pri(queue, priority)
                    for start in range(0, client.llen(key), 1000):
                        ids.update(task_id(raw) for raw in client.lrange(key, start, start + 999))
            recent = client.zrangebyscore(channel.unacked_index_key, time.time() - delivered_within, "+inf")
            if recent:
                ids.update(task_id(raw) for raw in client.hmget(channel.unacked_key, recent) if raw)
        return {task_id for task_id in ids if task_id}
    except Exception:  # any transport or connection error: we do not know
        logger.warning("sweeper: cannot read the broker's queues", exc_info=True)
        return None


def jobs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """One sweep over every job model. Returns {"failed": n, "resent": n, "settled": n}."""
    now = now or timezone.now()
    counts = {"failed": 0, "resent": 0, "settled": 0}
    waiting: Any = NOT_READ  # read once, when a QUEUED job is old enough to ask; None: cannot be read
    for model in job_models():
        for job in model.sweepable().filter(status=JobStatus.RUNNING):
            # A pool process that died has its task delivered again within seconds, and that task
            # takes the job over: give it two heartbeats' time before failing the job.
            gone = job_owner_gone(job, now=now, grace=2 * job_setting("JOB_HEARTBEAT_SECONDS"))
            if gone is None:
                continue
            # Only the row as read: a heartbeat or a take-over since then wins.
            same = model._default_manager.filter(
                pk=job.pk, worker=job.worker, heartbeat_at=job.heartbeat_at, attempts=job.attempts
            )
            if job_fail(
                job, f"the worker running this job stopped ({gone})", only_if=[JobStatus.RUNNING], queryset=same
            ):
                logger.warning("sweeper: %s %s failed: its worker stopped (%s)", model.__name__, job.pk, gone)
                counts["failed"] += 1
        lost_after = job_setting("JOB_QUEUED_LOST_AFTER")
        for job in model.sweepable().filter(
            status=JobStatus.QUEUED, created_at__lt=now - timedelta(seconds=lost_after)
        ):
            if now - job.created_at < timedelta(seconds=lost_after * (1 + job.resends)):
                continue  # re-sent recently: give that copy its time
            if waiting is NOT_READ:
                waiting = waiting_task_ids(delivered_within=lost_after)
            if waiting is None or (job.task_id and job.task_id in waiting):
                continue
            if job.resends >= job_setting("JOB_MAX_RESENDS"):
                if job_fail(
                    job,
                    f"the task queue lost this job's task {job.resends + 1} times (is a worker consuming its queue?)",
                    only_if=[JobStatus.QUEUED],
                    queryset=model._default_manager.filter(pk=job.pk, resends=job.resends),
                ):
                    counts["failed"] += 1
                continue
            logger.warning(
                "sweeper: %s %s waited %s with no task in the queue; sending it again",
                model.__name__,
                job.pk,
                now - job.created_at,
            )
            if job_send(job, resend=True):
                counts["resent"] += 1
    # What another app settles from its swept jobs (a fanned-out run from its children), named in
    # JOB_SWEEP_HOOKS so that this app does not import that one.
    for hook in getattr(settings, "JOB_SWEEP_HOOKS", ()):
        counts["settled"] += import_string(hook)() or 0
    return counts


def sweep_safely() -> dict[str, int] | None:
    """A sweep that never raises (a thread's loop and a signal handler call it)."""
    try:
        counts = jobs_sweep()
        if any(counts.values()):
            logger.warning("sweeper: %(failed)d jobs failed, %(resent)d re-sent", counts)
        return counts
    except Exception:  # the next sweep tries again
        logger.exception("sweeper: the sweep failed")
        return None
    finally:
        connection.close()  # this thread's connection: a sweep every few seconds needs no pool


def sweeper_start(interval: float | None = None) -> threading.Thread:
    """Sweep now, then every `interval` (JOB_SWEEP_SECONDS) seconds from a daemon thread of this
    process, until sweeper_stop(). Starting it twice starts one thread."""
    global _thread
    if _thread is not None and _thread.is_alive():
        return _thread
    interval = interval or job_setting("JOB_SWEEP_SECONDS")
    _stop.clear()

    def loop() -> None:
        sweep_safely()
        while not _stop.wait(interval):
            sweep_safely()

    _thread = threading.Thread(target=loop, daemon=True, name="job-sweeper")
    _thread.start()
    return _thread


def sweeper_stop() -> None:
    _stop.set()
