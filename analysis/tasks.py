"""Thin Celery tasks: load the row by id, call the service. Task names are what services send
(ModelRun.TASK_NAME = "analysis.tasks.run_model_task"); no service imports this module.

acks_late with reject_on_worker_lost: a task whose worker process dies is delivered again, and
finds its run RUNNING with a dead owner (jobs.lifecycle.job_claim takes it over or fails
it). The soft time limit (CELERY_TASK_SOFT_TIME_LIMIT, or per task) ends the run FAILED "time
limit of N s exceeded"; the service enforces the same limit itself, so it holds in a solo pool.
Every task here goes to the `estimation` queue (CELERY_TASK_ROUTES)."""

from celery import shared_task

from jobs.lifecycle import task_soft_time_limit

from .services.fanout import spec_fit_execute
from .services.runs import model_run_execute


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_model_task(self, run_id):
    run = model_run_execute(run_id=run_id, time_limit=task_soft_time_limit(self))
    return run.status if run else "NOT_CLAIMED"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def fit_spec_task(self, fit_id):
    """One specification of a fanned-out run (analysis/services/fanout.py)."""
    fit = spec_fit_execute(fit_id=fit_id, time_limit=task_soft_time_limit(self))
    return fit.status if fit else "NOT_CLAIMED"
