"""When the pre-coder says nothing, and how folds keep treaties apart. Pure: no Django.

Grouped folds: a treaty text coded under two DESTA numbers (a base treaty and its accession)
is one group, so no fold trains on a text it is tested on. The group of a treaty is a hash of
its articles' texts unless the caller names groups.

Abstention: every indicator has a confidence threshold below which the model gives no
suggestion (value None). The threshold is chosen on the training treaties only, from
out-of-fold predictions of an inner grouped cross-validation: the lowest threshold whose
answered items reach TARGET_KAPPA while at most MAX_ABSTENTION of the items go unanswered;
when no threshold reaches the target within that cap, the one with the highest kappa within
it. Kappa on the answered items flatters a model that abstains a lot, so every report also
gives the abstention rate and the kappa that counts an abstention as a wrong answer."""

import hashlib
from collections.abc import Hashable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

from .features import Treaty

TARGET_KAPPA = 0.85  # above the bar of 0.80, so a held-out sample still clears it
MAX_ABSTENTION = 0.35
MIN_ANSWERED = 10  # fewer answered items than this: a threshold would rest on nothing


def treaty_group(treaty: Treaty) -> str:
    """The same text, the same group (sha256 over identifiers and texts of its articles)."""
    digest = hashlib.sha256()
    for article in treaty:
        digest.update(article.identifier.encode())
        digest.update(b"\0")
        digest.update(article.text.encode())
        digest.update(b"\1")
    return digest.hexdigest()


def grouped_folds(
    strata: Sequence[Hashable], groups: Sequence[Hashable], folds: int, seed: int
) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """(train rows, test rows) per fold, never one group on both sides; stratified by `strata`
    (the first indicator's value) when every stratum has at least `folds` groups."""
    codes = {g: n for n, g in enumerate(dict.fromkeys(groups))}
    group_ids = np.array([codes[g] for g in groups])
    labels = {s: n for n, s in enumerate(dict.fromkeys(strata))}
    strata_ids = np.array([labels[s] for s in strata])
    if len(codes) < folds:
        raise ValueError(f"{len(codes)} distinct treaty texts cannot fill {folds} folds")
    smallest = min(len(set(group_ids[strata_ids == s])) for s in labels.values())
    rows = np.zeros(len(groups))
    splits: Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]
    if len(labels) > 1 and smallest >= folds:
        splits = StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(rows, strata_ids, group_ids)
    else:
        # GroupKFold does not shuffle: permute the group ids so the seed decides the folds.
        permuted = np.random.default_rng(seed).permutation(len(codes))[group_ids]
        splits = GroupKFold(folds).split(rows, groups=permuted)
    return splits


def kappa(reference: npt.ArrayLike, machine: npt.ArrayLike, values: Sequence[int]) -> float | None:
    """Cohen's kappa of two codings over `values`; None when undefined (no items, or both
    codings constant on the same value)."""
    a, b = np.asarray(reference, dtype=int), np.asarray(machine, dtype=int)
    if a.size == 0:
        return None
    observed = float((a == b).mean())
    expected = sum(float((a == v).mean()) * float((b == v).mean()) for v in values)
    return None if expected >= 1.0 else (observed - expected) / (1.0 - expected)


def choose_threshold(
    confidence: npt.ArrayLike,
    reference: npt.ArrayLike,
    predicted: npt.ArrayLike,
    values: Sequence[int],
    *,
    target: float = TARGET_KAPPA,
    max_abstention: float = MAX_ABSTENTION,
) -> float:
    """The confidence threshold (0.0: always answer) from out-of-fold predictions."""
    conf, ref, pred = (np.asarray(x, dtype=float) for x in (confidence, reference, predicted))
    n = conf.size
    if n < MIN_ANSWERED:
        return 0.0
    best, best_kappa = 0.0, kappa(ref, pred, values)
    if best_kappa is not None and best_kappa >= target:
        return 0.0
    for threshold in np.unique(conf):
        answered = conf >= threshold
        if answered.sum() < MIN_ANSWERED or 1 - answered.mean() > max_abstention:
            break  # thresholds rise: every later one answers fewer
        k = kappa(ref[answered], pred[answered], values)
        if k is None:
            continue
        if k >= target:
            return float(threshold)
        if best_kappa is None or k > best_kappa + 1e-9:
            best, best_kappa = float(threshold), k
    return best


def abstention_statistics(
    reference: Sequence[int | None], machine: Sequence[int | None], values: Sequence[int]
) -> dict[str, float | int | None]:
    """Over the items with a reference value: how many the model answered, its abstention rate,
    and kappa counting an abstention as a wrong answer (the value furthest from the reference)."""
    pairs = [(r, m) for r, m in zip(reference, machine) if r is not None]
    if not pairs:
        return {"n_all": 0, "abstention": None, "kappa_missed": None}
    low, high = min(values), max(values)
    missed = [(r, m if m is not None else (high if r - low < high - r else low)) for r, m in pairs]
    abstained = sum(m is None for _r, m in pairs)
    return {
        "n_all": len(pairs),
        "abstention": abstained / len(pairs),
        "kappa_missed": kappa([r for r, _m in missed], [m for _r, m in missed], values),
    }
