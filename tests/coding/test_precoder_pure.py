"""The pre-coder's pure parts (coding/precoder/): reading a treaty, the ordinal head, the
reliability bins, on small inputs with known answers. No database."""

import numpy as np
import pytest

from coding.precoder.features import (
    TreatyArticle,
    TreatyReader,
    english_share,
    looks_english,
    normalise,
)
from coding.precoder.model import (
    Head,
    IndicatorSpec,
    Precoder,
    cross_validate,
    reliability_bins,
    training_hash,
)
from coding.precoder.plots import reliability_diagram

WTO = IndicatorSpec("wto", "nominal", (0, 1), ("agreement on technical barriers to trade",))
HARMON = IndicatorSpec("harmon", "ordinal", (0, 1, 2, 3), ("harmoni",))
ENGLISH = "The Parties shall cooperate in the field of standards and technical regulations under this Agreement."
SPANISH = "Las Partes cooperarán en materia de normas y reglamentos técnicos conforme al presente Tratado y sus anexos."


def treaty(wto, harmon, n):
    filler = [
        TreatyArticle(str(i), "Trade in Goods", f"{ENGLISH} Customs duty number {n}-{i} applies to goods.")
        for i in range(4)
    ]
    tbt = ["The Parties affirm the Agreement on Technical Barriers to Trade." if wto else "The Parties cooperate."]
    tbt += [
        [
            "",
            "The Parties shall work towards the harmonisation of standards.",
            "The Parties shall harmonise standards for electrical goods and machinery sectors.",
            "The Parties shall harmonise all technical regulations and standards comprehensively.",
        ][harmon]
    ]
    return filler + [
        TreatyArticle(f"t{j}", "Technical Barriers to Trade", text, label=f"Art. 6.{j}")
        for j, text in enumerate(tbt)
        if text
    ]


def corpus(n=24):
    labels = [{"wto": i % 2, "harmon": [0, 0, 1, 1, 2, 3][i % 6]} for i in range(n)]
    return [treaty(lab["wto"], lab["harmon"], i) for i, lab in enumerate(labels)], labels


def test_false_friends_are_not_harmonisation():
    assert "harmoni" not in normalise("goods classified under the Harmonized System; harmonious development")
    assert "harmoni" in normalise("harmonisation of technical regulations")


def test_english_is_told_from_spanish():
    assert english_share(ENGLISH) > 0.2 > english_share(SPANISH)
    assert english_share("1234 ...") is None
    assert looks_english([TreatyArticle("1", "", ENGLISH)]) and not looks_english([TreatyArticle("1", "", SPANISH)])


def test_the_reader_finds_subject_articles_and_counts_hints():
    articles = treaty(1, 1, 0)
    reader = TreatyReader({"wto": WTO.hints, "harmon": HARMON.hints}).fit([articles])
    document, vector = reader.read(articles)
    assert "chapter_technical_barriers_to_trade" in document and "customs duty" not in document
    assert vector[:2].tolist() == [np.log1p(1), np.log1p(1)]  # one article each holds the two hints


def test_the_ordinal_head_gives_monotone_probabilities_that_sum_to_one():
    X = np.array([[0.0], [0.1], [1.0], [1.1], [2.0], [2.1], [3.0], [0.05], [1.05], [2.05]])
    y = [0, 0, 1, 1, 2, 2, 3, 0, 1, 2]
    head = Head(HARMON, C=100.0).fit(X, y)
    p = head.predict_proba(np.array([[0.0], [2.0]]))
    assert np.allclose(p.sum(axis=1), 1) and (p >= 0).all()
    assert p[0].argmax() == 0 and p[1].argmax() == 2
    assert isinstance(head.steps[-1], float)  # one treaty at 3: a constant step, not a model


def test_a_model_learns_suggests_and_points_at_the_article():
    treaties, labels = corpus()
    model = Precoder([WTO, HARMON]).fit(treaties, labels)
    suggestions = {s.indicator: s for s in model.predict(treaty(1, 2, 99))}
    assert suggestions["wto"].value == 1 and suggestions["harmon"].value == 2
    assert 0.5 < suggestions["wto"].confidence <= 1
    assert suggestions["wto"].evidence[0] == {
        "article": "t0",
        "number": "Art. 6.0",
        "score": pytest.approx(suggestions["wto"].evidence[0]["score"]),
    }
    assert abs(sum(suggestions["harmon"].probabilities.values()) - 1) < 1e-9


def test_cross_validation_predicts_every_treaty_unseen():
    treaties, labels = corpus()
    report = cross_validate([WTO, HARMON], treaties, labels, folds=3)
    assert report["wto"]["n"] == 24 and report["wto"]["kappa"] == pytest.approx(1.0)
    assert report["harmon"]["alpha"] is not None and len(report["harmon"]["points"]) == 24


def test_the_training_hash_ignores_order_and_sees_any_change():
    items = [(1, "h1", {"wto": 1}), (2, "h2", {"wto": 0})]
    assert training_hash(items) == training_hash(items[::-1])
    assert training_hash(items) != training_hash([(1, "h1", {"wto": 0}), (2, "h2", {"wto": 0})])


def test_reliability_bins_and_diagram():
    bins = reliability_bins([[0.95, 1], [0.9, 1], [0.55, 0], [0.6, 1], [1.0, 1]], bins=5)
    assert [(b["n"], b["accuracy"]) for b in bins] == [(2, 0.5), (3, 1.0)]
    assert reliability_diagram([("cv", bins)], fmt="svg").startswith(b"<?xml")
    assert reliability_diagram([("cv", bins)], fmt="png")[:4] == b"\x89PNG"
