"""Writes of model runs (Read the Docs' job pattern, see jobs.models.Job): create the row and
its children (one SpecFit per specification) and send their tasks by name once committed,
cancel it, and execute it in one process. Keyword-only; no task module is imported here
(analysis/tasks.py calls model_run_execute and spec_fit_execute). Every specification of every
run is fitted on one path, services/fanout.py: spec_fit_execute."""

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from jobs.dispatch import job_dispatch, tasks_revoke
from jobs.lifecycle import JobStep, JobStopped, job_run
from jobs.progress import CANCELLED, Reason, job_reason, progress_fields

from ..models import ModelRun, SpecFit
from ..pure.errors import SpecError
from ..pure.presets import specs_from
from ..pure.spec.schema import validate_specs
from .fanout import fan_out_create, fits_cancel, spec_fit_execute
from .fitting import failure_reason, package_versions
from .plausible_values import draw_specs, results_combined

logger = logging.getLogger(__name__)

MAX_NAME = 200  # ModelRun.name's max_length


def model_run_create(
    *, panel: Any, specs: Any, user: Any = None, name: str = "", dispatch: bool = True, fan_out: bool | None = None
) -> ModelRun:
    """Validate the specifications, create the run row and its children (one per
    specification), and send the tasks once committed. A dispatched run is fanned out
    (RUN_FAN_OUT, on by default): each child has a task of its own, and one specification is a
    fan-out of one. Otherwise (`fan_out=False`, RUN_FAN_OUT off) the run's own task fits its
    children one after another, on the same path (model_run_execute); a run created without
    dispatch (`run_gravity --inline`, a sensitivity run fitted here) is executed so in this
    process."""
    # Every key by type and the whole formula by our grammar, before anything is stored: a spec
    # is data, never code (the worker checks again before it fits).
    specs = validate_specs(specs, panel.columns)
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise SpecError(f"name: at most {MAX_NAME} characters")
    # Plausible values of depth (depth_uncertainty) are drawn now, refused in words before
    # anything is stored (no release, no depth column, no depth_se), and fitted as children.
    draws = draw_specs(panel=panel, specs=specs)
    if fan_out is None:
        fan_out = settings.RUN_FAN_OUT
    fan_out = bool(fan_out and dispatch)
    with transaction.atomic():
        run = ModelRun.objects.create(
            panel=panel, specs=specs, created_by=user, name=name, versions=package_versions(), fan_out=fan_out
        )
        fan_out_create(run=run, dispatch=fan_out, draws=draws)
        if dispatch and not fan_out:
            job_dispatch(run)
    return run


def model_run_request(
    *,
    panel: Any,
    spec: Any = None,
    preset_name: str | None = None,
    years: Any = None,
    user: Any = None,
    name: str = "",
    dispatch: bool = True,
) -> ModelRun:
    """A run as a person asks for it, on the page, through the API or with `run_gravity`: one
    specification or a list (`spec`, JSON text or data), or a preset and its years; SpecError
    naming the key or token when they are wrong. The one path from a request to model_run_create."""
    specs = specs_from(spec=spec, preset_name=preset_name, years=years)
    return model_run_create(panel=panel, specs=specs, user=user, name=name, dispatch=dispatch)


def model_run_cancel(*, run: ModelRun) -> bool:
    """Cancel a queued or running run. The row says CANCELLED at once, whatever the worker does:
    every later write of the worker is conditional on the run still RUNNING, so a fit that
    finishes after the cancel never turns it DONE. The worker sees the cancel within a quarter
    of a second (it asks while it waits for the estimator) and kills its estimator process, in
    any pool. The task is revoked, so a worker that has not started it drops it; not with
    terminate, which signals whatever the pool process runs by the time the signal arrives (the
    next job, when this one just ended: Celery's documentation warns against it)."""
    cancelled = ModelRun.objects.filter(pk=run.pk, status__in=[ModelRun.Status.QUEUED, ModelRun.Status.RUNNING]).update(
        status=ModelRun.Status.CANCELLED,
        cancel_requested=True,
        finished_at=timezone.now(),
        **progress_fields(CANCELLED),
    )
    # Its children too (each fitting child kills its estimator within 0.25 s).
    task_ids = ([run.task_id] if run.task_id else []) + (fits_cancel(run=run) if cancelled else [])
    if cancelled and task_ids:
        tasks_revoke(task_ids)
    return bool(cancelled)


class SpecificationFailed(Exception):
    """A specification of a run fitted in one process failed: the run ends with its reason (a
    Reason when the specification stored one, so the run's is translated too)."""

    def __init__(self, reason: "Reason | str") -> None:
        super().__init__(str(reason))
        self.reason = reason


def model_run_execute(*, run_id: int, time_limit: float | None = None) -> ModelRun | None:
    """Claim a queued run that is not fanned out (or take over one whose worker died, see
    jobs.lifecycle.job_claim) and fit its children here, one after another, on the one fitting
    path (spec_fit_execute), all within one `time_limit` (CELERY_TASK_SOFT_TIME_LIMIT by
    default). It always ends the run: DONE (the last child settles it); FAILED with the reason of
    the first specification that failed (not retried; "the estimator crashed (signal 6,
    SIGABRT): ..."; "time limit of N s exceeded"), the ones after it never started; or it leaves
    a cancelled run CANCELLED, its estimator killed at once. None for a fanned-out run (its
    children have tasks of their own) and for a run another worker has."""
    time_limit = time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
    deadline = time.monotonic() + time_limit if time_limit else None
    if ModelRun.objects.filter(pk=run_id, fan_out=True).exists():
        return None  # its children fit it (a stray task of a fanned-out run claims nothing)

    def work(run: ModelRun, step: JobStep) -> None:
        # A run stored before every run had its children gets them now.
        fits = list(run.fits.order_by("position")) or fan_out_create(run=run, dispatch=False)
        for fit in fits:
            step.beat()  # cancelled, failed by the sweeper or taken over: stop
            ended = spec_fit_execute(fit_id=fit.pk, time_limit=time_limit, deadline=deadline, beat_parent=True)
            if ended is None:  # done already (a run taken over), or another worker fits it
                continue
            if ended.status == SpecFit.Status.CANCELLED:
                raise JobStopped
            if ended.status == SpecFit.Status.FAILED:
                step.keep(results=results_combined(list(run.fits.order_by("position"))))
                raise SpecificationFailed(job_reason(ended))
        return None  # the last child to end has settled the run (services/fanout.py: run_settle)

    def reason(exc: BaseException, run: ModelRun) -> "Reason | str":
        if isinstance(exc, SpecificationFailed):
            return exc.reason
        return failure_reason(exc, f"model run {run_id}", time_limit)

    # The versions that matter are the worker's, which fits the model, not the web process's.
    return job_run(
        ModelRun,
        run_id,
        work,
        reason=reason,
        load=lambda pk: ModelRun.objects.select_related("panel").get(pk=pk),
        starting=gettext_noop("loading the panel"),
        claim={"results": [], "error": "", "versions": package_versions()},
        time_limit=time_limit,
    )


def model_run_fit_here(*, run_id: int) -> ModelRun:
    """Fit a queued run in this process, whatever its kind: a run fitted in one task through
    model_run_execute; a fanned-out run's children one after another, each as its own task would
    (spec_fit_execute; the last one settles the run). What `run_sensitivity`'s in-process path
    does for runs that were sent, and what tests do in place of a worker."""
    run = ModelRun.objects.get(pk=run_id)
    if not run.fan_out:
        return model_run_execute(run_id=run_id) or ModelRun.objects.get(pk=run_id)
    for fit_id in run.fits.order_by("position").values_list("pk", flat=True):
        spec_fit_execute(fit_id=fit_id)
    return ModelRun.objects.get(pk=run_id)
