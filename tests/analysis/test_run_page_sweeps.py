"""The run page of a sweep (issue 19, items 5 and 7): Cancel above the specifications, the
finished specifications' table kept after a cancel (marked partial, the rest listed as
cancelled), wide tables scrolling inside their own box, a failed job's bar saying so, and no
inline script (the site's Content-Security-Policy allows none). Fits are written straight to the
rows with known numbers: no estimator runs here (tests/browser/test_sweep_cancel_browser.py
cancels a real sweep)."""

import re

import pytest
from django.urls import reverse

from analysis.models import ModelRun, SpecFit
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create

SPEC = {"estimator": "ols", "formula": "log(trade) ~ rta | exporter + importer", "vcov": "hetero"}


def result(label, estimate):
    return {
        "label": label,
        "formula": SPEC["formula"],
        "estimator": "ols",
        "vcov": "hetero",
        "n_obs": 30,
        "coefficients": {
            "rta": {
                "estimate": estimate,
                "se": 0.1,
                "t": estimate / 0.1,
                "p": 0.001,
                "ci_low": estimate - 0.2,
                "ci_high": estimate + 0.2,
            }
        },
    }


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return panel_store(simulate(countries=6, seed=3), name="SYNTHETIC", synthetic=True)[0]


def sweep(panel, n):
    """A fanned-out run of n specifications labelled s1..sn, all being fitted (its tasks are never
    sent: the test's transaction never commits)."""
    run = model_run_create(panel=panel, specs=[dict(SPEC, label=f"s{i + 1}") for i in range(n)])
    assert run.fan_out and run.fits.count() == n
    ModelRun.objects.filter(pk=run.pk).update(status=ModelRun.Status.RUNNING, progress=10)
    SpecFit.objects.filter(run=run).update(status=SpecFit.Status.RUNNING, progress=10)
    return ModelRun.objects.get(pk=run.pk)


@pytest.fixture
def supervisor(client_for, users):
    return client_for(users["supervisor"])


def test_cancel_of_a_48_specification_sweep_comes_before_its_table(panel, supervisor):
    run = sweep(panel, 48)
    page = supervisor.get(run.get_absolute_url()).content.decode()
    cancel = page.index(f'action="{reverse("analysis:run_cancel", args=[run.pk])}"')
    assert page.count('<tr data-position="') == 48
    assert cancel < page.index('id="run-specifications"') < page.index('<tr data-position="1"')


def test_finished_specifications_are_shown_after_a_cancel(panel, supervisor):
    # Given a sweep of four whose first and third specifications finished
    run = sweep(panel, 4)
    for position, estimate in ((0, 0.4), (2, 0.7)):
        SpecFit.objects.filter(run=run, position=position).update(
            status=SpecFit.Status.DONE, progress=100, result=result(f"s{position + 1}", estimate)
        )
    SpecFit.objects.filter(run=run, position=1).update(status=SpecFit.Status.RUNNING, progress=50)
    # When it is cancelled
    assert supervisor.post(reverse("analysis:run_cancel", args=[run.pk])).status_code == 302
    response = supervisor.get(run.get_absolute_url())
    page = response.content.decode()
    # Then its page shows the two finished ones in a table marked partial, and the other two as cancelled
    assert response.context["table"] is None
    partial = response.context["partial"]
    assert partial["table"]["columns"] == ["(1) s1", "(3) s3"]
    assert [cell[0] for cell in partial["table"]["rows"][0]["cells"]] == [0.4, 0.7]
    assert "0.400***" in page and "0.700***" in page
    assert 'id="partial-mark"' in page and "partial: run cancelled" in page
    assert "2 of 4 specifications finished before the run ended" in page
    unfinished = re.findall(r'<li data-position="(\d+)">.*?<span class="unfinished-status">([^<]*)</span>', page)
    assert unfinished == [("2", "cancelled"), ("4", "cancelled")]
    # and offers no plot or file of the unfinished run
    assert "/analysis/runs/table." not in page and "/analysis/runs/plot." not in page


def test_a_one_task_run_that_failed_lists_the_specifications_it_never_reached(panel, supervisor):
    run = model_run_create(panel=panel, specs=[dict(SPEC, label=f"s{i + 1}") for i in range(3)], dispatch=False)
    ModelRun.objects.filter(pk=run.pk).update(
        status=ModelRun.Status.FAILED, progress=95, error="boom", results=[result("s1", 0.4)]
    )
    response = supervisor.get(run.get_absolute_url())
    partial = response.context["partial"]
    assert partial["table"]["columns"] == ["(1) s1"]
    assert [(item["position"], item["status"]) for item in partial["unfinished"]] == [(2, "FAILED"), (3, "NOT_STARTED")]
    assert "partial: run failed" in response.content.decode()


def test_a_20_column_table_scrolls_inside_its_own_box(panel, supervisor):
    run = model_run_create(panel=panel, specs=[dict(SPEC, label=f"s{i + 1}") for i in range(20)], dispatch=False)
    ModelRun.objects.filter(pk=run.pk).update(
        status=ModelRun.Status.DONE, progress=100, results=[result(f"s{i + 1}", 0.1 * i) for i in range(20)]
    )
    for url in (run.get_absolute_url(), reverse("analysis:run_table", args=["html"]) + f"?runs={run.pk}"):
        page = supervisor.get(url).content.decode()
        box = re.search(
            r'<div class="table-scroll" style="overflow-x:auto;max-width:100%">\s*'
            r'<table class="grid regression" id="regression-table">(.*?)</table>\s*</div>',
            page,
            re.S,
        )
        assert box, url
        assert box.group(1).count("<th>") == 21  # the variable's column and 20 specifications


def test_a_failed_job_bar_says_failed_not_95_percent(panel, supervisor):
    run = sweep(panel, 2)
    SpecFit.objects.filter(run=run, position=0).update(status=SpecFit.Status.FAILED, progress=95, error="boom")
    SpecFit.objects.filter(run=run, position=1).update(
        status=SpecFit.Status.DONE, progress=100, result=result("s2", 0.4)
    )
    ModelRun.objects.filter(pk=run.pk).update(status=ModelRun.Status.FAILED, progress=95, error="specification 1: boom")

    status = supervisor.get(reverse("analysis:run_status", args=[run.pk])).json()
    assert status["status"] == "FAILED"
    assert status["bar"] == {"state": "failed", "width": 100, "text": "failed"}
    assert [fit["bar"]["state"] for fit in status["specifications"]] == ["failed", "done"]

    page = supervisor.get(run.get_absolute_url()).content.decode()
    assert re.search(r'<div class="progress failed" id="run-progress"[^>]*><div class="bar" style="width: 100%">', page)
    assert '<span class="bar-text" id="run-bar-text">failed</span>' in page
    assert "width: 95%" not in page
    listing = supervisor.get(reverse("analysis:run_list")).content.decode()
    assert (
        '<div class="progress failed"><div class="bar" style="width: 100%"></div></div><span class="bar-text">failed</span>'
        in listing
    )


def test_a_running_job_bar_is_where_it_is(panel, supervisor):
    run = sweep(panel, 2)
    ModelRun.objects.filter(pk=run.pk).update(status=ModelRun.Status.RUNNING, progress=40)
    assert supervisor.get(reverse("analysis:run_status", args=[run.pk])).json()["bar"] == {
        "state": "active",
        "width": 40,
        "text": "",
    }


def test_run_pages_have_no_inline_script(panel, supervisor):
    run = sweep(panel, 2)
    for url in (run.get_absolute_url(), reverse("analysis:run_list")):
        page = supervisor.get(url).content.decode()
        content = page.split("<main>", 1)[1]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content), url  # every script is a file
        assert not re.search(r"\son[a-z]+=", content), url  # no onclick= and the like
        assert re.search(r'<script src="/static/js/run_(detail|list)\.js"', content), url
        script = re.search(r'<script src="(/static/js/run_(?:detail|list)\.js)"', content).group(1)
        assert supervisor.get(script).status_code == 200
