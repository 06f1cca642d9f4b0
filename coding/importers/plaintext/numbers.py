"""Numbers as treaty headings write them: English words and Spanish ordinals ("Six", "Sexto"),
roman numerals ("VI") and Chinese numerals ("二十三"). Pure: no Django."""

import re

WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
SPANISH_ORDINALS = {
    "primero": 1,
    "primera": 1,
    "segundo": 2,
    "segunda": 2,
    "tercero": 3,
    "tercera": 3,
    "cuarto": 4,
    "cuarta": 4,
    "quinto": 5,
    "quinta": 5,
    "sexto": 6,
    "sexta": 6,
    "séptimo": 7,
    "septimo": 7,
    "séptima": 7,
    "octavo": 8,
    "octava": 8,
    "noveno": 9,
    "novena": 9,
    "décimo": 10,
    "decimo": 10,
    "décima": 10,
}
WORD_NUMBER = r"twenty(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|" + "|".join(
    sorted(WORDS + list(SPANISH_ORDINALS), key=len, reverse=True)
)
ROMAN_VALUES = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def word_number(word: str) -> int | None:
    word = re.sub(r"[\s-]+", " ", word.lower())
    if word in SPANISH_ORDINALS:
        return SPANISH_ORDINALS[word]
    if word in WORDS:
        return WORDS.index(word) + 1
    if word.startswith("twenty"):
        rest = word[len("twenty") :].strip()
        return 20 + (WORDS.index(rest) + 1 if rest else 0)
    return None


def _to_roman(value: int) -> str:
    out = ""
    for amount, letters in ROMAN_VALUES:
        while value >= amount:
            out, value = out + letters, value - amount
    return out


def roman_number(text: str) -> int | None:
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


def chinese_number(text: str) -> int:
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
