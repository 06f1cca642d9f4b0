"""Upload a treaty text and have a worker split it (Read the Docs' job pattern)."""

import logging
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from jobs.dispatch import job_dispatch
from jobs.lifecycle import JobStep, job_run

from ..importers.errors import ImportFailed
from ..importers.sniffing import HEAD_BYTES
from ..models import TextImport
from .texts import NewVersionNotConfirmed, text_change_unconfirmed, text_file_check, text_import_file

logger = logging.getLogger(__name__)


def text_import_request(*, agreement, uploaded_file, user, new_version=False, note="") -> TextImport:
    """Create the job row, then send the task once the row is committed: a worker never looks
        for a row that is not there yet. Over a treaty with codings the uploader must confirm the
        new version first (NewVersionNotConfirmed, and no job is made); the worker checks again. The
    job is returned as it is after the send: FAILED at once when the task queue is unreachable."""
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    text_file_check(name=Path(uploaded_file.name).name, head=head)  # by its content, as import_text does
    codings = text_change_unconfirmed(agreement=agreement, new_version=new_version)
    if codings:
        raise NewVersionNotConfirmed(agreement=agreement, codings=codings)
    with transaction.atomic():
        job = TextImport.objects.create(
            agreement=agreement,
            upload=uploaded_file,
            original_name=uploaded_file.name[:255],
            created_by=user,
            new_version=bool(new_version),
            note=str(note or "").strip(),
        )
        job_dispatch(job)
    # Sent on commit, which has happened unless the caller holds a transaction: a broker that
    # could not be reached has failed the job already, and the page says so (job_queue_unreachable).
    job.refresh_from_db(fields=["status", "error", "task_id", "finished_at"])
    return job


def _text_import_work(job: TextImport, step: JobStep) -> dict[str, Any]:
    return {
        "result": text_import_file(
            agreement=job.agreement,
            path=job.upload.path,
            new_version=job.new_version,
            user=job.created_by,
            source_name=job.original_name,
            note=job.note,
        )
    }


def _text_import_failure(exc: BaseException, job: TextImport) -> str:
    if isinstance(exc, ImportFailed):  # named by the file's own name, never by where the upload sits
        return str(ImportFailed(exc.message, path=job.original_name, line=exc.line, field=exc.field))
    logger.exception("text import %s (%s) failed", job.pk, job.original_name)
    return (
        f"{job.original_name}: this file could not be read as a treaty text; "
        "the server's log has the details for an administrator"
    )


def text_import_run(*, job_id: int) -> TextImport | None:
    """Claim a queued job and run it (jobs.lifecycle.job_run: every write conditional on the job
    still RUNNING here). Returns None when another worker already claimed it."""
    return job_run(
        TextImport,
        job_id,
        _text_import_work,
        starting=gettext_noop("splitting the text"),
        load=lambda pk: TextImport.objects.select_related("agreement").get(pk=pk),
        reason=_text_import_failure,
    )
