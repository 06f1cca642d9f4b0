"""Background jobs. Every job (a text import, a pre-coding, a model run, one specification of
it) is a row first, then a Celery task: the row exists before the task is sent (on commit), the
task claims it, reports progress and ends it DONE, FAILED with a reason, or CANCELLED. One
abstract base model, one status enum, for both apps; the concrete tables stay in their apps."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "QUEUED", _("queued")
    RUNNING = "RUNNING", _("running")
    DONE = "DONE", _("done")
    FAILED = "FAILED", _("failed")
    CANCELLED = "CANCELLED", _("cancelled")


FINISHED = {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED}
ACTIVE = [JobStatus.QUEUED, JobStatus.RUNNING]


class Job(models.Model):
    """The fields every job has. Subclasses name their Celery task in TASK_NAME, which
    jobs.dispatch.job_dispatch sends by name (so no service imports a task module)."""

    Status = JobStatus
    TASK_NAME = ""

    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(max_length=300, blank=True)  # in English, for logs and the admin
    # The same progress as data, translated when shown (jobs/progress.py: progress_text): the
    # message's untranslated template (its msgid, marked with gettext_noop where it is written)
    # and its parameters. Empty for a message that came as plain text.
    progress_code = models.CharField(max_length=120, blank=True)
    progress_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)  # in English, for logs and the admin
    # Why it failed as data (jobs/progress.py: Reason), translated when shown: the reason's
    # untranslated template and its parameters. Empty for an error that came as plain text.
    error_code = models.CharField(max_length=120, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness (jobs/lifecycle.py, jobs/sweeper.py): who runs the job ("host:pid" of the worker
    # process), its last sign of life, how many times a worker started it (a redelivered task
    # takes over a job whose worker died), how many times the sweeper re-sent a task the queue lost.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resends = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @classmethod
    def sweepable(cls) -> "models.QuerySet[Any]":
        """The rows the sweeper (jobs/sweeper.py) watches: all, unless a subclass says otherwise
        (a job whose status is combined from child jobs)."""
        return cls._default_manager.all()
