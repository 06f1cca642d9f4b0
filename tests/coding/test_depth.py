"""One depth score and one tier rule for releases and for agreement on the depth score
(coding/pure/depth.py): known answers, and the two callers giving the same numbers."""

import numpy as np
import pandas as pd

from analysis.pure import scoring
from coding.pure import depth
from coding.selectors.agreement_uncertainty import depth_scores, tier_ranks

SIX = ["tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon"]
# The study's tiers, listed deepest first as its Table 5 does.
TIERS = [
    {"name": "first", "min": 5, "max": 6},
    {"name": "second", "min": 3, "max": 4},
    {"name": "third", "min": 1, "max": 2},
]


def test_tier_bounds_are_closed_and_gaps_have_no_tier():
    names = [depth.tier_name(v, TIERS) for v in (1, 2, 2.5, 3, 4, 5, 6, 0, 7, None, float("nan"))]
    assert names == ["third", "third", None, "second", "second", "first", "first", None, None, None, None]
    # Ranks count up from the lowest tier whatever order the codebook lists them in.
    assert [depth.tier_index(v, TIERS) for v in (1, 4, 6)] == [0, 1, 2]
    assert [depth.tier_index(v, list(reversed(TIERS))) for v in (1, 4, 6)] == [0, 1, 2]


def test_weighted_sum_and_a_missing_indicator():
    codes = pd.DataFrame([[1, 1, 0, 1, 1, 3], [1, np.nan, 1, 1, 1, 0]], columns=SIX, dtype=float)
    assert depth.additive(codes, SIX).iloc[0] == 7.0
    assert np.isnan(depth.additive(codes, SIX).iloc[1])  # a gap is not a 0
    assert depth.additive(codes, SIX, {"tbt_harmon": 2.0}).iloc[0] == 10.0


def test_release_and_agreement_figures_score_the_same_codes_alike():
    """Two coders' answers on three treaties: the depth score each coder's answers give in the
    agreement figures is the score a release of those answers gets, and so is its tier."""
    by_coder = {
        "coder_a": pd.DataFrame([[1, 1, 0, 1, 1, 0], [1, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1]], columns=SIX),
        "coder_b": pd.DataFrame([[1, 1, 1, 1, 1, 0], [1, 0, 0, 0, 0, np.nan], [1, 1, 1, 1, 0, 1]], columns=SIX),
    }
    long = pd.concat(
        wide.rename_axis("agreement_id")
        .reset_index()
        .melt(id_vars="agreement_id", var_name="indicator", value_name="value")
        .assign(coder=coder)
        for coder, wide in by_coder.items()
    )
    scores = depth_scores(long, SIX)
    for coder, wide in by_coder.items():
        released = scoring.additive(wide.astype(float), SIX)
        pd.testing.assert_series_equal(scores[coder], released, check_names=False, check_index_type=False)
        ranks = tier_ranks(scores, TIERS)[coder]
        names = scoring.assign_tiers(released, TIERS)
        rank_names = ["third", "second", "first"]
        assert [None if np.isnan(r) else rank_names[int(r)] for r in ranks] == [
            n if isinstance(n, str) else None for n in names
        ]
    assert scores["coder_a"].tolist() == [4.0, 2.0, 6.0]
    assert scores["coder_b"].iloc[[0, 2]].tolist() == [5.0, 5.0] and np.isnan(scores["coder_b"].iloc[1])
