"""In a real browser: coder A codes a treaty citing an article, coder B codes it with one
different value, A cannot see B's answers, the supervisor adjudicates the difference with a
rationale, and the approved coding shows the final value."""

import time

import pytest
from playwright.sync_api import expect

from coding.models import Adjudication, Coding, FinalValue
from coding.services.assignments import assignment_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_treaty(page, live_server, coding, values, cite=None):
    page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
    for code, value in values.items():
        card = page.locator(f".ind[data-code='{code}']")
        card.click()
        if cite and code in cite:
            # Select the first words of the cited article, then press "e" to cite the passage.
            page.locator(f"#art-{cite[code]} .body").evaluate(
                """(el) => { const r = document.createRange(); const t = el.firstChild;
                           r.setStart(t, 0); r.setEnd(t, 9); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
            )
            card.focus()
            page.keyboard.press("e")
            expect(card.locator(".chip a")).to_have_attribute("href", f"#art-{cite[code]}")
        card.focus()
        page.keyboard.press(str(value))  # keyboard: digits set the value of the focused indicator
        expect(card.locator(f"input[type=radio][value='{value}']")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-coding")
    expect(page.locator("#coding-state")).to_have_text("submitted")


def test_double_coding_adjudication_round_in_the_browser(browser, live_server, login, users, mini_version, treaty):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding_a = Coding.objects.get(coder=users["coder"])
    coding_b = Coding.objects.get(coder=users["coder_b"])

    page_a = browser.new_page()
    login(page_a, "coder_a")
    page_a.goto(f"{live_server.url}/coding/queue/")
    expect(page_a.locator("#queue")).to_contain_text("A - B")
    code_treaty(page_a, live_server, coding_a, {"wto": 1, "harmon": 2}, cite={"wto": "60"})
    assert coding_a.answers.get(indicator__code="wto").evidence.get().article_identifier == "60"

    page_b = browser.new_page()
    login(page_b, "coder_b")
    code_treaty(page_b, live_server, coding_b, {"wto": 1, "harmon": 1})

    # Coder A cannot open B's coding, neither the page nor the API.
    response = page_a.goto(f"{live_server.url}/coding/codings/{coding_b.pk}/")
    assert response.status == 404
    response = page_a.goto(f"{live_server.url}/api/codings/{coding_b.pk}/")
    assert response.status == 404

    boss = browser.new_page()
    login(boss, "supervisor")
    boss.goto(f"{live_server.url}/coding/adjudication/")
    boss.get_by_role("link", name="A - B").click()
    disagreement = boss.locator("tr[data-code='harmon']")
    expect(disagreement.locator(".coder-value")).to_have_count(2)
    expect(boss.locator("#adjudication thead")).not_to_contain_text("coder_a")  # names hidden by default
    expect(boss.locator("tr[data-code='wto'] .final-value")).to_have_text("1")  # agreed: accepted automatically
    disagreement.locator("select[name=value]").select_option("2")
    disagreement.locator("select[name=disagreement_type]").select_option("misread")
    disagreement.locator("textarea[name=rationale]").fill("Art. 61 harmonises one sector only: selective (2).")
    disagreement.get_by_role("button", name="Record").click()
    expect(boss.locator("tr[data-code='harmon'] .final-value")).to_have_text("2")
    boss.click("#approve")
    expect(boss.locator("#adjudication-state")).to_have_text("approved")

    adjudication = Adjudication.objects.get()
    assert adjudication.state == "approved"
    final = FinalValue.objects.get(indicator__code="harmon")
    assert final.value == 2 and final.disagreement_type == "misread" and "selective" in final.rationale

    # After approval the blind phase is over: A may now read B's coding.
    response = page_a.goto(f"{live_server.url}/api/codings/{coding_b.pk}/")
    assert response.status == 200


def test_rapid_edits_never_conflict_and_a_real_conflict_keeps_the_answers(
    page, live_server, login, users, mini_version, treaty
):
    """Keys pressed faster than the saves return are saved in order (one PUT at a time, no
    false conflict with ourselves); when another tab saved first, the refusal keeps this tab's
    answers in the browser and a reload offers to re-apply them."""
    from coding.services.codings import coding_save

    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    login(page, "coder_a")
    page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
    card = page.locator(".ind[data-code='harmon']")
    card.click()

    def slow_save(route):  # a slow network: each save takes a second to reach the server
        if route.request.method == "PUT":
            time.sleep(1.0)
        route.continue_()

    page.route("**/api/codings/*/", slow_save)
    for key in "0123":  # each key after the previous save was sent (600 ms debounce), before it returned
        card.focus()
        page.keyboard.press(key)
        page.wait_for_timeout(700)
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=15000)
    page.unroute("**/api/codings/*/")
    expect(page.locator("#conflict")).to_be_hidden()
    coding.refresh_from_db()
    assert coding.answers.get(indicator__code="harmon").value == 3

    # Another tab (the API, same user) saves first: this tab's next save is stale.
    coding_save(coding=coding, user=users["coder"], revision=coding.revision, answers={"wto": {"value": 0}})
    card.focus()
    page.keyboard.press("1")
    expect(page.locator("#conflict")).to_be_visible(timeout=10000)
    page.reload()
    expect(page.locator("#draft-restore")).to_be_visible()
    page.click("#draft-restore [data-role=reapply]")
    expect(page.locator(".ind[data-code='harmon'] input[value='1']")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10000)
    coding.refresh_from_db()
    assert coding.answers.get(indicator__code="harmon").value == 1
    assert page.evaluate(f"localStorage.getItem('coding-draft-{coding.pk}')") is None
