"""The passage that supports a suggested value, as a coder would cite it. Pure: no Django.

A coder who answers "yes" cites the sentence that says so, and looks for it first in the treaty's
chapter on technical barriers to trade; one who answers "no" cites nothing and says where she
looked. So, for a suggestion:
- value above 0 (a "yes", or a level of harmonisation): the sentences that hold the indicator's
  keyword hints (in the text's language: languages.hint_patterns), searched first in the TBT
  section, then, when the section holds none, in the whole treaty; each scored by the distinct
  hints it holds, half a point when it also names standards, technical regulations or conformity
  assessment, and a small bonus for the articles the model itself read the indicator in (a tie
  breaker). The best sentence of each of the top EVIDENCE_TOP articles, best first, with its
  character span in the article's text. A "yes" whose hints occur nowhere cites the TBT section's
  (or the model's) first article, score 0, so a reader sees the claim has no wording behind it.
- value 0 or no value (an abstention): no article, and the chapters searched: the TBT section's,
  and every chapter where a hint occurs (read and judged not to support a "yes"); the whole text's
  chapters when neither exists.

The TBT section: the chapters whose title names the subject ("Technical Barriers to Trade",
"Standards and Conformance", "Obstáculos Técnicos al Comercio", "Medidas de Normalización",
"Obstacles techniques au commerce"...), not a sanitary, labour or environmental "standards"
chapter; in a treaty without such a chapter, the articles so headed."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .features import TreatyArticle

EVIDENCE_TOP = 3
SENTENCE_SHOWN = 600  # characters of a cited sentence kept in the evidence (the span is exact)
MODEL_BONUS = (0.3, 0.2, 0.1)  # by the rank of the article in the model's own evidence

# Titles that name technical barriers to trade outright.
TBT_TITLE = re.compile(
    r"technical\s+barriers?\s+to\s+trade|\btbt\b|technical\s+regulation|conformity\s+assessment|standardi[sz]ation"
    r"|obst[áa]culos\s+t[ée]cnicos|reglament\w*\s+t[ée]cnic|evaluaci[óo]n\s+de\s+(?:la\s+)?conformidad|normalizaci[óo]n"
    r"|obstacles\s+techniques|r[èée]glement\w*\s+techniques?|[ée]valuation\s+de\s+(?:la\s+)?conformit|normalisation",
    re.IGNORECASE,
)
# Titles that name standards, which is TBT unless the standards are sanitary, labour or environmental.
STANDARDS_TITLE = re.compile(r"\bstandards?\b|\bnormas?\b|\bnormes?\b|metrolog", re.IGNORECASE)
OTHER_STANDARDS = re.compile(
    r"sanitary|phytosanitary|fitosanitari|phytosanitaire|\bfood\b|labou?r|environment|ambient|laboral"
    r"|travail|accounting|investment",
    re.IGNORECASE,
)
SUBJECT_WORDS = re.compile(
    r"standard|technical regulation|conformity assessment|\bnormas?\b|reglament\w* t[ée]cnic|conformidad"
    r"|\bnormes?\b|r[èée]glement\w* techniques?|conformit[ée]",
    re.IGNORECASE,
)
# A sentence ends at . ; or : before white space, or at a line break (list items, paragraphs).
SENTENCE_BREAK = re.compile(r"(?<=[.;:])\s+|\n+")


def is_tbt_title(title: str) -> bool:
    if TBT_TITLE.search(title):
        return True
    return bool(STANDARDS_TITLE.search(title)) and not OTHER_STANDARDS.search(title)


@dataclass(frozen=True)
class TbtSection:
    """Where a treaty treats technical barriers to trade: article positions and chapter titles;
    `by` says how it was found ("chapter", "article heading", or "" when it has none)."""

    positions: frozenset[int]
    titles: tuple[str, ...]
    by: str

    def __bool__(self) -> bool:
        return bool(self.positions)


def tbt_section(treaty: Sequence[TreatyArticle]) -> TbtSection:
    chapters = [i for i, a in enumerate(treaty) if a.chapter and is_tbt_title(a.chapter)]
    if chapters:
        titles = tuple(dict.fromkeys(treaty[i].chapter for i in chapters))
        return TbtSection(frozenset(chapters), titles, "chapter")
    headed = [i for i, a in enumerate(treaty) if a.heading and is_tbt_title(a.heading)]
    if headed:
        titles = tuple(dict.fromkeys(treaty[i].heading for i in headed))
        return TbtSection(frozenset(headed), titles, "article heading")
    return TbtSection(frozenset(), (), "")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence of `text`, white space trimmed."""
    spans, start = [], 0
    for match in [*SENTENCE_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        if match:
            start = match.end()
    return spans


@dataclass
class Citation:
    evidence: list[dict[str, Any]] = field(default_factory=list)
    chapters_searched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Passage:
    position: int
    start: int
    end: int
    score: float
    hints: tuple[str, ...]


def _passages(
    treaty: Sequence[TreatyArticle],
    positions: Sequence[int],
    patterns: Sequence[re.Pattern[str]],
    bonus: Mapping[str, float],
) -> list[_Passage]:
    """The best sentence of every article in `positions` that holds a hint, scored."""
    best = []
    for position in positions:
        text = treaty[position].text
        if not any(p.search(text) for p in patterns):  # most articles: one pass, no sentence split
            continue
        candidates = []
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            found = tuple(p.pattern for p in patterns if p.search(sentence))
            if found:
                score = len(found) + 0.5 * bool(SUBJECT_WORDS.search(sentence))
                candidates.append(_Passage(position, start, end, score, found))
        if candidates:
            top = max(candidates, key=lambda p: p.score)  # the first of equals: reading order
            best.append(
                _Passage(
                    top.position, top.start, top.end, top.score + bonus.get(treaty[position].identifier, 0), top.hints
                )
            )
    return sorted(best, key=lambda p: -p.score)


def _item(treaty: Sequence[TreatyArticle], passage: _Passage, section: TbtSection) -> dict[str, Any]:
    article = treaty[passage.position]
    sentence = article.text[passage.start : passage.end]
    return {
        "article": article.identifier,
        "number": article.label,
        "score": round(passage.score, 3),
        "sentence": sentence if len(sentence) <= SENTENCE_SHOWN else sentence[: SENTENCE_SHOWN - 1] + "…",
        "start": passage.start,
        "end": passage.end,
        "chapter": article.chapter,
        "in_tbt_chapter": passage.position in section.positions,
        "tbt_chapter": bool(section),
    }


def _searched(treaty: Sequence[TreatyArticle], section: TbtSection, patterns: Sequence[re.Pattern[str]]) -> list[str]:
    hit = [a.chapter or a.heading for a in treaty if any(p.search(a.text) for p in patterns)]
    searched = list(dict.fromkeys([*section.titles, *(title for title in hit if title)]))
    if searched:
        return searched
    return list(dict.fromkeys(a.chapter for a in treaty if a.chapter)) or ["the whole text"]


def cite(
    treaty: Sequence[TreatyArticle],
    *,
    value: int | None,
    patterns: Sequence[re.Pattern[str]],
    model_evidence: Sequence[Mapping[str, Any]] = (),
    section: TbtSection | None = None,
) -> Citation:
    """The evidence for a suggested `value` of one indicator whose hints are `patterns`
    (languages.hint_patterns); `model_evidence` is the model's own best articles ({"article"})."""
    section = tbt_section(treaty) if section is None else section
    if value is None or value <= 0 or not treaty:
        return Citation(chapters_searched=_searched(treaty, section, patterns))
    bonus = {str(e["article"]): MODEL_BONUS[k] for k, e in enumerate(model_evidence[: len(MODEL_BONUS)])}
    passages = _passages(treaty, sorted(section.positions), patterns, bonus) if section else []
    if not passages:
        passages = _passages(treaty, range(len(treaty)), patterns, bonus)
    if not passages:  # a "yes" with no wording behind it: point at the section, else the model's article
        position = min(section.positions) if section else _position(treaty, model_evidence)
        start, end = next(iter(sentence_spans(treaty[position].text)), (0, 0))
        passages = [_Passage(position, start, end, 0.0, ())]
    return Citation(evidence=[_item(treaty, p, section) for p in passages[:EVIDENCE_TOP]])


def _position(treaty: Sequence[TreatyArticle], model_evidence: Sequence[Mapping[str, Any]]) -> int:
    wanted = str(model_evidence[0]["article"]) if model_evidence else None
    return next((i for i, a in enumerate(treaty) if a.identifier == wanted), 0)
