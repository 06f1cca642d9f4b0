"""A job always ends: faults injected into a real Celery worker on a real Redis, and every row
ends DONE or FAILED with a reason (or CANCELLED) within a bounded time.

(a) the pool process killed mid-run (prefork): the task is delivered again and takes the run over;
(b) the whole worker killed, a new one started: the sweeper fails the run with the reason;
(a) and (b) on runs of several specifications, fanned out (one child job per specification);
(c) the estimator process aborting (SIGABRT, as pyfixest's Rust panics did);
(d) a sample refused before the fit (`rta ~ 1` on constant data);
(e) Redis restarted without persistence while a text import waited: its task is sent again;
and a cancel kills the estimator at once, the soft time limit ends a run."""

import functools
import os
import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from analysis.models import ModelRun
from analysis.services.panels import panel_file, panel_store
from analysis.services.runs import model_run_cancel, model_run_create
from coding.models import JobStatus, TextImport
from tests.analysis.test_gravity import small_panel
from tests.crash_helpers import make_panel_file_abort
from tests.factories import AgreementFactory
from tests.live_services import celery_worker, stop_worker, wait_for

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SPEC = {
    "estimator": "ppml",
    "formula": "trade ~ ln_dist + fta | exporter^year + importer^year",
    "vcov": {"cluster": "pair_id"},
}
# pyfixest 0.60 panics in its Rust demeaner (src/demean.rs: `Option::unwrap()` on `None`) and
# aborts the whole process on this sample (one pair, one year, pair fixed effects); the workbench
# now refuses it before the fit (tests/analysis/test_job_estimation.py).
ABORTS = {"estimator": "ppml", "formula": "trade ~ fta | pair_id", "years": [2000], "where": {"pair_id": ["C0_C1"]}}
# Seconds, for the workers here: heartbeats, sweeps and "lost" come quickly.
FAST = {
    "JOB_HEARTBEAT_SECONDS": "0.5",
    "JOB_OWNER_TIMEOUT": "10",
    "JOB_SWEEP_SECONDS": "1",
    "JOB_QUEUED_LOST_AFTER": "2",
}


@functools.cache
def slow_frame():
    """A panel on which the structural PPML takes about a second: long enough to be killed mid-fit."""
    from analysis.pure.gravity import prepare_panel
    from analysis.pure.simulate import simulate

    return prepare_panel(simulate(countries=60, years=range(1990, 2020)))


@pytest.fixture
def panels(settings, tmp_path):
    from analysis.pure.presets import preset

    settings.MEDIA_ROOT = tmp_path / "media"
    small, _ = panel_store(small_panel(), name="small")
    big, _ = panel_store(slow_frame(), name="big")
    return {"small": small, "big": big, "structural": dict(preset("structural-ppml")[0])}


def processes():
    """{pid: (parent pid, session id, command line)} of the live (not zombie) processes."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            found[int(entry)] = (int(fields[1]), int(fields[3]), command)
    return found


def estimators(worker):
    """The estimator children in the worker's session: the processes a forkserver forked."""
    table = processes()
    return {
        pid
        for pid, (parent, session, _) in table.items()
        if session == worker.pid and "forkserver" in table.get(parent, (0, 0, ""))[2]
    }


def row(run):
    return ModelRun.objects.get(pk=run.pk)


def fitting(run):
    """The child job of a fanned-out run that a worker is fitting now, or None."""
    return row(run).fits.filter(status="RUNNING").first()


def ended(run, timeout, worker):
    started = time.monotonic()
    assert wait_for(lambda: row(run).finished, timeout=timeout, process=worker), row(run).progress_message
    return row(run), time.monotonic() - started


def test_a_pool_process_killed_mid_run_is_taken_over(panels, redis_broker):
    """SIGKILL to the prefork pool process while it fits: its estimator dies with it, the task is
    delivered again (reject_on_worker_lost) and the new pool process takes the run over."""
    slow = [panels["structural"]] * 2
    # No periodic sweep here: this is the take-over path, not the sweeper's.
    with celery_worker(redis_broker, pool="prefork", env=dict(FAST, JOB_SWEEP_SECONDS="600")) as worker:
        run = model_run_create(panel=panels["big"], specs=slow)
        assert run.fan_out
        assert wait_for(lambda: estimators(worker) and fitting(run), timeout=30, process=worker)
        children, killed = estimators(worker), fitting(run)
        os.kill(int(killed.worker.rsplit(":", 1)[1]), signal.SIGKILL)
        assert wait_for(lambda: not children & set(processes()), timeout=3), "the estimator outlived its worker"
        run, seconds = ended(run, 60, worker)
    assert run.status == "DONE", run.error
    killed.refresh_from_db()
    assert killed.status == "DONE" and killed.attempts == 2 and len(run.results) == 2
    print(f"(a) pool process killed: DONE after take-over in {seconds:.1f} s")


def test_the_whole_worker_killed_then_a_new_worker_fails_the_run(panels, redis_broker):
    """SIGKILL to every process of the worker; the next worker's sweeper sees the owner's process
    gone and fails the run with the reason (its task stays with Redis as unacknowledged until
    the visibility timeout, an hour: nothing else would end the run)."""
    with celery_worker(redis_broker, env=FAST) as worker:
        run = model_run_create(panel=panels["big"], specs=[panels["structural"]] * 3)
        assert wait_for(lambda: estimators(worker) and fitting(run), timeout=30, process=worker)
        killed = fitting(run)
        stop_worker(worker, signal.SIGKILL)
    assert row(run).status == "RUNNING"  # what used to stay for ever
    with celery_worker(redis_broker, env=FAST) as worker:
        run, seconds = ended(run, 30, worker)
        # The child the dead worker held fails with the reason; the new worker fits the others.
        assert run.status == "FAILED" and run.finished_at and len(run.results) == 2
        assert run.error.startswith(
            f"specification {killed.position + 1} (structural PPML, pair clusters): the "
            f"worker running this job stopped (its process {killed.worker} is gone)"
        )
    print(f"(b) worker killed: FAILED {seconds:.1f} s after a new worker started")


def test_an_estimator_abort_and_a_refused_sample_end_their_runs_and_the_worker_goes_on(
    settings, panels, redis_broker, client_for, users
):
    """(c) the estimator process aborts (SIGABRT, as pyfixest's Rust panics did; tests/crash_helpers.py):
    FAILED with the signal. (d) `rta ~ 1` on constant data, which once ended DONE with an infinite t
    statistic stored as null, is refused before the fit naming the column; the run's other
    specification is kept, and the pages show the run. The same worker runs the next job."""
    constant, _ = panel_store(small_panel().assign(rta=1.0), name="constant rta")
    broken, _ = panel_store(small_panel().assign(rta=2.0), name="aborts on load")
    make_panel_file_abort(panel_file(broken))
    with celery_worker(redis_broker, pool="prefork", env=FAST) as worker:
        aborting = model_run_create(panel=broken, specs=[SPEC])
        refused = model_run_create(panel=constant, specs=[{"estimator": "ols", "formula": "rta ~ 1"}, SPEC])
        after = model_run_create(panel=panels["small"], specs=[SPEC])
        aborting, abort_seconds = ended(aborting, 60, worker)
        refused, refused_seconds = ended(refused, 60, worker)
        assert ended(after, 60, worker)[0].status == "DONE"
        assert worker.poll() is None
    assert aborting.status == "FAILED"
    assert "the estimator crashed (signal 6, SIGABRT)" in aborting.error, aborting.error

    assert refused.status == "FAILED" and "rta does not vary" in refused.error, refused.error
    assert len(refused.results) == 1  # the other specification's result is kept
    page = client_for(users["supervisor"]).get(f"/analysis/runs/{refused.pk}/")
    assert page.status_code == 200 and "rta does not vary" in page.content.decode()
    print(
        f"(c) estimator abort: FAILED in {abort_seconds:.1f} s; (d) refused sample: FAILED {refused_seconds:.1f} s later"
    )


def test_a_text_import_whose_task_redis_lost_is_sent_again(settings, tmp_path, users, redis_broker):
    """Redis restarted without persistence while the import waited for a worker: the task is gone,
    the row says QUEUED. The next worker's sweeper sends it again and the import ends."""
    from coding.services.text_jobs import text_import_request
    from config.celery import app
    from config.devservices import free_port, redis_server

    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory(name="X - Y")
    port = free_port()

    def point_at(url):  # connection pools are built from broker_url on first use
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    try:
        with redis_server(port) as url:
            point_at(url)
            upload = SimpleUploadedFile("treaty.txt", b"Article 1\nThe Parties agree.\n", content_type="text/plain")
            job = text_import_request(agreement=agreement, uploaded_file=upload, user=users["supervisor"])
            assert TextImport.objects.get(pk=job.pk).task_id  # sent, waiting in Redis
        # A new, empty Redis on the same address, and a worker on it.
        with redis_server(port) as url, celery_worker(url, env=FAST) as worker:
            started = time.monotonic()
            assert wait_for(
                lambda: TextImport.objects.get(pk=job.pk).status in {"DONE", "FAILED"}, timeout=30, process=worker
            )
            seconds = time.monotonic() - started
    finally:
        point_at(redis_broker)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.resends == 1, job.error
    print(f"(e) task lost with Redis: re-sent and DONE in {seconds:.1f} s")


def test_a_cancel_kills_the_estimator_and_the_soft_time_limit_ends_a_run(panels, redis_broker):
    """A cancel kills the running estimator at once: the worker asks for a cancel while it waits
    for its estimator. A task sent with a soft time limit of 3 s (per call; the
    settings give every task one) ends its run FAILED with that reason, and the worker goes on."""
    from config.celery import app

    with celery_worker(redis_broker, pool="prefork", env=FAST) as worker:
        cancelled = model_run_create(panel=panels["big"], specs=[panels["structural"]] * 3)
        # 40 fits take well over the 3 s limit even on a fast idle machine (8 did not, once).
        timed_out = model_run_create(panel=panels["big"], specs=[panels["structural"]] * 40, dispatch=False)
        task = app.send_task(ModelRun.TASK_NAME, args=[timed_out.pk], soft_time_limit=3, time_limit=30)
        ModelRun.objects.filter(pk=timed_out.pk).update(task_id=task.id)
        after = model_run_create(panel=panels["small"], specs=[SPEC])
        assert wait_for(lambda: estimators(worker), timeout=60, process=worker)
        children = estimators(worker)
        assert model_run_cancel(run=row(cancelled))
        started = time.monotonic()
        assert wait_for(lambda: not children & set(processes()), timeout=3, interval=0.02)
        print(f"cancel: the estimator was gone {time.monotonic() - started:.2f} s after the cancel")
        timed_out, seconds = ended(timed_out, 60, worker)
        assert timed_out.status == "FAILED" and timed_out.error == "time limit of 3 s exceeded", timed_out.error
        assert ended(after, 60, worker)[0].status == "DONE"
    assert row(cancelled).status == "CANCELLED" and len(row(cancelled).results) < 3
    print(f"soft time limit: FAILED {seconds:.1f} s after the cancel")
