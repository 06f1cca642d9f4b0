"""In a real browser: a supervisor starts a sensitivity run from the form (two sources, the input
files uploaded), the page polls its runs, and shows one table with a column per source and the
coefficient plot. The runs are fitted by a thread standing in for the worker (the worker itself
is tested in tests/browser/test_gravity_browser.py and tests/analysis/test_model_runs.py)."""

import json
import threading

import pytest
from django.db import connection
from playwright.sync_api import expect

from analysis.services.fanout import spec_fit_execute
from coding.services.users import reference_coder_get_or_create
from tests.analysis.test_sensitivity import SPEC, TREATIES, code
from tests.analysis.test_zero_panels import frames, world
from tests.factories import AgreementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fit_later(jobs, on_failure=None):
    """What the workers do with a sent run's children (one specification: a fan-out of one),
    shortly after, in another thread."""

    def run():
        try:
            for job in jobs:
                spec_fit_execute(fit_id=job.pk)
        finally:
            connection.close()

    threading.Timer(0.3, run).start()


def test_sensitivity_page_shows_a_column_per_source(
    page, live_server, login, users, mini_version, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("jobs.dispatch.job_send_group", fit_later)
    for parties, year, codes in TREATIES:
        agreement = AgreementFactory(name="-".join(parties), parties=parties, entry_into_force_year=year)
        for source, values in codes.items():
            code(agreement, mini_version, reference_coder_get_or_create(source), values)
    files = {}
    for kind, frame in frames(*world()).items():
        if kind != "dyads":
            files[kind] = tmp_path / f"{kind}.csv"
            frame.to_csv(files[kind], index=False)

    login(page, "supervisor")
    page.goto(f"{live_server.url}/analysis/sensitivity/")
    page.select_option("select[name=version]", str(mini_version.pk))
    for source in ("DESTA 2.1", "the study"):
        page.check(f"#sources input[value='{source}']")
    for kind, path in files.items():
        page.set_input_files(f"input[name={kind}]", str(path))
    page.fill("textarea[name=spec]", json.dumps(SPEC))
    page.fill("input[name=name]", "who coded")
    page.click("#new-sensitivity button[type=submit]")

    # The page polls the runs and reloads itself when both are done.
    expect(page.locator("#sensitivity-status")).to_have_text("done", timeout=90_000)
    header = page.locator("#regression-table thead th")
    expect(header).to_have_count(3)  # the variable column, then one column per source
    expect(header.nth(1)).to_have_text("DESTA 2.1")
    expect(header.nth(2)).to_have_text("the study")
    # the treatment's row, wherever the table places it among the regressors
    expect(page.locator("#regression-table tbody tr", has_text="depth_fta")).to_have_count(1)
    expect(page.locator("#regression-table")).to_contain_text("Panel (hash)")
    expect(page.locator("#sensitivity-columns tbody tr")).to_have_count(2)
    plot = page.locator("#coefficient-plot")
    expect(plot).to_be_visible()
    assert page.evaluate("document.getElementById('coefficient-plot').naturalWidth") > 0  # the SVG loaded
