"""Background jobs. Every job (a text import, a model run) is a row first, then a Celery task:
the row exists before the task is sent (on commit), the task claims it, reports progress and
ends it DONE, FAILED with a reason, or CANCELLED. One base model, one status enum, for both apps."""
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


class Job(models.Model):
    """The fields every job has. Subclasses name their Celery task in TASK_NAME, which
    coding.services.jobs.job_dispatch sends by name (so no service imports a task module)."""

    Status = JobStatus
    TASK_NAME = ""

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness (coding/services/jobs.py, coding/services/sweeper.py): who runs the job ("host:pid"
    # of the worker process), its last sign of life, how many times a worker started it (a
    # redelivered task takes over a job whose worker died), how many times the sweeper re-sent a
    # task the queue lost.
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    resends = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self):
        return self.status in FINISHED

    @classmethod
    def sweepable(cls):
        """The rows the sweeper (coding/services/sweeper.py) watches: all, unless a subclass says
        otherwise (a job whose status is combined from child jobs)."""
        return cls.objects.all()


class TextImport(Job):
    """A plain-text or PDF treaty uploaded for one agreement, split by a worker."""

    TASK_NAME = "coding.tasks.text_import_task"

    agreement = models.ForeignKey("coding.Agreement", related_name="text_imports", on_delete=models.CASCADE)
    upload = models.FileField(_("file"), upload_to="text_imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    # The uploader confirmed that a treaty with codings gets this file as a new text version.
    new_version = models.BooleanField(_("import as a new version"), default=False)
    note = models.TextField(_("note"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("text import")
        verbose_name_plural = _("text imports")

    def __str__(self):
        return f"{self.original_name} → {self.agreement}"
