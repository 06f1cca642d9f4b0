"""Dataset releases: immutable, numbered, citable snapshots of scored codings (models layer:
fields, invariants and URLs only; releases are made by analysis/services/releases.py)."""

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
    # What backs each code (cited articles and quotes, "searched, not found", the adjudication
    # rationale), captured when the release is made so that it never changes with later edits.
    # None for releases made before releases kept their evidence.
    evidence = models.JSONField(_("evidence"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("dataset release")
        verbose_name_plural = _("dataset releases")

    def __str__(self):
        return f"#{self.number} {self.name}"

    def save(self, *args, **kwargs):
        # A release never changes: a regression cites it. Changes make a new release.
        if self.pk is not None:
            raise ValidationError(_("A dataset release is immutable; release again to change it."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("analysis:release_detail", args=[self.number])

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A dataset release is immutable and cannot be deleted."))

    @property
    def citation(self):
        return (
            f"FTA coding workbench, dataset release {self.number} “{self.name}”, codebook {self.version}, "
            f"source {self.source}, {self.created_at:%Y-%m-%d}, sha256 {self.content_hash[:12]}"
        )
