"""In a real browser: open the China-Korea FTA, jump to its TBT chapter, find "international standards"."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_jumps_to_tbt_chapter_and_finds_international_standards(page, live_server, login, users, tota_dir):
    call_command("import_tota", str(tota_dir / "pta_398.xml"), "--no-progress")  # China - Korea (ToTA 398)
    login(page, "coder_a")

    page.goto(f"{live_server.url}/coding/agreements/ref/tota:398/")
    expect(page.locator("h1")).to_contain_text("Korea")
    page.get_by_role("navigation", name="Table of contents").get_by_role(
        "link", name=re.compile("Technical Barriers", re.I)
    ).click()
    assert re.search(r"#ch-\d+$", page.url)
    chapter_id = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{chapter_id} h2")).to_be_in_viewport()

    page.keyboard.press("/")  # keyboard: focus the search box
    page.keyboard.type("international standards")
    page.keyboard.press("Enter")
    hits = page.locator("mark.hit")
    expect(hits.first).to_be_visible()
    assert hits.count() >= 3
    expect(page.locator("#hit-count")).to_contain_text("hits")
    # The hits are inside the TBT chapter, and "n" moves to the next one.
    assert page.locator(f"#{chapter_id} mark.hit").count() >= 1
    page.keyboard.press("n")
    expect(page.locator("mark.hit.current")).to_have_count(1)

    # An article anchor is a shareable link that opens at that article.
    article = page.locator(f"#{chapter_id} article.art").first
    anchor = article.get_attribute("id")
    page.goto(f"{live_server.url}/coding/agreements/ref/tota:398/#{anchor}")
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()


def test_language_switcher_shows_chinese(page, live_server, login, users):
    login(page, "coder_a")
    page.goto(f"{live_server.url}/coding/agreements/")
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("h1")).to_have_text("协定")
    expect(page.locator("header.top")).to_contain_text("编码手册")
