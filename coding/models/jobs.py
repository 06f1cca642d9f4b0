"""The coding app's own job table: a treaty text uploaded and split by a worker. The base of
every job (status, progress, liveness) is jobs.models.Job; JobStatus is re-exported here for the
app's modules."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jobs.models import FINISHED, Job, JobStatus

__all__ = ["FINISHED", "Job", "JobStatus", "TextImport"]


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
