"""Model runs: gravity jobs on a stored panel (models layer: fields only; runs are created,
cancelled and executed by analysis/services/runs.py, their task is sent by name)."""
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coding.models.jobs import Job

from .panels import Panel


class ModelRun(Job):
    """One job of one or more gravity specifications on one panel (see coding.models.jobs.Job:
    the row exists before its Celery task is sent; the task claims it, reports progress and ends
    DONE, FAILED or CANCELLED)."""

    TASK_NAME = "analysis.tasks.run_model_task"

    name = models.CharField(_("name"), max_length=200, blank=True)
    panel = models.ForeignKey(Panel, related_name="runs", on_delete=models.PROTECT)
    specs = models.JSONField(_("specifications"))
    cancel_requested = models.BooleanField(default=False)
    results = models.JSONField(_("results"), default=list, blank=True)
    versions = models.JSONField(_("package versions"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("model run")
        verbose_name_plural = _("model runs")

    def __str__(self):
        return f"run {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("analysis:run_detail", args=[self.pk])
