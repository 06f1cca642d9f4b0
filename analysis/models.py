"""Dataset releases: immutable, numbered, citable snapshots of scored codings."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DatasetRelease(models.Model):
    APPROVED = "approved"

    number = models.PositiveIntegerField(_("release number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.ForeignKey("coding.CodebookVersion", related_name="releases", on_delete=models.PROTECT)
    # "approved" (the adjudicated codings) or the username of one coder or reference coder.
    source = models.CharField(_("source"), max_length=150, default=APPROVED)
    method = models.JSONField(_("scoring method"))
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    # One row per agreement: identifiers, parties, entry-into-force year, codes, depth, tier.
    rows = models.JSONField(_("rows"))
    summary = models.JSONField(_("summary"), default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("dataset release")
        verbose_name_plural = _("dataset releases")

    def __str__(self):
        return f"#{self.number} {self.name}"

    def get_absolute_url(self):
        return reverse("analysis:release_detail", args=[self.number])

    def save(self, *args, **kwargs):
        # A release never changes: a regression cites it. Changes make a new release.
        if self.pk is not None:
            raise ValidationError(_("A dataset release is immutable; release again to change it."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A dataset release is immutable and cannot be deleted."))

    @property
    def citation(self):
        return (f"FTA coding workbench, dataset release {self.number} “{self.name}”, codebook {self.version}, "
                f"source {self.source}, {self.created_at:%Y-%m-%d}, sha256 {self.content_hash[:12]}")


class Panel(models.Model):
    """A pair-year panel stored as a file, identified by the hash of its content."""

    name = models.CharField(_("name"), max_length=200)
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    path = models.CharField(max_length=500)
    n_rows = models.PositiveIntegerField(_("rows"))
    columns = models.JSONField(_("columns"))
    source = models.JSONField(_("how it was built"), default=dict)
    release = models.ForeignKey(DatasetRelease, null=True, blank=True, related_name="panels", on_delete=models.PROTECT)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")

    def __str__(self):
        return f"{self.name} ({self.content_hash[:10]})"


class ModelRun(models.Model):
    """One job of one or more gravity specifications on one panel. The row exists before its
    Celery task is sent; the task claims it, reports progress and ends DONE or FAILED."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("queued")
        RUNNING = "RUNNING", _("running")
        DONE = "DONE", _("done")
        FAILED = "FAILED", _("failed")
        CANCELLED = "CANCELLED", _("cancelled")

    name = models.CharField(_("name"), max_length=200, blank=True)
    panel = models.ForeignKey(Panel, related_name="runs", on_delete=models.PROTECT)
    specs = models.JSONField(_("specifications"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(max_length=300, blank=True)
    cancel_requested = models.BooleanField(default=False)
    results = models.JSONField(_("results"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    versions = models.JSONField(_("package versions"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("model run")
        verbose_name_plural = _("model runs")

    def __str__(self):
        return f"run {self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("analysis:run_detail", args=[self.pk])

    @property
    def finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED}
