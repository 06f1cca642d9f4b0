"""In a real browser with a real worker: a sweep cancelled half-way shows the finished
specifications' table, marked partial, and lists the others as cancelled (issue 19, item 7).
Cancel is at the top of the page, and the page is no wider than the window."""

import re

import pytest
from playwright.sync_api import expect

from analysis.models import ModelRun, SpecFit
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create
from tests.live_services import celery_worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]

SWEEP = [
    {
        "estimator": "ols",
        "formula": "log(trade) ~ rta | exporter + importer",
        "vcov": "hetero",
        "label": f"sweep {i + 1}",
    }
    for i in range(8)
]


def test_a_sweep_cancelled_half_way_shows_the_finished_specifications(
    page, live_server, login, users, settings, tmp_path, redis_broker
):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=8, seed=3), name="SYNTHETIC", synthetic=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    # One worker fits the eight specifications one after another.
    with celery_worker(redis_broker, queues=["estimation"]) as worker:
        run = model_run_create(panel=panel, specs=SWEEP, user=users["supervisor"])
        login(page, "supervisor")
        page.goto(f"{live_server.url}{run.get_absolute_url()}")
        cancel = page.locator("#run-cancel button")
        expect(cancel).to_be_in_viewport()
        assert cancel.bounding_box()["y"] < page.locator("#run-specifications").bounding_box()["y"]
        assert wait_for(lambda: SpecFit.objects.filter(run=run, status="DONE").count() >= 2, timeout=60, process=worker)
        cancel.click()
        expect(page.locator("#run-status")).to_have_text("cancelled")
    done = list(SpecFit.objects.filter(run=run, status="DONE").order_by("position").values_list("position", flat=True))
    assert ModelRun.objects.get(pk=run.pk).status == "CANCELLED" and 2 <= len(done) < len(SWEEP)

    # The finished specifications' table, marked partial, one column each
    expect(page.locator("#partial-mark")).to_have_text("partial: run cancelled")
    columns = page.locator("#regression-table thead th").all_inner_texts()[1:]
    assert columns == [f"({p + 1}) sweep {p + 1}" for p in done]
    expect(page.locator("#regression-table tbody tr", has_text="rta")).to_have_count(1)
    estimates = page.locator("#regression-table tbody tr", has_text="rta").locator("td").all_inner_texts()[1:]
    assert all(re.match(r"-?\d+\.\d{3}", text) for text in estimates)
    # the others listed as cancelled, and no plot or file of an unfinished run
    unfinished = page.locator("#run-unfinished-specs li")
    expect(unfinished).to_have_count(len(SWEEP) - len(done))
    assert set(page.locator("#run-unfinished-specs .unfinished-status").all_inner_texts()) == {"cancelled"}
    expect(page.locator("#coefficient-plot")).to_have_count(0)
    # and the page scrolls only downwards
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
