"""The pre-coder's evidence and its Spanish and French reading on the real corpus (issue 24, items
1 and 3): ToTA texts joined to DESTA 2.1's codes (bench/_precoder_corpus.py), no database.

Held out, grouped by treaty: the English treaties are split into 5 folds by ToTA file (a text
coded under two DESTA numbers stays in one fold); each fold's model is trained on the other four
and pre-codes its fold. Spanish and French treaties are never trained on: each is pre-coded by one
of the five models (round robin) through coding/precoder/languages.py's term lists.

Reported:
- evidence share (goal >= 0.9): on held-out treaties that have a TBT chapter (evidence.tbt_section,
  found by chapter title), the share of suggested 1s for tbt_prov, tbt_wto, tbt_coop and
  tbt_intstand whose first cited article lies in that chapter, with a 95% interval from a
  bootstrap over treaties; beside it the same share for the model's own nearest article (what the
  pre-coder cited before) and the share whose cited sentence holds one of the indicator's hints;
- Cohen's kappa per indicator and language against DESTA 2.1 (n treaties);
- the time to cite the evidence of one treaty (7 indicators).

Run: .venv/bin/python bench/bench_precoder_evidence.py     (a few minutes on 2 cores)
"""

import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _precoder_corpus as corpus_source

from coding.precoder.evidence import cite, tbt_section
from coding.precoder.languages import detect_language, gloss_treaty, hint_patterns
from coding.precoder.model import Precoder, agreement_statistics

MEASURED = ("tbt_prov", "tbt_wto", "tbt_coop", "tbt_intstand")
FOLDS = 5
GOAL = 0.9


def bootstrap_interval(per_treaty: list[tuple[int, int]], *, draws: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of sum(hits)/sum(n) resampling treaties (hits, n)."""
    if not per_treaty:
        return (float("nan"), float("nan"))
    data = np.asarray(per_treaty, dtype=float)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(data), size=(draws, len(data)))
    hits, totals = data[picks, 0].sum(axis=1), data[picks, 1].sum(axis=1)
    shares = hits[totals > 0] / totals[totals > 0]
    return float(np.quantile(shares, 0.025)), float(np.quantile(shares, 0.975))


def folds_by_group(groups: list[str], rows: list[int]) -> list[list[int]]:
    unique = sorted({groups[i] for i in rows})
    order = np.random.default_rng(0).permutation(len(unique))
    fold_of = {unique[j]: k % FOLDS for k, j in enumerate(order)}
    return [[i for i in rows if fold_of[groups[i]] == k] for k in range(FOLDS)]


def main() -> None:
    if not corpus_source.available():
        print(f"skipped: {corpus_source.CROSSWALK} or {corpus_source.TOTA} not found")
        return
    started = time.perf_counter()
    corpus = corpus_source.load()
    specs = {s.code: s for s in corpus.specs}
    print(f"corpus: {len(corpus.keys)} DESTA-coded ToTA texts in {time.perf_counter() - started:.0f} s")
    english = [i for i, language in enumerate(corpus.languages) if language == "en"]
    others = [i for i, language in enumerate(corpus.languages) if language != "en"]
    folds = folds_by_group(corpus.groups, english)
    models = []
    predicted: dict[int, list] = {}
    fit_seconds = []
    for k, test in enumerate(folds):
        held = set(test)
        train = [i for i in english if i not in held]
        started = time.perf_counter()
        model = Precoder(corpus.specs).fit([corpus.treaties[i] for i in train], [corpus.labels[i] for i in train])
        fit_seconds.append(time.perf_counter() - started)
        models.append(model)
        for i, suggestions in zip(test, model.predict_many([corpus.treaties[i] for i in test])):
            predicted[i] = suggestions
        print(f"  fold {k + 1}: trained on {len(train)} in {fit_seconds[-1]:.0f} s, pre-coded {len(test)}")
    detected = {}
    for n, i in enumerate(others):
        language = corpus.languages[i]
        detected[i] = detect_language(" ".join(a.text for a in corpus.treaties[i][:200]))
        glossed = gloss_treaty(corpus.treaties[i], language)
        predicted[i] = models[n % FOLDS].predict_many([glossed])[0]

    share = defaultdict(lambda: [0, 0])  # (language, code) -> [in chapter, suggested 1s]
    before = defaultdict(lambda: [0, 0])
    supported = defaultdict(lambda: [0, 0])
    per_treaty = defaultdict(list)  # language -> [(in chapter, 1s)] per treaty with a TBT chapter
    with_chapter = defaultdict(int)
    cite_seconds = []
    pairs = defaultdict(list)  # (language, code) -> [(DESTA, suggested)]
    for i, suggestions in predicted.items():
        treaty, language = corpus.treaties[i], corpus.languages[i]
        started = time.perf_counter()
        section = tbt_section(treaty)
        citations = {
            s.indicator: cite(
                treaty,
                value=s.value,
                patterns=hint_patterns(specs[s.indicator].hints, language),
                model_evidence=s.evidence,
                section=section,
            )
            for s in suggestions
        }
        cite_seconds.append(time.perf_counter() - started)
        for s in suggestions:
            pairs[(language, s.indicator)].append((corpus.labels[i][s.indicator], s.value))
        if section.by != "chapter":
            continue
        with_chapter[language] += 1
        hits = total = 0
        for s in suggestions:
            if s.indicator not in MEASURED or s.value != 1:
                continue
            first = citations[s.indicator].evidence[0]
            total += 1
            hits += first["in_tbt_chapter"]
            for counter, ok in (
                (share, first["in_tbt_chapter"]),
                (supported, first["score"] >= 1),
                (
                    before,
                    bool(s.evidence)
                    and any(
                        a.identifier == s.evidence[0]["article"] for j, a in enumerate(treaty) if j in section.positions
                    ),
                ),
            ):
                counter[(language, s.indicator)][0] += int(ok)
                counter[(language, s.indicator)][1] += 1
        per_treaty[language].append((hits, total))

    print("\nEvidence: first cited article in the treaty's TBT chapter, suggested 1s on held-out treaties with one")
    print(f"{'language':<9}{'indicator':<14}{'n 1s':>6}{'share':>8}{'model nearest art.':>20}{'sentence has hint':>19}")
    for language in ("en", "es", "fr"):
        for code in MEASURED:
            hit, n = share[(language, code)]
            if n:
                print(
                    f"{language:<9}{code:<14}{n:>6}{hit / n:>8.3f}{before[(language, code)][0] / n:>20.3f}"
                    f"{supported[(language, code)][0] / n:>19.3f}"
                )
        hits = sum(h for h, _n in per_treaty[language])
        n = sum(t for _h, t in per_treaty[language])
        if n:
            low, high = bootstrap_interval(per_treaty[language])
            print(
                f"{language:<9}{'all four':<14}{n:>6}{hits / n:>8.3f}  95% CI [{low:.3f}, {high:.3f}] over "
                f"{with_chapter[language]} treaties with a TBT chapter"
                + (f" (goal >= {GOAL}: {'PASS' if hits / n >= GOAL else 'FAIL'})" if language == "en" else "")
            )
        else:
            print(
                f"{language:<9}no suggested 1 in a treaty with a TBT chapter ({with_chapter[language]} such treaties)"
            )
    all_hits = sum(h for rows in per_treaty.values() for h, _n in rows)
    all_n = sum(t for rows in per_treaty.values() for _h, t in rows)
    low, high = bootstrap_interval([r for rows in per_treaty.values() for r in rows])
    print(
        f"all languages: {all_hits}/{all_n} = {all_hits / max(all_n, 1):.3f}, 95% CI [{low:.3f}, {high:.3f}] "
        f"(goal >= {GOAL}: {'PASS' if all_n and all_hits / all_n >= GOAL else 'FAIL'})"
    )

    print("\nHeld-out Cohen's kappa against DESTA 2.1, per language (n treaties)")
    for language in ("en", "es", "fr"):
        cells = []
        for code, spec in specs.items():
            stats = agreement_statistics(pairs[(language, code)], spec)
            kappa = "n/e" if stats["kappa"] is None or np.isnan(stats["kappa"]) else f"{stats['kappa']:.2f}"
            cells.append(f"{code} {kappa} (n {stats['n']}, acc {stats['accuracy'] or 0:.2f})")
        print(f"  {language}: " + "; ".join(cells))
    agree = sum(detected[i] == corpus.languages[i] for i in others)
    print(f"\nlanguage detection on the {len(others)} Spanish/French texts: {agree} agree with ToTA's metadata")
    print(
        f"citing one treaty's evidence (7 indicators): median {np.median(cite_seconds) * 1000:.0f} ms, "
        f"max {max(cite_seconds) * 1000:.0f} ms; fitting one fold {np.median(fit_seconds):.0f} s"
    )


if __name__ == "__main__":
    main()
