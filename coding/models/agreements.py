"""Agreements and their texts (chapters and articles with ToTA's stable identifiers).

A text is a version: importing a new text for an agreement adds a TextVersion with its own
chapters and articles and makes it the agreement's current text; older versions stay readable,
and codings (and so their evidence) stay bound to the version they were made on."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..importers.article_numbers import article_label


def art_format():
    """How an article number is cited in the page language: "Art. {number}", "第{number}条"."""
    return _("Art. %(number)s") % {"number": "{number}"}


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
    entry_into_force_year = models.PositiveSmallIntegerField(
        _("entry-into-force year"), null=True, blank=True, db_index=True
    )
    membership = models.CharField(_("membership"), max_length=20, choices=Membership.choices, blank=True)
    # DESTA numbers are "224" for base treaties and "324_1" for protocols and consolidations.
    desta_number = models.CharField(_("DESTA number"), max_length=20, null=True, blank=True, unique=True)
    desta_entry_type = models.CharField(_("DESTA entry type"), max_length=40, blank=True)
    region = models.CharField(_("region"), max_length=80, blank=True)
    wto_rta_id = models.PositiveIntegerField(_("WTO RTA id"), null=True, blank=True, db_index=True)
    # ToTA's treaty_identifier; unique because each ToTA file is one text of one agreement.
    tota_id = models.PositiveIntegerField(_("ToTA id"), null=True, blank=True, unique=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The text the reader shows by default and new codings are made on. Its hash is how
    # re-importing the same file is recognised and changes nothing. The versions themselves are
    # the record of text changes, so the pointer is left out of the metadata history.
    current_text = models.ForeignKey(
        "coding.TextVersion",
        verbose_name=_("current text version"),
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["current_text", "updated_at"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coding:agreement_detail", args=[self.pk])

    # The current text's chapters and articles (every version's: all_chapters, all_articles).
    # A subquery rather than self.current_text_id: right even when this instance was loaded
    # before a new version was imported.
    def _current(self):
        return Agreement.objects.filter(pk=self.pk).values("current_text")[:1]

    @property
    def chapters(self):
        return Chapter.objects.filter(version=self._current())

    @property
    def articles(self):
        return Article.objects.filter(version=self._current())

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


class TextVersion(models.Model):
    """One imported text of an agreement, numbered 1, 2, ... per agreement. Never edited by an
    import: a changed text is a new version, so what a coding cites stays readable."""

    agreement = models.ForeignKey(Agreement, related_name="text_versions", on_delete=models.CASCADE)
    number = models.PositiveIntegerField(_("version number"))
    source_name = models.CharField(_("source"), max_length=300, blank=True)
    text_hash = models.CharField(_("text hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        related_name="+",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["agreement_id", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="unique_text_version_number")]
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")

    def __str__(self):
        return f"{self.agreement} · v{self.number}"

    def get_absolute_url(self):
        return f"{self.agreement.get_absolute_url()}?version={self.number}"


class Chapter(models.Model):
    version = models.ForeignKey(TextVersion, related_name="chapters", on_delete=models.CASCADE)
    # Redundant with version.agreement; kept so queries by agreement stay one join shorter.
    agreement = models.ForeignKey(Agreement, related_name="all_chapters", on_delete=models.CASCADE)
    identifier = models.CharField(_("identifier"), max_length=40)
    name = models.CharField(_("name"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="unique_chapter_identifier_per_version")
        ]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        return self.name or self.identifier

    def save(self, *args, **kwargs):
        # A chapter added by hand (admin, tests) belongs to the agreement's current text, which
        # is started (as a new version) when the agreement has none yet.
        if self.version_id is None and self.agreement_id is not None:
            self.version_id = (
                Agreement.objects.filter(pk=self.agreement_id).values_list("current_text_id", flat=True).first()
            )
            if self.version_id is None:
                self.version = TextVersion.objects.create(
                    agreement_id=self.agreement_id,
                    number=TextVersion.objects.filter(agreement_id=self.agreement_id).count() + 1,
                )
                Agreement.objects.filter(pk=self.agreement_id).update(current_text=self.version)
        if self.agreement_id is None and self.version_id is not None:
            self.agreement_id = self.version.agreement_id
        super().save(*args, **kwargs)


class Article(models.Model):
    """One article of one text version. `identifier` is what evidence cites, resolved against the
    citing coding's text version; ToTA's identifiers are stable across versions of a treaty."""

    version = models.ForeignKey(TextVersion, related_name="articles", on_delete=models.CASCADE)
    agreement = models.ForeignKey(Agreement, related_name="all_articles", on_delete=models.CASCADE)
    chapter = models.ForeignKey(Chapter, related_name="articles", on_delete=models.CASCADE)
    identifier = models.CharField(_("identifier"), max_length=40)
    # The treaty's own number as readers cite it ("4.3" from "ARTICLE 4.3", "4" from "第四条") and
    # its heading; the identifier stays the stable key evidence stores.
    number = models.CharField(_("article number"), max_length=40, blank=True)
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "identifier"], name="unique_article_identifier_per_version")
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # An article added by hand belongs to its chapter's text version (and agreement).
        if self.chapter_id is not None and (self.version_id is None or self.agreement_id is None):
            version_id, agreement_id = (
                Chapter.objects.filter(pk=self.chapter_id).values_list("version_id", "agreement_id").get()
            )
            self.version_id = self.version_id or version_id
            self.agreement_id = self.agreement_id or agreement_id
        super().save(*args, **kwargs)

    @property
    def label(self):
        """ "Art. 4.3 Customs Procedures" (in the page language), else the heading, else the
        chapter's name. Labels unique within a text: selectors.agreements.citation_labels."""
        return (
            article_label(number=self.number, heading=self.heading, art_format=art_format())
            or self.chapter.name
            or f"#{self.identifier}"
        )

    @property
    def anchor(self):
        return f"art-{self.identifier}"
