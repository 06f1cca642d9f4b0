"""Pre-coding in a worker (Read the Docs' job pattern): the PrecodeJob row first, its task sent
by name on commit; the worker claims it, pre-codes treaty by treaty with progress, and ends it
DONE with what it stored and refused, or FAILED with the reason."""
from django.db import transaction
from django.utils import timezone

from ..models import Agreement, JobStatus, PrecodeJob
from ..selectors.precoder import PrecoderModelError, model_for
from .jobs import job_claim, job_dispatch, job_fail, job_heartbeat
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


def precode_job_run(*, job_id) -> PrecodeJob | None:
    """Claim and run a queued job; None when another worker has it. Treaties that cannot be
    pre-coded (no text, another language) are listed in the result, the others stored."""
    if not job_claim(PrecodeJob, job_id, progress=1, progress_message="loading the model"):
        return None
    job = PrecodeJob.objects.select_related("model__version", "created_by").get(pk=job_id)
    stored, refused = [], []
    try:
        agreements = Agreement.objects.in_bulk(job.agreement_ids)
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
            if not job_heartbeat(PrecodeJob, job_id):
                return PrecodeJob.objects.get(pk=job_id)  # cancelled or taken over: stop writing
            PrecodeJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
                progress=max(1, round(100 * n / len(job.agreement_ids))), progress_message=f"{n} of {len(job.agreement_ids)}")
    except (PrecoderError, PrecoderModelError, OSError) as exc:
        job_fail(job, str(exc), only_if=[JobStatus.RUNNING])
        return PrecodeJob.objects.get(pk=job_id)
    except Exception as exc:  # noqa: BLE001 - a job must end DONE or FAILED, never stay RUNNING
        job_fail(job, f"{type(exc).__name__}: {exc}", only_if=[JobStatus.RUNNING])
        return PrecodeJob.objects.get(pk=job_id)
    PrecodeJob.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, progress=100, progress_message="done", finished_at=timezone.now(),
        result={"stored": stored, "refused": refused})
    return PrecodeJob.objects.get(pk=job_id)
