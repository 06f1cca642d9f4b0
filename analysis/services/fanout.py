"""Fanned-out runs: every run that is sent (one specification or several) is one parent
ModelRun whose specifications are SpecFit children, each a Job with a task of its own on the estimation queue, so that N
estimation workers (on one machine or several) fit N specifications at once.

- Create: the parent and its children in one transaction; their tasks are sent as one Celery
  group once it commits (jobs.dispatch.job_dispatch_group). Every run has its children, one per
  specification: a run of one specification is a fan-out of one, and a run fitted in one
  process (dispatch=False, RUN_FAN_OUT off) runs its children there, in order
  (services/runs.py: model_run_execute); `fan_out` says whether each child has a task of its own.
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
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from jobs.dispatch import job_dispatch_group
from jobs.lifecycle import Heartbeat, JobStep, JobStopped, job_fail, job_run
from jobs.progress import CANCELLED, DONE, job_reason, progress_fields

from ..models import ModelRun, SpecFit
from ..pure import gravity
from ..pure.plausible_values import draw_of, fitted_spec
from . import estimation
from .fitting import failure_reason, package_versions
from .plausible_values import draw_specs, fit_panel_path, results_combined

logger = logging.getLogger(__name__)

ACTIVE = [ModelRun.Status.QUEUED, ModelRun.Status.RUNNING]


def fan_out_create(*, run: ModelRun, dispatch: bool = True, draws: list[dict[str, Any]] | None = None) -> list[SpecFit]:
    """Create the children of `run` (inside the caller's transaction) and, when `dispatch`, send
    their tasks as one group once it commits (a run fitted in one process has its children too,
    executed there one by one: services/runs.py, model_run_execute). One child per specification,
    at its position, then the plausible-value children of those asking for depth_uncertainty
    (`draws`: services/plausible_values.py draw_specs, drawn here when not given)."""
    specs = list(run.specs) + (draw_specs(panel=run.panel, specs=run.specs) if draws is None else list(draws))
    fits = SpecFit.objects.bulk_create(
        [
            SpecFit(run=run, position=position, spec=spec, created_by=run.created_by)
            for position, spec in enumerate(specs)
        ]
    )
    # bulk_create sets primary keys on PostgreSQL and SQLite alike (both return them).
    if dispatch:
        job_dispatch_group(fits, on_failure=lambda reason: job_fail(run, reason, only_if=ACTIVE))
    return fits


def spec_fit_execute(
    *, fit_id: int, time_limit: float | None = None, deadline: float | None = None, beat_parent: bool = False
) -> SpecFit | None:
    """Claim a queued child (or take over one whose worker died) and fit its specification: the
    one fitting path of every run. It always ends the child (DONE, FAILED with the reason, or
    CANCELLED with its parent), and settles the parent. `deadline` (time.monotonic()) is the
    run's when its children share one task's time limit; `beat_parent` keeps the heartbeat of a
    parent this process runs (model_run_execute). Returns the child, or None if not claimed."""
    if deadline is None and time_limit:
        deadline = time.monotonic() + time_limit

    def work(fit: SpecFit, step: JobStep) -> dict[str, Any] | None:
        # The first child to start starts its parent; the versions that matter are the worker's.
        ModelRun.objects.filter(pk=fit.run_id, status=ModelRun.Status.QUEUED).update(
            status=ModelRun.Status.RUNNING, started_at=timezone.now(), versions=package_versions()
        )
        if fit.run.status not in ACTIVE or fit.run.cancel_requested:  # the parent ended before this child began
            step.update(status=SpecFit.Status.CANCELLED, finished_at=timezone.now(), **progress_fields(CANCELLED))
            return None
        run_settle(run_id=fit.run_id)  # the parent's page says at once how many specifications are running
        beat = Heartbeat((SpecFit, fit.pk), *([(ModelRun, fit.run_id)] if beat_parent else []))

        def report(message: tuple[str, dict[str, Any]]) -> None:
            # The estimator's progress, a (template, parameters) pair stored as such. It says when it
            # starts fitting (after reading the panel): half-way, for the bars.
            code, params = message
            step.progress(50 if code == gravity.FITTING else 1, code, params)

        try:
            # A plausible-value child fits a copy of the panel with its draw's depths.
            with fit_panel_path(fit) as panel_path:
                result = estimation.fit_isolated(
                    panel_path,
                    fitted_spec(fit.spec),
                    should_stop=lambda: not step.alive(),
                    deadline=deadline,
                    time_limit=time_limit,
                    on_wait=beat,
                    progress=report,
                )
        except estimation.EstimationStopped:
            raise JobStopped from None  # cancelled (or no longer ours): the row says so already
        return {"result": estimation.clean_numbers(result)}

    return job_run(
        SpecFit,
        fit_id,
        work,
        starting=gettext_noop("loading the panel"),
        claim={"error": "", "result": None},
        load=lambda pk: SpecFit.objects.select_related("run__panel").get(pk=pk),
        reason=lambda exc, fit: failure_reason(exc, f"run {fit.run_id} spec {fit.position + 1}", time_limit),
        after=lambda fit: run_settle(run_id=fit.run_id),
        time_limit=time_limit,
    )


def _spec_label(fit: SpecFit) -> str:
    name = fit.spec.get("label") if isinstance(fit.spec, dict) else None
    draw = draw_of(fit.spec)
    if draw is not None:
        return f"plausible value {draw['draw']} of {draw['draws']} of specification {draw['of'] + 1}" + (
            f" ({name})" if name else ""
        )
    return f"specification {fit.position + 1}" + (f" ({name})" if name else "")


def run_settle(*, run_id: int) -> bool:
    """Bring the parent up to date with its children: progress and the results so far while
    some still work; its end when none does. Conditional on the parent still QUEUED or RUNNING,
    so a cancel is never overwritten. True when this call ended the parent. A run fitted in one
    process is ended here only when every specification is done: on a failure its runner stops
    and ends it with that failure's reason (model_run_execute). A run of one specification
    shows its child's own message and reason."""
    fits = list(SpecFit.objects.filter(run_id=run_id).order_by("position"))
    if not fits:
        return False
    fanned_out = ModelRun.objects.filter(pk=run_id, fan_out=True).exists()
    parent = ModelRun.objects.filter(pk=run_id, status__in=ACTIVE)
    results = results_combined(fits)  # one per specification, its plausible-value fits combined
    counts = {status: sum(fit.status == status for fit in fits) for status in SpecFit.Status.values}
    total, done = len(fits), counts[SpecFit.Status.DONE]
    if counts[SpecFit.Status.QUEUED] or counts[SpecFit.Status.RUNNING]:
        progress = sum(100 if fit.finished else fit.progress for fit in fits) // total
        running = counts[SpecFit.Status.RUNNING]
        message = (
            {
                "progress_message": fits[0].progress_message,
                "progress_code": fits[0].progress_code,
                "progress_params": fits[0].progress_params,
            }
            if total == 1
            else progress_fields(
                gettext_noop("%(done)s of %(total)s specifications done, %(running)s running"),
                {"done": done, "total": total, "running": running},
                message=f"{done}/{total} specifications done, {running} running",
            )
        )
        parent.update(progress=max(1, min(progress, 99)), results=results, heartbeat_at=timezone.now(), **message)
        return False
    now = timezone.now()
    if done == total:
        return bool(
            parent.update(
                status=ModelRun.Status.DONE, progress=100, **progress_fields(DONE), results=results, finished_at=now
            )
        )
    failed = [fit for fit in fits if fit.status == SpecFit.Status.FAILED]
    if failed and not fanned_out:
        return False  # its runner ends it with the reason (model_run_execute)
    if not failed:  # children cancelled (their parent is then cancelled too)
        return bool(
            parent.update(
                status=ModelRun.Status.CANCELLED, **progress_fields(CANCELLED), results=results, finished_at=now
            )
        )
    if total == 1:  # its child's own reason, translated when shown if it was stored as one
        return job_fail(ModelRun(pk=run_id), job_reason(failed[0]), only_if=ACTIVE, queryset=parent, results=results)
    reason = "; ".join(f"{_spec_label(fit)}: {fit.error}" for fit in failed)
    if len(failed) > 1:
        reason = f"{len(failed)} of {total} specifications failed: {reason}"
    return job_fail(ModelRun(pk=run_id), reason, only_if=ACTIVE, queryset=parent, results=results)


def fits_cancel(*, run: ModelRun) -> list[str]:
    """Cancel the children of a cancelled run: their rows at once; their task ids, to revoke."""
    active = SpecFit.objects.filter(run=run, status__in=ACTIVE)
    task_ids = [task_id for task_id in active.values_list("task_id", flat=True) if task_id]
    active.update(status=SpecFit.Status.CANCELLED, finished_at=timezone.now(), **progress_fields(CANCELLED))
    return task_ids


def fanned_out_runs_settle() -> int:
    """For the sweeper: end every fanned-out run that is still QUEUED or RUNNING although none of
    its children still is (its last child was failed by the sweeper, or died before settling).
    Returns how many it ended."""
    stuck = (
        ModelRun.objects.filter(fan_out=True, status__in=ACTIVE)
        .annotate(active=Count("fits", filter=Q(fits__status__in=ACTIVE)), total=Count("fits"))
        .filter(active=0, total__gt=0)
        .values_list("pk", flat=True)
    )
    return sum(bool(run_settle(run_id=run_id)) for run_id in list(stuck))
