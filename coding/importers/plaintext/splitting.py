"""Splitting a treaty's text into chapters and articles, in document order. Pure: no Django.

Identifiers are stable and meaningful: a chapter's is its number in arabic digits ("VI" -> "6"),
an article's is its number as written ("6.3", "12", "IV"; Chinese and word numbers in arabic
digits). When numbering restarts in each chapter ("Article 1" in every chapter) every article of a
numbered chapter is prefixed with its chapter ("6.1"); identifiers that still collide (OCR
duplicates) get "-2", "-3". Text before the first heading is the "preamble" chapter (a table of
contents listing the same headings as the body is kept there too), articles outside any chapter
go into chapter "main", text between a chapter heading and its first article is the article
"<chapter>-intro" ("chapter-<n>" when the chapter has no article headings at all), and a text with
no headings is one chapter "main" holding one article "1". A chapter heading repeated under its
own chapter (a running page header) is text. No text is dropped: only the heading markers
themselves ("Article 6.3:") leave the text, and they are kept in `label`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .headings import Heading, continues_sentence, looks_like_title, parse_heading

MAX_IDENTIFIER = 40  # Chapter.identifier and Article.identifier are CharField(max_length=40)


@dataclass
class ParsedArticle:
    identifier: str
    heading: str
    text: str
    label: str = ""  # the heading marker as written, e.g. "Article 6.3:" or "第三条"
    line: int = 0  # 1-based line of the heading in the text (0: none, e.g. the preamble)
    number: str = ""  # the number as readers cite it ("6.3", "3"), before any chapter prefix


@dataclass
class ParsedChapter:
    identifier: str
    name: str
    articles: list[ParsedArticle] = field(default_factory=list)
    label: str = ""
    line: int = 0


@dataclass
class _Block:
    heading: Heading
    start: int  # index of the heading line
    body: list[str] = field(default_factory=list)


def split_treaty_text(text: str) -> list[ParsedChapter]:
    """Chapters (ParsedChapter) with their articles (ParsedArticle), in document order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, blocks = _scan(lines)
    toc_end = _table_of_contents_end(blocks)
    if toc_end is not None:  # the table of contents stays with the front matter, as text
        front, blocks = lines[: blocks[toc_end + 1].start], blocks[toc_end + 1 :]

    preamble = _tidy(front)
    if not blocks:
        return [ParsedChapter("main", "", [ParsedArticle("1", "Full text", preamble)])]
    chapters = (
        [ParsedChapter("preamble", "Preamble", [ParsedArticle("preamble", "Preamble", preamble)])] if preamble else []
    )
    intros: dict[int, str] = {}  # id(chapter) -> its text before the first article
    current: ParsedChapter | None = None
    for block in blocks:
        heading, line_no = block.heading, block.start + 1
        if heading.kind == "chapter":
            current = ParsedChapter(heading.identifier, heading.title, [], heading.label, line_no)
            chapters.append(current)
            intros[id(current)] = _tidy(block.body)
            continue
        if current is None:
            current = ParsedChapter("main", "", [])
            chapters.append(current)
        current.articles.append(
            ParsedArticle(
                heading.identifier, heading.title, _tidy(block.body), heading.label, line_no, number=heading.identifier
            )
        )
    _assign_identifiers(chapters, intros)
    return chapters


def _scan(lines: list[str]) -> tuple[list[str], list[_Block]]:
    """Lines before the first heading, and the headings each with the lines of its body."""
    front: list[str] = []
    blocks: list[_Block] = []
    current_chapter = None
    heading_lines: set[int] = set()  # heading lines and the title lines they took
    i = 0
    while i < len(lines):
        heading = parse_heading(lines[i])
        if heading and heading.kind == "chapter" and heading.identifier == current_chapter:
            heading = None  # the chapter's heading repeated as a running page header: text
        if (
            heading
            and i > 0
            and i - 1 not in heading_lines
            and not heading.label.startswith("第")
            and continues_sentence(lines[i - 1])
        ):
            heading = None  # "... in accordance with\nArticle 29." : a wrapped cross-reference
        if heading is None:
            (blocks[-1].body if blocks else front).append(lines[i])
            i += 1
            continue
        block = _Block(heading, i)
        blocks.append(block)
        heading_lines.add(i)
        i += 1
        if heading.kind == "chapter":
            current_chapter = heading.identifier
        if heading.inline_text:
            block.body.append(heading.inline_text)
        elif not heading.title:
            following = _next_non_empty(lines, i)
            if following is not None and parse_heading(lines[following]) is None and looks_like_title(lines[following]):
                heading.title = lines[following].strip()
                heading_lines.add(following)
                i = following + 1
        elif heading.kind == "chapter" and heading.title.isupper():
            # A long upper-case chapter title wrapped onto the next line(s).
            while (
                i < len(lines)
                and lines[i].strip()
                and lines[i].strip().isupper()
                and len(heading.title) < 200
                and parse_heading(lines[i]) is None
                and looks_like_title(lines[i])
            ):
                heading.title += " " + lines[i].strip()
                heading_lines.add(i)
                i += 1
    return front, blocks


def _next_non_empty(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


def _is_contents_line(line: str) -> bool:
    """Blank, or a line a table of contents has besides headings ("Annex 2-A ..... 9", "12")."""
    text = line.strip()
    return (
        not text
        or bool(re.search(r"(?:\.\s?){3,}\s*[\w-]*$", text))  # dot leaders
        or bool(re.fullmatch(r"[\dIVXLCivxlc\-–]{1,8}", text))
        or looks_like_title(text)
    )


def _table_of_contents_end(blocks: list[_Block]) -> int | None:
    """Index of the last heading of a table of contents at the start, or None.

    A table of contents is a run of at least three headings with nothing but titles, dot leaders
    and page numbers under them (the last may be followed by the preamble), every one of which
    appears again later as a heading."""
    keys = [(b.heading.kind, b.heading.identifier) for b in blocks]
    last_seen: dict[tuple[str, str], int] = {}
    for index, key in enumerate(keys):
        last_seen[key] = index
    best, earliest_last = None, len(blocks)
    for j, key in enumerate(keys):
        if j > 0 and not all(_is_contents_line(line) for line in blocks[j - 1].body):
            break
        earliest_last = min(earliest_last, last_seen[key])
        if earliest_last <= j:
            break
        if j >= 2:
            best = j
    return best


def _tidy(lines: Sequence[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


def _assign_identifiers(chapters: list[ParsedChapter], intros: dict[int, str]) -> None:
    seen: set[str] = set()
    for chapter in chapters:  # a chapter number seen before gets "-2" ("6", "6-2")
        chapter.identifier = _unique(chapter.identifier[: MAX_IDENTIFIER - 4], seen)

    numbered = [c for c in chapters if c.identifier not in ("preamble", "main")]
    if _numbering_restarts(numbered):
        for chapter in numbered:
            for article in chapter.articles:
                if not article.identifier.startswith(f"{chapter.identifier}."):
                    article.identifier = f"{chapter.identifier}.{article.identifier}"

    for chapter in numbered:
        intro = intros.get(id(chapter))
        if intro:
            identifier = f"{chapter.identifier}-intro" if chapter.articles else f"chapter-{chapter.identifier}"
            chapter.articles.insert(0, ParsedArticle(identifier, chapter.name, intro, chapter.label, chapter.line))

    seen = set()
    for chapter in chapters:
        for article in chapter.articles:
            article.identifier = _unique(article.identifier[: MAX_IDENTIFIER - 4], seen)


def _numbering_restarts(chapters: list[ParsedChapter]) -> bool:
    """Whether article numbers start again in each chapter ("Article 1" in chapters 1 and 2)."""
    seen: set[str] = set()
    shared: set[str] = set()
    for chapter in chapters:
        ids = [a.identifier for a in chapter.articles]
        if ids and ids[0] in seen:
            return True
        shared |= seen & set(ids)
        seen |= set(ids)
    return len(shared) >= 2


def _unique(identifier: str, seen: set[str]) -> str:
    candidate, n = identifier, 2
    while candidate in seen:
        candidate, n = f"{identifier}-{n}", n + 1
    seen.add(candidate)
    return candidate


def split_summary(chapters: list[ParsedChapter]) -> dict[str, Any]:
    """Counts for a report: chapters, articles, characters of text, and what looks off."""
    articles = [a for c in chapters for a in c.articles]
    return {
        "chapters": len(chapters),
        "articles": len(articles),
        "characters": sum(len(a.text) for a in articles),
        "largest_article_characters": max((len(a.text) for a in articles), default=0),
        "empty_articles": sum(1 for a in articles if not a.text),
        "preamble": any(c.identifier == "preamble" for c in chapters),
        "split": not (
            len(chapters) == 1
            and len(articles) == 1
            and articles[0].heading == "Full text"
            and chapters[0].identifier == "main"
        ),
    }
