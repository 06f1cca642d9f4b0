"""Fanned-out runs (analysis/services/fanout.py): a run of several specifications is a parent
whose specifications are child jobs. Here the children are executed in this process, one by
one, in the order a test chooses (what two workers would do in any order); tests/test_queues.py
runs them on real workers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analysis.models import ModelRun, SpecFit
from analysis.services.fanout import fanned_out_runs_settle, spec_fit_execute
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_cancel, model_run_create, model_run_execute
from jobs.sweeper import jobs_sweep
from tests.analysis.test_gravity import small_panel

PPML = {
    "estimator": "ppml",
    "formula": "trade ~ ln_dist + fta | exporter^year + importer^year",
    "vcov": {"cluster": "pair_id"},
    "label": "ppml",
}
OLS = {
    "estimator": "ols",
    "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year",
    "vcov": "hetero",
    "label": "ols",
}
HETERO = dict(PPML, vcov="hetero", label="ppml hetero")


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return panel_store(small_panel(), name="small")[0]


def fanned_out(panel, specs, **kwargs):
    """A fanned-out run as model_run_create makes it; its tasks are never sent (the test's
    transaction never commits), the test executes its children."""
    run = model_run_create(panel=panel, specs=specs, **kwargs)
    assert run.fan_out and run.task_id == ""
    return run, list(run.fits.order_by("position"))


def estimates(results):
    return [(r["coefficients"]["fta"]["estimate"], r["coefficients"]["fta"]["se"], r["n_obs"]) for r in results]


@pytest.mark.django_db
def test_children_in_any_order_give_the_results_of_one_task_in_spec_order(panel):
    specs = [PPML, OLS, HETERO]
    sequential = model_run_execute(run_id=model_run_create(panel=panel, specs=specs, dispatch=False).pk)
    assert sequential.status == "DONE" and not sequential.fan_out

    run, fits = fanned_out(panel, specs)
    assert [fit.spec["label"] for fit in fits] == ["ppml", "ols", "ppml hetero"]
    assert run.status == "QUEUED" and all(fit.status == "QUEUED" for fit in fits)
    assert model_run_execute(run_id=run.pk) is None  # a stray task of the parent claims nothing

    spec_fit_execute(fit_id=fits[2].pk)  # the last specification ends first
    run.refresh_from_db()
    assert run.status == "RUNNING" and run.started_at and run.versions["pyfixest"]
    assert run.progress == 33 and run.progress_message == "1/3 specifications done, 0 running"
    spec_fit_execute(fit_id=fits[0].pk)
    spec_fit_execute(fit_id=fits[1].pk)
    run.refresh_from_db()
    assert run.status == "DONE" and run.progress == 100 and run.finished_at
    # Spec order, and the very numbers the same specifications give fitted in one task.
    assert estimates(run.results) == estimates(sequential.results)
    assert spec_fit_execute(fit_id=fits[0].pk) is None  # a finished child cannot be claimed again


@pytest.mark.django_db
def test_a_failed_specification_fails_the_parent_naming_it_and_keeps_the_others(panel):
    run, fits = fanned_out(panel, [PPML, dict(PPML, years=[1900], label="no such years"), OLS])
    for fit in fits:
        spec_fit_execute(fit_id=fit.pk)
    run.refresh_from_db()
    assert [fit.status for fit in run.fits.order_by("position")] == ["DONE", "FAILED", "DONE"]
    assert run.status == "FAILED" and run.error.startswith("specification 2 (no such years): ")
    assert "sample is empty" in run.error
    assert [r["estimator"] for r in run.results] == ["ppml", "ols"]


@pytest.mark.django_db
def test_cancelling_the_parent_cancels_every_child(panel):
    run, fits = fanned_out(panel, [PPML, OLS, HETERO])
    spec_fit_execute(fit_id=fits[0].pk)
    assert model_run_cancel(run=ModelRun.objects.get(pk=run.pk))
    assert [fit.status for fit in run.fits.order_by("position")] == ["DONE", "CANCELLED", "CANCELLED"]
    assert spec_fit_execute(fit_id=fits[1].pk) is None  # a revoked task that runs anyway claims nothing
    run.refresh_from_db()
    assert run.status == "CANCELLED" and run.cancel_requested


@pytest.mark.django_db
def test_a_child_whose_parent_was_cancelled_between_claim_and_start_does_not_fit(panel):
    run, fits = fanned_out(panel, [PPML, OLS])
    ModelRun.objects.filter(pk=run.pk).update(status="CANCELLED", cancel_requested=True)  # a cancel racing the claim
    fit = spec_fit_execute(fit_id=fits[0].pk)
    assert fit.status == "CANCELLED" and fit.result is None


@pytest.mark.django_db
def test_the_sweeper_ends_a_parent_whose_last_child_died(panel, settings):
    """The last child's worker died (no heartbeat, its process gone): the sweeper fails that
    child with the reason, then ends the parent, which no child is left to settle."""
    settings.JOB_OWNER_TIMEOUT = 30
    run, fits = fanned_out(panel, [PPML, OLS])
    spec_fit_execute(fit_id=fits[0].pk)
    long_ago = timezone.now() - timedelta(minutes=5)
    SpecFit.objects.filter(pk=fits[1].pk).update(
        status="RUNNING", worker="another-host:4242", started_at=long_ago, heartbeat_at=long_ago, attempts=1
    )
    ModelRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)  # the parent itself is never swept
    counts = jobs_sweep()
    assert counts["failed"] == 1 and counts["settled"] == 1
    run.refresh_from_db()
    assert run.status == "FAILED" and run.error.startswith(
        "specification 2 (ols): the worker running this job stopped (no sign of life from another-host:4242"
    )
    assert len(run.results) == 1  # the specification that was done
    assert fanned_out_runs_settle() == 0  # nothing left to settle


@pytest.mark.django_db
def test_one_specification_is_a_fan_out_of_one_in_one_task_and_fan_out_can_be_switched_off(panel, settings):
    """Every run is fitted through its children (one fitting path): one specification is a
    fan-out of one, its child's task the run's only task; with RUN_FAN_OUT off the run's own
    task fits its children one by one."""
    single = model_run_create(panel=panel, specs=[PPML])
    assert single.fan_out and single.fits.count() == 1 and single.task_id == ""
    settings.RUN_FAN_OUT = False
    several = model_run_create(panel=panel, specs=[PPML, OLS])
    assert not several.fan_out and several.fits.count() == 2
    several = model_run_execute(run_id=several.pk)
    assert several.status == "DONE" and [r["label"] for r in several.results] == ["ppml", "ols"]
    assert [fit.status for fit in several.fits.order_by("position")] == ["DONE", "DONE"]


@pytest.mark.django_db
def test_page_status_and_api_show_each_specification(panel, client_for, users):
    run, fits = fanned_out(panel, [PPML, OLS], user=users["supervisor"])
    spec_fit_execute(fit_id=fits[1].pk)
    supervisor = client_for(users["supervisor"])
    status = supervisor.get(f"/analysis/runs/{run.pk}/status/").json()
    assert status["progress"] == 50 and status["message"] == "1 of 2 specifications done, 0 running"
    assert [(s["position"], s["label"], s["status"], s["progress"]) for s in status["specifications"]] == [
        (1, "ppml", "QUEUED", 0),
        (2, "ols", "DONE", 100),
    ]
    api = supervisor.get(f"/api/runs/{run.pk}/").json()
    assert [s["status"] for s in api["specifications"]] == ["QUEUED", "DONE"]
    page = supervisor.get(f"/analysis/runs/{run.pk}/").content.decode()
    assert 'id="run-specifications"' in page and page.count('<tr data-position="') == 2
    chinese = supervisor.get(f"/analysis/runs/{run.pk}/status/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert chinese["message"] != status["message"] and "2" in chinese["message"]
