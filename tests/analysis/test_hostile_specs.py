"""Specs are data, never code, on every path a spec travels: the page, the API, `run_gravity`,
and a row that reaches the worker without passing any of them. Each hostile formula of the
grammar's corpus is refused with a message naming the offending token, nothing is stored, and
the canary file that the formulas try to create never appears."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.models import ModelRun
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_execute, model_run_fit_here
from tests.analysis.test_gravity import small_panel
from tests.analysis.test_spec_grammar import hostile_cases

BAD_TYPES = [  # (spec, words the message must contain)
    ({"formula": "exports ~ fta", "estimator": "probit"}, "estimator"),
    ({"formula": "exports ~ fta", "years": "abc"}, "years"),
    ({"formula": "exports ~ fta", "years": [1990, "x"]}, "years"),
    ({"formula": "exports ~ fta", "where": ["exporter"]}, "where"),
    ({"formula": "exports ~ fta", "maxiter": "many"}, "maxiter"),
    ({"formula": "exports ~ fta", "maxiter": 10**12}, "maxiter"),
    ({"formula": "exports ~ fta", "vcov": {"cluster": "__class__"}}, "vcov"),
    ({"formula": "exports ~ fta", "ssc": {"adj": "no"}}, "ssc"),
    ({"formula": "exports ~ fta", "label": "x" * 5000}, "label"),
    ({"formula": "exports ~ fta", "nonsense": 1}, "nonsense"),
    ({"formula": ["exports ~ fta"]}, "formula"),
    ({"formula": "exports ~ fta", "exclude_domestic": "yes"}, "exclude_domestic"),
]


@pytest.fixture
def canary(tmp_path):
    return tmp_path / "canary"


@pytest.fixture
def cases(canary):
    found = hostile_cases(canary)
    assert len(found) >= 30
    return found


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return panel_store(small_panel(), name="small")[0]


def test_the_page_refuses_every_hostile_formula(cases, canary, panel, client_for, users):
    client = client_for(users["supervisor"])
    for formula, token in cases:
        response = client.post(
            reverse("analysis:run_list"), {"panel": panel.pk, "spec": json.dumps({"formula": formula})}
        )
        page = response.content.decode()
        assert response.status_code == 400, formula
        assert _escaped(token) in page, (formula, token)
    assert not ModelRun.objects.exists() and not canary.exists()


def test_the_api_refuses_every_hostile_formula_and_bad_type(cases, canary, panel, client_for, users):
    client = client_for(users["supervisor"])
    for formula, token in cases:
        response = client.post(
            "/api/runs/", {"panel": str(panel.pk), "spec": {"formula": formula}}, content_type="application/json"
        )
        assert response.status_code == 400 and token in response.json()["detail"], (formula, response.content[:300])
    for spec, word in BAD_TYPES:
        response = client.post("/api/runs/", {"panel": str(panel.pk), "spec": spec}, content_type="application/json")
        assert response.status_code == 400 and word in response.json()["detail"], (spec, response.content[:300])
    assert not ModelRun.objects.exists() and not canary.exists()


def test_run_gravity_refuses_every_hostile_formula_and_bad_type(cases, canary, panel, tmp_path):
    spec_file = tmp_path / "spec.json"
    for spec, word in [({"formula": formula}, token) for formula, token in cases] + BAD_TYPES:
        spec_file.write_text(json.dumps(spec), encoding="utf-8")
        with pytest.raises(CommandError) as refused:
            call_command(
                "run_gravity", "--panel", str(panel.pk), "--spec", str(spec_file), "--inline", stdout=StringIO()
            )
        assert word in str(refused.value) and "Traceback" not in str(refused.value)
    spec_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("run_gravity", "--panel", str(panel.pk), "--spec", str(spec_file), "--inline", stdout=StringIO())
    with pytest.raises(CommandError, match="'19x0' is not a year"):
        call_command(
            "run_gravity", "--panel", str(panel.pk), "--preset", "structural-ppml", "--years", "1986,19x0", "--inline"
        )
    assert not ModelRun.objects.exists() and not canary.exists()


def test_a_hostile_row_that_reaches_the_worker_fails_without_running(cases, canary, panel):
    """Defence in depth: a spec written to the database by some other path (an old row, a
    migration, the admin) is checked again by the worker before pyfixest sees it."""
    for formula, token in cases[:10]:
        run = ModelRun.objects.create(panel=panel, specs=[{"estimator": "ols", "formula": formula}])
        run = model_run_execute(run_id=run.pk)
        assert run.status == ModelRun.Status.FAILED and token in run.error, (formula, run.error)
    assert not canary.exists()


def test_the_page_and_api_answer_a_coder_with_403_and_start_nothing(panel, client_for, users):
    client = client_for(users["coder"])
    assert (
        client.post(reverse("analysis:run_list"), {"panel": panel.pk, "preset": "structural-ppml"}).status_code == 403
    )
    response = client.post(
        "/api/runs/", {"panel": str(panel.pk), "preset": "structural-ppml"}, content_type="application/json"
    )
    assert response.status_code == 403 and not ModelRun.objects.exists()


def test_a_good_spec_through_the_api_runs(panel, client_for, users, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("jobs.dispatch.job_send_group", lambda jobs, on_failure=None: sent.extend(j.pk for j in jobs))
    client = client_for(users["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/runs/",
            {
                "panel": panel.content_hash[:12],
                "name": "api run",
                "spec": {"estimator": "ols", "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year"},
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    run = ModelRun.objects.get(pk=response.json()["run"])
    # one specification is a fan-out of one: its child's task is the run's one message
    assert sent == [run.fits.get().pk] and run.fan_out and run.created_by == users["supervisor"]
    assert run.name == "api run" and model_run_fit_here(run_id=run.pk).status == ModelRun.Status.DONE
    cancelled = client.post(f"/api/runs/{run.pk}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "DONE"  # a finished run stays finished


def test_a_run_from_the_command_line_is_cancelled_only_by_supervisors(panel, client_for, users):
    run = ModelRun.objects.create(panel=panel, specs=[{"formula": "exports ~ fta"}])  # created_by: None
    assert client_for(users["coder"]).post(reverse("analysis:run_cancel", args=[run.pk])).status_code == 403
    assert ModelRun.objects.get(pk=run.pk).status == ModelRun.Status.QUEUED
    assert client_for(users["supervisor"]).post(reverse("analysis:run_cancel", args=[run.pk])).status_code == 302
    assert ModelRun.objects.get(pk=run.pk).status == ModelRun.Status.CANCELLED


def _escaped(text):
    from django.utils.html import escape

    return escape(text)
