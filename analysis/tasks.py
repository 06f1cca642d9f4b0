"""Thin Celery tasks: load the row by id, call the service."""
from celery import shared_task

from .services import model_run_execute


@shared_task(acks_late=True)
def run_model_task(run_id):
    run = model_run_execute(run_id=run_id)
    return run.status if run else "ALREADY_CLAIMED"
