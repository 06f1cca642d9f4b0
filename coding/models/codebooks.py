"""Codebooks are data: a YAML file becomes a versioned set of indicators."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _pick(en, zh):
    """The Chinese text when the UI is in Chinese and one exists, else the English."""
    lang = (get_language() or "en").lower()
    return zh if lang.startswith("zh") and zh else en


class Codebook(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("codebook")
        verbose_name_plural = _("codebooks")

    def __str__(self):
        return self.code

    @property
    def title(self):
        return _pick(self.title_en, self.title_zh)

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()


class CodebookVersion(models.Model):
    """An immutable version. Codings point here, so editing a codebook never rewrites them."""

    codebook = models.ForeignKey(Codebook, related_name="versions", on_delete=models.PROTECT)
    number = models.PositiveIntegerField(_("version number"))
    label = models.CharField(_("version label in the file"), max_length=40, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    content_hash = models.CharField(max_length=64)
    source_name = models.CharField(_("source file"), max_length=300, blank=True)
    source_text = models.TextField(_("source YAML"))
    depth_indicators = models.JSONField(_("depth-score indicators"), default=list, blank=True)
    depth_range = models.JSONField(_("depth-score range"), null=True, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["codebook__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "number"], name="unique_codebook_version_number"),
            models.UniqueConstraint(fields=["codebook", "content_hash"], name="unique_codebook_version_content"),
        ]
        verbose_name = _("codebook version")
        verbose_name_plural = _("codebook versions")

    def __str__(self):
        return f"{self.codebook.code}:{self.number}"

    @property
    def title(self):
        return _pick(self.title_en, self.title_zh)


class Indicator(models.Model):
    class Level(models.TextChoices):
        NOMINAL = "nominal", _("nominal")
        ORDINAL = "ordinal", _("ordinal")

    version = models.ForeignKey(CodebookVersion, related_name="indicators", on_delete=models.CASCADE)
    code = models.SlugField(_("code"), max_length=80)
    position = models.PositiveIntegerField(_("position"))
    group = models.CharField(_("group"), max_length=80, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    question_en = models.TextField(_("question (English)"))
    question_zh = models.TextField(_("question (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    guidance_zh = models.TextField(_("guidance (Chinese)"), blank=True)
    # [{"value": 0, "label_en": "no", "label_zh": "否"}, ...] in the codebook's order.
    allowed_values = models.JSONField(_("allowed values"))
    keyword_hints = models.JSONField(_("keyword hints"), default=list, blank=True)

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_indicator_code")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.code

    @property
    def question(self):
        return _pick(self.question_en, self.question_zh)

    @property
    def guidance(self):
        return _pick(self.guidance_en, self.guidance_zh)

    @property
    def values(self):
        return [v["value"] for v in self.allowed_values]

    def value_labels(self):
        return [(v["value"], _pick(v.get("label_en", ""), v.get("label_zh", ""))) for v in self.allowed_values]
