"""The languages the pre-coder reads: English, Spanish and French. Pure: no Django.

Approach: glossing. The model learns from English texts (nearly all of DESTA's coded ToTA texts);
a Spanish or French text is read through a term list that maps the treaty language of technical
barriers to trade (chapter titles, "reglamentos técnicos", "évaluation de la conformité", the WTO
agreement's name, dispute settlement, harmonisation, ...) onto the English terms the model and the
codebook's keyword hints know. The glossed copy goes to the model; the evidence is cited from the
original text with the same term lists as language-specific hints (hint_patterns). Words outside
the lists are not translated: they are simply words the English model has not seen.

The language of a text: the metadata when it names one, else the share of each language's most
frequent treaty words among the text's words (about 0.3 for the text's own language, under 0.05
for the others)."""

import re
from collections.abc import Sequence
from dataclasses import replace

from .features import ENGLISH_WORDS, WORD, TreatyArticle

SUPPORTED = ("en", "es", "fr")
MIN_SHARE = 0.12

FUNCTION_WORDS = {
    "en": ENGLISH_WORDS,
    "es": frozenset(
        "de la que el en y a los del se las por un para con no una su al lo como más o sus le este "
        "sobre entre cuando también partes parte acuerdo dicho dicha cada deberá podrá".split()
    ),
    "fr": frozenset(
        "de la le et les des en du un une que est pour qui dans par sur au aux ne pas ce il sont "
        "parties partie accord chaque présent présente peut doit leurs".split()
    ),
}
DECLARED = {"english": "en", "spanish": "es", "español": "es", "espanol": "es", "french": "fr", "français": "fr"}

# (foreign term, the English the model and the hints know); the longer terms first, so
# "acuerdo sobre obstáculos técnicos al comercio" is glossed whole before "obstáculos técnicos".
_A = "[áa]"
_E = "[ée]"
_O = "[óo]"
GLOSSARY: dict[str, list[tuple[str, str]]] = {
    "es": [
        (
            rf"acuerdo\s+(?:de\s+la\s+omc\s+)?sobre\s+(?:los\s+)?obst{_A}culos\s+t{_E}cnicos\s+al\s+comercio",
            "agreement on technical barriers to trade",
        ),
        (rf"obst{_A}culos\s+t{_E}cnicos\s+al\s+comercio", "technical barriers to trade"),
        (r"acuerdo\s+otc\b", "tbt agreement"),
        (r"\botc\b", "tbt"),
        (rf"c{_O}digo\s+de\s+normas", "standards code"),
        (rf"(?:reglamentos?|reglamentaciones?)\s+t{_E}cnic[oa]s?", "technical regulation"),
        (rf"evaluaci{_O}n\s+de\s+(?:la\s+)?conformidad", "conformity assessment"),
        (r"normas?\s+internacionales?", "international standard"),
        (r"normas?\s+regionales?", "regional standard"),
        (r"(?:organizaciones|organismos)\s+internacionales", "international organizations"),
        (rf"normas?\s+t{_E}cnicas?", "technical standard"),
        (rf"normalizaci{_O}n", "standardization"),
        (r"\bnormas?\b", "standard"),
        (rf"intercambi(?:o|ar)\s+(?:de\s+)?informaci{_O}n", "exchange of information"),
        (rf"cooperaci{_O}n", "cooperation"),
        (r"puntos?\s+de\s+contacto", "contact point"),
        (rf"obst{_A}culos\s+innecesarios", "unnecessary obstacles"),
        (
            rf"m{_A}s\s+restrictiv[oa]s?\s+(?:al|del|para\s+el)\s+comercio\s+de\s+lo\s+necesario",
            "more trade-restrictive than necessary",
        ),
        (rf"obst{_A}culos?\s+(?:innecesarios?\s+)?al\s+comercio", "obstacles to trade"),
        (r"soluci[óo]n\s+de\s+(?:las\s+)?controversias", "dispute settlement"),
        (r"controversias?", "dispute"),
        (rf"comit{_E}\s+conjunto|comisi{_O}n\s+(?:administradora|de\s+libre\s+comercio|conjunta)", "joint committee"),
        (r"\bconsultas\b", "consultations"),
        (r"armoniza\w*", "harmonization"),
        (r"equivalen\w*", "equivalence"),
        (r"reconocimiento\s+mutuo", "mutual recognition"),
        (r"metrolog[íi]a", "metrology"),
        (r"organizaci[óo]n\s+mundial\s+del\s+comercio|\bomc\b", "wto"),
        (r"medidas\s+sanitarias\s+y\s+fitosanitarias", "sanitary and phytosanitary measures"),
        (r"transparencia", "transparency"),
    ],
    "fr": [
        (
            r"accord\s+(?:de\s+l.omc\s+)?sur\s+les\s+obstacles\s+techniques\s+au\s+commerce",
            "agreement on technical barriers to trade",
        ),
        (r"obstacles\s+techniques\s+(?:au|aux\s+[ée]changes\s+et\s+au)\s+commerce", "technical barriers to trade"),
        (r"accord\s+otc\b", "tbt agreement"),
        (r"\botc\b", "tbt"),
        (r"code\s+de\s+la\s+normalisation|code\s+des\s+normes", "standards code"),
        (r"(?:r[èe]glements?|r[ée]glementations?)\s+techniques?", "technical regulation"),
        (r"[ée]valuation\s+de\s+(?:la\s+)?conformit[ée]", "conformity assessment"),
        (r"normes?\s+internationales?", "international standard"),
        (r"normes?\s+r[ée]gionales?", "regional standard"),
        (r"organisations?\s+internationales?|organismes?\s+internationaux", "international organizations"),
        (r"normes?\s+techniques?", "technical standard"),
        (r"normalisation", "standardization"),
        (r"\bnormes?\b", "standard"),
        (r"[ée]changes?\s+d.informations?|[ée]changer\s+des\s+informations", "exchange of information"),
        (r"coop[ée]ration", "cooperation"),
        (r"points?\s+de\s+contact", "contact point"),
        (r"obstacles\s+(?:non\s+n[ée]cessaires|inutiles)", "unnecessary obstacles"),
        (
            r"plus\s+restrictifs?\s+pour\s+le\s+commerce\s+qu.il\s+n.est\s+n[ée]cessaire",
            "more trade-restrictive than necessary",
        ),
        (r"obstacles?\s+(?:inutiles?\s+)?(?:au|aux)\s+(?:commerce|[ée]changes)", "obstacles to trade"),
        (r"r[èe]glement\s+des\s+diff[ée]rends", "dispute settlement"),
        (r"diff[ée]rends?", "dispute"),
        (r"comit[ée]\s+mixte|commission\s+mixte|conseil\s+d.association", "joint committee"),
        (r"\bconsultations\b", "consultations"),
        (r"harmonis\w*", "harmonisation"),
        (r"[ée]quivalen\w*", "equivalence"),
        (r"reconnaissance\s+mutuelle", "mutual recognition"),
        (r"m[ée]trologie", "metrology"),
        (r"organisation\s+mondiale\s+du\s+commerce|\bomc\b", "wto"),
        (r"mesures\s+sanitaires\s+et\s+phytosanitaires", "sanitary and phytosanitary measures"),
        (r"transparence", "transparency"),
    ],
}
_COMPILED = {
    language: [(re.compile(term, re.IGNORECASE), english) for term, english in terms]
    for language, terms in GLOSSARY.items()
}


def function_word_shares(text: str, *, sample: int = 50_000) -> dict[str, float]:
    """Share of each language's most frequent treaty words among the words of `text` (its first
    `sample` characters); {} for a text without words."""
    words = WORD.findall(text[:sample].lower())
    if not words:
        return {}
    return {language: sum(w in common for w in words) / len(words) for language, common in FUNCTION_WORDS.items()}


def detect_language(text: str) -> str | None:
    """ "en", "es" or "fr" when that language's common words are at least MIN_SHARE of the text's
    words and more than any other's; None otherwise (another language, or too few words)."""
    shares = function_word_shares(text)
    if not shares:
        return None
    best = max(shares, key=shares.__getitem__)
    return best if shares[best] >= MIN_SHARE else None


def declared_language(declared: str) -> str:
    """A metadata language ("es", "spa", "Spanish", "es-MX") as a two-letter code; "" when empty."""
    value = (declared or "").strip().lower()
    if not value:
        return ""
    return DECLARED.get(value, value[:2])


def treaty_language(declared: str, articles: Sequence[TreatyArticle]) -> str | None:
    """The language to read a treaty in: its metadata first, else its words (None: not known)."""
    return declared_language(declared) or detect_language(" ".join(a.text for a in articles[:200]))


def gloss(text: str, language: str) -> str:
    """`text` with the treaty terms of `language` replaced by their English (unchanged for English)."""
    for pattern, english in _COMPILED.get(language, []):
        text = pattern.sub(f" {english} ", text)
    return text


def gloss_treaty(articles: Sequence[TreatyArticle], language: str) -> list[TreatyArticle]:
    """The copy of a treaty the English model reads (the original for English)."""
    if language not in _COMPILED:
        return list(articles)
    return [
        replace(a, chapter=gloss(a.chapter, language), heading=gloss(a.heading, language), text=gloss(a.text, language))
        for a in articles
    ]


def hint_patterns(hints: Sequence[str], language: str) -> list[re.Pattern[str]]:
    """The patterns that find an indicator's hints in a text of `language`: the English hints
    themselves, and every term of the language's list whose English contains one of them."""
    lowered = [h.lower() for h in hints]
    patterns = [re.compile(re.escape(h), re.IGNORECASE) for h in lowered]
    for pattern, english in _COMPILED.get(language, []):
        if any(h in english for h in lowered):
            patterns.append(pattern)
    return patterns
