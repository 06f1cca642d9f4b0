"""The pre-coder's quality against DESTA 2.1 on the ToTA texts (issue 24, item 2), without a
database: the crosswalk's DESTA codes and the parsed ToTA XMLs (bench/_precoder_corpus.py).

Grouped 5-fold cross-validation: folds by treaty text (a text coded under two DESTA numbers is
one group), so no treaty is ever trained on when it is tested; the abstention thresholds are
chosen inside each training fold. Per indicator: n answered, abstention rate, kappa on the
answered items (goal: mean >= 0.80, none below 0.60), kappa counting abstentions as misses,
kappa of the most probable value ignoring the thresholds; then the same per language. Then the
speed goals: training as `train_precoder` does (5-fold cross-validation + final fit) on every
DESTA-coded English text within 120 s, pre-coding one treaty within 1 s. Writes the reliability
diagram of the out-of-fold confidences to docs/precoder_reliability.svg.

Run: .venv/bin/python bench/bench_precoder_quality.py [--english-only]   (about 3 minutes)
"""

import sys
import time
from pathlib import Path

import _precoder_corpus as corpus
import numpy as np

from coding.precoder.model import Precoder, cross_validate, indicator_report, out_of_fold, reliability_bins
from coding.precoder.plots import reliability_diagram

COLUMNS = ("n", "abstention", "kappa", "kappa_missed", "kappa_all")


def fmt(value, width=9):
    return f"{value:{width}.3f}" if value is not None else f"{'—':>{width}}"


def table(title, report):
    print(title)
    print(f"  {'indicator':<14}{'n':>5}{'abstain':>9}{'kappa':>9}{'k(miss)':>9}{'k(all)':>9}")
    for code, row in report.items():
        print(
            f"  {code:<14}{row['n']:>5}{fmt(row['abstention'])}{fmt(row['kappa'])}"
            f"{fmt(row['kappa_missed'])}{fmt(row['kappa_all'])}"
        )
    means = {c: [row[c] for row in report.values() if row[c] is not None] for c in COLUMNS[2:]}
    print(
        f"  {'mean':<14}{'':>5}{fmt(float(np.mean([r['abstention'] or 0 for r in report.values()])))}"
        + "".join(fmt(float(np.mean(v)) if v else None) for v in means.values())
    )
    return means


def main():
    if not corpus.available():
        print(f"skipped: {corpus.CROSSWALK} or {corpus.TOTA} not found")
        return
    languages = ("en",) if "--english-only" in sys.argv else ("en", "es", "fr")
    data = corpus.load(languages=languages)
    print(
        f"{len(data.keys)} DESTA-coded ToTA texts ({len(set(data.groups))} distinct), languages "
        + ", ".join(f"{lang} {data.languages.count(lang)}" for lang in languages)
    )
    started = time.perf_counter()
    predicted = out_of_fold(data.specs, data.treaties, data.labels, groups=data.groups, folds=5)
    report = indicator_report(data.specs, data.labels, predicted)
    print(f"grouped 5-fold cross-validation in {time.perf_counter() - started:.0f} s")
    means = table("held-out agreement with DESTA 2.1, all languages:", report)
    mean, lowest = float(np.mean(means["kappa"])), min(means["kappa"])
    print(
        f"  goal: mean kappa on answered items >= 0.80 ({mean:.3f}), none below 0.60 ({lowest:.3f}): "
        + ("PASS" if mean >= 0.80 and lowest >= 0.60 else "FAIL")
    )
    svg = reliability_diagram(
        [(code, reliability_bins(row["points"])) for code, row in report.items() if code in ("tbt_prov", "tbt_harmon")]
        + [("all indicators", reliability_bins([p for row in report.values() for p in row["points"]]))],
        title="Pre-coder: out-of-fold confidence against DESTA 2.1",
    )
    Path(corpus.ROOT / "docs/precoder_reliability.svg").write_bytes(svg)

    for lang in languages:
        rows = [i for i, x in enumerate(data.languages) if x == lang]
        if rows:
            table(
                f"{lang}: {len(rows)} texts" + (" (too few for a kappa to mean much)" if len(rows) < 30 else ""),
                indicator_report(data.specs, [data.labels[i] for i in rows], [predicted[i] for i in rows]),
            )

    english = [i for i, x in enumerate(data.languages) if x == "en"]
    treaties, labels = [data.treaties[i] for i in english], [data.labels[i] for i in english]
    started = time.perf_counter()
    cross_validate(data.specs, treaties, labels, groups=[data.groups[i] for i in english])
    model = Precoder(data.specs).fit(treaties, labels, [data.groups[i] for i in english])
    seconds = time.perf_counter() - started
    print(
        f"training on {len(treaties)} English texts (5-fold cross-validation + final fit): {seconds:.0f} s (goal < 120 s)"
    )
    print(f"  thresholds: {', '.join(f'{c} {t:.2f}' for c, t in model.thresholds.items())}")
    runs = []
    for treaty in treaties[:10]:
        started = time.perf_counter()
        model.predict(treaty)
        runs.append(time.perf_counter() - started)
    print(
        f"pre-coding one treaty (features, 7 suggestions with evidence): median {sorted(runs)[5] * 1000:.0f} ms (goal < 1000 ms)"
    )


if __name__ == "__main__":
    main()
