"""In a real browser (issue 21): the supervision dashboard draws each coefficient's 95% interval as
a whisker on the agreement chart and says beside a figure on too few treaties how many are needed;
the assignment page tells the supervisor, as she types a sample size, whether it is large enough
(static/js/assign.js, under the Content-Security-Policy: no inline script)."""

import pandas as pd
import pytest
from playwright.sync_api import expect

from coding.pure.agreement_intervals import uncertainty
from coding.selectors.agreement_display import PAGE_REPLICATES
from tests.coding.test_agreement_interval_pages import HARMON, WTO, code
from tests.factories import AgreementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def five_coded(users, mini_version):
    for i in range(5):
        treaty = AgreementFactory(name=f"T{i}")
        for key, name in (("coder", "coder_a"), ("coder_b", "coder_b")):
            code(mini_version, treaty, users[key], {"wto": WTO[name][i], "harmon": HARMON[name][i]})


def test_dashboard_draws_whiskers_and_warns_on_a_small_sample(
    page, live_server, login, users, mini_version, five_coded
):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page, "supervisor")
    page.goto(f"{live_server.url}/coding/supervision/?version={mini_version.pk}")
    chart = page.locator("#agreement-chart")
    expect(chart).to_be_visible()
    # alpha and AC of both indicators, each with its interval
    expect(chart.locator("g.whisker")).to_have_count(4)
    harmon = uncertainty(
        pd.DataFrame(HARMON, dtype=float), level="ordinal", categories=[0, 1, 2, 3], replicates=PAGE_REPLICATES, seed=0
    )
    lo, hi = harmon["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    whisker = chart.locator("g.chart-row[data-code=harmon] g.whisker").first
    assert (whisker.get_attribute("data-lo"), whisker.get_attribute("data-hi")) == (f"{lo:.3f}", f"{hi:.3f}")
    box = whisker.bounding_box()
    assert box and box["width"] > 5  # drawn, not a zero-width line
    warning = page.locator("#agreement-table tr[data-code=harmon] .interval-warning")
    expect(warning).to_be_visible()
    expect(warning).to_have_text(
        f"rests on 5 treaties; at least {harmon['min_units']} are needed for alpha >= .667 at p = .05"
    )
    expect(chart.locator("g.chart-row[data-code=harmon] .chart-warning")).to_contain_text("n=5")
    # the first-answers switch still works with the intervals
    page.click("#answers-toggle")
    expect(page).to_have_url(f"{live_server.url}/coding/supervision/?version={mini_version.pk}&answers=final")
    expect(page.locator("#agreement-chart g.whisker")).to_have_count(4)
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_assign_page_says_whether_the_sample_is_large_enough(page, live_server, login, users, mini_version, five_coded):
    login(page, "supervisor")
    page.goto(f"{live_server.url}/coding/assign/?plan_version={mini_version.pk}")
    plan = page.locator("#sample-plan")
    expect(plan).to_contain_text("by simulation")
    needed = int(plan.get_attribute("data-needed-667"))
    page.fill("#sample-size", str(needed - 1))
    expect(page.locator("#sample-plan-status")).to_have_text(
        "This sample is too small for alpha’s lower bound to reach .667."
    )
    page.fill("#sample-size", str(needed))
    expect(page.locator("#sample-plan-status")).to_contain_text("large enough for")
