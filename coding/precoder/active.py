"""What to code next: uncertainty sampling for the pre-coder (issue 24, item 5). Pure: no Django.

A treaty's uncertainty is the mean over the indicators of 1 - the probability of the most
probable value ("least confidence", Settles 2009, section 3.1): 0 when the model is sure of
every indicator, up to 1 - 1/k for a head split evenly over k values. Coding the most
uncertain treaties first teaches the model most per coded treaty; the learning curve measures
whether it does, on labels already known (DESTA's): a fixed held-out fifth of the treaty texts
is never trained on, the rest is a pool from which each step adds a batch, either the most
uncertain under the model of the previous step or a random batch, and kappa on the held-out
fifth is recorded against the number of training treaties."""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .abstention import grouped_folds, treaty_group
from .features import Treaty
from .model import IndicatorSpec, Labels, Precoder, Suggestion, indicator_report

STRATEGIES = ("uncertainty", "random")


def uncertainty(suggestions: Sequence[Suggestion]) -> float:
    """Mean over the indicators of 1 - max class probability (0 for no indicator)."""
    if not suggestions:
        return 0.0
    return float(np.mean([1.0 - max(s.probabilities.values(), default=1.0) for s in suggestions]))


def most_uncertain(model: Precoder, treaties: Sequence[Treaty]) -> list[tuple[int, float]]:
    """(index, uncertainty) of every treaty, most uncertain first (ties: input order)."""
    scores = [uncertainty(s) for s in model.predict_many(treaties, evidence=False)] if treaties else []
    return sorted(enumerate(scores), key=lambda pair: -pair[1])


def learning_curve(
    indicators: Sequence[IndicatorSpec],
    treaties: Sequence[Treaty],
    labels: Sequence[Labels],
    *,
    sizes: Sequence[int],
    strategy: str,
    groups: Sequence[str] | None = None,
    seed: int = 0,
    progress: Callable[[int, int], object] | None = None,
    **params: Any,
) -> list[dict[str, Any]]:
    """[{"n", "kappa", "kappas"}] per training size: mean kappa over the indicators (most
    probable value, no abstention) on a held-out fifth of the treaty texts. The first size is a
    random start; each later step adds the treaties `strategy` picks from the pool."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    groups = list(groups) if groups is not None else [treaty_group(t) for t in treaties]
    strata = [-1 if (v := label.get(indicators[0].code)) is None else v for label in labels]
    pool_rows, test_rows = next(iter(grouped_folds(strata, groups, 5, seed)))
    rng = np.random.default_rng(seed)
    pool = [int(i) for i in rng.permutation(pool_rows)]
    chosen: list[int] = []
    params = {"abstain_folds": 0, **params}  # the curve measures the ranking, not the thresholds
    model: Precoder | None = None
    curve = []
    for step, size in enumerate(sizes, start=1):
        wanted = min(size, len(pool_rows)) - len(chosen)
        if wanted > 0:
            if strategy == "random" or model is None:
                picked = pool[:wanted]
            else:
                ranked = most_uncertain(model, [treaties[i] for i in pool])
                picked = [pool[j] for j, _score in ranked[:wanted]]
            chosen += picked
            pool = [i for i in pool if i not in set(picked)]
        model = Precoder(indicators, **params).fit(
            [treaties[i] for i in chosen], [labels[i] for i in chosen], [groups[i] for i in chosen]
        )
        predicted = [{s.indicator: s for s in row} for row in model.predict_many([treaties[i] for i in test_rows])]
        report = indicator_report(indicators, [labels[i] for i in test_rows], predicted)
        kappas = {code: row["kappa_all"] for code, row in report.items()}
        defined = [k for k in kappas.values() if k is not None]
        curve.append(
            {
                "n": len(chosen),
                "n_test": len(test_rows),
                "kappa": float(np.mean(defined)) if defined else None,
                "kappas": kappas,
            }
        )
        if progress:
            progress(step, len(sizes))
    return curve
