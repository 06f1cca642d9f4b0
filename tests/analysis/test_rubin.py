"""Rubin's rules (analysis/pure/rubin.py) against a hand computation, and the words it says
when the combination rests on too few draws or the draws do not move the estimate."""

import math

import pytest
from scipy import stats

from analysis.pure import rubin

ESTIMATES = [1.0, 1.2, 0.9, 1.1, 1.3]
SES = [0.2, 0.25, 0.2, 0.3, 0.25]


def test_five_fits_combined_as_by_hand():
    # Given five fits; by hand: Q = 5.5 / 5 = 1.1; W = (0.04 + 0.0625 + 0.04 + 0.09 + 0.0625) / 5
    # = 0.059; deviations -0.1, 0.1, -0.2, 0, 0.2 give B = 0.10 / 4 = 0.025; T = 0.059 + 1.2 *
    # 0.025 = 0.089; lambda = 0.03 / 0.089; r = 0.03 / 0.059.
    combined = rubin.combine(ESTIMATES, SES, complete_df=100)
    assert combined.m == 5
    assert combined.estimate == pytest.approx(1.1, abs=1e-12)
    assert combined.within == pytest.approx(0.059, abs=1e-12)
    assert combined.between == pytest.approx(0.025, abs=1e-12)
    assert combined.total == pytest.approx(0.089, abs=1e-12)
    assert combined.se == pytest.approx(math.sqrt(0.089), abs=1e-12)
    assert combined.fmi == pytest.approx(0.03 / 0.089, abs=1e-12)
    assert combined.relative_increase == pytest.approx(0.03 / 0.059, abs=1e-12)
    # Barnard-Rubin with nu_com = 100: nu_old = 4 / lambda^2, nu_obs = 101/103 * 100 * (1 - lambda).
    lam = 0.03 / 0.089
    nu_old, nu_obs = 4 / lam**2, 101 / 103 * 100 * (1 - lam)
    assert combined.df == pytest.approx(1 / (1 / nu_old + 1 / nu_obs), rel=1e-12)
    assert combined.df == pytest.approx(22.84, abs=0.01)
    half = stats.t.ppf(0.975, combined.df) * math.sqrt(0.089)
    assert (combined.ci_low, combined.ci_high) == pytest.approx((1.1 - half, 1.1 + half), abs=1e-12)
    assert combined.p == pytest.approx(2 * stats.t.sf(1.1 / math.sqrt(0.089), combined.df), rel=1e-12)
    assert combined.notes == ()


def test_without_complete_data_df_rubins_df_and_a_few_draws_note():
    combined = rubin.combine([0.5, 0.7], [0.1, 0.1])
    # B = 0.02, W = 0.01, T = 0.01 + 1.5 * 0.02 = 0.04, lambda = 0.75, nu = 1 / 0.75^2.
    assert combined.total == pytest.approx(0.04) and combined.fmi == pytest.approx(0.75)
    assert combined.df == pytest.approx(1 / 0.5625)
    assert combined.notes == (rubin.NOTE_FEW_DRAWS,)
    assert "fewer than 5 plausible values" in combined.notes[0]


def test_identical_draws_have_no_between_variance_and_say_so():
    combined = rubin.combine([0.3] * 6, [0.1, 0.1, 0.1, 0.2, 0.2, 0.2])
    assert combined.between == 0 and combined.fmi == 0
    assert combined.total == pytest.approx(0.025) and combined.df is None  # infinite: normal interval
    assert combined.ci_high - 0.3 == pytest.approx(stats.norm.ppf(0.975) * math.sqrt(0.025))
    assert combined.notes == (rubin.NOTE_NO_BETWEEN,) and "between-draw variance is 0" in combined.notes[0]


@pytest.mark.parametrize(("estimates", "ses"), [([1.0], [0.1]), ([1.0, 2.0], [0.1, float("nan")]), ([1.0, 2.0], [0.1])])
def test_refuses_what_cannot_be_combined(estimates, ses):
    with pytest.raises(ValueError, match="Rubin's rules need"):
        rubin.combine(estimates, ses)
