"""One job base for both apps: a text import with the broker down ends FAILED with the reason
(it used to stay QUEUED for ever and the page answered 500), like a model run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.models import JobStatus, TextImport
from tests.factories import AgreementFactory


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_the_text_import_with_the_reason(
    client_for, users, settings, tmp_path, redis_broker
):
    from config.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory(name="X - Y")

    def fresh_connections():  # connection pools are built from broker_url on first use
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    fresh_connections()
    try:
        upload = SimpleUploadedFile("treaty.txt", b"Article 1\nThe Parties agree.\n", content_type="text/plain")
        response = client_for(users["supervisor"]).post(
            reverse("coding:text_import_create", args=[agreement.pk]), {"file": upload}
        )
    finally:
        app.conf.broker_url = redis_broker
        fresh_connections()
    assert response.status_code == 302
    job = TextImport.objects.get()
    assert job.status == JobStatus.FAILED and "could not reach the task queue" in job.error and job.finished_at
    status = client_for(users["supervisor"]).get(reverse("coding:text_import_status", args=[job.pk])).json()
    assert status["status"] == "FAILED" and "could not reach the task queue" in status["error"]


# A job always ends: the owner and heartbeat on the row, taking over a job whose worker died,
# the sweeper, and a failure handler that cannot fail (tests/test_job_faults.py does it all
# with real workers; these are the rules on their own).

DEAD_PID = 2**22 + 17  # above Linux's pid_max: no such process


def running_import(*, worker, seconds_ago=0, attempts=1, **fields):
    from datetime import timedelta

    from django.utils import timezone

    when = timezone.now() - timedelta(seconds=seconds_ago)
    return TextImport.objects.create(
        agreement=AgreementFactory(),
        upload="text_imports/x.txt",
        original_name="x.txt",
        status=JobStatus.RUNNING,
        worker=worker,
        heartbeat_at=when,
        started_at=when,
        attempts=attempts,
        **fields,
    )


def this_host(pid):
    import socket

    return f"{socket.gethostname()}:{pid}"


@pytest.mark.django_db
def test_a_claim_writes_the_owner_and_a_heartbeat():
    from jobs.lifecycle import job_claim, job_owner

    job = TextImport.objects.create(agreement=AgreementFactory(), upload="text_imports/x.txt", original_name="x.txt")
    assert job_claim(TextImport, job.pk) and not job_claim(TextImport, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.worker == job_owner() and job.heartbeat_at and job.attempts == 1


@pytest.mark.django_db
def test_a_redelivered_task_takes_over_a_job_whose_worker_died_but_not_a_live_one(settings):
    import os

    from jobs.lifecycle import job_claim, job_owner

    settings.JOB_MAX_ATTEMPTS = 2
    dead = running_import(worker=this_host(DEAD_PID))
    assert job_claim(TextImport, dead.pk, progress=1)
    dead.refresh_from_db()
    assert dead.status == JobStatus.RUNNING and dead.worker == job_owner() and dead.attempts == 2
    alive = running_import(worker=this_host(os.getppid()))  # a live process, not us
    assert not job_claim(TextImport, alive.pk)
    assert TextImport.objects.get(pk=alive.pk).worker == this_host(os.getppid())
    silent = running_import(worker="another-host:12", seconds_ago=settings.JOB_OWNER_TIMEOUT + 5)
    assert job_claim(TextImport, silent.pk)  # no heartbeat for too long, on any machine


@pytest.mark.django_db
def test_a_job_whose_worker_died_too_often_fails_with_the_reason(settings):
    from jobs.lifecycle import job_claim

    settings.JOB_MAX_ATTEMPTS = 2
    job = running_import(worker=this_host(DEAD_PID), attempts=2)
    assert not job_claim(TextImport, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at
    assert job.error == (
        f"the worker running this job stopped (its process {this_host(DEAD_PID)} is gone); "
        "not started again after 2 attempts"
    )


@pytest.mark.django_db
def test_the_sweeper_fails_running_jobs_whose_worker_is_gone(settings):
    import os

    from jobs.sweeper import jobs_sweep

    settings.JOB_HEARTBEAT_SECONDS, settings.JOB_OWNER_TIMEOUT = 10, 45
    gone = running_import(worker=this_host(DEAD_PID), seconds_ago=30)
    just_died = running_import(worker=this_host(DEAD_PID), seconds_ago=5)  # its task may still take it over
    silent = running_import(worker="another-host:12", seconds_ago=60)
    alive = running_import(worker=this_host(os.getpid()), seconds_ago=5)
    assert jobs_sweep()["failed"] == 2
    states = {j.pk: (j.status, j.error) for j in TextImport.objects.all()}
    assert states[gone.pk] == (
        JobStatus.FAILED,
        f"the worker running this job stopped (its process {this_host(DEAD_PID)} is gone)",
    )
    assert states[silent.pk][0] == JobStatus.FAILED
    assert states[silent.pk][1].startswith(
        "the worker running this job stopped (no sign of life from another-host:12 since"
    )
    assert states[just_died.pk][0] == states[alive.pk][0] == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_sweeper_sends_a_lost_task_again_then_gives_up(settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from jobs import sweeper

    settings.JOB_QUEUED_LOST_AFTER, settings.JOB_MAX_RESENDS = 60, 1
    sent = []
    monkeypatch.setattr(
        sweeper,
        "job_send",
        lambda job, resend: (
            sent.append(job.pk)
            or TextImport.objects.filter(pk=job.pk).update(resends=job.resends + 1, task_id="new")
            or True
        ),
    )
    monkeypatch.setattr(sweeper, "waiting_task_ids", lambda delivered_within: {"waiting"})

    def queued(seconds_ago, **fields):
        job = TextImport.objects.create(
            agreement=AgreementFactory(), upload="text_imports/x.txt", original_name="x.txt", **fields
        )
        TextImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=seconds_ago))
        return job

    lost, waiting, young = queued(90, task_id="lost"), queued(90, task_id="waiting"), queued(10, task_id="lost")
    never_sent = queued(90)
    assert sweeper.jobs_sweep() == {"failed": 0, "resent": 2, "settled": 0} and sorted(sent) == sorted(
        [lost.pk, never_sent.pk]
    )
    assert sweeper.jobs_sweep()["resent"] == 0  # a copy sent gets its own time (60 s more) before the next look
    later = timezone.now() + timedelta(seconds=60)
    assert sweeper.jobs_sweep(now=later)["failed"] == 2  # lost again, and JOB_MAX_RESENDS is 1
    assert (
        TextImport.objects.get(pk=lost.pk).error
        == "the task queue lost this job's task 2 times (is a worker consuming its queue?)"
    )
    assert {TextImport.objects.get(pk=j.pk).status for j in (waiting, young)} == {JobStatus.QUEUED}


@pytest.mark.django_db
def test_the_failure_handler_never_fails(caplog):
    from jobs.lifecycle import job_fail

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    job = running_import(worker="h:1")
    # The database refuses NaN in JSON (SQLite's JSON_VALID, PostgreSQL's jsonb): the failure is
    # written without the result.
    assert job_fail(job, "broke\x00 here", result={"t": float("nan")})
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "broke here" and job.result == {}
    other = running_import(worker="h:1")
    assert job_fail(other, Unprintable()) and "Unprintable" in TextImport.objects.get(pk=other.pk).error
    broken = running_import(worker="h:1")
    assert (
        job_fail(broken, "x", queryset=TextImport.objects.filter(pk=broken.pk).extra(where=["no_such_column = 1"]))
        is False
    )
    assert "could not write the failure" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_running_import_keeps_a_heartbeat_and_the_soft_time_limit_says_so(settings, monkeypatch, tmp_path):
    import time

    from celery.exceptions import SoftTimeLimitExceeded

    from coding.tasks import text_import_task

    settings.MEDIA_ROOT, settings.JOB_HEARTBEAT_SECONDS = tmp_path, 0.05
    job = TextImport.objects.create(agreement=AgreementFactory(), upload="text_imports/x.txt", original_name="x.txt")
    beats = []

    def slow_import(**kwargs):
        first = TextImport.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.5)
        beats.append(TextImport.objects.get(pk=job.pk).heartbeat_at > first)
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("coding.services.text_jobs.text_import_file", slow_import)
    monkeypatch.setattr(text_import_task, "soft_time_limit", 0.25)  # what CELERY_TASK_SOFT_TIME_LIMIT sets
    assert text_import_task.apply(args=[job.pk]).get() == "FAILED"
    job.refresh_from_db()
    assert beats == [True] and job.error == "time limit of 0.25 s exceeded"
