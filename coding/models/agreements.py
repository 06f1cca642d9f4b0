"""Agreements and their texts (chapters and articles with ToTA's stable identifiers)."""
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Agreement(models.Model):
    class Membership(models.TextChoices):
        BILATERAL = "bilateral", _("bilateral")
        PLURILATERAL = "plurilateral", _("plurilateral")

    name = models.CharField(_("name"), max_length=300)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    date_signed = models.DateField(_("date signed"), null=True, blank=True)
    year_signed = models.PositiveSmallIntegerField(_("year signed"), null=True, blank=True)
    date_into_force = models.DateField(_("date into force"), null=True, blank=True)
    # DESTA only knows the year; ToTA knows the date. The year is what the gravity panel needs.
    entry_into_force_year = models.PositiveSmallIntegerField(_("entry-into-force year"), null=True, blank=True, db_index=True)
    membership = models.CharField(_("membership"), max_length=20, choices=Membership.choices, blank=True)
    # DESTA numbers are "224" for base treaties and "324_1" for protocols and consolidations.
    desta_number = models.CharField(_("DESTA number"), max_length=20, null=True, blank=True, unique=True)
    desta_entry_type = models.CharField(_("DESTA entry type"), max_length=40, blank=True)
    region = models.CharField(_("region"), max_length=80, blank=True)
    wto_rta_id = models.PositiveIntegerField(_("WTO RTA id"), null=True, blank=True, db_index=True)
    # ToTA's treaty_identifier; unique because each ToTA file is one text of one agreement.
    tota_id = models.PositiveIntegerField(_("ToTA id"), null=True, blank=True, unique=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Hash of the imported text, so re-importing the same file is recognised and changes nothing.
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["text_hash", "updated_at"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coding:agreement_detail", args=[self.pk])

    @property
    def party_codes(self):
        return [p.iso3 for p in self.parties.all()]

    @property
    def references(self):
        """Every way this agreement can be named on a command line, in a CSV or in the API."""
        refs = [str(self.pk)]
        for prefix, value in (("desta", self.desta_number), ("tota", self.tota_id), ("wto", self.wto_rta_id)):
            if value is not None:
                refs.append(f"{prefix}:{value}")
        return refs


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, related_name="parties", on_delete=models.CASCADE)
    iso3 = models.CharField(_("ISO3 code"), max_length=3, db_index=True)

    class Meta:
        ordering = ["agreement_id", "iso3"]
        constraints = [models.UniqueConstraint(fields=["agreement", "iso3"], name="unique_party_per_agreement")]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return self.iso3


class Chapter(models.Model):
    agreement = models.ForeignKey(Agreement, related_name="chapters", on_delete=models.CASCADE)
    identifier = models.CharField(_("identifier"), max_length=40)
    name = models.CharField(_("name"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["agreement_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "identifier"], name="unique_chapter_identifier")
        ]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        return self.name or self.identifier


class Article(models.Model):
    """One article. `identifier` is stable across re-imports and is what evidence cites."""

    agreement = models.ForeignKey(Agreement, related_name="articles", on_delete=models.CASCADE)
    chapter = models.ForeignKey(Chapter, related_name="articles", on_delete=models.CASCADE)
    identifier = models.CharField(_("identifier"), max_length=40)
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["agreement_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "identifier"], name="unique_article_identifier")
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.heading or f"Article {self.identifier}"

    @property
    def anchor(self):
        return f"art-{self.identifier}"
