"""Background jobs of the coding app. The row exists before the Celery task is sent."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "QUEUED", _("queued")
    RUNNING = "RUNNING", _("running")
    DONE = "DONE", _("done")
    FAILED = "FAILED", _("failed")


class TextImport(models.Model):
    """A plain-text or PDF treaty uploaded for one agreement, split by a worker."""

    agreement = models.ForeignKey("coding.Agreement", related_name="text_imports", on_delete=models.CASCADE)
    upload = models.FileField(_("file"), upload_to="text_imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("text import")
        verbose_name_plural = _("text imports")

    def __str__(self):
        return f"{self.original_name} → {self.agreement}"
