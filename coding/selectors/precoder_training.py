"""Reads for retraining the pre-coder and ordering what to code next (issue 24, item 5): how
many approvals a model has not learnt from, the training jobs, the treaties nobody is assigned
under a codebook version, and those treaties ordered by the newest model's uncertainty."""

from jobs.models import ACTIVE, JobStatus

from ..models import Adjudication, Agreement, Assignment, PrecoderModel, PrecoderTrainingJob


def approvals_since(*, version, since=None):
    """Approved adjudications under `version` (approved after `since`, when given)."""
    rows = Adjudication.objects.filter(version=version, state=Adjudication.State.APPROVED)
    return rows.filter(approved_at__gt=since).count() if since is not None else rows.count()


def training_job_get(job_id):
    """One retraining job by id, or None."""
    return PrecoderTrainingJob.objects.filter(pk=job_id).first()


def training_job_active(*, version):
    return PrecoderTrainingJob.objects.filter(version=version, status__in=ACTIVE).order_by("-created_at").first()


def training_job_latest(*, version, done=False):
    rows = PrecoderTrainingJob.objects.filter(version=version)
    return (
        (rows.filter(status=JobStatus.DONE) if done else rows).select_related("model").order_by("-created_at").first()
    )


def model_newest(*, version):
    return PrecoderModel.objects.filter(version=version).order_by("-number").first()


def retrain_baseline(*, version):
    """When the newest model (or the newest training request) was made, whichever is later:
    approvals after it are the ones not learnt from yet. None without either."""
    model = model_newest(version=version)
    job = training_job_latest(version=version)
    moments = [row.created_at for row in (model, job) if row is not None]
    return max(moments) if moments else None


def unassigned_with_text(*, version, limit=2000):
    """Treaties with a text that no coder is assigned under `version`, by id (at most `limit`)."""
    assigned = Assignment.objects.filter(version=version).values("agreement_id")
    return list(
        Agreement.objects.filter(current_text__isnull=False)
        .exclude(pk__in=assigned)
        .select_related("current_text")
        .order_by("pk")[:limit]
    )


def uncertainty_order(*, version, agreements):
    """(agreements ordered most uncertain first, {agreement id: uncertainty}, the training job the
    scores come from or None). Uncertainty: the mean over the indicators of 1 - the probability of
    the most probable value, computed by the newest finished training job for every unassigned
    treaty; treaties it did not score keep their order after the scored ones."""
    job = training_job_latest(version=version, done=True)
    scores = {int(k): v for k, v in (job.result.get("uncertainty", {}) if job else {}).items()}
    agreements = list(agreements)
    ordered = sorted(agreements, key=lambda a: (a.pk not in scores, -scores.get(a.pk, 0.0)))
    return ordered, scores, job


def learning_panel(*, version):
    """What the assignment page shows about the pre-coder for `version`: the newest model, the
    training job running or queued, the newest finished one, approvals not learnt from yet."""
    if version is None:
        return None
    return {
        "version": version,
        "model": model_newest(version=version),
        "active": training_job_active(version=version),
        "latest": training_job_latest(version=version),
        "done": training_job_latest(version=version, done=True),
        "new_approvals": approvals_since(version=version, since=retrain_baseline(version=version)),
    }
