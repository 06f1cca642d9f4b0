"""Split a treaty given as plain text or PDF into chapters and articles. No Django here.

Headings are recognised at the start of a line: "Chapter 6", "CHAPTER VI", "Chapter Six",
"第六章", "Capítulo 6"; "Article 6.3", "ARTICLE 12", "Art. 5", "第三条", "Artículo 5". A title may
follow on the same line or on the next short line. A line such as "Article 6.3 of this
Agreement shall apply" is a cross-reference, not a heading. Identifiers are the numbers as
written ("6.3"), made unique with the chapter number when articles restart in each chapter.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImportFailed


class TextImportError(ImportFailed, ValueError):
    pass


@dataclass
class ParsedArticle:
    identifier: str
    heading: str
    text: str


@dataclass
class ParsedChapter:
    identifier: str
    name: str
    articles: list = field(default_factory=list)


WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen twenty").split()
TENS = {"twenty": 20}
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

NUMBER = (r"(?P<num>\d+(?:\.\d+)*[A-Za-z]?|[IVXLC]+\b|"
          r"twenty[- ](?:one|two|three|four|five|six|seven|eight|nine)\b|[A-Za-z]+)")
CHAPTER_RE = re.compile(rf"^\s*(?:chapter|cap[ií]tulo)\s+{NUMBER}\s*(?P<rest>.*)$", re.IGNORECASE)
ARTICLE_RE = re.compile(r"^\s*(?:article|art\.|art[ií]culo)\s+(?P<num>\d+(?:\.\d+)*[A-Za-z]?|[IVXLC]+\b)\s*(?P<rest>.*)$", re.IGNORECASE)
CN_CHAPTER_RE = re.compile(r"^\s*第(?P<num>[0-9零〇一二两三四五六七八九十百]+)章\s*(?P<rest>.*)$")
CN_ARTICLE_RE = re.compile(r"^\s*第(?P<num>[0-9零〇一二两三四五六七八九十百]+)条\s*(?P<rest>.*)$")
# Words that continue a sentence: "Article 5 of this Agreement", "Article 5 shall apply".
CROSS_REFERENCE = re.compile(r"^(?:of|shall|and|or|to|in|the|as|is|are|may|does|do|above|below|apply|applies|"
                             r"paragraph|bis|with|on|for|by|that|which|,|;|\()\b", re.IGNORECASE)
MAX_HEADING = 150


def read_treaty_file(path):
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TextImportError(f"cannot read the file ({exc})", path=path) from exc
    if path.suffix.lower() == ".pdf" or raw.startswith(b"%PDF"):
        text = _pdf_text(path)
    else:
        if b"\x00" in raw[:4096]:
            raise TextImportError("this is not a text file (binary content)", path=path)
        for encoding in ("utf-8-sig", "gb18030", "latin-1"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if not text.strip():
        raise TextImportError("the file contains no text", path=path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_text(path):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise TextImportError(f"not a readable PDF ({exc})", path=path) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise TextImportError("the PDF has no text layer (a scan?): run OCR first", path=path)
    return text


def _roman(text):
    total, previous = 0, 0
    for char in reversed(text.lower()):
        value = ROMAN[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


def _chinese_number(text):
    if text.isdigit():
        return int(text)
    if "百" in text or "十" in text:
        total, current = 0, 0
        for char in text:
            if char == "百":
                total += (current or 1) * 100
                current = 0
            elif char == "十":
                total += (current or 1) * 10
                current = 0
            else:
                current = CN_DIGITS[char]
        return total + current
    return int("".join(str(CN_DIGITS[c]) for c in text))


def _number_words(text):
    words = re.split(r"[- ]", text.lower())
    if len(words) == 1 and words[0] in WORDS:
        return WORDS.index(words[0])
    if len(words) == 2 and words[0] in TENS and words[1] in WORDS[1:10]:
        return TENS[words[0]] + WORDS.index(words[1])
    return None


def _normalise(number):
    """'6', 'VI', 'Six' -> '6'; '6.3' stays; None when it is not a number."""
    if re.fullmatch(r"\d+(?:\.\d+)*[A-Za-z]?", number):
        return number
    if re.fullmatch(r"[IVXLCivxlc]+", number):
        return str(_roman(number))
    value = _number_words(number)
    return None if value is None else str(value)


def _title(rest):
    return re.sub(r"^[\s:.\-–—]+", "", rest).strip()


def _heading(line):
    """('chapter'|'article', identifier, title) or None."""
    stripped = line.strip()
    if not stripped or len(stripped) > MAX_HEADING:
        return None
    for kind, pattern, convert in (("chapter", CN_CHAPTER_RE, _chinese_number), ("article", CN_ARTICLE_RE, _chinese_number)):
        match = pattern.match(stripped)
        if match:
            return kind, str(convert(match["num"])), _title(match["rest"])
    for kind, pattern in (("chapter", CHAPTER_RE), ("article", ARTICLE_RE)):
        match = pattern.match(stripped)
        if not match:
            continue
        identifier = _normalise(match["num"])
        rest = match["rest"]
        if identifier is None or CROSS_REFERENCE.match(rest.lstrip(" :.-–—") if rest[:1] in ":.-–—" else rest):
            return None
        if rest and rest[:1].islower():
            return None
        return kind, identifier, _title(rest)
    return None


def split_treaty_text(text):
    lines = text.split("\n")
    chapters = []
    preamble, body = [], None
    current_chapter = None
    current_article = None
    pending_title_for = None

    def ensure_chapter():
        nonlocal current_chapter
        if current_chapter is None:
            current_chapter = ParsedChapter(identifier="main", name="")
            chapters.append(current_chapter)
        return current_chapter

    for line in lines:
        heading = _heading(line)
        if heading:
            kind, identifier, title = heading
            if kind == "chapter":
                current_chapter = ParsedChapter(identifier=identifier, name=title)
                chapters.append(current_chapter)
                current_article = None
            else:
                current_article = ParsedArticle(identifier=identifier, heading=title, text="")
                ensure_chapter().articles.append(current_article)
            body = True
            pending_title_for = (kind, current_chapter if kind == "chapter" else current_article) if not title else None
            continue
        stripped = line.strip()
        if pending_title_for and stripped:
            kind, target = pending_title_for
            pending_title_for = None
            if len(stripped) < 120 and not stripped.endswith((".", ";", ",")):
                if kind == "chapter":
                    target.name = stripped
                else:
                    target.heading = stripped
                continue
        if body is None:
            preamble.append(line)
        elif current_article is not None:
            current_article.text += line + "\n"
        elif stripped:  # text between a chapter heading and its first article
            intro = ParsedArticle(identifier=f"{current_chapter.identifier}-intro", heading="", text=line + "\n")
            current_chapter.articles.append(intro)
            current_article = intro

    preamble_text = _tidy("\n".join(preamble))
    if body is None:
        return [ParsedChapter(identifier="main", name="", articles=[ParsedArticle("1", "Full text", preamble_text)])]
    result = []
    if preamble_text:
        result.append(ParsedChapter("preamble", "Preamble", [ParsedArticle("preamble", "Preamble", preamble_text)]))
    for chapter in chapters:
        for article in chapter.articles:
            article.text = _tidy(article.text)
        result.append(chapter)
    _make_unique(result)
    return result


def _tidy(text):
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _make_unique(chapters):
    seen_chapters, seen_articles = set(), set()
    for chapter in chapters:
        base, n = chapter.identifier, 2
        while chapter.identifier in seen_chapters:
            chapter.identifier, n = f"{base}-{n}", n + 1
        seen_chapters.add(chapter.identifier)
    for chapter in chapters:
        for article in chapter.articles:
            if article.identifier in seen_articles and "." not in article.identifier:
                article.identifier = f"{chapter.identifier}.{article.identifier}"
            base, n = article.identifier, 2
            while article.identifier in seen_articles:
                article.identifier, n = f"{base}-{n}", n + 1
            seen_articles.add(article.identifier)


def split_summary(chapters):
    return {"chapters": len(chapters), "articles": sum(len(c.articles) for c in chapters)}
