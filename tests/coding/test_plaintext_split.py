"""Splitting plain-text and PDF treaties into chapters and articles (pure: no database, no Django)."""

import random
import re
from collections import Counter

import pytest

from coding.importers.plaintext import parse_heading, split_summary, split_treaty_text

FTA = """FREE TRADE AGREEMENT BETWEEN THE REPUBLIC OF A AND THE KINGDOM OF B

PREAMBLE

The Republic of A and the Kingdom of B (the "Parties"),
RECOGNISING their long-standing friendship;
HAVE AGREED as follows:

CHAPTER 1 INITIAL PROVISIONS

Article 1.1: Establishment of a Free Trade Area
The Parties, consistent with Article XXIV of GATT 1994, hereby establish a free trade area.

Article 1.2
Definitions
For the purposes of this Agreement, Party means A or B.



1. Each Party shall publish its laws.

Chapter 6 Technical Barriers to Trade

Article 6.1: Objectives
The objective of this Chapter is to facilitate trade.

Article 6.3 International Standards
1. Each Party shall use relevant international standards as a basis for its technical
regulations, except where they would be ineffective. The obligations set out in
Article 6.3 of this Agreement shall apply to conformity assessment as well.
Article 2.1, paragraph 3, applies mutatis mutandis.
Article 5(2) shall not apply.
Article 2 GATT 1994 shall apply.
"""


def structure(chapters):
    return [(c.identifier, c.name, [(a.identifier, a.heading) for a in c.articles]) for c in chapters]


def article_ids(chapters):
    return [a.identifier for c in chapters for a in c.articles]


def non_space(text):
    return Counter(ch for ch in text if not ch.isspace())


def assert_nothing_lost(text, chapters):
    """Every non-whitespace character of the input is in the output: labels ("Article 6.3:"),
    chapter names, article headings and texts."""
    parts = []
    for chapter in chapters:
        parts += [chapter.label, chapter.name]
        for article in chapter.articles:
            parts += [article.label, article.heading, article.text]
    missing = non_space(text) - non_space("\n".join(parts))
    assert not missing, f"characters lost: {dict(missing)}"


def assert_identifiers_valid(chapters):
    chapter_ids, ids = [c.identifier for c in chapters], article_ids(chapters)
    assert len(set(chapter_ids)) == len(chapter_ids) and len(set(ids)) == len(ids)
    assert all(0 < len(i) <= 40 and not re.search(r"\s", i) for i in chapter_ids + ids)


# ---------------------------------------------------------------------------------------------
# Headings


def test_fta_headings_titles_and_cross_references():
    chapters = split_treaty_text(FTA)
    assert structure(chapters) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("1", "INITIAL PROVISIONS", [("1.1", "Establishment of a Free Trade Area"), ("1.2", "Definitions")]),
        ("6", "Technical Barriers to Trade", [("6.1", "Objectives"), ("6.3", "International Standards")]),
    ]
    preamble = chapters[0].articles[0].text
    assert preamble.startswith("FREE TRADE AGREEMENT") and preamble.endswith("HAVE AGREED as follows:")
    tbt = chapters[2].articles[1]
    assert (tbt.label, tbt.line) == ("Article 6.3", FTA.splitlines().index("Article 6.3 International Standards") + 1)
    for cross_reference in (
        "Article 6.3 of this Agreement shall apply",
        "Article 2.1, paragraph 3",
        "Article 5(2) shall not apply.",
        "Article 2 GATT 1994 shall apply.",
    ):
        assert cross_reference in tbt.text
    assert tbt.text.startswith("1. Each Party") and tbt.text.endswith("Article 2 GATT 1994 shall apply.")
    assert chapters[1].label == "CHAPTER 1" and chapters[1].articles[0].label == "Article 1.1:"


def test_whitespace_is_tidied_but_text_kept():
    definitions = split_treaty_text(FTA)[1].articles[1].text
    # surrounding whitespace stripped; three blank lines become two
    assert (
        definitions
        == "For the purposes of this Agreement, Party means A or B.\n\n\n1. Each Party shall publish its laws."
    )
    [[article]] = [c.articles for c in split_treaty_text("Article 1\n\n   indented line   \n\n\n\n\n\nnext\n\n")]
    assert article.text == "indented line\n\n\nnext"
    assert (
        split_treaty_text("Article 1\n  (a) first;\n  (b) second.")[0].articles[0].text == "(a) first;\n  (b) second."
    )


@pytest.mark.parametrize(
    "line",
    [
        "Article 6.3 of this Agreement shall apply to conformity assessment.",
        "Article 6.3 shall not apply.",
        "Article 6.3, paragraph 2, applies.",
        "Article 6.3 (2) and (3)",
        "Article 6.3 and Article 6.4",
        "Article XXIV of GATT 1994",
        "Article 2 GATT 1994 shall apply",
        "Chapter 6 does not apply to government procurement.",
        "CHAPTER CIVIL PROCEDURES",
        "Articles 5 and 6",
        "Article 12Each Party",
        "Artículo 5 del presente Acuerdo",
        "第三条规定的措施",
        "第三条第二款",
        "Article 6.3 " + "International Standards " * 8,  # longer than a heading line can be
        "Article III:2 of GATT 1994",
        "Article 96(3)",
        "Article 9.3 (Government Procurement Working Group); and",
        "Article 10 ELV of the Paris Convention.",
        "Article 2 Article 3 Article 4",
        "article 5",
        "capítulo 03 Pescados y crustáceos",
        "Chapter C",
    ],
)
def test_cross_references_and_prose_are_not_headings(line):
    assert parse_heading(line) is None


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Article 6.3", ("article", "6.3", "", "Article 6.3")),
        ("ARTICLE 12", ("article", "12", "", "ARTICLE 12")),
        ("Art. 5", ("article", "5", "", "Art. 5")),
        ("Article 6.3: Title", ("article", "6.3", "Title", "Article 6.3:")),
        ("Article 6.3 Title", ("article", "6.3", "Title", "Article 6.3")),
        ("Article 6.3 - Scope and coverage", ("article", "6.3", "Scope and coverage", "Article 6.3 -")),
        ("Article 5 bis: Review", ("article", "5bis", "Review", "Article 5 bis:")),
        ("Article 12.", ("article", "12", "", "Article 12.")),
        ("ARTICLE XXIV", ("article", "XXIV", "", "ARTICLE XXIV")),
        ("Artículo 5", ("article", "5", "", "Artículo 5")),
        ("ARTÍCULO 1º.- Objeto", ("article", "1", "Objeto", "ARTÍCULO 1º.-")),
        ("第三条", ("article", "3", "", "第三条")),
        ("第3条 目的", ("article", "3", "目的", "第3条")),
        ("第一百零二条", ("article", "102", "", "第一百零二条")),
        ("Chapter 6", ("chapter", "6", "", "Chapter 6")),
        ("CHAPTER 6", ("chapter", "6", "", "CHAPTER 6")),
        ("Chapter Six", ("chapter", "6", "", "Chapter Six")),
        ("CHAPTER TWENTY-NINE: FINAL PROVISIONS", ("chapter", "29", "FINAL PROVISIONS", "CHAPTER TWENTY-NINE:")),
        ("Chapter VI", ("chapter", "6", "", "Chapter VI")),
        ("Chapter XIV – Dispute Settlement", ("chapter", "14", "Dispute Settlement", "Chapter XIV –")),
        ("Chapter 06. Rules of Origin", ("chapter", "6", "Rules of Origin", "Chapter 06.")),
        ("Capítulo 6", ("chapter", "6", "", "Capítulo 6")),
        ("Capítulo Primero", ("chapter", "1", "", "Capítulo Primero")),
        ("第六章", ("chapter", "6", "", "第六章")),
        ("第6章　总则", ("chapter", "6", "总则", "第6章")),
    ],
)
def test_heading_forms(line, expected):
    heading = parse_heading(line)
    assert (heading.kind, heading.identifier, heading.title, heading.label) == expected


def test_title_on_next_line_only_when_it_reads_like_a_title():
    text = (
        "Chapter VI\n\nTechnical Barriers to Trade\n"
        "Article 6.1\nScope\nThis Chapter applies to all standards.\n"
        "Article 6.2\n1. Each Party shall notify.\n"
        "Article 6.3\nEach Party shall ensure that its technical regulations comply.\n"
        "Article 6.4\nFor the purposes of this Chapter\n\n"
        "Article 6.5\nArticle 6.6\nCooperation\n"
    )
    chapters = split_treaty_text(text)
    assert structure(chapters) == [
        (
            "6",
            "Technical Barriers to Trade",
            [("6.1", "Scope"), ("6.2", ""), ("6.3", ""), ("6.4", ""), ("6.5", ""), ("6.6", "Cooperation")],
        )
    ]
    texts = [a.text for a in chapters[0].articles]
    assert texts == [
        "This Chapter applies to all standards.",
        "1. Each Party shall notify.",
        "Each Party shall ensure that its technical regulations comply.",
        "For the purposes of this Chapter",
        "",
        "",
    ]
    assert_nothing_lost(text, chapters)


def test_cross_reference_wrapped_onto_the_start_of_a_line_is_not_a_heading():
    text = (
        "Article 30 Measures\n"
        "1. A Party may take appropriate measures under the conditions and in accordance with the\n"
        "procedures laid down in\n"
        "Article 29.\n"
        "2. The Sub-Committee on Cooperation, as provided for in Article 14.2 and\n"
        "Article 15.4 Cooperation\n"
        "3. Consultations shall be held, the Parties taking into account,\n"
        "Chapter 6 (Technical Barriers to Trade).\n"
        "Article 31 Review\n"
        "The Joint Committee shall review this Agreement.\n"
    )
    chapters = split_treaty_text(text)
    assert structure(chapters) == [("main", "", [("30", "Measures"), ("31", "Review")])]
    assert "procedures laid down in\nArticle 29.\n2." in chapters[0].articles[0].text
    assert_nothing_lost(text, chapters)


def test_heading_with_its_first_sentence_on_the_same_line():
    chapters = split_treaty_text(
        "Article 1 The Parties hereby establish a free trade area.\n"
        "Article 2. Each Party shall accord national treatment.\n"
    )
    assert [(a.identifier, a.heading, a.text) for a in chapters[0].articles] == [
        ("1", "", "The Parties hereby establish a free trade area."),
        ("2", "", "Each Party shall accord national treatment."),
    ]


def test_wrapped_upper_case_chapter_title():
    chapters = split_treaty_text("CHAPTER 3 SANITARY AND PHYTOSANITARY\nMEASURES\nArticle 3.1 Scope\nText.\n")
    assert structure(chapters) == [("3", "SANITARY AND PHYTOSANITARY MEASURES", [("3.1", "Scope")])]


def test_roman_and_word_numbered_chapters():
    text = (
        "CHAPTER I\nGENERAL PROVISIONS\nArticle 1\nText one.\n"
        "Chapter II: Trade in Goods\nArticle 2\nText two.\n"
        "Chapter Twenty-Nine Exceptions\nArticle 3\nText three.\n"
        "CHAPTER XII\nArticle 4\nText four.\n"
    )
    chapters = split_treaty_text(text)
    assert structure(chapters) == [
        ("1", "GENERAL PROVISIONS", [("1", "")]),
        ("2", "Trade in Goods", [("2", "")]),
        ("29", "Exceptions", [("3", "")]),
        ("12", "", [("4", "")]),
    ]
    assert [c.label for c in chapters] == ["CHAPTER I", "Chapter II:", "Chapter Twenty-Nine", "CHAPTER XII"]


def test_chinese_and_spanish_headings():
    chinese = (
        "中华人民共和国政府和某国政府自由贸易协定\n序言\n双方决定如下：\n"
        "第一章 总则\n第一条 目的\n本协定的目的是促进贸易。\n"
        "第二条　双方确认其在世贸组织协定项下的权利和义务。依照第一条的规定，\n"
        "第三条规定的措施不受影响。\n"
        "第十二章 技术性贸易壁垒\n第二十三条 国际标准\n双方应使用国际标准。\n第6章\n第24条\n合作\n"
    )
    chapters = split_treaty_text(chinese)
    assert structure(chapters) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("1", "总则", [("1", "目的"), ("2", "")]),
        ("12", "技术性贸易壁垒", [("23", "国际标准")]),
        ("6", "", [("24", "合作")]),
    ]
    second = chapters[1].articles[1].text
    assert second.startswith("双方确认") and second.endswith("第三条规定的措施不受影响。")
    assert_nothing_lost(chinese, chapters)

    spanish = "TRATADO\nCAPÍTULO III\nDisposiciones Generales\nArtículo 5: Normas\nTexto del artículo 5.\nArtículo 6\nTexto.\n"
    assert structure(split_treaty_text(spanish)) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("3", "Disposiciones Generales", [("5", "Normas"), ("6", "")]),
    ]


# ---------------------------------------------------------------------------------------------
# Identifiers and structure


def test_numbering_restarting_in_each_chapter_is_prefixed_with_the_chapter():
    text = (
        "Chapter One General\nArticle 1 Scope\nscope text\nArticle 2 Definitions\ndefinitions\n"
        "Chapter Two Goods\nArticle 1 Tariffs\ntariff text\nArticle 2 Quotas\nquota text\n"
        "Chapter Three Services\nArticle 1 Coverage\ncoverage text\n"
    )
    chapters = split_treaty_text(text)
    assert [(c.identifier, [a.identifier for a in c.articles]) for c in chapters] == [
        ("1", ["1.1", "1.2"]),
        ("2", ["2.1", "2.2"]),
        ("3", ["3.1"]),
    ]
    assert chapters[1].articles[0].heading == "Tariffs" and chapters[1].articles[0].text == "tariff text"
    # and the same text always gives the same identifiers
    assert article_ids(split_treaty_text(text)) == article_ids(chapters)


def test_numbering_already_unique_is_kept_as_written():
    text = "Chapter 1\nArticle 1\nText.\nArticle 2\nText.\nChapter 2\nArticle 3\nText.\nArticle 1.1\nText.\n"
    assert article_ids(split_treaty_text(text)) == ["1", "2", "3", "1.1"]


def test_duplicates_from_ocr_get_a_suffix():
    # within a chapter, and one stray repeat across chapters: no prefixing, just "-2", "-3"
    text = (
        "Chapter 1\nArticle 1\nText.\nArticle 2\nText.\nArticle 2\nText again.\nArticle 2\nThrice.\n"
        "Chapter 2\nArticle 3\nText.\nArticle 1\nStray.\nChapter 1\nA second chapter 1.\nArticle 9\nText.\n"
    )
    chapters = split_treaty_text(text)
    assert [(c.identifier, [a.identifier for a in c.articles]) for c in chapters] == [
        ("1", ["1", "2", "2-2", "2-3"]),
        ("2", ["3", "1-2"]),
        ("1-2", ["1-2-intro", "9"]),
    ]
    assert_identifiers_valid(chapters)


def test_articles_outside_chapters_intro_text_and_chapters_without_articles():
    text = (
        "Article 1\nBefore any chapter.\n"
        "Chapter 2 Goods\nThis Chapter has an introduction.\nArticle 2\nGoods text.\n"
        "Chapter 3 Final Provisions\nThis Chapter has no article headings.\n"
    )
    chapters = split_treaty_text(text)
    assert structure(chapters) == [
        ("main", "", [("1", "")]),
        ("2", "Goods", [("2-intro", "Goods"), ("2", "")]),
        ("3", "Final Provisions", [("chapter-3", "Final Provisions")]),
    ]
    assert chapters[1].articles[0].text == "This Chapter has an introduction."
    assert_nothing_lost(text, chapters)


def test_unsplittable_text_is_one_article():
    text = "  An exchange of notes.\n\nNo headings at all; Article 5 of the Convention applies.\n"
    [chapter] = split_treaty_text(text)
    assert (chapter.identifier, chapter.name) == ("main", "")
    assert [(a.identifier, a.heading, a.text) for a in chapter.articles] == [
        ("1", "Full text", "An exchange of notes.\n\nNo headings at all; Article 5 of the Convention applies.")
    ]
    assert split_summary([chapter])["split"] is False


def test_table_of_contents_stays_in_the_preamble_and_running_headers_are_text():
    text = (
        "AGREEMENT\nTABLE OF CONTENTS\n"
        "Chapter 1 Initial Provisions ........ 1\nChapter 2 National Treatment ........ 4\n"
        "Annex 2-A Schedules ........ 9\nChapter 3 Final Provisions ........ 12\n"
        "PREAMBLE\nThe Parties have agreed as follows:\n"
        "CHAPTER 1 INITIAL PROVISIONS\nArticle 1.1 Establishment\nThe Parties establish a free trade area.\n"
        "CHAPTER 2 NATIONAL TREATMENT\nArticle 2.1 Scope\nThis Chapter applies to goods.\n"
        "CHAPTER 2 NATIONAL TREATMENT\nArticle 2.2 National Treatment\nEach Party shall accord national treatment.\n"
        "CHAPTER 3 FINAL PROVISIONS\nArticle 3.1 Entry into Force\nThis Agreement shall enter into force.\n"
    )
    chapters = split_treaty_text(text)
    assert structure(chapters) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("1", "INITIAL PROVISIONS", [("1.1", "Establishment")]),
        ("2", "NATIONAL TREATMENT", [("2.1", "Scope"), ("2.2", "National Treatment")]),
        ("3", "FINAL PROVISIONS", [("3.1", "Entry into Force")]),
    ]
    preamble = chapters[0].articles[0].text
    assert "Chapter 2 National Treatment ........ 4" in preamble and preamble.endswith("have agreed as follows:")
    assert chapters[2].articles[0].text == "This Chapter applies to goods.\nCHAPTER 2 NATIONAL TREATMENT"
    assert_nothing_lost(text, chapters)


def test_split_summary():
    summary = split_summary(split_treaty_text(FTA))
    assert summary["chapters"] == 3 and summary["articles"] == 5 and summary["preamble"] is True
    assert summary["split"] is True and summary["empty_articles"] == 0
    assert 0 < summary["largest_article_characters"] < summary["characters"]


# ---------------------------------------------------------------------------------------------
# No text is lost


def test_no_text_is_lost_in_the_fta():
    chapters = split_treaty_text(FTA)
    assert_nothing_lost(FTA, chapters)
    assert_identifiers_valid(chapters)


PIECES = [
    "Chapter {n}",
    "CHAPTER {n} GENERAL PROVISIONS",
    "Chapter {roman}: Trade in Goods",
    "Chapter Six",
    "Article {n}",
    "Article {n}.{m}: Definitions",
    "ARTICLE {n} SCOPE",
    "Art. {n}",
    "Article {n}.{m}",
    "Article {n} of this Agreement shall apply.",
    "Article {n}.{m}, paragraph 2, applies.",
    "Article {n} The Parties shall cooperate.",
    "第{n}条",
    "第{n}章 总则",
    "第三条规定的措施。",
    "Capítulo {n}",
    "Artículo {n}.- Objeto",
    "Definitions",
    "Scope and Coverage",
    "1. Each Party shall notify the other Party.",
    "(a) the measure; and",
    "",
    "",
    "",
    "   ",
    'The Parties recognise the importance of trade: 50% of GDP, §3 & "quotes" — ok?',
    "    indented text line with trailing spaces    ",
    "\t\ttabbed",
    "双方应当合作。",
    "TABLE OF CONTENTS",
    "Chapter {n} Title ........ {m}",
    "x" * 200,
    "Article " + "{n} " + "Long Title " * 20,
]


@pytest.mark.parametrize("seed", range(60))
def test_no_text_is_lost_in_random_documents(seed):
    rng = random.Random(seed)
    roman = ["I", "II", "IV", "VI", "IX", "XII", "XX"]
    lines = [
        rng.choice(PIECES).format(n=rng.randint(1, 12), m=rng.randint(1, 4), roman=rng.choice(roman))
        for _ in range(rng.randint(0, 80))
    ]
    text = ("\r\n" if seed % 7 == 0 else "\n").join(lines)
    chapters = split_treaty_text(text)
    assert_nothing_lost(text, chapters)
    assert_identifiers_valid(chapters)
    assert chapters and all(c.articles or c.label for c in chapters)
