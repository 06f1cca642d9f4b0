"""Articles keep the treaty's own number and heading: ToTA's `number="ARTICLE 4.3"
name="Customs Procedures And Facilitation"` and the headings the plain-text splitter finds are
shown as "Art. 4.3 Customs Procedures And Facilitation" in the reader, the API and what evidence
cites; the internal identifier stays the key and anchor. Importing the same ToTA file again fills
the numbers of a text imported before they were kept, without a new text version."""

import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.importers.article_numbers import citation_labels, display_number
from coding.importers.plaintext import split_treaty_text
from coding.importers.tota import parse_tota_file
from coding.models import Agreement, Article, Coding, TextVersion
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save
from tests.conftest import DATA, require_shared

AUSTRALIA_CHINA = "pta_141.xml"  # ToTA's Australia - China: ARTICLE 4.3 is article_identifier 11808


@pytest.mark.parametrize(
    "label, number",
    [
        ("ARTICLE 4.3", "4.3"),
        ("Article 4.3:", "4.3"),
        ("ARTÍCULO 4-3", "4-3"),
        ("ARTICLE TWENTY-TWO", "22"),
        ("ARTICLE - IV", "IV"),
        ("ARTICLE 5 BIS", "5 bis"),
        ("第四条", "4"),
        ("第二十三条 定义", "23"),
        ("ARTICLE:1.2", "1.2"),
        ("ARTICLE", ""),
        ("", ""),
        ("VII", "VII"),
        ("ARTICLE PREMIER", "1"),
        ("ARTÍCULO TRANSITORIO", "Transitorio"),
        ("ARTIICLE 5", "5"),
        ("Art. 5", "5"),
    ],
)
def test_display_number(label, number):
    assert display_number(label) == number


def test_citation_labels_are_unique_in_a_text():
    rows = [
        ("11808", "4.3", "Customs Procedures", "Chapter 4"),
        ("1", "1", "Definitions", "Annex A"),
        ("2", "1", "Definitions", "Annex B"),
        ("3", "", "", "Preamble"),
        ("4", "", "", "Annex C"),
        ("5", "", "", "Annex C"),
    ]
    assert citation_labels(rows) == {
        "11808": "Art. 4.3 Customs Procedures",
        "1": "Art. 1 Definitions (Annex A)",
        "2": "Art. 1 Definitions (Annex B)",
        "3": "Preamble",
        "4": "Annex C #4",
        "5": "Annex C #5",
    }


def test_the_plain_text_splitter_keeps_each_articles_own_number():
    chapters = split_treaty_text(
        "Chapter 1 General\nArticle 1 Scope\nText one.\nChapter 2 Goods\nArticle 1 Duties\nText two.\n"
        "第三章 标准\n第四条 技术法规\n双方同意。"
    )
    articles = [a for c in chapters for a in c.articles]
    # numbering restarts, so identifiers are prefixed with the chapter; the number stays the article's own
    assert [(a.identifier, a.number, a.heading) for a in articles] == [
        ("1.1", "1", "Scope"),
        ("2.1", "1", "Duties"),
        ("3.4", "4", "技术法规"),
    ]


@pytest.fixture
def tota_file(tmp_path):
    source = require_shared(DATA / "tota" / AUSTRALIA_CHINA)
    return shutil.copy(source, tmp_path / AUSTRALIA_CHINA)


def test_tota_articles_carry_number_and_heading(tota_file):
    treaty = parse_tota_file(tota_file)
    articles = {a.identifier: a for c in treaty.chapters for a in c.articles}
    assert (articles["11808"].number, articles["11808"].heading) == ("4.3", "Customs Procedures And Facilitation")


@pytest.mark.django_db
def test_articles_api_reader_and_evidence_name_the_treatys_article(tota_file, client_for, users, mini_version):
    call_command("import_tota", str(tota_file), "--no-progress")
    agreement = Agreement.objects.get(tota_id=141)
    client = client_for(users["coder"])

    response = client.get(reverse("api-agreement-articles", args=["tota:141"]))
    rows = response.json()["results"] if isinstance(response.json(), dict) else response.json()
    [article] = [r for r in rows if r["identifier"] == "11808"]
    assert article["number"] == "4.3" and article["heading"] == "Customs Procedures And Facilitation"
    assert article["label"] == "Art. 4.3 Customs Procedures And Facilitation"
    assert article["chapter"] == "1487" and article["chapter_name"] == "Customs Procedures And Trade Facilitation"

    reader = client.get(agreement.get_absolute_url()).content.decode()
    assert 'id="art-11808"' in reader and "Art. 4.3 Customs Procedures And Facilitation" in reader
    assert "ToTA article 11808" not in reader

    # the coding payload cites it with the number and heading; the identifier stays the key
    assignment_create(agreements=[agreement], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder"])
    coding_save(
        coding=coding,
        user=users["coder"],
        revision=0,
        answers={"wto": {"value": 1, "evidence": [{"article": "11808"}]}},
    )
    [cited] = client.get(reverse("api-coding-detail", args=[coding.pk])).json()["answers"]["wto"]["evidence"]
    assert cited["article"] == "11808" and cited["number"] == "4.3"
    assert cited["label"] == "Art. 4.3 Customs Procedures And Facilitation"
    assert cited["url"].endswith("?version=1#art-11808")
    workspace = client.get(reverse("coding:workspace", args=[coding.pk])).content.decode()
    assert 'data-label="Art. 4.3 Customs Procedures And Facilitation"' in workspace


@pytest.mark.django_db
def test_importing_the_same_tota_file_again_fills_numbers_in_the_same_version(tota_file, capsys):
    # Given a text imported before numbers were kept (the migration adds empty ones)
    call_command("import_tota", str(tota_file), "--no-progress")
    version = TextVersion.objects.get()
    Article.objects.update(number="", heading="")
    capsys.readouterr()
    # When the same file is imported again
    call_command("import_tota", str(tota_file), "--no-progress")
    # Then the articles of that same version have their numbers, and no version was added
    assert TextVersion.objects.get().pk == version.pk
    article = Article.objects.get(identifier="11808")
    assert (article.version_id, article.number, article.heading) == (
        version.pk,
        "4.3",
        "Customs Procedures And Facilitation",
    )
    out = capsys.readouterr().out
    assert "0 new text versions" in out and "got their number and heading (same text, same version)" in out
    # a value corrected by hand is never overwritten
    Article.objects.filter(identifier="11808").update(heading="Customs (corrected)")
    call_command("import_tota", str(tota_file), "--no-progress")
    assert Article.objects.get(identifier="11808").heading == "Customs (corrected)"
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out
