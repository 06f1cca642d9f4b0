"""Writes of model runs (Read the Docs' job pattern, see coding.models.jobs.Job): create the row
and send its task by name once committed, cancel it, and execute it in the worker. Keyword-only;
no task module is imported here (analysis/tasks.py calls model_run_execute)."""
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coding.services.jobs import job_claim, job_dispatch, job_fail, job_owner
from config.celery import app

from ..models import ModelRun
from ..pure import gravity
from . import estimation
from .fanout import fan_out_create, fits_cancel
from .fitting import Heartbeat, failure_reason, package_versions
from .panels import panel_file_checked

logger = logging.getLogger(__name__)

MAX_NAME = 200  # ModelRun.name's max_length


def model_run_create(*, panel, specs, user=None, name="", dispatch=True, fan_out=None):
    """Validate the specifications, create the run row, and send its task once committed. A run
    of several specifications is fanned out (RUN_FAN_OUT, on by default): one child task per
    specification (services/fanout.py). `fan_out=False` fits them one after another in one
    task; a run created without dispatch (to be executed in this process) is never fanned out."""
    # Every key by type and the whole formula by our grammar, before anything is stored: a spec
    # is data, never code (the worker checks again before it fits).
    specs = gravity.validate_specs(specs, panel.columns)
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise gravity.SpecError(f"name: at most {MAX_NAME} characters")
    if fan_out is None:
        fan_out = getattr(settings, "RUN_FAN_OUT", True) and len(specs) > 1
    fan_out = bool(fan_out and dispatch)
    with transaction.atomic():
        run = ModelRun.objects.create(panel=panel, specs=specs, created_by=user, name=name, versions=package_versions(),
                                      fan_out=fan_out)
        if fan_out:
            fan_out_create(run=run)
        elif dispatch:
            job_dispatch(run)
    return run


def model_run_cancel(*, run):
    """Cancel a queued or running run. The row says CANCELLED at once, whatever the worker does:
    every later write of the worker is conditional on the run still RUNNING, so a fit that
    finishes after the cancel never turns it DONE. The worker sees the cancel within a quarter
    of a second (it asks while it waits for the estimator) and kills its estimator process, in
    any pool. The task is revoked, so a worker that has not started it drops it; not with
    terminate, which signals whatever the pool process runs by the time the signal arrives (the
    next job, when this one just ended: Celery's documentation warns against it)."""
    cancelled = ModelRun.objects.filter(pk=run.pk, status__in=[ModelRun.Status.QUEUED, ModelRun.Status.RUNNING]).update(
        status=ModelRun.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now(),
        progress_message="cancelled")
    # A fanned-out run: its children too (each fitting child kills its estimator within 0.25 s).
    task_ids = ([run.task_id] if run.task_id else []) + (fits_cancel(run=run) if cancelled and run.fan_out else [])
    if cancelled and task_ids:
        try:
            app.control.revoke(task_ids)
        except Exception:  # noqa: BLE001 - the rows are cancelled already; the broker may be down
            logger.warning("could not revoke the tasks %s of run %s", task_ids, run.pk)
    return bool(cancelled)


def model_run_execute(*, run_id, time_limit=None):
    """Claim a queued run (or take over one whose worker died, see coding.services.jobs.job_claim)
    and fit its specifications one by one, each in a child process (services/estimation.py),
    writing progress after each. It always ends the run: DONE; FAILED with the reason (a
    specification error, not retried; "the estimator crashed (signal 6, SIGABRT): ..."; "time
    limit of N s exceeded" after `time_limit` seconds, CELERY_TASK_SOFT_TIME_LIMIT by default);
    or it leaves a cancelled run CANCELLED, its estimator killed at once."""
    time_limit = time_limit or getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    deadline = time.monotonic() + time_limit if time_limit else None
    if ModelRun.objects.filter(pk=run_id, fan_out=True).exists():
        return None  # its children fit it (a stray task of a fanned-out run claims nothing)
    # The versions that matter are the worker's, which fits the model, not the web process's.
    if not job_claim(ModelRun, run_id, progress=1, progress_message="loading the panel", results=[], error="",
                     versions=package_versions()):
        return None
    # Every write below is conditional on the run still RUNNING under this process: a cancel, the
    # sweeper or a take-over is never overwritten.
    running = ModelRun.objects.filter(pk=run_id, status=ModelRun.Status.RUNNING, worker=job_owner())
    run = ModelRun.objects.select_related("panel").get(pk=run_id)
    results, beat = [], Heartbeat(ModelRun, run_id)
    try:
        total = len(run.specs)
        for index, spec in enumerate(run.specs):
            if not running.exists():
                return ModelRun.objects.get(pk=run_id)

            def report(message, index=index):
                running.update(progress=max(1, int(100 * index / total)), progress_message=f"{index + 1}/{total}: {message}")

            report("starting the estimator")
            result = estimation.fit_isolated(panel_file_checked(run.panel), spec, should_stop=lambda: not running.exists(),
                                             deadline=deadline, time_limit=time_limit, on_wait=beat, progress=report)
            results.append(estimation.clean_numbers(result))
            running.update(progress=int(100 * (index + 1) / total), results=results, heartbeat_at=timezone.now())
    except estimation.EstimationStopped:
        return ModelRun.objects.get(pk=run_id)  # cancelled (or no longer ours): the row says so already
    except Exception as exc:  # noqa: BLE001 - any failure must end the run, never leave it RUNNING
        job_fail(run, failure_reason(exc, f"model run {run_id}", time_limit), only_if=[ModelRun.Status.RUNNING],
                 queryset=running, results=results)
        return ModelRun.objects.get(pk=run_id)
    running.update(status=ModelRun.Status.DONE, progress=100, progress_message="done", results=results,
                   finished_at=timezone.now())
    return ModelRun.objects.get(pk=run_id)
