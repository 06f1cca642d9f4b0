"""Thin Celery tasks: load the row by id, call the service. acks_late with reject_on_worker_lost
(a task whose worker died is delivered again and takes its job over, see
jobs.lifecycle.job_claim); a heartbeat on the row while it runs; time limits from
CELERY_TASK_SOFT_TIME_LIMIT / CELERY_TASK_TIME_LIMIT: the soft one ends every job FAILED with
the one reason jobs.lifecycle.job_run gives it ("time limit of N s exceeded")."""

from celery import shared_task

from jobs.lifecycle import job_heartbeat_thread

from .models import PrecoderTrainingJob, TextImport
from .services.precode_jobs import precode_job_run
from .services.precoder_training import precoder_retrain_run
from .services.text_jobs import text_import_run


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def text_import_task(self, job_id):
    with job_heartbeat_thread(TextImport, job_id):
        job = text_import_run(job_id=job_id)
    return "NOT_CLAIMED" if job is None else job.status


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def precode_task(self, job_id):
    job = precode_job_run(job_id=job_id)
    return "NOT_CLAIMED" if job is None else job.status


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def precoder_training_task(self, job_id):
    with job_heartbeat_thread(PrecoderTrainingJob, job_id):  # training takes minutes
        job = precoder_retrain_run(job_id=job_id)
    return "NOT_CLAIMED" if job is None else job.status
