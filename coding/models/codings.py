"""Double coding: assignments, codings with answers and evidence, adjudication.

A coding is one coder's answers for one agreement under one codebook version. Reference coders
(DESTA 2.1, the study) are users in the "reference" group who never log in.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The history's change reason of what the workbench does by itself (services/history.py).
WORKBENCH = "workbench"
# The history's change reason of a coder being shown a machine suggestion (services/precoder.py).
SUGGESTION_SHOWN = "suggestion shown"


class Assignment(models.Model):
    agreement = models.ForeignKey("coding.Agreement", related_name="assignments", on_delete=models.CASCADE)
    version = models.ForeignKey("coding.CodebookVersion", related_name="assignments", on_delete=models.PROTECT)
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="assignments", on_delete=models.CASCADE)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement__name", "coder__username"]
        constraints = [models.UniqueConstraint(fields=["agreement", "version", "coder"], name="unique_assignment")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return f"{self.agreement} → {self.coder}"


class Coding(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    agreement = models.ForeignKey("coding.Agreement", related_name="codings", on_delete=models.CASCADE)
    version = models.ForeignKey("coding.CodebookVersion", related_name="codings", on_delete=models.PROTECT)
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="codings", on_delete=models.CASCADE)
    # The treaty text the coding is made on: its evidence (article identifiers, offsets) is read
    # against this version, whatever texts are imported later. Empty only while the agreement
    # has no text; set to the current text when the coding is created.
    text_version = models.ForeignKey(
        "coding.TextVersion",
        verbose_name=_("text version"),
        related_name="codings",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # The coding under an older codebook version this one was carried over from (services/recheck.py).
    carried_from = models.OneToOneField(
        "self",
        verbose_name=_("carried over from"),
        related_name="carried_to",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    # Optimistic concurrency: every save must name the revision it started from.
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement__name", "coder__username"]
        constraints = [models.UniqueConstraint(fields=["agreement", "version", "coder"], name="unique_coding")]
        verbose_name = _("coding")
        verbose_name_plural = _("codings")

    def __str__(self):
        return f"{self.coder} · {self.agreement} · {self.version}"

    def save(self, *args, **kwargs):
        # Every way a coding is made (assignment, CSV imports) binds it to the current text.
        if self._state.adding and self.text_version_id is None and self.agreement_id is not None:
            from .agreements import Agreement

            self.text_version_id = (
                Agreement.objects.filter(pk=self.agreement_id).values_list("current_text_id", flat=True).first()
            )
        super().save(*args, **kwargs)


class Answer(models.Model):
    coding = models.ForeignKey(Coding, related_name="answers", on_delete=models.CASCADE)
    indicator = models.ForeignKey("coding.Indicator", related_name="answers", on_delete=models.PROTECT)
    value = models.IntegerField(_("value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # "Searched, not found": an explicit statement, with the chapters that were read.
    not_found = models.BooleanField(_("searched, not found"), default=False)
    searched_chapters = models.JSONField(_("chapters searched"), default=list, blank=True)
    # Carried over from an older codebook version whose wording of this indicator changed: the
    # coder answers it again (saving a value clears the flag).
    recheck = models.BooleanField(_("re-check"), default=False)
    # The first answer: when the coder was first shown the machine's suggestion for this
    # indicator, and her value at that moment (empty if she had not answered). Written once
    # (services/precoder.py: suggestions_show) and never cleared, so emptying or changing the
    # answer afterwards neither hides the suggestion again nor loses what she answered alone.
    first_value = models.IntegerField(_("answer before the suggestion"), null=True, blank=True)
    suggestion_shown_at = models.DateTimeField(_("machine suggestion shown"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["coding_id", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["coding", "indicator"], name="unique_answer")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.indicator.code}={self.value}"

    @property
    def first_answer(self):
        """Her answer made without the machine: the value before the suggestion was shown, or the
        value itself when no suggestion was ever shown."""
        return self.first_value if self.suggestion_shown_at else self.value

    @property
    def changed_after_suggestion(self):
        return self.suggestion_shown_at is not None and self.first_value != self.value


def first_answer_expression():
    """Answer.first_answer as a query expression, for statistics read straight from the database."""
    return Case(When(suggestion_shown_at__isnull=False, then=F("first_value")), default=F("value"))


def changed_after_suggestion_q():
    """Q() over answers: Answer.changed_after_suggestion (an emptied or a newly given value counts)."""
    return Q(suggestion_shown_at__isnull=False) & (
        Q(value__isnull=True, first_value__isnull=False)
        | Q(value__isnull=False, first_value__isnull=True)
        | (Q(value__isnull=False, first_value__isnull=False) & ~Q(value=F("first_value")))
    )


class Evidence(models.Model):
    """An article cited for an answer, optionally a passage inside it (character offsets)."""

    answer = models.ForeignKey(Answer, related_name="evidence", on_delete=models.CASCADE)
    article_identifier = models.CharField(_("article"), max_length=40)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["answer_id", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return f"art-{self.article_identifier}"


class DisagreementType(models.TextChoices):
    AGREED = "agreed", _("coders agreed")
    MISREAD = "misread", _("misread text")
    AMBIGUITY = "ambiguity", _("codebook ambiguity")
    CLERICAL = "clerical", _("clerical slip")
    OTHER = "other", _("other")
    IMPORTED = "imported", _("imported as approved")


class Adjudication(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("in adjudication")
        APPROVED = "approved", _("approved")

    agreement = models.ForeignKey("coding.Agreement", related_name="adjudications", on_delete=models.CASCADE)
    version = models.ForeignKey("coding.CodebookVersion", related_name="adjudications", on_delete=models.PROTECT)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    revision = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement__name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "version"], name="unique_adjudication")]
        verbose_name = _("adjudication")
        verbose_name_plural = _("adjudications")

    def __str__(self):
        return f"{self.agreement} · {self.version} · {self.state}"


class FinalValue(models.Model):
    """The adjudicated value of one indicator; the approved coding once the adjudication is approved."""

    adjudication = models.ForeignKey(Adjudication, related_name="final_values", on_delete=models.CASCADE)
    indicator = models.ForeignKey("coding.Indicator", related_name="final_values", on_delete=models.PROTECT)
    value = models.IntegerField(_("final value"))
    rationale = models.TextField(_("rationale"), blank=True)
    disagreement_type = models.CharField(_("disagreement type"), max_length=12, choices=DisagreementType.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["adjudication_id", "indicator__position"]
        constraints = [models.UniqueConstraint(fields=["adjudication", "indicator"], name="unique_final_value")]
        verbose_name = _("final value")
        verbose_name_plural = _("final values")

    def __str__(self):
        return f"{self.indicator.code}={self.value}"
