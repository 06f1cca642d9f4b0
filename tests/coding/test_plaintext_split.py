"""Splitting plain-text treaties into chapters and articles (pure, no database)."""
import re

import pytest

from coding.importers.plaintext import TextImportError, read_treaty_file, split_treaty_text

FTA = """FREE TRADE AGREEMENT BETWEEN A AND B

The Parties, recognising their friendship, agree as follows:

CHAPTER 1 INITIAL PROVISIONS

Article 1.1: Establishment of a Free Trade Area
The Parties hereby establish a free trade area.

Article 1.2
Definitions
For the purposes of this Agreement, Party means A or B.

Chapter VI
Technical Barriers to Trade

Article 6.3 International Standards
Each Party shall use relevant international standards.
Article 6.3 of this Agreement shall apply to conformity assessment as well.
Article 2 shall not apply.
"""


def structure(chapters):
    return [(c.identifier, c.name, [(a.identifier, a.heading) for a in c.articles]) for c in chapters]


def test_headings_titles_and_cross_references():
    chapters = split_treaty_text(FTA)
    assert structure(chapters) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("1", "INITIAL PROVISIONS", [("1.1", "Establishment of a Free Trade Area"), ("1.2", "Definitions")]),
        ("6", "Technical Barriers to Trade", [("6.3", "International Standards")]),
    ]
    article = chapters[2].articles[0]
    assert "Article 6.3 of this Agreement shall apply" in article.text and "Article 2 shall not apply." in article.text


def test_articles_restarting_per_chapter_get_chapter_prefix():
    text = "Chapter One General\nArticle 1 Scope\nscope text\nChapter Two Goods\nArticle 1 Tariffs\ntariff text\n"
    chapters = split_treaty_text(text)
    assert [(c.identifier, [a.identifier for a in c.articles]) for c in chapters] == [("1", ["1"]), ("2", ["2.1"])]


def test_chinese_and_spanish_headings():
    chinese = "第一章 总则\n第一条 目的\n本协定的目的是……\n第十二章 技术性贸易壁垒\n第二十三条 国际标准\n双方应使用国际标准。\n"
    assert structure(split_treaty_text(chinese)) == [
        ("1", "总则", [("1", "目的")]), ("12", "技术性贸易壁垒", [("23", "国际标准")])]
    spanish = "Capítulo 3\nArtículo 5: Normas\nTexto.\n"
    assert structure(split_treaty_text(spanish)) == [("3", "", [("5", "Normas")])]


def test_unsplittable_text_is_one_article():
    [chapter] = split_treaty_text("No headings at all.\nJust text.")
    assert chapter.identifier == "main" and [(a.identifier, a.heading) for a in chapter.articles] == [("1", "Full text")]


def test_no_text_is_lost():
    chapters = split_treaty_text(FTA)
    rebuilt = " ".join(f"{c.identifier} {c.name} " + " ".join(f"{a.identifier} {a.heading} {a.text}" for a in c.articles) for c in chapters)
    squeeze = lambda s: re.sub(r"[\s:.]", "", s).replace("CHAPTER", "").replace("Chapter", "").replace("Article", "")
    for word in re.findall(r"[A-Za-z]{4,}", FTA):
        if word not in {"CHAPTER", "Chapter", "Article"}:
            assert word in rebuilt, word
    assert len(squeeze(rebuilt)) >= len(squeeze(FTA)) * 0.9


def test_pdf_round_trip(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(8.5, 11))
    for index, line in enumerate(["Chapter 6 Technical Barriers to Trade", "Article 6.1 Scope",
                                  "This Chapter applies to technical regulations.", "Article 6.2 International Standards",
                                  "Each Party shall use international standards."]):
        figure.text(0.1, 0.9 - index * 0.04, line, fontsize=11)
    path = tmp_path / "treaty.pdf"
    figure.savefig(path)
    plt.close(figure)
    chapters = split_treaty_text(read_treaty_file(path))
    assert [a.identifier for c in chapters for a in c.articles] == ["6.1", "6.2"]


def test_bad_files_name_the_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    with pytest.raises(TextImportError, match="empty.txt.*no text"):
        read_treaty_file(empty)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(TextImportError, match="blob.txt.*binary"):
        read_treaty_file(binary)
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(TextImportError, match="scan.pdf"):
        read_treaty_file(fake)
