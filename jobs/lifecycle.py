"""The one lifecycle of every job (text import, pre-coding, one specification of a model run,
a run fitted in one task): claim, heartbeat, take-over, conditional end, failure reason.

A job always ends. The worker process that claims a job writes itself on the row ("host:pid")
and keeps a heartbeat there while it runs. A task redelivered after its worker died (acks_late
with reject_on_worker_lost) takes the job over, up to JOB_MAX_ATTEMPTS starts; the sweeper
(jobs/sweeper.py) fails RUNNING jobs whose worker is gone and re-sends QUEUED jobs whose task
the queue lost. Every write of the worker is conditional on the row still being RUNNING under
this owner, so a cancel, the sweeper or a take-over is never overwritten.

A job kind is a `work(job, step)` function handed to `job_run`: it does the work, reports
progress and beats through `step` (a JobStep), and returns the fields written when the job ends
DONE; `job_run` claims, ends the job and records the failure reason."""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from celery import current_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import Job, JobStatus
from .progress import DONE, Reason, progress_fields, time_limit_reason

logger = logging.getLogger(__name__)

MAX_ERROR = 10_000
J = TypeVar("J", bound=Job)


def job_setting(name: str) -> Any:
    """A liveness setting (JOB_*, WORKER_HEARTBEAT_SECONDS): its value and its default are set in
    one place, config/settings/base.py."""
    return getattr(settings, name)


def job_owner() -> str:
    """This process as a job's owner: "host:pid" (the pool process in a prefork worker)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def task_soft_time_limit(task: Any) -> float | None:
    """The soft time limit a running Celery task has, in seconds: the call's own (apply_async's
    soft_time_limit), else the task's (CELERY_TASK_SOFT_TIME_LIMIT or per task), else its hard one."""
    hard, soft = task.request.timelimit or (None, None)
    limit: float | None = soft or task.soft_time_limit or hard or task.time_limit
    return limit


def running_time_limit() -> float | None:
    """The soft time limit of the Celery task this thread runs (none outside a task: then the
    settings' CELERY_TASK_SOFT_TIME_LIMIT, which every task has unless it sets its own)."""
    task = current_task._get_current_object() if current_task else None
    limit = task_soft_time_limit(task) if task is not None else None
    return limit or getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)


def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists on this machine and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user
        return True
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def job_owner_gone(job: Job, *, now: datetime | None = None, grace: float = 0) -> str | None:
    """Why the worker that claimed RUNNING `job` is gone (a short text), or None while it lives:
    its process no longer exists (when it ran on this machine; only once its last heartbeat is
    `grace` seconds old), or it has not written a heartbeat for JOB_OWNER_TIMEOUT seconds (on
    any machine; this also covers a reused pid)."""
    now = now or timezone.now()
    last = job.heartbeat_at or job.started_at
    host, _, pid = (job.worker or "").rpartition(":")
    dead_here = host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid))
    if dead_here and (last is None or now - last > timedelta(seconds=grace)):
        return f"its process {job.worker} is gone"
    timeout = job_setting("JOB_OWNER_TIMEOUT")
    if last is None or now - last > timedelta(seconds=timeout):
        seen = f"since {timezone.localtime(last):%Y-%m-%d %H:%M:%S}" if last else "ever"
        return f"no sign of life from {job.worker or 'its worker'} {seen}, more than {timeout} s"
    return None


def job_claim(model: type[Job], job_id: int, **fields: Any) -> bool:
    """QUEUED -> RUNNING, atomically: True for the one worker that gets the job; it is written on
    the row as the owner with a first heartbeat. A task delivered again after its worker died
    finds the job RUNNING with a dead owner: it takes the job over (True) while the job has been
    started fewer than JOB_MAX_ATTEMPTS times, else it fails the job with the reason (False).
    A job that is RUNNING with a live owner, or finished, is not touched (False)."""
    now = timezone.now()
    rows = model._default_manager
    mine = {"worker": job_owner(), "heartbeat_at": now, "started_at": now, "attempts": F("attempts") + 1}
    if rows.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, **mine, **fields):
        return True
    job = rows.filter(pk=job_id, status=JobStatus.RUNNING).first()
    if job is None:
        return False
    gone = job_owner_gone(job, now=now)
    if gone is None:
        return False
    # Conditional on the row as read: of two tasks racing for the same dead job, one wins.
    same = rows.filter(pk=job_id, status=JobStatus.RUNNING, worker=job.worker, attempts=job.attempts)
    if job.attempts >= job_setting("JOB_MAX_ATTEMPTS"):
        job_fail(
            job,
            f"the worker running this job stopped ({gone}); not started again after {job.attempts} attempts",
            only_if=[JobStatus.RUNNING],
            queryset=same,
        )
        return False
    logger.warning(
        "%s %s: taking over from a dead worker (%s), attempt %d", model.__name__, job_id, gone, job.attempts + 1
    )
    return bool(same.update(**mine, **fields))


def job_heartbeat(model: type[Job], job_id: int) -> bool:
    """Write this process's sign of life on the job it runs; False once the job is no longer
    RUNNING under this owner (cancelled, failed by the sweeper, taken over)."""
    return bool(
        model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING, worker=job_owner()).update(
            heartbeat_at=timezone.now()
        )
    )


@contextmanager
def job_heartbeat_thread(model: type[Job], job_id: int) -> Iterator[None]:
    """Keep a heartbeat on the job every JOB_HEARTBEAT_SECONDS from a thread while the block runs
    (for work that does not come back to a loop of its own, like a text import). The thread
    never raises and never holds the block up: it stops with the block, or when the job stops
    being ours."""
    stop = threading.Event()
    owner = job_owner()
    rows = model._default_manager

    def beat() -> None:
        try:
            while not stop.wait(job_setting("JOB_HEARTBEAT_SECONDS")):
                try:
                    if (
                        not rows.filter(pk=job_id, status=JobStatus.RUNNING, worker=owner).update(
                            heartbeat_at=timezone.now()
                        )
                        and rows.filter(pk=job_id).exclude(status=JobStatus.QUEUED).exists()
                    ):
                        return
                except Exception:  # a busy or lost database: try again next beat
                    logger.warning("heartbeat of %s %s not written", model.__name__, job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{model.__name__}-{job_id}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=1)


class Heartbeat:
    """Called often while a job waits on its work (the estimator): a heartbeat on each of `jobs`
    ((model, id) pairs: the job, and the run it belongs to when that is fitted in this process)
    every JOB_HEARTBEAT_SECONDS."""

    def __init__(self, *jobs: tuple[type[Job], int]) -> None:
        self.jobs, self.last = jobs, time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last < job_setting("JOB_HEARTBEAT_SECONDS"):
            return
        self.last = time.monotonic()
        for model, job_id in self.jobs:
            try:
                job_heartbeat(model, job_id)
            except Exception:  # a busy database: the next beat tries again
                logger.warning("heartbeat of %s %s not written", model.__name__, job_id, exc_info=True)


def job_fail(
    job: Job,
    error: object,
    *,
    only_if: Sequence[str] = (JobStatus.QUEUED, JobStatus.RUNNING),
    queryset: "QuerySet[Any] | None" = None,
    **fields: Any,
) -> bool:
    """End a job FAILED with `error`, unless it already ended (a cancel is never overwritten).
    A Reason (jobs/progress.py) is stored as its English text, its template and parameters in
    `error_code` and `error_params`, translated when shown; anything else as its text (the
    progress fields keep how far the job got).
    This never raises: the error is stored as plain text; if the write fails with `fields`
    (e.g. results the database refuses) it is tried without them; if even that fails, it is
    logged and the sweeper ends the job later (its worker stops heartbeating). True if written."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails
        text = f"{type(error).__name__} (its message could not be read)"
    # PostgreSQL text cannot hold NUL characters.
    text = text.replace("\x00", "")[:MAX_ERROR] or "failed (no reason given)"
    rows = queryset if queryset is not None else type(job)._default_manager.filter(pk=job.pk)
    ending = {"status": JobStatus.FAILED, "error": text, "finished_at": timezone.now()}
    if isinstance(error, Reason) and text == str(error):
        ending.update(error_code=error.code, error_params=dict(error.params))
    for extra in [fields, {}] if fields else [{}]:
        try:
            with transaction.atomic():  # a savepoint: a refused write leaves an outer transaction usable
                return bool(rows.filter(status__in=list(only_if)).update(**ending, **extra))
        except Exception:  # the failure handler itself must not fail
            logger.exception(
                "could not write the failure of %s %s%s",
                type(job).__name__,
                job.pk,
                " with its fields; trying without" if extra else "",
            )
    return False


class JobStopped(Exception):
    """Raised by a job's work when the job is no longer ours (cancelled, failed by the sweeper,
    taken over): stop at once and write nothing; the row says why already."""


@dataclass
class JobStep:
    """What a job's work writes while it runs, every write conditional on the row still RUNNING
    under this process (`running`)."""

    model: type[Job]
    job_id: int
    running: "QuerySet[Any]"
    kept: dict[str, Any] = field(default_factory=dict)  # written with a failure too (results so far)

    def alive(self) -> bool:
        return bool(self.running.exists())

    def update(self, **fields: Any) -> bool:
        return bool(self.running.update(**fields))

    def progress(self, percent: int, code: str, params: dict[str, Any] | None = None, **fields: Any) -> bool:
        """Progress as a template and its parameters (jobs/progress.py), translated when shown."""
        return self.update(progress=percent, **progress_fields(code, params), **fields)

    def beat(self) -> None:
        """A heartbeat now; JobStopped once the job is no longer ours."""
        if not job_heartbeat(self.model, self.job_id):
            raise JobStopped

    def keep(self, **fields: Any) -> None:
        """Fields written with the job's end whatever it is (the results so far)."""
        self.kept.update(fields)


def failure_text(exc: BaseException, job: Job) -> str:
    """The reason a job shows when its work raised something its kind did not expect."""
    logger.exception("%s %s failed", type(job).__name__, job.pk)
    return f"{type(exc).__name__}: {exc}"


def in_own_words(*expected: type[BaseException]) -> "Callable[[BaseException, Job], str]":
    """A job kind's `reason`: exceptions of the `expected` kinds are said in their own words (they
    were raised to be read); anything else is failure_text's, logged with its traceback."""

    def reason(exc: BaseException, job: Job) -> str:
        return str(exc) if isinstance(exc, expected) else failure_text(exc, job)

    return reason


def job_run(
    model: type[J],
    job_id: int,
    work: "Callable[[J, JobStep], dict[str, Any] | None]",
    *,
    starting: str = "",
    claim: dict[str, Any] | None = None,
    load: "Callable[[int], J] | None" = None,
    reason: "Callable[[BaseException, J], str | Reason]" = failure_text,
    after: "Callable[[J], object] | None" = None,
    time_limit: float | None = None,
) -> J | None:
    """Run one job of `model` through its whole life: claim it (with the `claim` fields; None
    when another worker has it or it ended), load it (`load`, default by id), call
    `work(job, step)`, then end it DONE with the fields `work` returned (None: `work` ended the
    job itself), or FAILED with `reason(exc, job)` when it raised; JobStopped ends nothing.
    Celery's SoftTimeLimitExceeded ends every kind of job with one reason, whatever its kind's
    `reason` says: the time limit (`time_limit`, else the running task's; jobs/progress.py
    time_limit_reason).
    `starting` is the first progress message (a template, jobs/progress.py).
    `after(job)` runs once the job ended (a parent settled from its children). Returns the row
    as it is now."""
    if not job_claim(model, job_id, progress=1, **progress_fields(starting), **(claim or {})):
        return None
    rows = model._default_manager
    job: J = model(pk=job_id)
    step = JobStep(model, job_id, rows.filter(pk=job_id, status=JobStatus.RUNNING, worker=job_owner()))
    try:
        job = load(job_id) if load is not None else rows.get(pk=job_id)
        outcome = work(job, step)
        if outcome is not None:
            step.update(
                status=JobStatus.DONE,
                progress=100,
                finished_at=timezone.now(),
                **{**progress_fields(DONE), **step.kept, **outcome},
            )
    except JobStopped:
        pass
    except SoftTimeLimitExceeded:  # Celery's soft limit, raised in this thread wherever the job was
        limit = time_limit or running_time_limit()
        job_fail(job, time_limit_reason(limit), only_if=[JobStatus.RUNNING], queryset=step.running, **step.kept)
    except Exception as exc:  # noqa: BLE001 - any failure must end the job, never leave it RUNNING
        job_fail(job, reason(exc, job), only_if=[JobStatus.RUNNING], queryset=step.running, **step.kept)
    if after is not None:
        after(job)
    ended: J = rows.get(pk=job_id)
    return ended
