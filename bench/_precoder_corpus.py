"""The DESTA-coded ToTA corpus as the pure pre-coder reads it, without a database: the crosswalk
(desta_tota_crosswalk_base_treaties.csv: DESTA number, ToTA file, language, DESTA 2.1's TBT
codes) joined to the parsed ToTA XMLs, and the codebook's indicators with their keyword hints.
Shared by bench_precoder_quality.py and bench_precoder_learning_curve.py. Parsed texts are
cached in the system's temp folder (keyed by the crosswalk's and files' sizes)."""

import csv
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coding.importers.codebook_yaml import parse_codebook
from coding.importers.tota import parse_tota_file
from coding.precoder.features import TreatyArticle
from coding.precoder.model import IndicatorSpec

SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
CROSSWALK = SHARED / "data/desta/desta_tota_crosswalk_base_treaties.csv"
TOTA = SHARED / "data/tota"
CODEBOOK = ROOT / "coding/demo/codebooks/desta_tbt.yaml"


@dataclass
class Corpus:
    keys: list[str]  # desta:N
    groups: list[str]  # the ToTA file: one text coded under two DESTA numbers is one group
    languages: list[str]
    treaties: list[list[TreatyArticle]]
    labels: list[dict[str, int | None]]
    specs: list[IndicatorSpec]


def available() -> bool:
    return CROSSWALK.exists() and TOTA.exists()


def indicator_specs() -> list[IndicatorSpec]:
    book = parse_codebook(CODEBOOK)
    return [
        IndicatorSpec(
            code=i.code,
            level=i.level,
            values=tuple(sorted(int(v["value"]) for v in i.allowed_values)),
            hints=tuple(i.keyword_hints),
        )
        for i in book.indicators
        if i.code.startswith("tbt_")
    ]


def _articles(path: Path) -> list[TreatyArticle]:
    treaty = parse_tota_file(path)
    return [
        TreatyArticle(identifier=a.identifier, chapter=c.name, heading=a.heading, text=a.text, label=a.number)
        for c in treaty.chapters
        for a in c.articles
    ]


def _read_as_model(articles: list[TreatyArticle], language: str) -> list[TreatyArticle]:
    """A Spanish or French text as the pre-coder reads it (languages.gloss_treaty adds the
    English terms of its TBT vocabulary), as the pre-coding service does."""
    if language == "en":
        return articles
    try:
        from coding.precoder.languages import gloss_treaty
    except ImportError:  # before the languages module: the text as it is
        return articles
    return gloss_treaty(articles, language)


def load(*, languages: tuple[str, ...] = ("en", "es", "fr")) -> Corpus:
    specs = indicator_specs()
    with open(CROSSWALK, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["tota_file"] and r["tota_language"] in languages]
    rows = [r for r in rows if any(r[s.code] != "" for s in specs)]
    files = sorted({r["tota_file"] for r in rows})
    stamp = hashlib.sha256(repr([(f, (TOTA / f).stat().st_size) for f in files]).encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"precoder-corpus-{stamp}.pickle"
    if cache.exists():
        texts = pickle.loads(cache.read_bytes())
    else:
        texts = {f: _articles(TOTA / f) for f in files}
        cache.write_bytes(pickle.dumps(texts))
    return Corpus(
        keys=[f"desta:{r['desta_number']}" for r in rows],
        groups=[r["tota_file"] for r in rows],
        languages=[r["tota_language"] for r in rows],
        treaties=[_read_as_model(texts[r["tota_file"]], r["tota_language"]) for r in rows],
        labels=[{s.code: (int(float(r[s.code])) if r[s.code] != "" else None) for s in specs} for r in rows],
        specs=specs,
    )
