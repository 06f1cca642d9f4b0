"""Pair-year panels stored as files (models layer: fields only; panels are stored by
analysis/services/panels.py, which names the file by the hash of its content)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .releases import DatasetRelease


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
