"""Model runs as jobs: the row first, a real Celery worker on a real Redis, progress, failure
without retry, cancellation, and the run_gravity command's JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analysis.models import ModelRun
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_cancel, model_run_create, model_run_execute
from tests.analysis.test_gravity import small_panel
from tests.conftest import DATA, require_shared
from tests.live_services import celery_worker, wait_for

SPEC = {
    "estimator": "ppml",
    "formula": "trade ~ ln_dist + fta | exporter^year + importer^year",
    "vcov": {"cluster": "pair_id"},
    "label": "small",
}


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    stored, created = panel_store(small_panel(), name="small")
    assert created and panel_store(small_panel(), name="again")[1] is False  # same content, same panel
    return stored


@pytest.mark.django_db
def test_inline_run_stores_everything_needed_to_rerun(panel):
    run = model_run_create(
        panel=panel,
        specs=[
            SPEC,
            dict(
                SPEC,
                estimator="ols",
                formula="log(exports) ~ ln_dist + fta | exporter + importer + year",
                vcov="hetero",
            ),
        ],
        dispatch=False,
    )
    assert run.status == "QUEUED"
    run = model_run_execute(run_id=run.pk)
    assert run.status == "DONE" and run.progress == 100 and len(run.results) == 2
    assert run.versions["pyfixest"] == "0.60.0" and run.panel.content_hash
    assert model_run_execute(run_id=run.pk) is None  # a finished run cannot be claimed again


@pytest.mark.django_db
def test_spec_errors_fail_fast_and_at_run_time(panel):
    with pytest.raises(ValueError, match="nothere"):
        model_run_create(panel=panel, specs=[dict(SPEC, formula="trade ~ nothere")], dispatch=False)
    run = model_run_create(panel=panel, specs=[dict(SPEC, years=[1900])], dispatch=False)
    run = model_run_execute(run_id=run.pk)
    assert run.status == "FAILED" and "sample is empty" in run.error


@pytest.mark.django_db
def test_cancel_before_start(panel):
    run = model_run_create(panel=panel, specs=[SPEC], dispatch=False)
    model_run_cancel(run=run)
    run.refresh_from_db()
    assert run.status == "CANCELLED" and model_run_execute(run_id=run.pk) is None


@pytest.mark.django_db
def test_run_gravity_command_on_the_yotov_panel(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = require_shared(DATA / "gravity" / "agtpa_applications.csv")
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "estimator": "ppml",
                "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
                "vcov": {"cluster": "pair_id"},
                "years": [1986, 1990, 1994, 1998, 2002, 2006],
                "ssc": {"adj": False},
            }
        )
    )
    out = StringIO()
    call_command("run_gravity", "--panel", str(path), "--spec", str(spec), "--inline", stdout=out)
    result = json.loads(out.getvalue())
    assert result["status"] == "DONE" and result["n_obs"] == 28482
    assert (
        round(result["coefficients"]["rta"]["estimate"], 3) == 0.557
        and round(result["coefficients"]["rta"]["se"], 3) == 0.102
    )
    with pytest.raises(CommandError, match="columns not in the panel: nope"):
        spec.write_text(json.dumps({"estimator": "ppml", "formula": "trade ~ nope"}))
        call_command("run_gravity", "--panel", str(path), "--spec", str(spec), "--inline", stdout=StringIO())


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_job_end_to_end(settings, tmp_path, client_for, users, redis_broker):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(small_panel(), name="small")
    with celery_worker(redis_broker) as worker:
        run = model_run_create(panel=panel, specs=[SPEC, dict(SPEC, vcov="hetero")])
        assert wait_for(lambda: ModelRun.objects.get(pk=run.pk).finished, timeout=120, process=worker)
        run.refresh_from_db()
        assert run.status == "DONE", run.error
        # Two specifications: fanned out, a task and a result per specification, one table.
        assert run.fan_out and run.started_at and run.finished_at and run.progress == 100
        assert [(fit.status, bool(fit.task_id), bool(fit.worker)) for fit in run.fits.all()] == [
            ("DONE", True, True)
        ] * 2
        assert run.results[0]["coefficients"]["fta"]["estimate"] == pytest.approx(
            run.results[1]["coefficients"]["fta"]["estimate"]
        )
        status = client_for(users["coder"]).get(f"/analysis/runs/{run.pk}/status/").json()
        assert status["status"] == "DONE" and status["progress"] == 100


def test_simulated_demo_panel_recovers_the_true_effect():
    from analysis.pure.gravity import fit
    from analysis.pure.presets import preset
    from analysis.pure.simulate import TRUE_BETA, simulate

    panel = simulate()  # exactly the demo panel make up stores
    result = fit(panel, preset("structural-ppml")[0])
    estimate = result["coefficients"]["rta"]
    assert estimate["ci_low"] < TRUE_BETA < estimate["ci_high"]
    assert abs(estimate["estimate"] - TRUE_BETA) < 2.5 * estimate["se"]


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_run(panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("demeaner crashed")

    # The fit runs in a child process (analysis/services/estimation.py): break the parent's side.
    monkeypatch.setattr("analysis.services.estimation.fit_isolated", broken)
    run = model_run_create(panel=panel, specs=[SPEC], dispatch=False)
    run = model_run_execute(run_id=run.pk)
    assert run.status == "FAILED" and "RuntimeError: demeaner crashed" in run.error and run.finished_at


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_job_sticks_and_the_worker_moves_on(settings, tmp_path, redis_broker):
    """Cancel while a real worker fits: the run says CANCELLED at once and stays so (every write
    of the worker is conditional on RUNNING; it kills its estimator process within a quarter of a
    second); the worker then runs the next job."""
    from analysis.pure.gravity import prepare_panel
    from analysis.pure.presets import preset
    from analysis.pure.simulate import simulate

    settings.MEDIA_ROOT = tmp_path / "media"
    big, _ = panel_store(prepare_panel(simulate(countries=90, years=range(1990, 2020))), name="big")
    structural = dict(preset("structural-ppml")[0])
    small, _ = panel_store(small_panel(), name="small")
    with celery_worker(redis_broker) as worker:
        long_run = model_run_create(panel=big, specs=[structural] * 4)
        next_run = model_run_create(panel=small, specs=[SPEC])
        assert wait_for(lambda: ModelRun.objects.get(pk=long_run.pk).status == "RUNNING", timeout=60, process=worker)
        long_run.refresh_from_db()
        assert model_run_cancel(run=long_run)
        assert ModelRun.objects.get(pk=long_run.pk).status == "CANCELLED"
        assert wait_for(lambda: ModelRun.objects.get(pk=next_run.pk).finished, timeout=120, process=worker)
    long_run.refresh_from_db()
    assert long_run.status == "CANCELLED" and long_run.cancel_requested and long_run.finished_at
    assert len(long_run.results) < 4  # it stopped before the last specification
    assert ModelRun.objects.get(pk=next_run.pk).status == "DONE"
    assert model_run_cancel(run=long_run) is False  # a finished run cannot be cancelled again


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_the_run_with_the_reason(panel, redis_broker):
    """No Redis: the row was created, the task could not be sent, and the run says why instead of
    waiting in QUEUED for ever."""
    from config.celery import app

    def fresh_connections():  # connection pools are built from broker_url on first use
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    fresh_connections()
    try:
        run = model_run_create(panel=panel, specs=[SPEC])
    finally:
        app.conf.broker_url = redis_broker
        fresh_connections()
    run.refresh_from_db()
    assert run.status == "FAILED" and "could not reach the task queue" in run.error and run.finished_at
