"""Names that cannot pass for someone else: the rule for a reference source's name (import_codings
--reference, import_desta_codings --name). Pure: no Django; the caller passes the names in use.

A new source's name is refused when it carries markup, quotes or invisible characters, when it is
a role or source word of the workbench ("admin", "approved"), or when it looks like a name already
in use: equal after NFKC and case folding ("CODER_B" is coder_b), or equal after folding letters
that look alike ("cоder_b" with a Cyrillic о is coder_b; UTS #39 calls that the names' skeleton).
"""

import unicodedata
from collections.abc import Iterable

from .confusables_latin import LATIN_CONFUSABLES

# Look-alikes of Latin letters and digits, mapped to the Latin letter they pass for: a subset of
# Unicode's confusables.txt (UTS #39, "Unicode Security Mechanisms", data file confusables.txt)
# for the Cyrillic and Greek letters, upper and lower case, that render like a Latin letter in
# common fonts, plus the digits 0 and 1. Applied to the NFKC form before and after case folding,
# so fullwidth and mathematical letters (folded by NFKC) need no entry of their own. The Latin
# letters that pass for ASCII ones (ɑ, ᴄ, ᴀ, ɪ: Latin alpha, small capitals, dotless i) are the
# data of confusables_latin.py, merged in below.
CONFUSABLES = LATIN_CONFUSABLES | {
    # Cyrillic, lower case
    "а": "a",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "һ": "h",
    "і": "i",
    "ј": "j",
    "ӏ": "l",
    "п": "n",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "г": "r",
    "ѕ": "s",
    "ѵ": "v",
    "ԝ": "w",
    "х": "x",
    "у": "y",
    "з": "3",
    # Cyrillic, upper case
    "А": "a",
    "В": "b",
    "С": "c",
    "Е": "e",
    "Н": "h",
    "І": "l",
    "Ј": "j",
    "К": "k",
    "М": "m",
    "О": "o",
    "Р": "p",
    "Ѕ": "s",
    "Т": "t",
    "Х": "x",
    "У": "y",
    "Ү": "y",
    "Ԝ": "w",
    "Ԛ": "q",
    # Greek, lower case
    "α": "a",
    "ι": "i",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "υ": "u",
    "γ": "y",
    "ω": "w",
    "η": "n",
    # Greek, upper case
    "Α": "a",
    "Β": "b",
    "Ε": "e",
    "Ζ": "z",
    "Η": "h",
    "Ι": "l",
    "Κ": "k",
    "Μ": "m",
    "Ν": "n",
    "Ο": "o",
    "Ρ": "p",
    "Τ": "t",
    "Υ": "y",
    "Χ": "x",
    # Latin and digits that pass for each other
    "I": "l",
    "0": "o",
    "1": "l",
}
# Words of the workbench a source must not be named: its roles, the approved codings' source name,
# and what history shows for its own changes.
RESERVED = ("admin", "administrator", "supervisor", "coder", "reference", "approved", "workbench", "system", "root")
MARKUP = "<>&\"'`"
# Control, format (zero-width and bidirectional marks), surrogate, private-use, unassigned and
# line/paragraph separator characters: invisible or misleading in a name.
INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def _folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def skeleton(name: str) -> str:
    """The form two names share when they look alike: NFKC, look-alike letters folded to Latin,
    case folded, whitespace runs collapsed."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(CONFUSABLES.get(ch, ch) for ch in text)
    text = "".join(CONFUSABLES.get(ch, ch) for ch in text.casefold())
    return " ".join(text.split())


def markup_problem(name: str) -> str | None:
    """Why `name` cannot be shown as a plain name (markup, quotes, invisible characters), or None."""
    for ch in name:
        if ch in MARKUP:
            return f"contains the character {ch!r}: no markup or quotes in a name"
        if unicodedata.category(ch) in INVISIBLE:
            return f"contains the invisible or control character U+{ord(ch):04X}"
    return None


def name_collision(name: str, existing: Iterable[str]) -> str | None:
    """Why `name` could pass for a word of the workbench or one of the `existing` names, or None.
    A name identical to an existing one is no collision (it is that one)."""
    folded, shape = _folded(name), skeleton(name)
    for word in RESERVED:
        if shape == skeleton(word):
            return f"'{word}' is a word of the workbench (a role or source), not a source's name"
    for other in existing:
        if other == name:
            continue
        if _folded(other) == folded:
            return f"it differs from '{other}' only in case or width"
        if skeleton(other) == shape:
            return f"it looks like '{other}' (letters that look alike, e.g. from another script)"
    return None


def reference_name_problem(name: str, existing: Iterable[str]) -> str | None:
    """The first reason `name` cannot be a new reference source's name, or None."""
    return markup_problem(name) or name_collision(name, existing)


# Dashes a title may be typed with (hyphen, en and em dash, the minus sign, ...): one for comparing.
# Unicode's dash punctuation (category Pd) that looks like a Latin dash, and the minus sign;
# NFKC folds the small and fullwidth hyphen-minus already.
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2e3a\u2e3b\u2212\u058a\u1806")


def title_key(title: str) -> str:
    """The form two titles of the same treaty share when they differ only in how they were typed:
    NFKC (fullwidth letters), case folded, every dash one hyphen with no spaces around it,
    whitespace runs collapsed. "Ｔｕｒｋｅｙ – Palestinian  Authority" is "turkey-palestinian authority"."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join("-" if ch in _DASHES else ch for ch in text)
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-")
