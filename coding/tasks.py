"""Thin Celery tasks: load the row by id, call the service."""
from celery import shared_task

from .services.text_jobs import text_import_run


@shared_task(acks_late=True)
def text_import_task(job_id):
    job = text_import_run(job_id=job_id)
    return job.status if job else "ALREADY_CLAIMED"
