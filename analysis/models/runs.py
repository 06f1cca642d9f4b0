"""Model runs: gravity jobs on a stored panel (models layer: fields only; runs are created,
cancelled and executed by analysis/services/runs.py, their task is sent by name)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jobs.models import Job

from .panels import Panel


class ModelRun(Job):
    """One job of one or more gravity specifications on one panel (see jobs.models.Job:
    the row exists before its Celery task is sent; the task claims it, reports progress and ends
    DONE, FAILED or CANCELLED)."""

    TASK_NAME = "analysis.tasks.run_model_task"

    name = models.CharField(_("name"), max_length=200, blank=True)
    panel = models.ForeignKey(Panel, related_name="runs", on_delete=models.PROTECT)
    specs = models.JSONField(_("specifications"))
    cancel_requested = models.BooleanField(default=False)
    # Fanned out: each specification is a SpecFit child with a task of its own; this row's status,
    # progress and results are combined from them (analysis/services/fanout.py) and it has no task.
    fan_out = models.BooleanField(_("fanned out"), default=False)
    results = models.JSONField(_("results"), default=list, blank=True)
    versions = models.JSONField(_("package versions"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("model run")
        verbose_name_plural = _("model runs")

    def __str__(self):
        return f"run {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("analysis:run_detail", args=[self.pk])

    @classmethod
    def sweepable(cls):
        """The rows the sweeper watches: not a fanned-out run, whose children are swept instead
        (a QUEUED parent has no task of its own to re-send)."""
        return cls.objects.filter(fan_out=False)


class SpecFit(Job):
    """One specification of a fanned-out run, fitted by a task of its own on the estimation
    queue: its own status, progress, worker, heartbeat and result (a Job like any other, so the
    sweeper fails it when its worker dies and re-sends it when the queue loses it)."""

    TASK_NAME = "analysis.tasks.fit_spec_task"

    run = models.ForeignKey(ModelRun, related_name="fits", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(_("position"))
    spec = models.JSONField(_("specification"))
    result = models.JSONField(_("result"), null=True, blank=True)

    class Meta(Job.Meta):
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="spec_fit_unique_position")]
        verbose_name = _("specification fit")
        verbose_name_plural = _("specification fits")

    def __str__(self):
        return f"run {self.run_id} spec {self.position + 1} ({self.status})"

    @classmethod
    def sweepable(cls):
        """The children the sweeper watches: those of fanned-out runs, each with a task of its
        own. The children of a run fitted in one process go with their run (swept itself)."""
        return cls.objects.filter(run__fan_out=True)
