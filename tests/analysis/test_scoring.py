"""Depth scoring (pure) on small frames with known answers, and the study's own inconsistencies."""

import numpy as np
import pandas as pd
import pytest

from analysis.pure import scoring
from coding.pure.depth import additive, assign_tiers
from tests.conftest import SHARED, require_shared

SIX = ["tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon"]
TIERS = [
    {"name": "first", "min": 5, "max": 6},
    {"name": "second", "min": 3, "max": 4},
    {"name": "third", "min": 1, "max": 2},
]


def frame(rows):
    return pd.DataFrame(rows, columns=SIX, dtype=float)


def release_inputs(codes, *, ranges=None, names=None):
    """What selectors.releases.release_inputs would read for these codes (no coverage, no coders)."""
    names = names or {}
    return scoring.ReleaseInputs(
        codes=codes,
        facts={i: {"agreement_id": i, "name": names.get(i, i)} for i in codes.index},
        indicator_codes=SIX,
        indicator_ranges=ranges or {},
        depth_indicators=SIX,
        tiers=TIERS,
    )


def release_tiers(codes, method, *, ranges=None):
    rows, summary = scoring.release_table(release_inputs(codes, ranges=ranges), method=method)
    return [row["tier"] for row in rows], summary


def test_additive_depth_recomputed_and_missing_is_not_zero():
    codes = frame([[1, 1, 0, 1, 1, 0], [1, 1, 1, 1, 1, 3], [1, np.nan, 1, 1, 1, 0]])
    depth = additive(codes, SIX)
    assert depth.tolist()[:2] == [4.0, 8.0] and np.isnan(depth.iloc[2])


def test_weighted_sum_and_tiers():
    codes = frame([[1, 1, 0, 1, 1, 0], [1, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]])
    result = scoring.score(codes, SIX, method="weighted", weights={"tbt_harmon": 2.0, "tbt_wto": 0.5})
    assert result.depth.tolist() == [3.5, 2.5, 6.5]
    tiers = assign_tiers(additive(codes, SIX), TIERS)
    assert tiers.tolist() == ["second", "third", "first"]
    rows, _summary = scoring.release_table(
        release_inputs(codes, names={0: "A", 1: "B", 2: "C"}), method={"name": "additive"}
    )
    assert [row["depth"] for row in rows] == [4, 2, 6]
    table = scoring.tier_table(rows, TIERS)
    assert [(r["tier"], r["count"], r["agreements"]) for r in table] == [
        ("first", 1, ["C"]),
        ("second", 1, ["A"]),
        ("third", 1, ["B"]),
    ]
    with pytest.raises(ValueError, match="needs weights"):
        scoring.score(codes, SIX, method="weighted")


def test_first_principal_component_against_numpy():
    rng = np.random.default_rng(3)
    latent = rng.normal(size=60)
    codes = pd.DataFrame({c: (latent + rng.normal(scale=0.8, size=60) > 0).astype(float) for c in SIX[:5]})
    codes["tbt_harmon"] = np.clip(np.round(latent + 1.5 + rng.normal(scale=0.5, size=60)), 0, 3)
    result = scoring.score(codes, SIX, method="pca")
    # Independent computation: eigenvector of the correlation matrix with the largest eigenvalue.
    z = (codes - codes.mean()) / codes.std(ddof=0)
    values, vectors = np.linalg.eigh(np.corrcoef(z.T.to_numpy()))
    top = vectors[:, -1] * np.sign(vectors[:, -1].sum())
    assert np.allclose(list(result.loadings.values()), top, atol=1e-8)
    assert result.explained_variance == pytest.approx(values[-1] / values.sum())
    assert np.corrcoef(result.depth, z.to_numpy() @ top)[0, 1] == pytest.approx(1.0)
    assert np.corrcoef(result.depth, additive(codes, SIX))[0, 1] > 0.8  # deeper = higher


def test_the_studys_china_singapore_total_is_flagged():
    path = require_shared(SHARED / "reference" / "paper_table6_china_codings.csv")
    table6 = pd.read_csv(path)
    flagged = scoring.check_printed_totals(table6, SIX, "paper_depth", label_column="partner_en")
    assert flagged == [{"row": "Singapore", "printed": 5.0, "recomputed": 4.0}]


def test_pca_on_the_studys_table6_is_oriented_with_the_additive_score():
    # Given China's 11 FTAs as the study codes them: only tbt_distort and tbt_dispute vary, so the
    # loadings are +-0.707 and their sum (the old orientation rule) is 0
    table6 = pd.read_csv(require_shared(SHARED / "reference" / "paper_table6_china_codings.csv"))
    # When they are scored by the first principal component
    result = scoring.score(table6, SIX, method="pca")
    # Then more provisions mean a higher score: the component correlates positively with the sum
    summed = additive(table6, SIX)
    assert np.corrcoef(result.depth, summed)[0, 1] > 0
    assert result.correlation_with_additive == pytest.approx(np.corrcoef(result.depth, summed)[0, 1])
    assert result.loadings == pytest.approx({"tbt_distort": 2**-0.5, "tbt_dispute": -(2**-0.5)})
    # (known answer: with two standardised indicators the first component explains (1 + |r|) / 2)
    r = abs(np.corrcoef(table6["tbt_distort"], table6["tbt_dispute"])[0, 1])
    assert result.explained_variance == pytest.approx((1 + r) / 2)
    # And the mixed signs and the indicators left out are reported
    assert any("mixed signs" in w and "tbt_dispute -0.707" in w for w in result.warnings)
    assert any("tbt_wto, tbt_coop, tbt_intstand, tbt_harmon" in w for w in result.warnings)


def test_pca_orientation_follows_the_additive_score_not_the_loadings_sum():
    # tbt_distort and tbt_dispute move together, tbt_coop against them: the loadings have mixed
    # signs, and the component must still rise with the number of provisions
    codes = frame(
        [
            [1, 0, 1, 1, 1, 0],
            [1, 1, 0, 0, 1, 0],
            [1, 0, 1, 1, 1, 1],
            [1, 1, 0, 0, 1, 1],
            [1, 0, 1, 0, 1, 0],
            [1, 1, 0, 1, 1, 0],
        ]
    )
    result = scoring.score(codes, SIX, method="pca")
    assert np.corrcoef(result.depth, additive(codes, SIX))[0, 1] > 0
    assert result.loadings["tbt_distort"] > 0 and result.loadings["tbt_coop"] < 0
    assert any("mixed signs" in w for w in result.warnings)


def test_tiers_apply_to_the_additive_range_only():
    ranges = {c: (0, 3) if c == "tbt_harmon" else (0, 1) for c in SIX}
    assert scoring.tiers_apply("additive")
    assert not scoring.tiers_apply("pca")
    assert scoring.tiers_apply("weighted", weights=dict.fromkeys(SIX, 1.0))
    # a weighted sum with the additive range (0-8) keeps the tiers' meaning; another range does not
    assert scoring.tiers_apply("weighted", weights={"tbt_wto": 2.0, "tbt_coop": 0.0}, indicator_ranges=ranges)
    assert not scoring.tiers_apply("weighted", weights={"tbt_harmon": 2.0}, indicator_ranges=ranges)
    assert not scoring.tiers_apply("weighted", weights={"tbt_harmon": 2.0})  # range unknown: no tiers

    codes = frame([[1, 1, 0, 1, 1, 0], [1, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 0, 0]])
    # release_table decides a release's tiers, once: by tiers_apply on the method and the ranges
    tiers, summary = release_tiers(codes, {"name": "additive"})
    assert tiers == ["second", "third", "first", "third"]
    assert summary["tiers_apply"] is True and summary["tiers"] == {"first": 1, "second": 1, "third": 2}
    tiers, summary = release_tiers(codes, {"name": "pca"}, ranges=ranges)
    assert tiers == [None] * 4 and summary["tiers_apply"] is False
    assert summary["tiers"] == {"first": 0, "second": 0, "third": 0}
    tiers, summary = release_tiers(codes, {"name": "weighted", "weights": {"tbt_harmon": 2.0}}, ranges=ranges)
    assert tiers == [None] * 4 and summary["tiers_apply"] is False
    # a weighted sum that keeps the additive range keeps the tiers
    tiers, summary = release_tiers(
        codes, {"name": "weighted", "weights": {"tbt_wto": 2.0, "tbt_coop": 0.0}}, ranges=ranges
    )
    assert tiers == ["second", "second", "first", "third"] and summary["tiers_apply"] is True  # depths 4, 3, 6, 1
