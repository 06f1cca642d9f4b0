"""Recognising chapter and article headings at the start of a line. Pure: no Django.

  chapters  "Chapter 6", "CHAPTER VI", "Chapter Six", "Capítulo 6", "Chapitre 6", "第六章", "第6章"
  articles  "Article 6.3", "ARTICLE 12", "Art. 5", "Article 5 bis", "Artículo 5", "第三条", "第3条"
A title may follow on the same line ("Article 6.3: International Standards",
"Article 6.3 International Standards") or on the next non-empty line when that line is short and
reads like a title. A line such as "Article 6.3 of this Agreement shall apply" (the number followed
by a lowercase word, a comma, "(2)", ":2" ...) is a cross-reference, not a heading, and so is
"Article 29." when the line above stops in mid-sentence ("... laid down in").
"""

import re
from dataclasses import dataclass

from .numbers import WORD_NUMBER, chinese_number, roman_number, word_number

MAX_HEADING = 150  # a heading line is never longer (Chinese inline article text excepted)
MAX_TITLE_LINE = 120  # a title on the line after the heading is shorter than this

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
CROSS_REFERENCE_WORDS = {
    "of",
    "shall",
    "and",
    "or",
    "to",
    "in",
    "the",
    "as",
    "is",
    "are",
    "was",
    "were",
    "may",
    "must",
    "does",
    "do",
    "did",
    "above",
    "below",
    "apply",
    "applies",
    "paragraph",
    "with",
    "on",
    "for",
    "by",
    "that",
    "which",
    "not",
    "nor",
    "has",
    "have",
    "will",
    "would",
    "should",
    "be",
    "at",
    "from",
    "into",
    "under",
    "where",
    "if",
    "provided",
    "thereof",
    "hereof",
    "de",
    "del",
    "du",
    "des",
    "y",
    "et",
    "o",
    "ou",
}
# A title has no finite verb; text on a heading's line that has one is the article's first sentence.
VERBY = re.compile(
    r"\b(?:shall|may|must|will|should|would|is|are|was|were|be|been|has|have|had|apply|applies|"
    r"means|mean|agree|agrees|undertake|undertakes|recognise|recognize|affirm|reaffirm|"
    r"establish|constitutes?|consist|consists|includes?)\b"
)
SENTENCE_STARTERS = {
    "The",
    "Each",
    "A",
    "An",
    "Any",
    "No",
    "Nothing",
    "For",
    "This",
    "These",
    "Those",
    "Where",
    "If",
    "When",
    "Unless",
    "Subject",
    "Notwithstanding",
    "Without",
    "In",
    "With",
    "Upon",
    "All",
    "Neither",
    "Either",
    "Both",
    "Except",
    "To",
    "Such",
    "Its",
    "Their",
    "It",
    "They",
    "Pursuant",
    "Further",
    "Furthermore",
    "Moreover",
    "However",
    "As",
    "On",
    "At",
    "Within",
    "Having",
}
CN_CONTINUATION = tuple("的之中所规项款第和及与或至、，。；（(下上以而时")
SENTENCE_END = tuple(".;:,。；：，!?！？")
# Words a title does not end with, and a line wrapped in mid-sentence often does.
FUNCTION_WORDS = {
    "in",
    "to",
    "of",
    "and",
    "or",
    "the",
    "a",
    "an",
    "by",
    "under",
    "with",
    "for",
    "on",
    "at",
    "from",
    "pursuant",
    "per",
    "see",
    "than",
    "as",
    "that",
    "which",
    "referred",
    "provided",
    "accordance",
    "laid",
    "set",
    "out",
    "down",
    "including",
    "between",
    "into",
    "paragraph",
    "paragraphs",
    "subparagraph",
    "subparagraphs",
    "defined",
    "listed",
    "described",
    "contained",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "en",
    "y",
    "du",
    "des",
    "le",
    "les",
    "et",
}
ENUMERATION = re.compile(r"^(?:\(\s*[0-9A-Za-z]{1,5}\s*\)|[0-9]{1,3}(?:[.)](?!\d)|\s|$)|[a-z]{1,4}\)|[-•*·–—]\s)")


@dataclass
class Heading:
    kind: str  # "chapter" | "article"
    identifier: str
    title: str
    label: str
    inline_text: str = ""  # the start of the article's text, when it follows the heading on its line


def _first_word(text: str) -> str:
    match = re.match(r"[^\s,;:.()]+", text)
    return match.group(0) if match else ""


def _is_verby(text: str) -> bool:
    return bool(VERBY.search(text.lower() if text.isupper() else text))


def _sentence_like(text: str) -> bool:
    words = text.split()
    return (
        _is_verby(text)
        or (text.endswith(SENTENCE_END) and len(words) > 10)
        or (text.endswith((":", ";")) and len(words) >= 4)
    )


def parse_heading(line: str) -> Heading | None:
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


def _chinese_heading(match: re.Match[str]) -> Heading | None:
    kind = "chapter" if match["kind"] == "章" else "article"
    identifier = str(chinese_number(match["num"]))
    rest = match["rest"]
    label = match.group(0)[: len(match.group(0)) - len(rest)]
    if not rest.strip():
        return Heading(kind, identifier, "", label)
    if rest[0].isspace() or rest[0] in ":：、.．":
        body = re.sub(r"^[\s:：、.．]+", "", rest)
        label += rest[: len(rest) - len(body)]
    elif rest.startswith(CN_CONTINUATION):
        return None  # "第三条规定的……", "第三条第二款": a cross-reference
    else:
        body = rest
    body = body.rstrip()
    if len(body) <= 40 and not any(mark in body for mark in "。；，,;：:"):
        return Heading(kind, identifier, body, label.strip())
    if len(body) > MAX_HEADING and not (rest[0].isspace() or kind == "article"):
        return None
    return Heading(kind, identifier, "", label.strip(), inline_text=body)


def _latin_heading(match: re.Match[str]) -> Heading | None:
    if match["kw"][0].islower():
        return None  # "article 5 ..." in lower case continues a sentence; "capítulo 03" of the HS
    kind = "chapter" if match["chapter"] else "article"
    if match["digits"]:
        number = re.sub(r"\s+", "", match["digits"]).replace("–", "-")
        number = re.sub(r"\.?[º°ª]$", "", number)
        identifier = str(int(number)) if kind == "chapter" and number.isdigit() else number
    elif match["roman"]:
        value = roman_number(match["roman"])
        if value is None:
            return None
        identifier = str(value) if kind == "chapter" else match["roman"]
    else:
        value = word_number(match["word"])
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
    body = rest[separator.end() :] if separator else rest.lstrip()
    label += rest[: len(rest) - len(body)]
    body = body.strip()
    label = label.strip()
    if not body:
        return Heading(kind, identifier, "", label)
    first = _first_word(body)
    if not separator:
        if body[0] in ",;" or body[0].islower():
            return None  # "Article 5, paragraph 2", "Article 6.3 of this Agreement shall apply"
        if body[0] == "(" and (
            not re.fullmatch(r"\([^()]*\)", body)
            or re.match(r"\(\s*[0-9ivxa-z]{1,5}\s*\)", body)
            or not rest[:1].isspace()
        ):
            return None  # "Article 5(2)", "Article 5 (a)", "Article 9.2 (Working Group) of Annex 2-C"
    if LATIN_HEADING.match(body):
        return None  # "Article 2 Article 3 Article 4": a list of articles
    elif first.lower() in CROSS_REFERENCE_WORDS and body[0].islower():
        return None
    if _sentence_like(body):
        if separator or first in SENTENCE_STARTERS:
            return Heading(kind, identifier, "", label, inline_text=body)
        return None  # "Article 2 GATT 1994 shall apply": a sentence, not a heading
    if body.endswith((",", ";")) or _last_word(body) in FUNCTION_WORDS:
        return None  # "Article 9.3 (Working Group); and", "Article 14.12 (Review of ... after the"
    if body.endswith(".") and not separator:
        return None  # "Article 10 ELV of the Paris Convention."
    return Heading(kind, identifier, body, label)


def _last_word(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", text)
    return words[-1] if words else ""


def continues_sentence(previous: str) -> bool:
    """Whether `previous`, the line just above a heading, stops mid-sentence ("... laid down in"), so
    that the "heading" is a cross-reference wrapped onto the start of a line."""
    text = previous.strip()
    if not text or not (text[-1].islower() or text[-1] in ",(-–"):
        return False
    if text[-1] in ",(-–" or _last_word(text) in FUNCTION_WORDS:
        return True
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(text) >= 40 and sum(w[0].isupper() for w in words) < len(words) / 2


def looks_like_title(line: str) -> bool:
    """Whether the line after a bare heading is its title rather than the first line of text."""
    text = line.strip()
    if not text or len(text) >= MAX_TITLE_LINE or text.endswith(SENTENCE_END) or "。" in text:
        return False
    if text[0].islower() or ENUMERATION.match(text) or _is_verby(text):
        return False
    words = text.split()
    return not (words[0] in SENTENCE_STARTERS and len(words) >= 4)
