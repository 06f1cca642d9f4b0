"""Dispatching, claiming and ending jobs (coding.models.jobs.Job), for both apps.

A service creates the job row inside its transaction and calls `job_dispatch`; the task is sent
by name once the row is committed, so a worker never looks for a row that is not there yet, and
no service imports a task module. When the broker cannot be reached the job ends FAILED with the
reason at once instead of staying QUEUED for ever: within about 2 s (the broker timeouts in
config/settings/base.py), and the page or API that made it says so (`job_queue_unreachable`).

A job always ends. The worker process that claims a job writes itself on the row ("host:pid")
and keeps a heartbeat there while it runs. A task redelivered after its worker died (acks_late
with reject_on_worker_lost) takes the job over, up to JOB_MAX_ATTEMPTS starts; the sweeper
(coding/services/sweeper.py) fails RUNNING jobs whose worker is gone and re-sends QUEUED jobs
whose task the queue lost."""
import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models.jobs import JobStatus

logger = logging.getLogger(__name__)

MAX_ERROR = 10_000


def job_setting(name):
    """The liveness settings (config/settings/base.py, JOB_*), with their defaults."""
    defaults = {"JOB_HEARTBEAT_SECONDS": 10, "JOB_OWNER_TIMEOUT": 45, "JOB_MAX_ATTEMPTS": 2,
                "JOB_SWEEP_SECONDS": 15, "JOB_QUEUED_LOST_AFTER": 120, "JOB_MAX_RESENDS": 3}
    return getattr(settings, name, defaults[name])


def job_owner():
    """This process as a job's owner: "host:pid" (the pool process in a prefork worker)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def task_soft_time_limit(task):
    """The soft time limit a running Celery task has, in seconds: the call's own (apply_async's
    soft_time_limit), else the task's (CELERY_TASK_SOFT_TIME_LIMIT or per task), else its hard one."""
    hard, soft = task.request.timelimit or (None, None)
    return soft or task.soft_time_limit or hard or task.time_limit


# How the error of a job whose task could not be sent begins (pages and the API recognise it by this).
QUEUE_UNREACHABLE = "could not reach the task queue"


def _queue_unreachable(exc):
    """Why a job whose task could not be sent failed."""
    return f"{QUEUE_UNREACHABLE} (is Redis running at REDIS_URL?): {type(exc).__name__}: {exc}"


def job_queue_unreachable(job):
    """Whether `job` failed because its task could not be sent (Redis down), not in its work."""
    return job.status == JobStatus.FAILED and (job.error or "").startswith(QUEUE_UNREACHABLE)


def job_dispatch(job):
    """Send `job`'s task (its class's TASK_NAME) when the current transaction commits."""
    transaction.on_commit(lambda: job_send(job))


def job_send(job, *, resend=False):
    """Send the task now; a broker that cannot be reached fails the job with the reason. A
    re-send (by the sweeper) also counts in `resends`."""
    from config.celery import app

    model = type(job)
    try:
        result = app.send_task(model.TASK_NAME, args=[job.pk])
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many types when the broker is down
        logger.exception("could not queue %s %s", model.__name__, job.pk)
        job_fail(job, _queue_unreachable(exc), only_if=[JobStatus.QUEUED])
        return False
    fields = {"task_id": result.id}
    if resend:
        fields["resends"] = F("resends") + 1
    model.objects.filter(pk=job.pk).update(**fields)
    return True


def job_dispatch_group(jobs, *, on_failure=None):
    """Send the tasks of `jobs` (rows of one Job model) as one Celery group when the current
    transaction commits: one message each, so as many workers as the queue has take them at once.
    A broker that cannot be reached fails every job with the reason, then calls on_failure()."""
    jobs = list(jobs)
    transaction.on_commit(lambda: job_send_group(jobs, on_failure=on_failure))


def job_send_group(jobs, *, on_failure=None):
    from celery import group

    from config.celery import app

    if not jobs:
        return True
    model = type(jobs[0])
    try:
        result = group(app.signature(model.TASK_NAME, args=[job.pk]) for job in jobs).apply_async()
    except Exception as exc:  # noqa: BLE001 - kombu/redis raise many types when the broker is down
        logger.exception("could not queue %d %s jobs", len(jobs), model.__name__)
        reason = _queue_unreachable(exc)
        for job in jobs:
            job_fail(job, reason, only_if=[JobStatus.QUEUED])
        if on_failure is not None:
            on_failure(reason)
        return False
    for job, sent in zip(jobs, result.results):
        model.objects.filter(pk=job.pk).update(task_id=sent.id)
    return True


def pid_alive(pid):
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


def job_owner_gone(job, *, now=None, grace=0):
    """Why the worker that claimed RUNNING `job` is gone (a short text), or None while it lives:
    its process no longer exists (when it ran on this machine; only once its last heartbeat is
    `grace` seconds old), or it has not written a heartbeat for JOB_OWNER_TIMEOUT seconds (on
    any machine; this also covers a reused pid)."""
    now = now or timezone.now()
    last = job.heartbeat_at or job.started_at
    host, _, pid = (job.worker or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid)):
        if last is None or now - last > timedelta(seconds=grace):
            return f"its process {job.worker} is gone"
    timeout = job_setting("JOB_OWNER_TIMEOUT")
    if last is None or now - last > timedelta(seconds=timeout):
        seen = f"since {timezone.localtime(last):%Y-%m-%d %H:%M:%S}" if last else "ever"
        return f"no sign of life from {job.worker or 'its worker'} {seen}, more than {timeout} s"
    return None


def job_claim(model, job_id, **fields):
    """QUEUED -> RUNNING, atomically: True for the one worker that gets the job; it is written on
    the row as the owner with a first heartbeat. A task delivered again after its worker died
    finds the job RUNNING with a dead owner: it takes the job over (True) while the job has been
    started fewer than JOB_MAX_ATTEMPTS times, else it fails the job with the reason (False).
    A job that is RUNNING with a live owner, or finished, is not touched (False)."""
    now = timezone.now()
    mine = {"worker": job_owner(), "heartbeat_at": now, "started_at": now, "attempts": F("attempts") + 1}
    if model.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, **mine, **fields):
        return True
    job = model.objects.filter(pk=job_id, status=JobStatus.RUNNING).first()
    if job is None:
        return False
    gone = job_owner_gone(job, now=now)
    if gone is None:
        return False
    # Conditional on the row as read: of two tasks racing for the same dead job, one wins.
    same = model.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker=job.worker, attempts=job.attempts)
    if job.attempts >= job_setting("JOB_MAX_ATTEMPTS"):
        job_fail(job, f"the worker running this job stopped ({gone}); not started again after "
                      f"{job.attempts} attempts", only_if=[JobStatus.RUNNING], queryset=same)
        return False
    logger.warning("%s %s: taking over from a dead worker (%s), attempt %d", model.__name__, job_id, gone,
                   job.attempts + 1)
    return bool(same.update(**mine, **fields))


def job_heartbeat(model, job_id):
    """Write this process's sign of life on the job it runs; False once the job is no longer
    RUNNING under this owner (cancelled, failed by the sweeper, taken over)."""
    return bool(model.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker=job_owner()).update(
        heartbeat_at=timezone.now()))


@contextmanager
def job_heartbeat_thread(model, job_id):
    """Keep a heartbeat on the job every JOB_HEARTBEAT_SECONDS from a thread while the block runs
    (for work that does not come back to a loop of its own, like a text import). The thread
    never raises and never holds the block up: it stops with the block, or when the job stops
    being ours."""
    stop = threading.Event()
    owner = job_owner()

    def beat():
        try:
            while not stop.wait(job_setting("JOB_HEARTBEAT_SECONDS")):
                try:
                    if not model.objects.filter(pk=job_id, status=JobStatus.RUNNING, worker=owner).update(
                            heartbeat_at=timezone.now()) and model.objects.filter(pk=job_id).exclude(
                            status=JobStatus.QUEUED).exists():
                        return
                except Exception:  # noqa: BLE001 - a busy or lost database: try again next beat
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


def job_fail(job, error, *, only_if=(JobStatus.QUEUED, JobStatus.RUNNING), queryset=None, **fields):
    """End a job FAILED with `error`, unless it already ended (a cancel is never overwritten).
    This never raises: the error is stored as plain text; if the write fails with `fields`
    (e.g. results the database refuses) it is tried without them; if even that fails, it is
    logged and the sweeper ends the job later (its worker stops heartbeating). True if written."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose __str__ fails
        text = f"{type(error).__name__} (its message could not be read)"
    # PostgreSQL text cannot hold NUL characters.
    text = text.replace("\x00", "")[:MAX_ERROR] or "failed (no reason given)"
    rows = queryset if queryset is not None else type(job).objects.filter(pk=job.pk)
    ending = {"status": JobStatus.FAILED, "error": text, "finished_at": timezone.now()}
    for extra in ([fields, {}] if fields else [{}]):
        try:
            with transaction.atomic():  # a savepoint: a refused write leaves an outer transaction usable
                return bool(rows.filter(status__in=list(only_if)).update(**ending, **extra))
        except Exception:  # noqa: BLE001 - the failure handler itself must not fail
            logger.exception("could not write the failure of %s %s%s", type(job).__name__, job.pk,
                             " with its fields; trying without" if extra else "")
    return False
