"""The pre-coder's abstention and grouped folds (issue 24, item 2), on small synthetic treaties:
thresholds are chosen on training folds only, a treaty text is never on both sides of a fold,
and the abstention statistics have known answers."""

import numpy as np
import pandas as pd
import pytest

from coding.precoder.abstention import (
    abstention_statistics,
    choose_threshold,
    grouped_folds,
    kappa,
    treaty_group,
)
from coding.precoder.features import TreatyArticle
from coding.precoder.model import IndicatorSpec, Precoder, Suggestion, cross_validate, out_of_fold
from coding.pure.reliability import cohen_kappa

SPECS = [IndicatorSpec("tbt_wto", "nominal", (0, 1), ("technical barriers to trade",))]
FILLER = "The Parties shall cooperate in the field of customs procedures under this Agreement."


def synthetic(n=36, seed=0):
    """n treaties: a 1 names the TBT Agreement, a 0 does not; every fifth is the other way round
    (noise), so the model is unsure of some and wrong on some."""
    rng = np.random.default_rng(seed)
    treaties, labels = [], []
    for i in range(n):
        value = i % 2
        names_tbt = value == 1 if i % 5 else value == 0
        body = "The Parties affirm the Agreement on Technical Barriers to Trade." if names_tbt else FILLER
        words = " ".join(rng.choice(["goods", "tariff", "origin", "duty", "quota"], size=6))
        treaties.append(
            [
                TreatyArticle(f"{i}-1", "Trade in Goods", f"{FILLER} {words} treaty{i}"),
                TreatyArticle(f"{i}-2", "Technical Barriers to Trade" if names_tbt else "Final Provisions", body),
            ]
        )
        labels.append({"tbt_wto": value})
    return treaties, labels


def test_kappa_matches_the_reliability_module():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    b[:30] = a[:30]
    frame = pd.DataFrame({"reference": a, "machine": b}, dtype=float)
    assert kappa(a, b, [0, 1, 2]) == pytest.approx(cohen_kappa(frame, categories=[0, 1, 2]))
    assert kappa([], [], [0, 1]) is None and kappa([1, 1], [1, 1], [0, 1]) is None


def test_abstention_statistics_count_an_abstention_as_a_miss():
    # Answered: 3 of 4. As misses: machine (0, 0, 0, 1) against (0, 1, 0, 1): observed .75,
    # expected .5 * .75 + .5 * .25 = .5, kappa (.75 - .5) / .5 = .5.
    stats = abstention_statistics([0, 1, 0, 1, None], [0, None, 0, 1, 1], [0, 1])
    assert stats == {"n_all": 4, "abstention": 0.25, "kappa_missed": pytest.approx(0.5)}


def test_the_threshold_is_the_lowest_that_reaches_the_target():
    # 20 items, the 6 least confident wrong. Answering from the 6th on: 14 of 15 right, 8 ones
    # and 7 zeros against 7 and 8, kappa (14/15 - 112/225) / (1 - 112/225) = .867 >= .85, while
    # from the 5th on it is .75: the threshold is the 6th confidence. Asking for kappa .99: the 7th.
    confidence = np.linspace(0.5, 0.99, 20)
    reference = np.array([0, 1] * 10)
    predicted = reference.copy()
    predicted[:6] = 1 - predicted[:6]
    assert kappa(reference[5:], predicted[5:], [0, 1]) == pytest.approx((14 / 15 - 112 / 225) / (1 - 112 / 225))
    assert choose_threshold(confidence, reference, predicted, [0, 1]) == pytest.approx(confidence[5])
    assert choose_threshold(confidence, reference, predicted, [0, 1], target=0.99) == pytest.approx(confidence[6])
    # Right everywhere: never abstain. Wrong on 8 (over the cap of .35): the best kappa within it.
    assert choose_threshold(confidence, reference, reference, [0, 1]) == 0.0
    predicted[:8] = 1 - reference[:8]  # from the 8th on kappa is .847: the best within the cap
    chosen = choose_threshold(confidence, reference, predicted, [0, 1])
    assert (confidence < chosen).mean() <= 0.35 and chosen == pytest.approx(confidence[7])


def test_grouped_folds_never_put_one_text_on_both_sides():
    groups = [f"text{i // 2}" for i in range(30)]  # every text coded twice (a base treaty and its accession)
    strata = [i % 2 for i in range(30)]
    seen = []
    for train, test in grouped_folds(strata, groups, 5, seed=0):
        assert not {groups[i] for i in train} & {groups[i] for i in test}
        seen += list(test)
    assert sorted(seen) == list(range(30))
    with pytest.raises(ValueError, match="3 distinct treaty texts cannot fill 5 folds"):
        list(grouped_folds([0, 1, 0], ["a", "b", "c"], 5, seed=0))


def test_cross_validation_groups_identical_texts_by_default():
    treaties, labels = synthetic(20)
    doubled, doubled_labels = treaties + treaties[:6], labels + labels[:6]  # the same texts again
    assert treaty_group(doubled[0]) == treaty_group(doubled[20]) != treaty_group(doubled[1])
    groups = [treaty_group(t) for t in doubled]
    test_sides = {}
    for fold, (_train, test) in enumerate(grouped_folds([lab["tbt_wto"] for lab in doubled_labels], groups, 4, 0)):
        for i in test:
            test_sides[i] = fold
    assert all(test_sides[i] == test_sides[20 + i] for i in range(6))
    report = cross_validate(SPECS, doubled, doubled_labels, folds=4, abstain_folds=0)
    assert report["tbt_wto"]["n_all"] == 26 and report["tbt_wto"]["abstention"] == 0


def test_thresholds_are_chosen_on_the_training_fold_only():
    treaties, labels = synthetic(36)
    groups = [treaty_group(t) for t in treaties]
    predicted = out_of_fold(SPECS, treaties, labels, folds=3, seed=0)
    strata = [lab["tbt_wto"] for lab in labels]
    for train, test in grouped_folds(strata, groups, 3, 0):
        alone = Precoder(SPECS).fit([treaties[i] for i in train], [labels[i] for i in train])
        # The same threshold as a model that never saw the test treaties (their labels flipped
        # would change nothing).
        assert {predicted[i]["tbt_wto"].threshold for i in test} == {alone.thresholds["tbt_wto"]}
        flipped = [dict(lab) for lab in labels]
        for i in test:
            flipped[i]["tbt_wto"] = 1 - flipped[i]["tbt_wto"]
        again = Precoder(SPECS).fit([treaties[i] for i in train], [flipped[i] for i in train])
        assert again.thresholds == alone.thresholds


def test_a_suggestion_below_its_threshold_is_no_suggestion():
    treaties, labels = synthetic(36)
    model = Precoder(SPECS).fit(treaties, labels)
    model.thresholds = {"tbt_wto": 0.999}
    suggestion = model.predict(treaties[0])[0]
    assert suggestion.value is None and suggestion.as_dict()["abstained"] is True
    assert suggestion.most_probable in (0, 1) and suggestion.confidence < 0.999
    model.thresholds = {"tbt_wto": 0.0}
    assert model.predict(treaties[0])[0].value == model.predict(treaties[0])[0].most_probable
    assert Suggestion("x", None, 0.5, {0: 0.5, 1: 0.5}).as_dict()["value"] is None
    report = cross_validate(SPECS, treaties, labels, folds=3)
    row = report["tbt_wto"]
    # n answered + abstentions = every coded treaty; kappa counting misses never above answered kappa
    assert row["n"] + round(row["abstention"] * row["n_all"]) == row["n_all"] == 36
    assert row["kappa_missed"] <= row["kappa"] + 1e-9
