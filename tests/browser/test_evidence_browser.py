"""In a real browser: a cited passage stays highlighted in the workspace's treaty text (also after
a reload, and gone when the citation is removed), citations read as the treaty numbers its
articles, and a coder reads her feedback once the treaty is approved."""

import pytest
from playwright.sync_api import expect

from coding.models import Article, Coding
from tests.coding.test_feedback import code_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def select_words(page, identifier, start, end):
    page.locator(f"#art-{identifier} .body").evaluate(
        """(el, [start, end]) => { const r = document.createRange(); const t = el.firstChild;
                   r.setStart(t, start); r.setEnd(t, end); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }""",
        [start, end],
    )


def test_cited_passages_stay_highlighted(page, live_server, login, users, mini_version, treaty):
    from coding.services.assignments import assignment_create

    Article.objects.filter(identifier="61").update(number="6.2", heading="Harmonisation")
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    login(page, "coder_a")
    page.goto(f"{live_server.url}/coding/codings/{coding.pk}/")
    card = page.locator(".ind[data-code='harmon']")
    card.click()
    select_words(page, "61", 31, 44)  # "harmonisation"
    card.focus()
    page.keyboard.press("e")
    expect(card.locator(".chip")).to_contain_text("Art. 6.2 Harmonisation “harmonisation”")
    mark = page.locator("#art-61 .body mark.cited-passage")
    expect(mark).to_have_text("harmonisation")
    expect(mark).to_have_attribute("data-codes", "harmon")
    expect(page.locator("#art-61 .body")).to_have_text(Article.objects.get(identifier="61").text)  # the text is intact
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10000)
    [evidence] = coding.answers.get(indicator__code="harmon").evidence.all()
    assert (evidence.start, evidence.end, evidence.quote) == (31, 44, "harmonisation")

    # a second passage inside the highlighted text is measured on the plain text, not the marks
    select_words(page, "60", 12, 18)  # "affirm"
    wto = page.locator(".ind[data-code='wto']")
    wto.click()
    wto.focus()
    page.keyboard.press("e")
    expect(page.locator("#art-60 .body mark.cited-passage")).to_have_text("affirm")
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10000)

    page.reload()
    expect(page.locator("#art-61 .body mark.cited-passage")).to_have_text("harmonisation")
    expect(page.locator("#art-60 .body mark.cited-passage")).to_have_text("affirm")

    # removing the citation removes its highlight
    page.locator(".ind[data-code='harmon'] .chip button").click()
    expect(page.locator("#art-61 .body mark")).to_have_count(0)
    expect(page.locator("#save-status")).to_have_text("All changes saved", timeout=10000)
    assert not coding.answers.get(indicator__code="harmon").evidence.exists()


def test_coder_reads_her_feedback_after_approval(page, live_server, login, users, mini_version, treaty):
    codings = code_round(users, mini_version, treaty, harmon_b=1)
    login(page, "coder_b")
    page.goto(f"{live_server.url}/coding/queue/")
    page.locator("#queue a.feedback-link").click()
    expect(page).to_have_url(f"{live_server.url}/coding/codings/{codings['coder_b'].pk}/feedback/")
    harmon = page.locator("#feedback tr[data-code='harmon']")
    expect(harmon.locator(".my-value")).to_have_text("1")
    expect(harmon.locator(".final-value")).to_have_text("2")
    expect(harmon).to_contain_text("differs")
    expect(harmon.locator(".rationale")).to_have_text("Art. 61 names one sector: selective.")
    expect(page.locator("#feedback tr[data-code='wto']")).to_contain_text("same")
    page.get_by_role("link", name="My agreement with the final values").first.click()
    expect(page.locator("#agreement-by-month tbody tr")).to_have_count(1)
    expect(page.locator("#agreement-chart rect.bar")).to_have_count(1)
    # another coder's feedback page does not exist for her
    response = page.goto(f"{live_server.url}/coding/codings/{codings['coder'].pk}/feedback/")
    assert response.status == 404
