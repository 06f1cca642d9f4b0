"""In a real browser, what a newcomer meets in the first hour: the top bar on one line at 1400 and
1024 px in both languages, a workspace exactly as tall as the window, a stale save said once, no
keyboard hint on a read-only coding, and a cancelled run's page without broken images or links."""

import pytest
from playwright.sync_api import expect

from analysis.models import ModelRun
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_cancel, model_run_create
from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOP_BAR = """() => {
  const bar = document.querySelector("header.top");
  const items = Array.from(bar.querySelectorAll("a, summary, button, select, span"))
    .filter((el) => el.offsetParent !== null && el.textContent.trim());
  return {height: bar.getBoundingClientRect().height,
          broken: items.filter((el) => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 32)
                       .map((el) => el.textContent.trim()),
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


def set_language(page, live_server, code):
    page.goto(f"{live_server.url}/coding/agreements/")
    page.select_option("#language-select", code)
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_top_bar_stays_on_one_line(page, live_server, login, users, language):
    login(page, "supervisor")
    set_language(page, live_server, language)
    heights = {}
    for width in (1400, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/analysis/runs/")
        bar = page.evaluate(TOP_BAR)
        heights[width] = bar["height"]
        assert bar["broken"] == [], (language, width, bar)  # "Log / out", "Gravity / models" split before
        assert bar["overflow"] <= 0, (language, width, bar)
        assert bar["height"] < 60, (language, width, bar)  # one line (two lines measured 74 px)
    print(f"top bar height ({language}): {heights}")
    # The rest is one click away: the "More" menu and the user's menu.
    page.click("#more-menu summary")
    expect(page.locator("#more-menu a[href='/admin/']")).to_be_visible()
    page.click("#user-menu summary")
    expect(page.locator("#more-menu a[href='/admin/']")).to_be_hidden()  # one menu open at a time
    expect(page.locator("#user-menu button[type=submit]")).to_be_visible()


def test_workspace_is_as_tall_as_the_window(page, live_server, login, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    login(page, "coder_a")
    for width, height in ((1400, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
        scroll_height = page.evaluate("document.documentElement.scrollHeight")
        print(f"workspace at {width}x{height}: scrollHeight {scroll_height}")
        assert scroll_height <= height  # one scrollbar per pane, none for the page (was 28 px taller)
    expect(page.locator(".keys")).to_be_visible()

    # A stale save is said once: in the conflict box, not again in the status line.
    coding_save(coding=coding, user=users["coder"], revision=0, answers={"wto": {"value": 0}})  # another tab
    page.locator(".ind[data-code='harmon'] input[value='1']").check()
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#save-status")).to_have_text("Not saved")
    detail = page.locator("#conflict").inner_text()
    assert detail and detail not in page.locator("#save-status").inner_text()


def test_read_only_coding_has_no_keyboard_hint(page, live_server, login, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    login(page, "supervisor")  # supervisors read every coding; only its coder edits it
    page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
    expect(page.locator("#save-status")).to_have_text("Read only")
    expect(page.locator(".keys")).to_have_count(0)


def test_cancelled_run_page_has_no_broken_image_or_link(page, live_server, login, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=6, seed=3), name="SYNTHETIC", synthetic=True)
    spec = {"estimator": "ols", "formula": "log(trade) ~ rta | exporter + importer"}
    run = model_run_create(
        panel=panel, specs=[spec, {**spec, "estimator": "ppml", "formula": "trade ~ rta"}], dispatch=False
    )
    ModelRun.objects.filter(pk=run.pk).update(
        status=ModelRun.Status.RUNNING,
        results=[
            {
                "formula": spec["formula"],
                "n_obs": 30,
                "coefficients": {
                    "rta": {"estimate": 0.4, "se": 0.1, "t": 4.0, "p": 0.0, "ci_low": 0.2, "ci_high": 0.6}
                },
            }
        ],
    )
    model_run_cancel(run=run)
    login(page, "supervisor")
    page.goto(f"{live_server.url}/analysis/runs/{run.pk}/")
    expect(page.locator("#run-status")).to_have_text("cancelled")
    expect(page.locator("#run-unfinished")).to_contain_text("1 of 2 specifications finished")
    expect(page.locator("#coefficient-plot")).to_have_count(0)
    broken = page.evaluate(
        "Array.from(document.images).filter((img) => !img.complete || img.naturalWidth === 0).length"
    )
    assert broken == 0
    links = page.evaluate("Array.from(document.querySelectorAll('main a[href]')).map((a) => a.href)")
    for href in links:
        assert page.request.get(href).status < 400, href
