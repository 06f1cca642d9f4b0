"""Pre-coding in a worker (Read the Docs' job pattern): the PrecodeJob row first, its task sent
by name on commit; the worker claims it, pre-codes treaty by treaty with progress, and ends it
DONE with what it stored and refused, or FAILED with the reason."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from jobs.dispatch import job_dispatch
from jobs.lifecycle import JobStep, in_own_words, job_run

from ..models import Agreement, PrecodeJob
from ..selectors.precoder import PrecoderModelError, model_for
from .precoder import PrecoderError, precode

MAX_AGREEMENTS = 1000


def precode_job_request(*, version, agreements, user, model=None) -> PrecodeJob:
    """A job pre-coding `agreements` (one or many) with `model` (default: the newest for
    `version`); PrecoderError or PrecoderModelError before any row is made."""
    agreements = list(agreements)
    if not agreements:
        raise PrecoderError("choose at least one agreement to pre-code")
    if len(agreements) > MAX_AGREEMENTS:
        raise PrecoderError(f"at most {MAX_AGREEMENTS} agreements per job ({len(agreements)} given)")
    model = model or model_for(version=version)
    with transaction.atomic():
        job = PrecodeJob.objects.create(model=model, agreement_ids=[a.pk for a in agreements], created_by=user)
        job_dispatch(job)
    return job


def _precode_work(job: PrecodeJob, step: JobStep) -> dict[str, Any]:
    stored, refused = [], []
    agreements = Agreement.objects.in_bulk(job.agreement_ids)
    total = len(job.agreement_ids)
    for n, agreement_id in enumerate(job.agreement_ids, start=1):
        agreement = agreements.get(agreement_id)
        if agreement is None:
            refused.append({"agreement": agreement_id, "reason": "no longer exists"})
        else:
            try:
                precode(version=job.model.version, agreements=[agreement], model=job.model, user=job.created_by)
                stored.append(agreement_id)
            except PrecoderError as exc:
                refused.append({"agreement": agreement_id, "reason": str(exc)})
        step.beat()  # cancelled or taken over: stop writing
        step.progress(max(1, round(100 * n / total)), gettext_noop("%(n)s of %(total)s"), {"n": n, "total": total})
    return {"result": {"stored": stored, "refused": refused}}


def precode_job_run(*, job_id: int) -> PrecodeJob | None:
    """Claim and run a queued job; None when another worker has it. Treaties that cannot be
    pre-coded (no text, another language) are listed in the result, the others stored."""
    return job_run(
        PrecodeJob,
        job_id,
        _precode_work,
        starting=gettext_noop("loading the model"),
        load=lambda pk: PrecodeJob.objects.select_related("model__version", "created_by").get(pk=pk),
        reason=in_own_words(PrecoderError, PrecoderModelError, OSError),
    )
