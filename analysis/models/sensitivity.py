"""Sensitivity runs: the same gravity specifications fitted on the panels of several sources of
codes (the approved codings, DESTA 2.1, the study, one coder), to see how much an estimate depends
on who coded (models layer: fields only; analysis/services/sensitivity.py creates them). A
sensitivity run is not a job itself: each column is one ModelRun, a job of its own, and the
sensitivity run's status is read from them (analysis/selectors/sensitivity.py)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .panels import Panel
from .releases import DatasetRelease
from .runs import ModelRun


class SensitivityRun(models.Model):
    """One set of inputs and specifications, one column per source."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    version = models.ForeignKey("coding.CodebookVersion", related_name="sensitivity_runs", on_delete=models.PROTECT)
    sources = models.JSONField(_("sources"))
    specs = models.JSONField(_("specifications"))
    # The input files (name and sha256) and build options every column's panel was built with.
    inputs = models.JSONField(_("inputs"), default=dict)
    # What the merge checks found in those inputs (analysis/pure/merge_checks.py).
    checks = models.JSONField(_("merge checks"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sensitivity run")
        verbose_name_plural = _("sensitivity runs")

    def __str__(self):
        return f"sensitivity {self.pk} ({', '.join(self.sources)})"

    def get_absolute_url(self):
        return reverse("analysis:sensitivity_detail", args=[self.pk])


class SensitivityColumn(models.Model):
    """One source of a sensitivity run: its release, the panel built from it, the run on it.
    The release is stored, not read from the panel: two releases with identical rows give one
    panel (stored once by content), whose own `release` names only the first."""

    sensitivity = models.ForeignKey(SensitivityRun, related_name="columns", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField()
    source = models.CharField(_("source"), max_length=150)
    release = models.ForeignKey(DatasetRelease, related_name="+", on_delete=models.PROTECT)
    panel = models.ForeignKey(Panel, related_name="+", on_delete=models.PROTECT)
    run = models.ForeignKey(ModelRun, related_name="sensitivity_columns", on_delete=models.PROTECT)
    # Whether release and panel were made or reused, rows and zeros added.
    build = models.JSONField(_("build"), default=dict, blank=True)

    class Meta:
        ordering = ["sensitivity", "position"]
        constraints = [models.UniqueConstraint(fields=["sensitivity", "position"], name="sensitivity_column_position")]

    def __str__(self):
        return f"{self.sensitivity_id}.{self.position} {self.source}"
