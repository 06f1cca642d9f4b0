"""Latin letters that pass for an ASCII letter or digit, as data for coding/pure/names.py
(skeleton). Pure: no Django, no input or output.

CONFUSABLES_TXT: the entries of Unicode's confusables.txt (UTS #39, "Unicode Security
Mechanisms", https://www.unicode.org/Public/security/latest/confusables.txt) whose source is one
Latin-script character left unchanged by NFKC and whose target is one ASCII letter or digit. Taken
from the copy of that file shipped as confusables.json in the PyPI package confusable-homoglyphs
3.3.1 (January 2024; the package fetched `security/latest` when it was built). Characters NFKC
folds already (the long s U+017F, fullwidth and mathematical letters) need no entry: names.py
normalises first.

SMALL_CAPITALS: our own addition, not from confusables.txt (which maps e.g. the small capital A,
U+1D00, to the Cherokee letter go, U+AB7A, rather than to a): every "LATIN LETTER SMALL CAPITAL
X" the first table does not list, folded to its letter x, because in a name it reads as that
letter. Written as escapes so the look-alikes are visible in review.
"""

CONFUSABLES_TXT: dict[str, str] = {
    "\u0131": "i",  # LATIN SMALL LETTER DOTLESS I
    "\u0184": "b",  # LATIN CAPITAL LETTER TONE SIX
    "\u018d": "g",  # LATIN SMALL LETTER TURNED DELTA
    "\u0196": "l",  # LATIN CAPITAL LETTER IOTA
    "\u01a6": "R",  # LATIN LETTER YR
    "\u01a7": "2",  # LATIN CAPITAL LETTER TONE TWO
    "\u01b7": "3",  # LATIN CAPITAL LETTER EZH
    "\u01bc": "5",  # LATIN CAPITAL LETTER TONE FIVE
    "\u01bd": "s",  # LATIN SMALL LETTER TONE FIVE
    "\u01c0": "l",  # LATIN LETTER DENTAL CLICK
    "\u021c": "3",  # LATIN CAPITAL LETTER YOGH
    "\u0222": "8",  # LATIN CAPITAL LETTER OU
    "\u0223": "8",  # LATIN SMALL LETTER OU
    "\u0251": "a",  # LATIN SMALL LETTER ALPHA
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G
    "\u0263": "y",  # LATIN SMALL LETTER GAMMA
    "\u0269": "i",  # LATIN SMALL LETTER IOTA
    "\u026a": "i",  # LATIN LETTER SMALL CAPITAL I
    "\u026f": "w",  # LATIN SMALL LETTER TURNED M
    "\u028b": "u",  # LATIN SMALL LETTER V WITH HOOK
    "\u028f": "y",  # LATIN LETTER SMALL CAPITAL Y
    "\u1d04": "c",  # LATIN LETTER SMALL CAPITAL C
    "\u1d0f": "o",  # LATIN LETTER SMALL CAPITAL O
    "\u1d11": "o",  # LATIN SMALL LETTER SIDEWAYS O
    "\u1d1c": "u",  # LATIN LETTER SMALL CAPITAL U
    "\u1d20": "v",  # LATIN LETTER SMALL CAPITAL V
    "\u1d21": "w",  # LATIN LETTER SMALL CAPITAL W
    "\u1d22": "z",  # LATIN LETTER SMALL CAPITAL Z
    "\u1d83": "g",  # LATIN SMALL LETTER G WITH PALATAL HOOK
    "\u1d8c": "y",  # LATIN SMALL LETTER V WITH PALATAL HOOK
    "\u1e9d": "f",  # LATIN SMALL LETTER LONG S WITH HIGH STROKE
    "\u1eff": "y",  # LATIN SMALL LETTER Y WITH LOOP
    "\ua731": "s",  # LATIN LETTER SMALL CAPITAL S
    "\ua75a": "2",  # LATIN CAPITAL LETTER R ROTUNDA
    "\ua76a": "3",  # LATIN CAPITAL LETTER ET
    "\ua76e": "9",  # LATIN CAPITAL LETTER CON
    "\ua798": "F",  # LATIN CAPITAL LETTER F WITH STROKE
    "\ua799": "f",  # LATIN SMALL LETTER F WITH STROKE
    "\ua79f": "u",  # LATIN SMALL LETTER VOLAPUK UE
    "\ua7ab": "3",  # LATIN CAPITAL LETTER REVERSED OPEN E
    "\ua7b2": "J",  # LATIN CAPITAL LETTER J WITH CROSSED-TAIL
    "\ua7b3": "X",  # LATIN CAPITAL LETTER CHI
    "\ua7b4": "B",  # LATIN CAPITAL LETTER BETA
    "\uab32": "e",  # LATIN SMALL LETTER BLACKLETTER E
    "\uab35": "f",  # LATIN SMALL LETTER LENIS F
    "\uab3d": "o",  # LATIN SMALL LETTER BLACKLETTER O
    "\uab47": "r",  # LATIN SMALL LETTER R WITHOUT HANDLE
    "\uab48": "r",  # LATIN SMALL LETTER DOUBLE R
    "\uab4e": "u",  # LATIN SMALL LETTER U WITH SHORT RIGHT LEG
    "\uab52": "u",  # LATIN SMALL LETTER U WITH LEFT HOOK
    "\uab5a": "y",  # LATIN SMALL LETTER Y WITH SHORT RIGHT LEG
}

SMALL_CAPITALS: dict[str, str] = {
    "\u0262": "g",  # LATIN LETTER SMALL CAPITAL G
    "\u0274": "n",  # LATIN LETTER SMALL CAPITAL N
    "\u0280": "r",  # LATIN LETTER SMALL CAPITAL R
    "\u0299": "b",  # LATIN LETTER SMALL CAPITAL B
    "\u029c": "h",  # LATIN LETTER SMALL CAPITAL H
    "\u029f": "l",  # LATIN LETTER SMALL CAPITAL L
    "\u1d00": "a",  # LATIN LETTER SMALL CAPITAL A
    "\u1d05": "d",  # LATIN LETTER SMALL CAPITAL D
    "\u1d07": "e",  # LATIN LETTER SMALL CAPITAL E
    "\u1d0a": "j",  # LATIN LETTER SMALL CAPITAL J
    "\u1d0b": "k",  # LATIN LETTER SMALL CAPITAL K
    "\u1d0d": "m",  # LATIN LETTER SMALL CAPITAL M
    "\u1d18": "p",  # LATIN LETTER SMALL CAPITAL P
    "\u1d1b": "t",  # LATIN LETTER SMALL CAPITAL T
    "\ua730": "f",  # LATIN LETTER SMALL CAPITAL F
    "\ua7af": "q",  # LATIN LETTER SMALL CAPITAL Q
}

LATIN_CONFUSABLES: dict[str, str] = {**CONFUSABLES_TXT, **SMALL_CAPITALS}
