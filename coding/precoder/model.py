"""The pre-coder's models: one per indicator over the same treaty features. Pure: no Django.

Features (features.py): TF-IDF of words and word pairs over a treaty's subject articles (chapter
titles included as tokens), beside the codebook's keyword-hint counts, scaled to [0, 1] and
weighted by `hint_weight`. Heads: a yes/no indicator is a class-balanced logistic regression; an
ordinal one (tbt_harmon, 0-3) is a chain of "value >= k" logistic regressions (Frank and Hall
2001), whose probabilities are made monotone and differenced into P(value = k), so the order of
the scale is used and a rare top value still gets a probability; a nominal one with more values
is a multinomial logistic regression. The suggestion is the most probable value, its confidence
that probability. The evidence is the article whose TF-IDF vector scores highest on the head's
coefficients (the "yes" or "value >= first step" direction): where the model reads the indicator,
also when it suggests "no" (then the article that came closest, with its low score).

Abstention (abstention.py): each head has a confidence threshold chosen on the training
treaties only (an inner grouped cross-validation over the training matrix); below it the
suggestion's value is None, "no suggestion". Cross-validation is grouped by treaty text: the
features, heads and thresholds are fitted on four fifths of the texts and predict the fifth,
so every figure it reports is for treaties the model did not see; it reports kappa on the
answered items beside the abstention rate and the kappa counting abstentions as misses."""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import MaxAbsScaler

from ..pure.reliability import cohen_kappa, krippendorff_alpha
from .abstention import abstention_statistics, choose_threshold, grouped_folds, treaty_group
from .features import Treaty, TreatyReader

Labels = Mapping[str, int | None]  # {indicator code: value, or None when not coded}

# abstain_folds: folds of the inner cross-validation that chooses the thresholds (0: never abstain)
PARAMS = {"C": 10.0, "hint_weight": 0.3, "max_features": 50_000, "min_df": 2, "abstain_folds": 3}
EVIDENCE_TOP = 3


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    level: str
    values: tuple[int, ...]
    hints: tuple[str, ...] = ()


@dataclass
class Suggestion:
    indicator: str
    value: int | None  # None: the model abstains (confidence below the indicator's threshold)
    confidence: float  # of the most probable value, also when abstaining
    probabilities: dict[int, float]
    evidence: list[dict[str, Any]] = field(default_factory=list)  # [{"article", "number", "score"}], best first
    threshold: float = 0.0

    @property
    def most_probable(self) -> int:
        return max(self.probabilities, key=self.probabilities.__getitem__)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "probabilities": {str(k): round(v, 4) for k, v in self.probabilities.items()},
            "evidence": self.evidence,
            "abstained": self.value is None,
        }


class Features:
    """Treaties -> one sparse matrix: TF-IDF of the subject text, then the weighted hint counts."""

    def __init__(self, hints: Mapping[str, Sequence[str]], params: Mapping[str, Any]) -> None:
        self.params = params
        self.reader = TreatyReader(hints)

    def fit_transform(self, treaties: Sequence[Treaty]) -> Any:
        self.reader.fit(treaties)
        documents, hints = self.reader.read_all(treaties)
        self.vectorizer = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=self.params["min_df"],
            sublinear_tf=True,
            max_features=self.params["max_features"],
            dtype=np.float32,
        )
        words = self.vectorizer.fit_transform(documents)
        # The terms cut by min_df/max_features: large and unused (scikit-learn's advice for pickling).
        self.vectorizer.stop_words_ = None
        self.scaler = MaxAbsScaler().fit(hints)
        return self._join(words, hints)

    def transform(self, treaties: Sequence[Treaty]) -> Any:
        documents, hints = self.reader.read_all(treaties)
        return self._join(self.vectorizer.transform(documents), hints)

    def _join(self, words: Any, hints: np.ndarray) -> Any:
        scaled = self.params["hint_weight"] * self.scaler.transform(hints)
        return sparse.hstack([words, sparse.csr_matrix(scaled, dtype=np.float32)]).tocsr()

    @property
    def n_words(self) -> int:
        return len(self.vectorizer.vocabulary_)

    def article_words(self, treaty: Treaty) -> Any:
        return self.vectorizer.transform([self.reader.article_document(a) for a in treaty])


def _logistic(C: float, classes: int) -> Any:
    if classes == 2:  # few treaties, many terms: the dual problem is the small one
        return LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=5000, random_state=0
        )
    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000)


class Head:
    """One indicator's model: probabilities over the codebook's values, and an evidence direction."""

    def __init__(self, spec: IndicatorSpec, C: float) -> None:
        self.spec, self.C = spec, C
        self.values = sorted(spec.values)

    def fit(self, X: Any, y: Sequence[int | None]) -> "Head":
        targets = np.asarray(y, dtype=int)
        self.share = {v: float((targets == v).mean()) for v in self.values}
        self.direction: np.ndarray | None
        if self.spec.level == "ordinal" and len(self.values) > 2:
            self.steps: list[Any] = []  # a fitted LogisticRegression, or a constant probability
            for step in self.values[1:]:
                target = (targets >= step).astype(int)
                if min(target.sum(), len(target) - target.sum()) < 2:
                    self.steps.append(float(target.mean()))  # too few on one side: a constant
                else:
                    self.steps.append(_logistic(self.C, 2).fit(X, target))
            first = self.steps[0]
            self.direction = first.coef_[0] if not isinstance(first, float) else None
        else:
            classes = sorted(set(targets.tolist()))
            self.model = _logistic(self.C, len(classes)).fit(X, targets) if len(classes) > 1 else None
            self.direction = self.model.coef_[-1] if self.model is not None else None
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(treaties x values) probabilities, columns in self.values order."""
        n = X.shape[0]
        if self.spec.level == "ordinal" and len(self.values) > 2:
            columns = [np.ones(n)]
            for step in self.steps:
                columns.append(np.full(n, step) if isinstance(step, float) else step.predict_proba(X)[:, 1])
            columns.append(np.zeros(n))
            at_least = np.minimum.accumulate(np.vstack(columns), axis=0)
            return (at_least[:-1] - at_least[1:]).T
        result = np.zeros((n, len(self.values)))
        if self.model is None:
            result[:, self.values.index(max(self.share, key=self.share.__getitem__))] = 1.0
            return result
        for column, value in enumerate(self.model.classes_):
            result[:, self.values.index(int(value))] = self.model.predict_proba(X)[:, column]
        return result


class Precoder:
    """Fit on treaties (lists of TreatyArticle) and their labels ({code: value or None});
    `predict` gives one Suggestion per indicator."""

    def __init__(self, indicators: Iterable[IndicatorSpec], **params: Any) -> None:
        self.indicators = list(indicators)
        self.params = {**PARAMS, **params}

    @property
    def codes(self) -> list[str]:
        return [spec.code for spec in self.indicators]

    def fit(
        self, treaties: Sequence[Treaty], labels: Sequence[Labels], groups: Sequence[str] | None = None
    ) -> "Precoder":
        self.features = Features({s.code: s.hints for s in self.indicators}, self.params)
        X = self.features.fit_transform(treaties)
        self.heads: dict[str, Head] = {}
        rows_of = {
            spec.code: [i for i, label in enumerate(labels) if label.get(spec.code) is not None]
            for spec in self.indicators
        }
        for spec in self.indicators:
            rows = rows_of[spec.code]
            self.heads[spec.code] = Head(spec, self.params["C"]).fit(X[rows], [labels[i][spec.code] for i in rows])
        groups = list(groups) if groups is not None else [treaty_group(t) for t in treaties]
        self.thresholds = self._thresholds(X, labels, groups, rows_of)
        return self

    def _thresholds(
        self, X: Any, labels: Sequence[Labels], groups: Sequence[str], rows_of: Mapping[str, list[int]]
    ) -> dict[str, float]:
        """Per indicator, the confidence below which to abstain, from out-of-fold predictions
        of heads refitted on the training rows only (the features' vocabulary is the training
        set's; no label of a test treaty enters)."""
        folds = int(self.params["abstain_folds"])
        thresholds = dict.fromkeys(self.codes, 0.0)
        if folds < 2 or len(set(groups)) < 2 * folds:
            return thresholds
        for spec in self.indicators:
            rows = np.asarray(rows_of[spec.code])
            y = np.asarray([labels[i][spec.code] for i in rows], dtype=int)
            if len(set(y.tolist())) < 2:
                continue
            confidence, predicted = np.zeros(len(rows)), np.zeros(len(rows), dtype=int)
            try:
                splits = list(grouped_folds(y.tolist(), [groups[i] for i in rows], folds, seed=1))
            except ValueError:
                continue
            for train, test in splits:
                if len(set(y[train].tolist())) < 2:
                    confidence[test], predicted[test] = 0.0, y[train][0]
                    continue
                p = Head(spec, self.params["C"]).fit(X[rows[train]], y[train].tolist()).predict_proba(X[rows[test]])
                values = np.asarray(sorted(spec.values))
                confidence[test], predicted[test] = p.max(axis=1), values[p.argmax(axis=1)]
            thresholds[spec.code] = choose_threshold(confidence, y, predicted, spec.values)
        return thresholds

    def predict_many(self, treaties: Sequence[Treaty], *, evidence: bool = True) -> list[list[Suggestion]]:
        X = self.features.transform(treaties)
        probabilities = {code: head.predict_proba(X) for code, head in self.heads.items()}
        thresholds = getattr(self, "thresholds", {})  # a model pickled before thresholds: never abstains
        results = []
        for i, treaty in enumerate(treaties):
            words = self.features.article_words(treaty) if evidence and treaty else None
            suggestions: list[Suggestion] = []
            for code, head in self.heads.items():
                p = probabilities[code][i]
                best = int(np.argmax(p))
                threshold = float(thresholds.get(code, 0.0))
                suggestions.append(
                    Suggestion(
                        indicator=code,
                        value=int(head.values[best]) if p[best] >= threshold else None,
                        confidence=float(p[best]),
                        probabilities={int(v): float(q) for v, q in zip(head.values, p)},
                        evidence=self._evidence(treaty, words, head) if words is not None else [],
                        threshold=threshold,
                    )
                )
            results.append(suggestions)
        return results

    def predict(self, treaty: Treaty) -> list[Suggestion]:
        return self.predict_many([treaty])[0]

    def _evidence(self, treaty: Treaty, words: Any, head: Head) -> list[dict[str, Any]]:
        if head.direction is None:
            return []
        scores = words @ head.direction[: self.features.n_words]
        order = np.argsort(-scores, kind="stable")[:EVIDENCE_TOP]
        return [
            {"article": treaty[j].identifier, "number": treaty[j].label, "score": round(float(scores[j]), 4)}
            for j in order
        ]


def agreement_statistics(pairs: Sequence[tuple[int | None, int | None]], spec: IndicatorSpec) -> dict[str, Any]:
    """Kappa, alpha, accuracy and n of (reference value, suggested value) pairs."""
    frame = pd.DataFrame(pairs, columns=["reference", "machine"], dtype=float).dropna()
    if frame.empty:
        return {"n": 0, "kappa": None, "alpha": None, "accuracy": None}
    return {
        "n": len(frame),
        "kappa": cohen_kappa(frame, categories=spec.values),
        "alpha": krippendorff_alpha(frame, level=spec.level, categories=spec.values),
        "accuracy": float((frame.reference == frame.machine).mean()),
    }


def cross_validate(
    indicators: Sequence[IndicatorSpec],
    treaties: Sequence[Treaty],
    labels: Sequence[Labels],
    *,
    folds: int = 5,
    seed: int = 0,
    groups: Sequence[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
    **params: Any,
) -> dict[str, dict[str, Any]]:
    """Out-of-fold suggestions for every treaty (folds grouped by treaty text, or by `groups`),
    reported per indicator by indicator_report."""
    predicted = out_of_fold(
        indicators, treaties, labels, folds=folds, seed=seed, groups=groups, progress=progress, **params
    )
    return indicator_report(indicators, labels, predicted)


def out_of_fold(
    indicators: Sequence[IndicatorSpec],
    treaties: Sequence[Treaty],
    labels: Sequence[Labels],
    *,
    folds: int = 5,
    seed: int = 0,
    groups: Sequence[str] | None = None,
    progress: Callable[[int, int], object] | None = None,
    **params: Any,
) -> list[dict[str, Suggestion]]:
    """{code: Suggestion} per treaty, each from a model fitted without the treaty's group."""
    groups = list(groups) if groups is not None else [treaty_group(t) for t in treaties]
    strata = [-1 if (v := label.get(indicators[0].code)) is None else v for label in labels]
    predicted: list[dict[str, Suggestion]] = [{} for _ in treaties]  # every treaty is in one test fold
    for n, (train, test) in enumerate(grouped_folds(strata, groups, folds, seed), start=1):
        model = Precoder(indicators, **params).fit(
            [treaties[i] for i in train], [labels[i] for i in train], [groups[i] for i in train]
        )
        for i, suggestions in zip(test, model.predict_many([treaties[i] for i in test], evidence=False)):
            predicted[i] = {s.indicator: s for s in suggestions}
        if progress:
            progress(n, folds)
    return predicted


def indicator_report(
    indicators: Sequence[IndicatorSpec], labels: Sequence[Labels], predicted: Sequence[Mapping[str, Suggestion]]
) -> dict[str, dict[str, Any]]:
    """The per-indicator agreement of `predicted` (one {code: Suggestion} per treaty) with `labels`:
    kappa, alpha and accuracy on the answered items ("n" of them), the abstention rate, kappa
    counting abstentions as misses ("kappa_missed"), kappa of the most probable value ignoring
    the thresholds ("kappa_all"), and the (confidence, correct) points of a reliability diagram
    (most probable value, every item)."""
    report: dict[str, dict[str, Any]] = {}
    for spec in indicators:
        reference = [label.get(spec.code) for label in labels]
        machine = [p[spec.code].value for p in predicted]
        forced = [p[spec.code].most_probable for p in predicted]
        points = [
            [round(p[spec.code].confidence, 4), int(r == p[spec.code].most_probable)]
            for r, p in zip(reference, predicted)
            if r is not None
        ]
        report[spec.code] = {
            **agreement_statistics(list(zip(reference, machine)), spec),
            **abstention_statistics(reference, machine, spec.values),
            "kappa_all": agreement_statistics(list(zip(reference, forced)), spec)["kappa"],
            "threshold_mean": None,
            "points": points,
        }
        thresholds = [p[spec.code].threshold for p in predicted]
        report[spec.code]["threshold_mean"] = round(float(np.mean(thresholds)), 4) if thresholds else None
    return report


def training_hash(items: Iterable[tuple[object, object, Mapping[str, Any]]]) -> str:
    """sha256 over the training set: (key, text hash, {code: value}) per treaty, order-free."""
    canonical = sorted(
        [str(key), str(text_hash), sorted((k, v) for k, v in labels.items())] for key, text_hash, labels in items
    )
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def reliability_bins(points: Sequence[Sequence[float]], *, bins: int = 5) -> list[dict[str, Any]]:
    """Confidence against accuracy: [{"low", "high", "n", "confidence", "accuracy"}] for the
    non-empty bins of equal width between 1/bins... 1 (points: [confidence, correct])."""
    rows = []
    edges = np.linspace(0, 1, bins + 1)
    data = np.asarray(points, dtype=float).reshape(-1, 2)
    for k, (low, high) in enumerate(pairwise(edges)):
        inside = (data[:, 0] >= low) & ((data[:, 0] < high) if k < bins - 1 else (data[:, 0] <= high))
        if inside.any():
            rows.append(
                {
                    "low": float(low),
                    "high": float(high),
                    "n": int(inside.sum()),
                    "confidence": float(data[inside, 0].mean()),
                    "accuracy": float(data[inside, 1].mean()),
                }
            )
    return rows
