"""Fail fast, say why (issue 19, item 5). With Redis down, an upload and `POST /api/runs/` answer
within a few seconds (they blocked ~19 s) and say the task queue is unreachable, never "being
imported". With a worker on `default` only, a run waiting on `estimation` says so in the API and
on its page, and `run_gravity --wait` stops with that reason after --wait-timeout."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.models import ModelRun
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create
from coding.models import JobStatus, TextImport
from jobs.selectors import WORKERS_KEY, broker_redis, live_queues
from tests.analysis.test_gravity import small_panel
from tests.factories import AgreementFactory
from tests.live_services import celery_worker, wait_for

SPEC = {"estimator": "ols", "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year", "vcov": "hetero"}
NO_ESTIMATION_WORKER = (
    "No worker is consuming the “estimation” queue, so this job waits. Start one with: "
    "celery -A config worker -Q estimation"
)
UNREACHABLE = "The task queue is unreachable (is Redis running at REDIS_URL?): this job waits until it is back."


@pytest.fixture
def panel(settings, tmp_path):
    settings.PANEL_DIR = tmp_path / "panels"
    return panel_store(small_panel(), name="small")[0]


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_an_upload_fails_at_once_and_the_page_says_the_queue_is_unreachable(
    client_for, users, settings, tmp_path, redis_down
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory(name="X - Y")
    client = client_for(users["supervisor"])
    upload = SimpleUploadedFile("treaty.txt", b"Article 1\nThe Parties agree.\n", content_type="text/plain")

    client.get(agreement.get_absolute_url())  # the page once first: its first render loads templates and code

    started = time.monotonic()
    response = client.post(reverse("coding:text_import_create", args=[agreement.pk]), {"file": upload})
    elapsed = time.monotonic() - started

    assert elapsed < 3, f"the upload took {elapsed:.1f} s with Redis down"
    job = TextImport.objects.get()
    assert job.status == JobStatus.FAILED and job.finished_at
    assert job.error.startswith("could not reach the task queue (is Redis running at REDIS_URL?): ")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The task queue is unreachable, so the text was not imported: could not reach the task queue" in page
    assert "being imported" not in page


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_the_runs_api_answers_503_with_the_failed_run_at_once(client_for, users, panel, redis_down):
    client = client_for(users["supervisor"])

    started = time.monotonic()
    response = client.post(reverse("api-run-list"), {"panel": panel.pk, "spec": SPEC}, content_type="application/json")
    elapsed = time.monotonic() - started

    assert elapsed < 3, f"POST /api/runs/ took {elapsed:.1f} s with Redis down"
    run = ModelRun.objects.get()
    assert response.status_code == 503, response.content
    assert response.json() == {"run": run.pk, "status": "FAILED", "detail": run.error}
    assert run.status == "FAILED" and run.error.startswith("could not reach the task queue (is Redis running")
    # A run still QUEUED from before Redis went down says why it does not move.
    queued = model_run_create(panel=panel, specs=[SPEC], dispatch=False)
    detail = client.get(reverse("api-run-detail", args=[queued.pk])).json()
    assert detail["status"] == "QUEUED" and detail["waiting_reason"] == UNREACHABLE


def forget_worker_heartbeats():
    """Heartbeats of workers earlier tests killed (they stop counting by themselves within 15 s)."""
    client = broker_redis()
    try:
        client.delete(WORKERS_KEY)
    finally:
        client.close()


def purge_estimation_queue():
    """The tasks of the runs this test left waiting: no later worker should find them."""
    client = broker_redis()
    try:
        for key in client.scan_iter(match="estimation*"):
            client.delete(key)
    finally:
        client.close()


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_run_no_live_worker_consumes_says_so_and_run_gravity_stops_waiting(
    client_for, users, panel, settings, tmp_path, redis_broker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    forget_worker_heartbeats()
    agreement = AgreementFactory(name="A - B")
    waiting_import = TextImport.objects.create(
        agreement=agreement, upload="text_imports/a-b.txt", original_name="a-b.txt"
    )  # never sent: it stays QUEUED
    client = client_for(users["supervisor"])
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(SPEC), encoding="utf-8")
    try:
        with celery_worker(redis_broker, queues=["default"]) as worker:
            assert wait_for(lambda: live_queues() == {"default"}, timeout=30, process=worker)
            run = model_run_create(panel=panel, specs=[SPEC], user=users["supervisor"])

            detail = client.get(reverse("api-run-detail", args=[run.pk])).json()
            assert detail["status"] == "QUEUED" and detail["waiting_reason"] == NO_ESTIMATION_WORKER
            assert NO_ESTIMATION_WORKER in client.get(reverse("analysis:run_detail", args=[run.pk])).content.decode()
            assert (
                client.get(reverse("analysis:run_status", args=[run.pk])).json()["waiting_reason"]
                == NO_ESTIMATION_WORKER
            )
            # The import waits on `default`, which this worker consumes: nothing to say about it.
            assert (
                client.get(reverse("coding:text_import_status", args=[waiting_import.pk])).json()["waiting_reason"]
                is None
            )

            started = time.monotonic()
            with pytest.raises(CommandError) as stopped:
                call_command(
                    "run_gravity", "--panel", str(panel.pk), "--spec", str(spec_file), "--wait", "--wait-timeout", "3"
                )
            assert 3 <= time.monotonic() - started < 8
        assert str(stopped.value).startswith(f"run {run.pk + 1} is still queued after 3 s: {NO_ESTIMATION_WORKER}")
        assert ModelRun.objects.get(pk=run.pk + 1).status == "QUEUED"  # it stays queued for a later worker

        # The worker stopped and took its heartbeat with it: now `default` has no worker either.
        assert live_queues() == set()
        page = client.get(agreement.get_absolute_url()).content.decode()
        assert (
            "No worker is consuming the “default” queue, so this job waits. Start one with: "
            "celery -A config worker -Q default"
        ) in page
    finally:
        purge_estimation_queue()


@pytest.mark.celery
def test_a_worker_counts_as_live_for_three_beats_and_long_silent_ones_are_pruned(settings, redis_broker):
    from jobs.workers import worker_entry_name, worker_heartbeat_remove, worker_heartbeat_write

    settings.WORKER_HEARTBEAT_SECONDS = 5  # live for 15 s after a beat; pruned after 300 s
    forget_worker_heartbeats()
    client = broker_redis()
    try:
        seconds, _ = client.time()
        client.hset(
            WORKERS_KEY,
            mapping={
                "celery@silent:1": json.dumps({"queues": ["estimation"], "at": seconds - 16}),  # missed three beats
                "celery@gone:2": json.dumps({"queues": ["estimation"], "at": seconds - 301}),  # killed long ago
            },
        )
        assert live_queues() == set()
        worker_heartbeat_write(name="celery@here", queues=["default"], client=client)
        assert live_queues() == {"default"}
        assert {name.decode() for name in client.hkeys(WORKERS_KEY)} == {
            "celery@silent:1",
            worker_entry_name("celery@here"),
        }
        worker_heartbeat_remove(name="celery@here", client=client)
        assert live_queues() == set()
    finally:
        client.delete(WORKERS_KEY)
        client.close()
