"""Fanned-out runs: a run of several specifications is one parent ModelRun whose specifications
are SpecFit children, each a Job with a task of its own on the estimation queue, so that N
estimation workers (on one machine or several) fit N specifications at once.

- Create: the parent and its children in one transaction; their tasks are sent as one Celery
  group once it commits (coding.services.jobs.job_dispatch_group).
- Each child claims itself, fits its specification in an estimator child process (the same
  services/estimation.py as every run), keeps a heartbeat and writes its own progress and
  result; the parent's progress is then recomputed from all children (the mean of theirs).
- The parent ends when its last child ends (`run_settle`): DONE when every specification is
  done, FAILED naming each failed specification and why (the others' results kept, in spec
  order), CANCELLED when cancelled. Not a chord's callback: a chord counts finished tasks in
  Redis and never fires when one of its tasks is lost or its worker dies for good; here the
  child that ends last settles the parent, and every sweep settles a parent whose last child
  was failed by the sweeper (`fanned_out_runs_settle`, JOB_SWEEP_HOOKS).
- Cancelling the parent cancels its children (analysis/services/runs.py: model_run_cancel):
  their rows say CANCELLED at once, their tasks are revoked, and a child that is fitting sees it
  within a quarter of a second and kills its estimator.
Every write is conditional on the row still being what the writer thinks (QUEUED/RUNNING, and
its own owner for a child), like every job's."""
import logging
import time

from django.db.models import Count, Q
from django.utils import timezone

from coding.services.jobs import job_claim, job_dispatch_group, job_fail, job_owner

from ..models import ModelRun, SpecFit
from . import estimation
from .fitting import Heartbeat, failure_reason, package_versions
from .panels import panel_file_checked

logger = logging.getLogger(__name__)

ACTIVE = [ModelRun.Status.QUEUED, ModelRun.Status.RUNNING]


def fan_out_create(*, run):
    """Create the children of `run` (inside the caller's transaction) and send their tasks as one
    group once it commits."""
    fits = SpecFit.objects.bulk_create(
        [SpecFit(run=run, position=position, spec=spec, created_by=run.created_by)
         for position, spec in enumerate(run.specs)])
    # bulk_create sets primary keys on PostgreSQL and SQLite alike (both return them).
    job_dispatch_group(fits, on_failure=lambda reason: job_fail(run, reason, only_if=ACTIVE))
    return fits


def spec_fit_execute(*, fit_id, time_limit=None):
    """Claim a queued child (or take over one whose worker died) and fit its specification. It
    always ends the child (DONE, FAILED with the reason, or CANCELLED with its parent), and ends
    the parent when it is the last child to end. Returns the child, or None if not claimed."""
    deadline = time.monotonic() + time_limit if time_limit else None
    if not job_claim(SpecFit, fit_id, progress=1, progress_message="loading the panel", error="", result=None):
        return None
    fit = SpecFit.objects.select_related("run__panel").get(pk=fit_id)
    running = SpecFit.objects.filter(pk=fit_id, status=SpecFit.Status.RUNNING, worker=job_owner())
    run_id = fit.run_id
    # The first child to start starts its parent; the versions that matter are the worker's.
    ModelRun.objects.filter(pk=run_id, status=ModelRun.Status.QUEUED).update(
        status=ModelRun.Status.RUNNING, started_at=timezone.now(), versions=package_versions())
    if fit.run.status not in ACTIVE or fit.run.cancel_requested:  # the parent ended before this child began
        running.update(status=SpecFit.Status.CANCELLED, finished_at=timezone.now(), progress_message="cancelled")
        return SpecFit.objects.get(pk=fit_id)
    run_settle(run_id=run_id)  # the parent's page says at once how many specifications are running
    beat = Heartbeat(SpecFit, fit_id)
    try:
        def report(message):
            # The estimator says when it starts fitting (after reading the panel): half-way, for the bars.
            running.update(progress_message=message[:300], progress=50 if message.startswith("fitting") else 1)

        result = estimation.fit_isolated(panel_file_checked(fit.run.panel), fit.spec,
                                         should_stop=lambda: not running.exists(), deadline=deadline,
                                         time_limit=time_limit, on_wait=beat, progress=report)
        running.update(status=SpecFit.Status.DONE, progress=100, progress_message="done",
                       result=estimation.clean_numbers(result), finished_at=timezone.now())
    except estimation.EstimationStopped:
        pass  # cancelled (or no longer ours): the row says so already
    except Exception as exc:  # noqa: BLE001 - any failure must end the child, never leave it RUNNING
        job_fail(fit, failure_reason(exc, f"run {run_id} spec {fit.position + 1}", time_limit),
                 only_if=[SpecFit.Status.RUNNING], queryset=running)
    run_settle(run_id=run_id)
    return SpecFit.objects.get(pk=fit_id)


def _spec_label(fit):
    name = fit.spec.get("label") if isinstance(fit.spec, dict) else None
    return f"specification {fit.position + 1}" + (f" ({name})" if name else "")


def run_settle(*, run_id):
    """Bring the parent up to date with its children: progress and the results so far while
    some still work; its end when none does. Conditional on the parent still QUEUED or RUNNING,
    so a cancel is never overwritten. True when this call ended the parent."""
    fits = list(SpecFit.objects.filter(run_id=run_id).order_by("position"))
    if not fits:
        return False
    parent = ModelRun.objects.filter(pk=run_id, status__in=ACTIVE)
    results = [fit.result for fit in fits if fit.status == SpecFit.Status.DONE and fit.result is not None]
    counts = {status: sum(fit.status == status for fit in fits) for status in SpecFit.Status.values}
    total, done = len(fits), counts[SpecFit.Status.DONE]
    if counts[SpecFit.Status.QUEUED] or counts[SpecFit.Status.RUNNING]:
        progress = sum(100 if fit.finished else fit.progress for fit in fits) // total
        parent.update(progress=max(1, min(progress, 99)), results=results, heartbeat_at=timezone.now(),
                      progress_message=f"{done}/{total} specifications done, {counts[SpecFit.Status.RUNNING]} running")
        return False
    now = timezone.now()
    if done == total:
        return bool(parent.update(status=ModelRun.Status.DONE, progress=100, progress_message="done",
                                  results=results, finished_at=now))
    failed = [fit for fit in fits if fit.status == SpecFit.Status.FAILED]
    if not failed:  # children cancelled (their parent is then cancelled too)
        return bool(parent.update(status=ModelRun.Status.CANCELLED, progress_message="cancelled", results=results,
                                  finished_at=now))
    reason = "; ".join(f"{_spec_label(fit)}: {fit.error}" for fit in failed)
    if len(failed) > 1:
        reason = f"{len(failed)} of {total} specifications failed: {reason}"
    return job_fail(ModelRun(pk=run_id), reason, only_if=ACTIVE, queryset=parent, results=results)


def fits_cancel(*, run):
    """Cancel the children of a cancelled run: their rows at once; their task ids, to revoke."""
    active = SpecFit.objects.filter(run=run, status__in=ACTIVE)
    task_ids = [task_id for task_id in active.values_list("task_id", flat=True) if task_id]
    active.update(status=SpecFit.Status.CANCELLED, finished_at=timezone.now(), progress_message="cancelled")
    return task_ids


def fanned_out_runs_settle():
    """For the sweeper: end every fanned-out run that is still QUEUED or RUNNING although none of
    its children still is (its last child was failed by the sweeper, or died before settling).
    Returns how many it ended."""
    stuck = (ModelRun.objects.filter(fan_out=True, status__in=ACTIVE)
             .annotate(active=Count("fits", filter=Q(fits__status__in=ACTIVE)), total=Count("fits"))
             .filter(active=0, total__gt=0).values_list("pk", flat=True))
    return sum(bool(run_settle(run_id=run_id)) for run_id in list(stuck))
