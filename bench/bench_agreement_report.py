"""Agreement report for 450 agreements x 7 indicators x 3 coders, against the bare statistics
functions on the same arrays (already in memory). Goal: the report <= 1 s.

Run: .venv/bin/python bench/bench_agreement_report.py
"""

import random
import time

from _django import setup

SHARED = setup()


from coding.models import Agreement, Answer, Coding
from coding.pure import reliability
from coding.selectors.dashboard import reliability_by_indicator
from coding.services import codebook_import
from coding.services.users import reference_coder_get_or_create


def build(version, n_agreements=450, coders=("rater 1", "rater 2", "rater 3")):
    rng = random.Random(0)
    agreements = Agreement.objects.bulk_create(Agreement(name=f"A{i}") for i in range(n_agreements))
    users = [reference_coder_get_or_create(name) for name in coders]
    codings = Coding.objects.bulk_create(
        Coding(agreement=a, version=version, coder=u, state="submitted") for a in agreements for u in users
    )
    indicators = list(version.indicators.all())
    answers = []
    for coding in codings:
        for indicator in indicators:
            truth = (coding.agreement_id * 7 + indicator.pk) % len(indicator.values)
            value = truth if rng.random() < 0.85 else rng.choice(indicator.values)
            answers.append(Answer(coding=coding, indicator=indicator, value=value))
    Answer.objects.bulk_create(answers, batch_size=5000)
    return list(coders)


def main():
    codebook = SHARED / "codebook" / "desta_tbt.yaml"
    if not codebook.exists():
        print(f"skipped: {codebook} not found")
        return
    version = codebook_import(path=codebook).version
    coders = build(version)
    reliability_by_indicator(version=version, coders=coders)  # warm-up (imports, query plans)

    started = time.perf_counter()
    results = reliability_by_indicator(version=version, coders=coders)
    report_seconds = time.perf_counter() - started

    from coding.selectors.codings import coding_matrix

    frame, _ = coding_matrix(version=version, coders=coders)
    matrices = {
        i.code: frame[frame.indicator == i.code].pivot(index="agreement_id", columns="coder", values="value")
        for i in version.indicators.all()
    }
    levels = {i.code: (i.level, i.values) for i in version.indicators.all()}
    started = time.perf_counter()
    bare = {
        code: reliability.indicator_summary(m, level=levels[code][0], categories=levels[code][1])
        for code, m in matrices.items()
    }
    bare_seconds = time.perf_counter() - started
    assert bare == results

    n_answers = Answer.objects.count()
    print(f"agreements: 450, indicators: {len(results)}, coders: {len(coders)}, answers: {n_answers}")
    print(f"bare statistics on in-memory matrices: {bare_seconds * 1000:7.1f} ms")
    print(
        f"agreement report (query + pivot + stats): {report_seconds * 1000:7.1f} ms   ratio {report_seconds / bare_seconds:4.2f}x"
    )
    print(f"goal <= 1000 ms: {'met' if report_seconds <= 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
