"""In a real browser with a real worker: start the structural PPML preset on the synthetic demo
panel from the page, watch the progress bar, and read the table and plot when the job is done;
then a sweep of two specifications, fanned out, each with its own row and bar, one table."""

import json

import pytest
from playwright.sync_api import expect

from analysis.pure.simulate import TRUE_BETA, simulate
from analysis.services.panels import panel_store
from tests.live_services import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_run_a_gravity_job_from_the_page(page, live_server, login, users, settings, tmp_path, redis_broker):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(), name="SYNTHETIC demo panel", synthetic=True)
    with celery_worker(redis_broker):
        login(page, "supervisor")
        page.goto(f"{live_server.url}/analysis/runs/")
        page.select_option("select[name=panel]", str(panel.pk))
        page.select_option("select[name=preset]", "structural-ppml")
        page.click("#new-run button[type=submit]")
        expect(page.locator("#run-progress")).to_be_visible()
        # The page polls the job's status and reloads itself when the worker is done.
        expect(page.locator("#run-status")).to_have_text("done", timeout=90_000)
        cell = page.locator("#regression-table tbody tr").first
        expect(cell).to_contain_text("rta")
        estimate = float(cell.locator("td").nth(1).inner_text().split("*")[0].split("\n")[0])
        assert abs(estimate - TRUE_BETA) < 0.1
        expect(page.locator("#coefficient-plot")).to_be_visible()

        # A sweep of two specifications: one row and bar each while they run, then one table.
        sweep = [
            {
                "estimator": "ppml",
                "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
                "vcov": {"cluster": "pair_id"},
                "label": "pair clusters",
            },
            {
                "estimator": "ppml",
                "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
                "vcov": "hetero",
                "label": "robust",
            },
        ]
        page.goto(f"{live_server.url}/analysis/runs/")
        page.select_option("select[name=panel]", str(panel.pk))
        page.fill("textarea[name=spec]", json.dumps(sweep))
        page.click("#new-run button[type=submit]")
        rows = page.locator("#run-specifications tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("robust")
        expect(page.locator("#run-status")).to_have_text("done", timeout=90_000)
        expect(page.locator("#run-specifications .fit-status")).to_have_text(["done", "done"])
        expect(page.locator("#regression-table thead th")).to_have_count(3)  # the variable and two columns
