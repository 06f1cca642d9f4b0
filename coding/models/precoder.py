"""The machine pre-coder's tables: trained models, their suggestions, pre-coding jobs and the
per-treaty choice of when coders see suggestions.

A model's suggestions are the codings of a reference coder "machine (model N)" (a user in the
reference group who never logs in), so every statistic and comparison treats the machine like
DESTA 2.1; a Suggestion row adds what a coding has no field for: the confidence, the
probabilities and the scored articles. The model itself is a file under MEDIA_ROOT/precoder/
whose sha256 is checked before it is loaded."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .jobs import Job


class PrecoderModel(models.Model):
    number = models.PositiveIntegerField(_("model number"), unique=True)
    version = models.ForeignKey(
        "coding.CodebookVersion",
        verbose_name=_("codebook version"),
        related_name="precoder_models",
        on_delete=models.PROTECT,
    )
    # The codebook version's content hash at training: a model answers only the codebook it learnt.
    codebook_hash = models.CharField(max_length=64)
    reference = models.CharField(_("trained on the codings of"), max_length=150)
    coder = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("machine coder"),
        related_name="precoder_model",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    training_hash = models.CharField(_("training-set hash"), max_length=64)
    training_agreements = models.JSONField(_("training agreements"), default=list)  # agreement ids
    excluded = models.JSONField(_("left out on request"), default=list)  # agreement ids
    left_out = models.JSONField(_("left out"), default=dict)  # reason -> [agreement refs]
    language = models.CharField(_("language"), max_length=10, default="en")
    indicators = models.JSONField(default=list)  # [{"code", "level", "values", "hints"}]
    params = models.JSONField(default=dict)
    packages = models.JSONField(_("package versions"), default=dict)
    cross_validation = models.JSONField(_("cross-validation"), default=dict)
    file = models.CharField(_("model file"), max_length=300)  # relative to MEDIA_ROOT
    file_hash = models.CharField(max_length=64)
    seconds = models.FloatField(_("training time (s)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("pre-coder model")
        verbose_name_plural = _("pre-coder models")

    def __str__(self):
        return f"model {self.number} ({self.version})"

    @property
    def coder_name(self):
        return f"machine (model {self.number})"


class Suggestion(models.Model):
    """The machine coder's answer for one indicator, with what only a model has."""

    model = models.ForeignKey(PrecoderModel, related_name="suggestions", on_delete=models.CASCADE)
    answer = models.OneToOneField("coding.Answer", related_name="suggestion", on_delete=models.CASCADE)
    confidence = models.FloatField(_("confidence"))
    probabilities = models.JSONField(default=dict)
    evidence = models.JSONField(default=list)  # [{"article", "number", "score"}], best first
    # For a 0 (no evidence): the chapters searched, like a coder's "searched, not found".
    chapters_searched = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["answer_id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self):
        return f"{self.answer} ({self.confidence:.2f})"


class PrecodeJob(Job):
    """Pre-coding one or many treaties with one model, in a worker."""

    TASK_NAME = "coding.tasks.precode_task"

    model = models.ForeignKey(PrecoderModel, related_name="jobs", on_delete=models.CASCADE)
    agreement_ids = models.JSONField(default=list)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("pre-coding job")
        verbose_name_plural = _("pre-coding jobs")

    def __str__(self):
        return f"pre-coding {len(self.agreement_ids)} treaties with {self.model}"


class PrecoderTrainingJob(Job):
    """Retraining the pre-coder in a worker: the reference coder's codings with the approved
    final values over them (coding/services/precoder_training.py), then the uncertainty of every
    unassigned treaty under the new model, so the assignment page can order what to code next.
    Asked for by a supervisor's button or by the sweep after enough new approvals."""

    TASK_NAME = "coding.tasks.precoder_training_task"

    class Trigger(models.TextChoices):
        BUTTON = "button", _("a supervisor asked")
        APPROVALS = "approvals", _("new approvals")

    version = models.ForeignKey(
        "coding.CodebookVersion", related_name="precoder_training_jobs", on_delete=models.CASCADE
    )
    reference = models.CharField(_("trained on the codings of"), max_length=150)
    trigger = models.CharField(_("asked by"), max_length=10, choices=Trigger.choices, default=Trigger.BUTTON)
    approvals = models.PositiveIntegerField(_("approved treaties at the request"), default=0)
    model = models.ForeignKey(
        PrecoderModel, related_name="training_jobs", null=True, blank=True, on_delete=models.SET_NULL
    )
    # {"model": number, "training_agreements", "approved_used", "mean_kappa", "abstention",
    #  "uncertainty": {agreement id: score}, "scored", "not_scored"}
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta(Job.Meta):
        verbose_name = _("pre-coder training job")
        verbose_name_plural = _("pre-coder training jobs")

    def __str__(self):
        return f"retraining the pre-coder for {self.version} ({self.get_trigger_display()})"


class SuggestionDisplay(models.Model):
    """When coders of one treaty see the machine's suggestions: after they answer (the default,
    no anchoring) or first. A project decision per treaty, kept in the history."""

    agreement = models.OneToOneField("coding.Agreement", related_name="suggestion_display", on_delete=models.CASCADE)
    first = models.BooleanField(_("show suggestions before the coder answers"), default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suggestion display")
        verbose_name_plural = _("suggestion displays")

    def __str__(self):
        return f"{self.agreement}: {'suggestions first' if self.first else 'suggestions after answering'}"
