"""In a real browser with every request to another host refused: the API docs (Swagger UI from
drf-spectacular-sidecar's static files) render and list the API, and the pages that run scripts
work under the Content-Security-Policy (the browser reports no refused script or resource)."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from coding.models import Coding
from coding.services.assignments import assignment_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1"}


@pytest.fixture
def offline_page(page):
    """The page with the network cut off: a request for any other host is aborted and recorded,
    as are the browser's own reports of what the Content-Security-Policy refused."""
    page.outside, page.refused = [], []

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_local)
    page.on(
        "console",
        lambda message: page.refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: page.refused.append(f"script error: {error}"))
    return page


def test_api_docs_render_with_the_network_blocked(offline_page, live_server, login, users):
    # Given a signed-in coder whose browser reaches no host but the workbench
    page = login(offline_page, "coder_a")

    # When she opens the API docs
    page.goto(f"{live_server.url}/api/docs/")

    # Then Swagger UI shows the workbench's API, its operations listed
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("FTA coding workbench API")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert page.locator("#swagger-ui .opblock-summary-path[data-path='/api/codings/{id}/']").count() >= 1
    # And nothing was asked of another host, and the policy refused nothing
    assert page.outside == [] and page.refused == []


def test_pages_with_scripts_run_under_the_policy(offline_page, live_server, login, users, mini_version, treaty):
    # Given a coding of coder_a's
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    page = login(offline_page, "coder_a")

    # When she answers in the workspace (its script is a static file now)
    page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
    page.locator(".ind[data-code='wto'] input[value='1']").check()

    # Then the answer is saved, and the language menu still switches the page on its own
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    assert Coding.objects.get(pk=coding.pk).answers.get(indicator__code="wto").value == 1
    page.goto(f"{live_server.url}/coding/agreements/{treaty.pk}/?q=Parties")
    expect(page.locator("mark.hit.current")).to_have_count(1)  # the reader's script marked the first hit
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.outside == [] and page.refused == []
