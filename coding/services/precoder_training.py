"""Retraining the pre-coder from approvals, in a worker (issue 24, item 5). The job row first,
its task sent by name on commit (jobs/dispatch.py); the worker trains on the reference coder's
codings with the approved final values over them (precoder_train with_approved), then scores
every unassigned treaty by the new model's uncertainty (coding/precoder/active.py: mean over
the indicators of 1 - the probability of the most probable value), which the assignment page
orders by. A supervisor asks with a button; the sweep asks by itself once
PRECODER_RETRAIN_EVERY approvals (0: never) have come in since the newest model or request."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from jobs.dispatch import job_dispatch
from jobs.lifecycle import JobStep, in_own_words, job_run

from ..models import CodebookVersion, PrecoderModel, PrecoderTrainingJob
from ..precoder.active import uncertainty
from ..precoder.languages import gloss_treaty
from ..selectors.codebooks import codebook_versions
from ..selectors.precoder import treaty_articles
from ..selectors.precoder_training import (
    approvals_since,
    model_newest,
    retrain_baseline,
    training_job_active,
    unassigned_with_text,
)
from .precoder import PrecoderError, precoder_load, precoder_train, reading_problem

DEFAULT_REFERENCE = "DESTA 2.1"
SCORE_CHUNK = 25  # treaties predicted at once while scoring (a heartbeat between chunks)


def retrain_every():
    return int(settings.PRECODER_RETRAIN_EVERY)


def retrain_folds():
    """Cross-validation folds of a retraining (the measure stored with the model)."""
    return int(settings.PRECODER_RETRAIN_FOLDS)


def precoder_retrain_request(*, version, user=None, trigger=PrecoderTrainingJob.Trigger.BUTTON, reference=None):
    """A training job for `version` (the reference of its newest model, else DESTA 2.1), or the
    one already queued or running for it: never two at once."""
    with transaction.atomic():
        CodebookVersion.objects.select_for_update().get(pk=version.pk)  # one request at a time per version
        active = training_job_active(version=version)
        if active is not None:
            return active
        newest = model_newest(version=version)
        job = PrecoderTrainingJob.objects.create(
            version=version,
            reference=reference or (newest.reference if newest else DEFAULT_REFERENCE),
            trigger=trigger,
            approvals=approvals_since(version=version),
            created_by=user,
        )
        job_dispatch(job)
    return job


def precoder_retrain_when_due():
    """Sweep hook (JOB_SWEEP_HOOKS): a training job for every version that has a model and at
    least PRECODER_RETRAIN_EVERY approvals since its newest model or training request; returns
    how many it asked for (the sweep adds it to its counts)."""
    every = retrain_every()
    if every <= 0:
        return 0
    requested = []
    for version in codebook_versions(newest_first=True):
        if model_newest(version=version) is None or training_job_active(version=version) is not None:
            continue
        if approvals_since(version=version, since=retrain_baseline(version=version)) >= every:
            requested.append(precoder_retrain_request(version=version, trigger=PrecoderTrainingJob.Trigger.APPROVALS))
    return len(requested)


def _scores(model: PrecoderModel, version, step: JobStep) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """{agreement id: uncertainty} of the unassigned treaties the model can read, and the others."""
    fitted = precoder_load(model)
    readable, refused = [], []
    for agreement in unassigned_with_text(version=version):
        articles = treaty_articles(agreement.current_text)
        language, problem = reading_problem(agreement, articles)
        if problem:
            refused.append({"agreement": agreement.pk, "reason": problem})
        else:
            readable.append((agreement.pk, gloss_treaty(articles, language)))
    scores: dict[str, float] = {}
    for start in range(0, len(readable), SCORE_CHUNK):
        chunk = readable[start : start + SCORE_CHUNK]
        for (pk, _treaty), suggestions in zip(chunk, fitted.predict_many([t for _pk, t in chunk], evidence=False)):
            scores[str(pk)] = round(uncertainty(suggestions), 4)
        step.beat()  # cancelled or taken over: stop writing
    return scores, refused


def _retrain_work(job: PrecoderTrainingJob, step: JobStep) -> dict[str, Any]:
    def progress(n, total):
        step.progress(
            round(80 * n / total), gettext_noop("cross-validation: fold %(n)s of %(total)s"), {"n": n, "total": total}
        )

    model = precoder_train(
        version=job.version,
        reference=job.reference,
        user=job.created_by,
        folds=retrain_folds(),
        progress=progress,
        with_approved=True,
    )
    step.keep(model=model)
    step.progress(85, gettext_noop("ordering the unassigned treaties"))
    scores, refused = _scores(model, job.version, step)
    cv = model.cross_validation
    kappas = [row["kappa"] for row in cv.values() if row.get("kappa") is not None]
    return {
        "model": model,
        "result": {
            "model": model.number,
            "training_agreements": len(model.training_agreements),
            "mean_kappa": round(sum(kappas) / len(kappas), 4) if kappas else None,
            "abstention": {code: row.get("abstention") for code, row in cv.items()},
            "uncertainty": scores,
            "not_scored": refused,
        },
    }


def precoder_retrain_run(*, job_id: int) -> PrecoderTrainingJob | None:
    """Claim and run a queued training job; None when another worker has it."""
    return job_run(
        PrecoderTrainingJob,
        job_id,
        _retrain_work,
        starting=gettext_noop("reading the training treaties"),
        load=lambda pk: PrecoderTrainingJob.objects.select_related("version", "created_by").get(pk=pk),
        reason=in_own_words(PrecoderError, OSError),
    )
