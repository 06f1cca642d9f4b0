"""An article's own number as a reader cites it, and the labels evidence shows. Pure: no Django.

ToTA writes `number="ARTICLE 4.3"`, `"ARTÍCULO 4-3"`, `"ARTICLE TWENTY-TWO"`, `"ARTICLE - IV"`,
`"ARTICLE 5 BIS"`; a Chinese text `第四条`. The display number is what follows the keyword:
"4.3", "4-3", "22", "IV", "5 bis", "4". The internal identifier (ToTA's article_identifier, the
splitter's id) stays the stable key; this number is only what people read and cite.
"""

import re
from collections import Counter
from collections.abc import Iterable

from .plaintext.numbers import chinese_number, roman_number, word_number

NUMBER_MAX = 40  # Article.number is CharField(max_length=40)
# "ARTICLE", "Article", "ARTÍCULO", "Art.", and OCR slips seen in ToTA ("ARTIICLE", "ARTICTE", "ARTCLE").
KEYWORD = re.compile(r"^\s*art[^\W\d_]*\.?(?=[\s:.\-–—\d]|$)[\s:.\-–—]*", re.IGNORECASE)
CN_ARTICLE = re.compile(r"^\s*第\s*(?P<num>[\d零〇○一二两兩三四五六七八九十百千]+)\s*[条條]")
SUFFIXES = re.compile(r"\b(BIS|TER|QUATER|QUINQUIES|SEXIES)\b", re.IGNORECASE)
FRENCH_FIRST = {"premier", "première", "premiere"}


def display_number(label: object) -> str:
    """'ARTICLE 4.3' -> '4.3'; '第四条' -> '4'; 'ARTICLE TWENTY-TWO' -> '22'; '' when none."""
    text = " ".join(str(label or "").split())
    if not text:
        return ""
    match = CN_ARTICLE.match(text)
    if match:
        return str(chinese_number(match["num"]))
    rest = KEYWORD.sub("", text, count=1).strip(" :.-–—")
    if not rest:
        return ""
    words = rest.replace("-", " ").lower()
    if words in FRENCH_FIRST:
        return "1"
    if re.fullmatch(r"[a-z ]+", words) and word_number(words) is not None:
        return str(word_number(words))
    roman = re.fullmatch(r"[IVXLC]+", rest) and roman_number(rest) is not None
    if rest.isalpha() and rest.isupper() and not roman:
        rest = rest.capitalize()  # "TRANSITORIO" -> "Transitorio"; roman numerals stay as written
    return SUFFIXES.sub(lambda m: m.group(1).lower(), rest)[:NUMBER_MAX]


def article_label(*, number: str | None, heading: str | None, art_format: str = "Art. {number}") -> str:
    """'Art. 4.3 Customs Procedures', 'Art. 4.3', 'Preamble' (a heading alone), or ''."""
    parts = [art_format.format(number=number)] if number else []
    if heading:
        parts.append(heading)
    return " ".join(parts)


def citation_labels(
    rows: Iterable[tuple[str, str | None, str | None, str | None]], *, art_format: str = "Art. {number}"
) -> dict[str, str]:
    """{identifier: label} for the articles of one text, each label unique within it.

    `rows` are (identifier, number, heading, chapter name). An article with neither number nor
    heading is named by its chapter. Where two articles would read the same ("Art. 1" in every
    annex), the chapter is added, and where that is not enough the identifier ("#11808")."""
    rows = list(rows)
    labels: dict[str, str] = {}
    for identifier, number, heading, chapter in rows:
        labels[identifier] = (
            article_label(number=number, heading=heading, art_format=art_format) or chapter or f"#{identifier}"
        )
    chapters = {identifier: chapter for identifier, _number, _heading, chapter in rows}
    counts = Counter(labels.values())
    for identifier, label in list(labels.items()):
        if counts[label] > 1 and chapters[identifier] and chapters[identifier] != label:
            labels[identifier] = f"{label} ({chapters[identifier]})"
    counts = Counter(labels.values())
    for identifier, label in list(labels.items()):
        if counts[label] > 1:
            labels[identifier] = f"{label} #{identifier}"
    return labels
