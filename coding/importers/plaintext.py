"""Split a treaty given as plain text or PDF into chapters and articles. No Django here.

Headings are recognised at the start of a line:
  chapters  "Chapter 6", "CHAPTER VI", "Chapter Six", "Capítulo 6", "Chapitre 6", "第六章", "第6章"
  articles  "Article 6.3", "ARTICLE 12", "Art. 5", "Article 5 bis", "Artículo 5", "第三条", "第3条"
A title may follow on the same line ("Article 6.3: International Standards",
"Article 6.3 International Standards") or on the next non-empty line when that line is short and
reads like a title. A line such as "Article 6.3 of this Agreement shall apply" (the number followed
by a lowercase word, a comma, "(2)", ":2" ...) is a cross-reference, not a heading, and so is
"Article 29." when the line above stops in mid-sentence ("... laid down in"). A chapter heading
repeated under its own chapter (a running page header) is text.

Identifiers are stable and meaningful: a chapter's is its number in arabic digits ("VI" -> "6"),
an article's is its number as written ("6.3", "12", "IV"; Chinese and word numbers in arabic
digits). When numbering restarts in each chapter ("Article 1" in every chapter) every article of a
numbered chapter is prefixed with its chapter ("6.1"); identifiers that still collide (OCR
duplicates) get "-2", "-3". Text before the first heading is the "preamble" chapter (a table of
contents listing the same headings as the body is kept there too), articles outside any chapter
go into chapter "main", text between a chapter heading and its first article is the article
"<chapter>-intro" ("chapter-<n>" when the chapter has no article headings at all), and a text with
no headings is one chapter "main" holding one article "1". No text is dropped: only the heading
markers themselves ("Article 6.3:") leave the text, and they are kept in `label`.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImportFailed

MAX_HEADING = 150  # a heading line is never longer (Chinese inline article text excepted)
MAX_TITLE_LINE = 120  # a title on the line after the heading is shorter than this
MAX_IDENTIFIER = 40  # Chapter.identifier and Article.identifier are CharField(max_length=40)


class TextImportError(ImportFailed, ValueError):
    """The file cannot be read as a treaty text. The message starts with the file's path."""

    def __init__(self, message, *, path=None, line=None):
        super().__init__(message, path=path, line=line)


@dataclass
class ParsedArticle:
    identifier: str
    heading: str
    text: str
    label: str = ""  # the heading marker as written, e.g. "Article 6.3:" or "第三条"
    line: int = 0  # 1-based line of the heading in the text (0: none, e.g. the preamble)


@dataclass
class ParsedChapter:
    identifier: str
    name: str
    articles: list = field(default_factory=list)
    label: str = ""
    line: int = 0


# ---------------------------------------------------------------------------------------------
# Reading files


def read_treaty_file(path):
    """The text of a .txt (UTF-8, UTF-16 with BOM, else cp1252/latin-1) or .pdf file, with "\\n"
    line ends and NFC-normalised characters. Raises TextImportError naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TextImportError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    if not raw.strip():
        raise TextImportError("the file is empty: it contains no text", path=path)
    if path.suffix.lower() == ".pdf" or raw[:1024].lstrip().startswith(b"%PDF"):
        text = _pdf_text(path, raw)
    else:
        text = _decode(path, raw)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise TextImportError("the file contains no text", path=path)
    return text


def _decode(path, raw):
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_not_binary(path, raw.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw[:8192]:
        raise TextImportError("this is not a text file (binary content); expected .txt or .pdf", path=path)
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return _check_not_binary(path, raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _check_not_binary(path, text):
    sample = text[:20000]
    control = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if control > max(2, len(sample) // 100):
        raise TextImportError("this is not a text file (binary content); expected .txt or .pdf", path=path)
    return text


def _pdf_text(path, raw):
    if not raw[:1024].lstrip().startswith(b"%PDF"):
        raise TextImportError("not a PDF file (no %PDF header)", path=path)
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # pypdf raises many kinds on damaged content streams
                raise TextImportError(f"cannot extract the text of page {number} ({type(exc).__name__}: {exc})", path=path) from exc
    except TextImportError:
        raise
    except Exception as exc:  # a damaged, truncated or encrypted PDF
        raise TextImportError(f"not a readable PDF ({type(exc).__name__}: {exc})", path=path) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise TextImportError(
            f"the PDF ({len(pages)} page(s)) has no extractable text: scanned PDF without a text layer? run OCR first",
            path=path,
        )
    return text


# ---------------------------------------------------------------------------------------------
# Numbers

WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
SPANISH_ORDINALS = {"primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3, "tercera": 3,
                    "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5, "sexto": 6, "sexta": 6, "séptimo": 7,
                    "septimo": 7, "séptima": 7, "octavo": 8, "octava": 8, "noveno": 9, "novena": 9,
                    "décimo": 10, "decimo": 10, "décima": 10}
WORD_NUMBER = (r"twenty(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|"
               + "|".join(sorted(WORDS + list(SPANISH_ORDINALS), key=len, reverse=True)))
ROMAN_VALUES = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _word_number(word):
    word = re.sub(r"[\s-]+", " ", word.lower())
    if word in SPANISH_ORDINALS:
        return SPANISH_ORDINALS[word]
    if word in WORDS:
        return WORDS.index(word) + 1
    if word.startswith("twenty"):
        rest = word[len("twenty"):].strip()
        return 20 + (WORDS.index(rest) + 1 if rest else 0)
    return None


def _to_roman(value):
    out = ""
    for amount, letters in ROMAN_VALUES:
        while value >= amount:
            out, value = out + letters, value - amount
    return out


def _roman_number(text):
    """'VI' -> 6; None unless it is a well-formed roman numeral up to 399 ('CIVIL' is not)."""
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = previous = 0
    for char in reversed(text):
        value = values[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    if text in ("C", "L"):  # "Chapter C", "Annex L": a letter, not 100 or 50
        return None
    return total if 0 < total < 400 and _to_roman(total) == text else None


def _chinese_number(text):
    """'二十三' -> 23, '一百零二' -> 102, '一〇二' -> 102, '12' / '１２' -> 12."""
    if text.isdigit():
        return int(text)
    if not any(char in CN_UNITS for char in text):
        return int("".join(str(CN_DIGITS[char]) for char in text))
    total = current = 0
    for char in text:
        if char in CN_UNITS:
            total += (current or 1) * CN_UNITS[char]
            current = 0
        else:
            current = CN_DIGITS[char]
    return total + current


# ---------------------------------------------------------------------------------------------
# Headings

DIGITS = r"\d+(?:[.\-–]\d+)*(?:\s?(?:bis|ter|quater|quinquies|sexies))?(?:[A-Za-z](?![A-Za-z]))?(?:\.?[º°ª])?"
LATIN_HEADING = re.compile(
    r"^(?P<kw>(?P<chapter>chapter|chapitre|cap[ií]tulo)|article|art[ií]culo|art\.)"
    rf"(?:\s*(?P<digits>{DIGITS})|\s+(?P<roman>(?-i:[IVXLC]+))\b|\s+(?P<word>{WORD_NUMBER})\b)"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
CN_HEADING = re.compile(r"^第\s*(?P<num>[\d零〇○一二两兩三四五六七八九十百千]+)\s*(?P<kind>章|条|條)(?P<rest>.*)$")
SEPARATOR = re.compile(r"^\s*[:.\-–—]+\s*")
# Words after "Article 5" that continue a sentence: "Article 5 of this Agreement", "Article 5 shall".
CROSS_REFERENCE_WORDS = {"of", "shall", "and", "or", "to", "in", "the", "as", "is", "are", "was", "were", "may",
                         "must", "does", "do", "did", "above", "below", "apply", "applies", "paragraph", "with",
                         "on", "for", "by", "that", "which", "not", "nor", "has", "have", "will", "would",
                         "should", "be", "at", "from", "into", "under", "where", "if", "provided", "thereof",
                         "hereof", "de", "del", "du", "des", "y", "et", "o", "ou"}
# A title has no finite verb; text on a heading's line that has one is the article's first sentence.
VERBY = re.compile(r"\b(?:shall|may|must|will|should|would|is|are|was|were|be|been|has|have|had|apply|applies|"
                   r"means|mean|agree|agrees|undertake|undertakes|recognise|recognize|affirm|reaffirm|"
                   r"establish|constitutes?|consist|consists|includes?)\b")
SENTENCE_STARTERS = {"The", "Each", "A", "An", "Any", "No", "Nothing", "For", "This", "These", "Those", "Where",
                     "If", "When", "Unless", "Subject", "Notwithstanding", "Without", "In", "With", "Upon", "All",
                     "Neither", "Either", "Both", "Except", "To", "Such", "Its", "Their", "It", "They", "Pursuant",
                     "Further", "Furthermore", "Moreover", "However", "As", "On", "At", "Within", "Having"}
CN_CONTINUATION = tuple("的之中所规项款第和及与或至、，。；（(下上以而时")
SENTENCE_END = tuple(".;:,。；：，!?！？")
# Words a title does not end with, and a line wrapped in mid-sentence often does.
FUNCTION_WORDS = {"in", "to", "of", "and", "or", "the", "a", "an", "by", "under", "with", "for", "on", "at",
                  "from", "pursuant", "per", "see", "than", "as", "that", "which", "referred", "provided",
                  "accordance", "laid", "set", "out", "down", "including", "between", "into", "paragraph",
                  "paragraphs", "subparagraph", "subparagraphs", "defined", "listed", "described", "contained",
                  "de", "del", "la", "el", "los", "las", "en", "y", "du", "des", "le", "les", "et"}
ENUMERATION = re.compile(r"^(?:\(\s*[0-9A-Za-z]{1,5}\s*\)|[0-9]{1,3}(?:[.)](?!\d)|\s|$)|[a-z]{1,4}\)|[-•*·–—]\s)")


@dataclass
class _Heading:
    kind: str  # "chapter" | "article"
    identifier: str
    title: str
    label: str
    inline_text: str = ""  # the start of the article's text, when it follows the heading on its line


def _first_word(text):
    match = re.match(r"[^\s,;:.()]+", text)
    return match.group(0) if match else ""


def _is_verby(text):
    return bool(VERBY.search(text.lower() if text.isupper() else text))


def _sentence_like(text):
    words = text.split()
    return (_is_verby(text) or (text.endswith(SENTENCE_END) and len(words) > 10)
            or (text.endswith((":", ";")) and len(words) >= 4))


def parse_heading(line):
    """The chapter or article heading that `line` is, or None (prose, a cross-reference)."""
    stripped = line.strip()
    if not stripped:
        return None
    match = CN_HEADING.match(stripped)
    if match:
        return _chinese_heading(match)
    if len(stripped) > MAX_HEADING:
        return None
    match = LATIN_HEADING.match(stripped)
    if match:
        return _latin_heading(match)
    return None


def _chinese_heading(match):
    kind = "chapter" if match["kind"] == "章" else "article"
    identifier = str(_chinese_number(match["num"]))
    rest = match["rest"]
    label = match.group(0)[: len(match.group(0)) - len(rest)]
    if not rest.strip():
        return _Heading(kind, identifier, "", label)
    if rest[0].isspace() or rest[0] in ":：、.．":
        body = re.sub(r"^[\s:：、.．]+", "", rest)
        label += rest[: len(rest) - len(body)]
    elif rest.startswith(CN_CONTINUATION):
        return None  # "第三条规定的……", "第三条第二款": a cross-reference
    else:
        body = rest
    body = body.rstrip()
    if len(body) <= 40 and not any(mark in body for mark in "。；，,;：:"):
        return _Heading(kind, identifier, body, label.strip())
    if len(body) > MAX_HEADING and not (rest[0].isspace() or kind == "article"):
        return None
    return _Heading(kind, identifier, "", label.strip(), inline_text=body)


def _latin_heading(match):
    if match["kw"][0].islower():
        return None  # "article 5 ..." in lower case continues a sentence; "capítulo 03" of the HS
    kind = "chapter" if match["chapter"] else "article"
    if match["digits"]:
        number = re.sub(r"\s+", "", match["digits"]).replace("–", "-")
        number = re.sub(r"\.?[º°ª]$", "", number)
        identifier = str(int(number)) if kind == "chapter" and number.isdigit() else number
    elif match["roman"]:
        value = _roman_number(match["roman"])
        if value is None:
            return None
        identifier = str(value) if kind == "chapter" else match["roman"]
    else:
        value = _word_number(match["word"])
        if value is None:
            return None
        identifier = str(value)
    rest = match["rest"]
    if rest[:1].isalnum():
        return None  # "Article 12Each": not a clean number
    if re.match(r"^:\d", rest):
        return None  # "Article III:2 of GATT 1994": a paragraph of a cited article
    label = match.group(0)[: len(match.group(0)) - len(rest)]
    separator = SEPARATOR.match(rest)
    body = rest[separator.end():] if separator else rest.lstrip()
    label += rest[: len(rest) - len(body)]
    body = body.strip()
    label = label.strip()
    if not body:
        return _Heading(kind, identifier, "", label)
    first = _first_word(body)
    if not separator:
        if body[0] in ",;" or body[0].islower():
            return None  # "Article 5, paragraph 2", "Article 6.3 of this Agreement shall apply"
        if body[0] == "(" and (not re.fullmatch(r"\([^()]*\)", body) or re.match(r"\(\s*[0-9ivxa-z]{1,5}\s*\)", body)
                               or not rest[:1].isspace()):
            return None  # "Article 5(2)", "Article 5 (a)", "Article 9.2 (Working Group) of Annex 2-C"
    if LATIN_HEADING.match(body):
        return None  # "Article 2 Article 3 Article 4": a list of articles
    elif first.lower() in CROSS_REFERENCE_WORDS and body[0].islower():
        return None
    if _sentence_like(body):
        if separator or first in SENTENCE_STARTERS:
            return _Heading(kind, identifier, "", label, inline_text=body)
        return None  # "Article 2 GATT 1994 shall apply": a sentence, not a heading
    if body.endswith((",", ";")) or _last_word(body) in FUNCTION_WORDS:
        return None  # "Article 9.3 (Working Group); and", "Article 14.12 (Review of ... after the"
    if body.endswith(".") and not separator:
        return None  # "Article 10 ELV of the Paris Convention."
    return _Heading(kind, identifier, body, label)


def _last_word(text):
    words = re.findall(r"[^\W\d_]+", text)
    return words[-1] if words else ""


def _continues_sentence(previous):
    """Whether `previous`, the line just above a heading, stops mid-sentence ("... laid down in"), so
    that the "heading" is a cross-reference wrapped onto the start of a line."""
    text = previous.strip()
    if not text or not (text[-1].islower() or text[-1] in ",(-–"):
        return False
    if text[-1] in ",(-–" or _last_word(text) in FUNCTION_WORDS:
        return True
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(text) >= 40 and sum(w[0].isupper() for w in words) < len(words) / 2


def _looks_like_title(line):
    """Whether the line after a bare heading is its title rather than the first line of text."""
    text = line.strip()
    if not text or len(text) >= MAX_TITLE_LINE or text.endswith(SENTENCE_END) or "。" in text:
        return False
    if text[0].islower() or ENUMERATION.match(text) or _is_verby(text):
        return False
    words = text.split()
    return not (words[0] in SENTENCE_STARTERS and len(words) >= 4)


# ---------------------------------------------------------------------------------------------
# Splitting


@dataclass
class _Block:
    heading: _Heading
    start: int  # index of the heading line
    body: list = field(default_factory=list)


def split_treaty_text(text):
    """Chapters (ParsedChapter) with their articles (ParsedArticle), in document order."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, blocks = _scan(lines)
    toc_end = _table_of_contents_end(blocks)
    if toc_end is not None:  # the table of contents stays with the front matter, as text
        front, blocks = lines[: blocks[toc_end + 1].start], blocks[toc_end + 1:]

    preamble = _tidy(front)
    if not blocks:
        return [ParsedChapter("main", "", [ParsedArticle("1", "Full text", preamble)])]
    chapters = [ParsedChapter("preamble", "Preamble", [ParsedArticle("preamble", "Preamble", preamble)])] if preamble else []
    intros = {}  # id(chapter) -> its text before the first article
    current = None
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
        current.articles.append(ParsedArticle(heading.identifier, heading.title, _tidy(block.body), heading.label, line_no))
    _assign_identifiers(chapters, intros)
    return chapters


def _scan(lines):
    """Lines before the first heading, and the headings each with the lines of its body."""
    front, blocks = [], []
    current_chapter = None
    heading_lines = set()  # heading lines and the title lines they took
    i = 0
    while i < len(lines):
        heading = parse_heading(lines[i])
        if heading and heading.kind == "chapter" and heading.identifier == current_chapter:
            heading = None  # the chapter's heading repeated as a running page header: text
        if (heading and i > 0 and i - 1 not in heading_lines and not heading.label.startswith("第")
                and _continues_sentence(lines[i - 1])):
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
            if following is not None and parse_heading(lines[following]) is None and _looks_like_title(lines[following]):
                heading.title = lines[following].strip()
                heading_lines.add(following)
                i = following + 1
        elif heading.kind == "chapter" and heading.title.isupper():
            # A long upper-case chapter title wrapped onto the next line(s).
            while (i < len(lines) and lines[i].strip() and lines[i].strip().isupper() and len(heading.title) < 200
                   and parse_heading(lines[i]) is None and _looks_like_title(lines[i])):
                heading.title += " " + lines[i].strip()
                heading_lines.add(i)
                i += 1
    return front, blocks


def _next_non_empty(lines, i):
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


def _is_contents_line(line):
    """Blank, or a line a table of contents has besides headings ("Annex 2-A ..... 9", "12")."""
    text = line.strip()
    return (not text or bool(re.search(r"(?:\.\s?){3,}\s*[\w-]*$", text))  # dot leaders
            or bool(re.fullmatch(r"[\dIVXLCivxlc\-–]{1,8}", text)) or _looks_like_title(text))


def _table_of_contents_end(blocks):
    """Index of the last heading of a table of contents at the start, or None.

    A table of contents is a run of at least three headings with nothing but titles, dot leaders
    and page numbers under them (the last may be followed by the preamble), every one of which
    appears again later as a heading."""
    keys = [(b.heading.kind, b.heading.identifier) for b in blocks]
    last_seen = {}
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


def _tidy(lines):
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


def _assign_identifiers(chapters, intros):
    seen = set()
    for chapter in chapters:  # a chapter number seen before gets "-2" ("6", "6-2")
        chapter.identifier = _unique(chapter.identifier[:MAX_IDENTIFIER - 4], seen)

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
            article.identifier = _unique(article.identifier[:MAX_IDENTIFIER - 4], seen)


def _numbering_restarts(chapters):
    """Whether article numbers start again in each chapter ("Article 1" in chapters 1 and 2)."""
    seen, shared = set(), set()
    for chapter in chapters:
        ids = [a.identifier for a in chapter.articles]
        if ids and ids[0] in seen:
            return True
        shared |= seen & set(ids)
        seen |= set(ids)
    return len(shared) >= 2


def _unique(identifier, seen):
    candidate, n = identifier, 2
    while candidate in seen:
        candidate, n = f"{identifier}-{n}", n + 1
    seen.add(candidate)
    return candidate


def split_summary(chapters):
    """Counts for a report: chapters, articles, characters of text, and what looks off."""
    articles = [a for c in chapters for a in c.articles]
    return {
        "chapters": len(chapters),
        "articles": len(articles),
        "characters": sum(len(a.text) for a in articles),
        "largest_article_characters": max((len(a.text) for a in articles), default=0),
        "empty_articles": sum(1 for a in articles if not a.text),
        "preamble": any(c.identifier == "preamble" for c in chapters),
        "split": not (len(chapters) == 1 and len(articles) == 1 and articles[0].heading == "Full text"
                      and chapters[0].identifier == "main"),
    }
