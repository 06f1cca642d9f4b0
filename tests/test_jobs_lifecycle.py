"""The one job lifecycle (jobs/lifecycle.py: job_run) and progress stored as data
(jobs/progress.py), on the coding app's real TextImport table: a cancel during the work is never
overwritten, a failure is recorded with its reason, and the status JSON every job-status view
answers speaks the reader's language."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from coding.models import JobStatus, TextImport
from jobs.lifecycle import JobStopped, job_run
from jobs.progress import progress_fields
from jobs.selectors import job_status_payload
from tests.factories import AgreementFactory


def queued():
    return TextImport.objects.create(agreement=AgreementFactory(), upload="text_imports/x.txt", original_name="x.txt")


@pytest.mark.django_db
def test_a_cancel_during_the_work_is_never_overwritten():
    job = queued()

    def work(row, step):
        step.progress(40, gettext_noop("splitting the text"))
        TextImport.objects.filter(pk=row.pk).update(status=JobStatus.CANCELLED)  # the supervisor cancels meanwhile
        return {"result": {"stored": 1}}

    ended = job_run(TextImport, job.pk, work, starting=gettext_noop("splitting the text"))
    assert ended.status == JobStatus.CANCELLED and ended.result == {} and ended.progress == 40
    assert job_run(TextImport, job.pk, work) is None  # an ended job cannot be claimed again


@pytest.mark.django_db
def test_done_failed_and_stopped_end_the_job_once_with_the_reason():
    done = job_run(TextImport, queued().pk, lambda row, step: {"result": {"n": 2}})
    assert (done.status, done.progress, done.progress_code, done.result) == (JobStatus.DONE, 100, "done", {"n": 2})
    assert done.worker and done.attempts == 1 and done.finished_at

    def broken(row, step):
        step.keep(result={"partial": True})
        raise ValueError("line 3: no article number")

    failed = job_run(TextImport, queued().pk, broken, reason=lambda exc, row: f"{row.original_name}: {exc}")
    assert failed.status == JobStatus.FAILED and failed.error == "x.txt: line 3: no article number"
    assert failed.result == {"partial": True}  # what was kept is written with the failure

    def stopped(row, step):
        raise JobStopped

    left = job_run(TextImport, queued().pk, stopped)
    assert left.status == JobStatus.RUNNING and not left.finished_at  # JobStopped writes nothing


@pytest.mark.django_db
def test_progress_is_stored_as_a_template_and_shown_in_the_readers_language():
    job = queued()
    TextImport.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        progress=3,
        **progress_fields(gettext_noop("%(n)s of %(total)s"), {"n": 3, "total": 10}),
    )
    job.refresh_from_db()
    assert (job.progress_message, job.progress_params) == ("3 of 10", {"n": 3, "total": 10})
    english = job_status_payload(job, result=job.result)
    assert {
        key: english[key] for key in ("id", "status", "progress", "message", "error", "waiting_reason", "result")
    } == {
        "id": job.pk,
        "status": "RUNNING",
        "progress": 3,
        "message": "3 of 10",
        "error": "",
        "waiting_reason": None,
        "result": {},
    }
    assert english["bar"] == {"state": "active", "width": 3, "text": ""}
    with translation.override("zh-hans"):
        chinese = job_status_payload(job)
    assert chinese["message"] == "第 3 个，共 10 个" and chinese["status_display"] != english["status_display"]
    # A row written before progress had a template shows its stored text as it is.
    TextImport.objects.filter(pk=job.pk).update(progress_code="", progress_params={}, progress_message="old words")
    job.refresh_from_db()
    with translation.override("zh-hans"):
        assert job_status_payload(job)["message"] == "old words"
