"""Upload a treaty text and have a worker split it (Read the Docs' job pattern)."""
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ..importers.errors import ImportFailed
from ..models import JobStatus, TextImport
from .texts import text_import_file

ALLOWED_SUFFIXES = {".txt", ".pdf"}


def text_import_request(*, agreement, uploaded_file, user) -> TextImport:
    """Create the job row, then send the task once the row is committed: a worker never looks
    for a row that is not there yet."""
    suffix = Path(uploaded_file.name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportFailed(f"only .txt and .pdf files can be imported, not '{suffix or 'no extension'}'", path=uploaded_file.name)
    from ..tasks import text_import_task

    with transaction.atomic():
        job = TextImport.objects.create(
            agreement=agreement, upload=uploaded_file, original_name=uploaded_file.name[:255], created_by=user
        )
        transaction.on_commit(lambda: _dispatch(job, text_import_task))
    return job


def _dispatch(job, task):
    result = task.delay(job.pk)
    TextImport.objects.filter(pk=job.pk).update(task_id=result.id)


def text_import_run(*, job_id) -> TextImport | None:
    """Claim a queued job and run it. Returns None when another worker already claimed it."""
    claimed = TextImport.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    if not claimed:
        return None
    job = TextImport.objects.select_related("agreement").get(pk=job_id)
    try:
        outcome = text_import_file(agreement=job.agreement, path=job.upload.path)
    except Exception as exc:  # noqa: BLE001 - a job must end DONE or FAILED, never stay RUNNING
        job.status, job.error = JobStatus.FAILED, str(exc) if isinstance(exc, (ImportFailed, ValueError, OSError)) else f"{type(exc).__name__}: {exc}"
    else:
        job.status, job.result = JobStatus.DONE, outcome
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "result", "finished_at"])
    return job
