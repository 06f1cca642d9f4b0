"""What the pre-coder reads in a treaty. Pure: no Django.

A treaty is a list of TreatyArticle (identifier, chapter title, heading, text, label). The model
does not read the whole treaty: a TBT clause is a few articles among hundreds, so it reads the
*subject articles*, those in a chapter whose title names the subject (technical barriers,
standards, conformity assessment, ...) or whose text holds one of the codebook's selective
keyword hints (a hint found in at most SELECTIVE_HINT_SHARE of all articles; "cooperation" or
"dispute" are everywhere and select nothing). Chapter titles enter as tokens of their own.

Beside the words, every keyword hint gives four numbers: in how many articles it occurs, whether
it occurs, in how many articles of a chapter titled for the subject (so "dispute" inside a TBT
chapter counts apart from the dispute-settlement chapter), and in how many sentences that also
name standards, technical regulations or conformity assessment."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Treaty = Sequence["TreatyArticle"]

# Chapter titles and headings that name the subject of the DESTA TBT section.
SUBJECT_TITLE = re.compile(r"technical barrier|\btbt\b|standard|conformity|technical regulation", re.IGNORECASE)
# Words that contain a hint but mean something else: the customs nomenclature "Harmonized
# System" and "harmonious development" are not harmonisation of technical rules.
FALSE_FRIENDS = re.compile(r"harmoni[sz]ed\s+(?:commodity\s+description|system)|harmonious(?:ly)?", re.IGNORECASE)
# Words that tie a sentence to the subject: a hint in the same sentence counts apart.
SUBJECT_WORDS = re.compile(r"standard|technical regulation|conformity assessment|technical requirement")
SENTENCE_END = re.compile(r"[.;:]\s")
SELECTIVE_HINT_SHARE = 0.03
# The most frequent English words of treaty language; their share among a text's words tells
# English from Spanish or French (about 0.3 against under 0.05).
ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "shall",
        "or",
        "a",
        "be",
        "by",
        "any",
        "this",
        "with",
        "for",
        "on",
        "as",
        "parties",
        "party",
        "agreement",
        "that",
        "such",
        "which",
        "under",
        "its",
        "other",
        "not",
    ]
)
ENGLISH_MIN_SHARE = 0.12
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class TreatyArticle:
    identifier: str
    chapter: str
    text: str
    heading: str = ""
    label: str = ""


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """Lower case, false friends masked. Cached: cross-validation reads every treaty once per
    fold, and the regular expression is a tenth of a fit."""
    return FALSE_FRIENDS.sub(" hsnomenclature ", text.lower())


def english_share(text: str, *, sample: int = 50_000) -> float | None:
    """Share of the most frequent English treaty words among the words of `text` (its first
    `sample` characters); None for a text without words."""
    words = WORD.findall(text[:sample].lower())
    if not words:
        return None
    return sum(word in ENGLISH_WORDS for word in words) / len(words)


def looks_english(articles: Treaty) -> bool:
    share = english_share(" ".join(a.text for a in articles[:200]))
    return share is not None and share >= ENGLISH_MIN_SHARE


def chapter_token(title: str) -> str:
    words = re.findall(r"\w+", title.lower())
    return "chapter_" + "_".join(words[:8]) if words else ""


class TreatyReader:
    """Turns treaties into subject text and hint counts; `hints` maps indicator code to its
    keyword hints (the codebook's). Fit on a training corpus to learn which hints are selective."""

    def __init__(self, hints: Mapping[str, Sequence[str]]) -> None:
        self.hints = {code: [h.lower() for h in words] for code, words in hints.items()}
        self.all_hints = [h for words in self.hints.values() for h in words]
        self.selective: list[str] = []

    def fit(self, treaties: Sequence[Treaty]) -> "TreatyReader":
        texts = [normalise(a.text) for treaty in treaties for a in treaty]
        total = max(len(texts), 1)
        self.selective = [
            h for h in dict.fromkeys(self.all_hints) if sum(h in text for text in texts) / total <= SELECTIVE_HINT_SHARE
        ]
        return self

    def is_subject(self, article: TreatyArticle, text: str | None = None) -> bool:
        text = normalise(article.text) if text is None else text
        return bool(
            SUBJECT_TITLE.search(article.chapter)
            or SUBJECT_TITLE.search(article.heading)
            or any(h in text for h in self.selective)
        )

    def article_document(self, article: TreatyArticle, text: str | None = None) -> str:
        text = normalise(article.text) if text is None else text
        return f"{chapter_token(article.chapter)} {article.chapter.lower()} {article.heading.lower()} {text}"

    def read(self, treaty: Treaty) -> tuple[str, npt.NDArray[np.float64]]:
        """(subject document, hint vector) of one treaty."""
        texts = [normalise(a.text) for a in treaty]
        subject = [i for i, (a, t) in enumerate(zip(treaty, texts)) if self.is_subject(a, t)]
        document = " ".join(self.article_document(treaty[i], texts[i]) for i in subject)
        counts = [sum(h in t for t in texts) for h in self.all_hints]
        titled = [t for a, t in zip(treaty, texts) if SUBJECT_TITLE.search(a.chapter)]
        in_titled = [sum(h in t for t in titled) for h in self.all_hints]
        sentences = [s for i in subject for s in SENTENCE_END.split(texts[i]) if SUBJECT_WORDS.search(s)]
        with_subject = [sum(h in s for s in sentences) for h in self.all_hints]
        vector = [
            *np.log1p(counts),
            *(np.array(counts) > 0),
            *np.log1p(in_titled),
            *np.log1p(with_subject),
            bool(titled),
            np.log1p(len(subject)),
            np.log1p(len(treaty)),
        ]
        return document, np.asarray(vector, dtype=float)

    def read_all(self, treaties: Sequence[Treaty]) -> tuple[list[str], npt.NDArray[np.float64]]:
        documents, vectors = zip(*(self.read(t) for t in treaties)) if treaties else ((), ())
        return list(documents), np.vstack(vectors) if vectors else np.zeros((0, 4 * len(self.all_hints) + 3))
