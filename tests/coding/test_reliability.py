"""Agreement statistics against published worked examples (to three decimals or better).

Sources:
- Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, Annenberg School, sec. C:
  4 observers x 12 units with missing values; alpha nominal .743, ordinal .815.
- Gwet's irrCAC package README (Gwet 2014 Handbook, 4th ed.): on that same data
  (cac.raw4raters): percent agreement 0.8181818, AC1 0.77544, Fleiss' kappa 0.76117,
  Krippendorff's alpha 0.74342; on cont3x3abstractors (2 raters, 100 units): Cohen's kappa
  0.7964094, AC1 0.8493305, percent agreement 0.89; on distrib.6raters (first 15 patients of
  Fleiss 1971): AC1 0.4448007, Fleiss 0.4139265, percent agreement 0.5511111.
- Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
  Bulletin 76(5): 30 patients, 6 psychiatrists, 5 diagnoses; kappa = 0.430 (R irr's `diagnoses`).
- Cohen's kappa textbook 2x2 table (e.g. Wikipedia "Cohen's kappa"): 20/5/10/15 -> 0.4.
"""
import numpy as np
import pandas as pd
import pytest

from coding import reliability as rel

n = np.nan
KRIPPENDORFF_2011 = pd.DataFrame({
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    "C": [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
})

# Fleiss (1971): per patient, how many of 6 psychiatrists chose depression, personality
# disorder, schizophrenia, neurosis, other.
FLEISS_1971 = [
    (0, 0, 0, 6, 0), (0, 3, 0, 0, 3), (0, 1, 4, 0, 1), (0, 0, 0, 0, 6), (0, 3, 0, 3, 0), (2, 0, 4, 0, 0),
    (0, 0, 4, 0, 2), (2, 0, 3, 1, 0), (2, 0, 0, 4, 0), (0, 0, 0, 0, 6), (1, 0, 0, 5, 0), (1, 1, 0, 4, 0),
    (0, 3, 3, 0, 0), (1, 0, 0, 5, 0), (0, 2, 0, 3, 1), (0, 0, 5, 0, 1), (3, 0, 0, 1, 2), (5, 1, 0, 0, 0),
    (0, 2, 0, 4, 0), (1, 0, 2, 0, 3), (0, 0, 0, 0, 6), (0, 1, 0, 5, 0), (0, 2, 0, 1, 3), (2, 0, 0, 4, 0),
    (1, 0, 0, 4, 1), (0, 5, 0, 1, 0), (4, 0, 0, 0, 2), (0, 2, 0, 4, 0), (1, 0, 5, 0, 0), (0, 0, 0, 0, 6),
]


def from_counts(rows):
    """Category counts per unit -> a units x raters matrix (rater order is irrelevant here)."""
    return pd.DataFrame([[k + 1 for k, c in enumerate(row) for _ in range(c)] for row in rows], dtype=float)


def from_table(table):
    """A contingency table (rows: coder 1, columns: coder 2) -> units x 2 coders."""
    pairs = [(i, j) for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]
    return pd.DataFrame(pairs, columns=["coder1", "coder2"], dtype=float)


def test_krippendorff_2011_example():
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "ordinal") == pytest.approx(0.815, abs=5e-4)


def test_gwet_irrcac_raw4raters():
    assert rel.percent_agreement(KRIPPENDORFF_2011) == pytest.approx(0.8181818, abs=1e-6)
    assert rel.gwet_ac(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.77544, abs=1e-5)
    assert rel.fleiss_kappa_generalised(KRIPPENDORFF_2011) == pytest.approx(0.76117, abs=1e-5)


def test_gwet_irrcac_contingency_table():
    abstractors = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert rel.cohen_kappa(abstractors) == pytest.approx(0.7964094, abs=1e-6)
    assert rel.gwet_ac(abstractors) == pytest.approx(0.8493305, abs=1e-6)
    assert rel.percent_agreement(abstractors) == pytest.approx(0.89, abs=1e-9)


def test_gwet_irrcac_distrib_6raters_and_fleiss_1971():
    first_15 = from_counts(FLEISS_1971[:15])
    assert rel.gwet_ac(first_15) == pytest.approx(0.4448007, abs=1e-6)
    assert rel.fleiss_kappa_generalised(first_15) == pytest.approx(0.4139265, abs=1e-6)
    assert rel.percent_agreement(first_15) == pytest.approx(0.5511111, abs=1e-6)
    assert rel.fleiss_kappa_generalised(from_counts(FLEISS_1971)) == pytest.approx(0.430, abs=5e-4)


def test_cohen_textbook_table():
    assert rel.cohen_kappa(from_table([[20, 5], [10, 15]])) == pytest.approx(0.4, abs=1e-9)
    # AC1 by hand: pa = .7; pi_yes = (25/50 + 30/50)/2 = .55; pe = 2 * .55 * .45 = .495
    assert rel.gwet_ac(from_table([[20, 5], [10, 15]])) == pytest.approx((0.7 - 0.495) / (1 - 0.495), abs=1e-9)


def test_ordinal_weights_follow_gwet():
    w = rel.ordinal_weights(4)
    # M_kl = C(|k-l|+1, 2): 0, 1, 3, 6 -> w = 1 - M/6
    assert w[0].tolist() == pytest.approx([1, 5 / 6, 0.5, 0])
    assert np.allclose(w, w.T)


def test_ac2_with_full_agreement_on_ordinal_scale_is_one_and_partial_credit_counts():
    perfect = pd.DataFrame({"a": [0, 1, 2, 3], "b": [0, 1, 2, 3]}, dtype=float)
    assert rel.gwet_ac(perfect, "ordinal", categories=[0, 1, 2, 3]) == pytest.approx(1.0)
    near = pd.DataFrame({"a": [0, 1, 2, 3, 0, 1], "b": [1, 2, 3, 2, 0, 1]}, dtype=float)
    far = pd.DataFrame({"a": [0, 1, 2, 3, 0, 1], "b": [3, 3, 0, 0, 0, 1]}, dtype=float)
    assert rel.gwet_ac(near, "ordinal", [0, 1, 2, 3]) > rel.gwet_ac(far, "ordinal", [0, 1, 2, 3])
    assert rel.percent_agreement(near) == rel.percent_agreement(far)  # same exact agreements


def test_missing_is_missing_not_zero():
    with_gap = pd.DataFrame({"a": [1, 1, 0, 1], "b": [1, n, 0, 1]})
    as_zero = with_gap.fillna(0)
    assert rel.percent_agreement(with_gap) == 1.0
    assert rel.percent_agreement(as_zero) == 0.75
    assert rel.indicator_summary(with_gap)["n_units"] == 3


def test_kappa_paradox_warning_and_undefined_statistics():
    # 19 of 20 units coded 1 by both coders, one disagreement: kappa near 0, AC1 high.
    skewed = pd.DataFrame({"a": [1] * 19 + [1], "b": [1] * 19 + [0]}, dtype=float)
    summary = rel.indicator_summary(skewed, "nominal", categories=[0, 1])
    assert summary["percent_agreement"] == pytest.approx(0.95)
    assert summary["cohen_kappa"] == pytest.approx(0.0, abs=1e-9)
    assert summary["gwet_ac"] > 0.9
    assert any("kappa paradox" in w for w in summary["warnings"])

    constant = pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, 1]}, dtype=float)
    summary = rel.indicator_summary(constant, "nominal", categories=[0, 1])
    assert summary["cohen_kappa"] is None and summary["krippendorff_alpha"] is None
    assert summary["percent_agreement"] == 1.0


def test_summary_shape_and_edge_cases():
    summary = rel.indicator_summary(KRIPPENDORFF_2011, "ordinal", categories=[1, 2, 3, 4, 5])
    assert set(summary) == {"n_units", "n_coders", "percent_agreement", "cohen_kappa", "fleiss_kappa",
                            "krippendorff_alpha", "gwet_ac", "level", "warnings"}
    assert (summary["n_units"], summary["n_coders"], summary["cohen_kappa"]) == (11, 4, None)
    empty = rel.indicator_summary(pd.DataFrame({"a": [n, n], "b": [n, n]}), "nominal")
    assert empty["n_units"] == 0 and empty["percent_agreement"] is None and empty["gwet_ac"] is None
    one_coder = rel.indicator_summary(pd.DataFrame({"a": [1.0, 0.0]}), "nominal")
    assert one_coder["n_coders"] == 1 and one_coder["krippendorff_alpha"] is None
    with pytest.raises(ValueError):
        rel.indicator_summary(KRIPPENDORFF_2011, "interval")


def test_pairwise_and_accuracy():
    pairs = rel.pairwise_summary(KRIPPENDORFF_2011, "nominal")
    assert len(pairs) == 6
    ab = next(p for p in pairs if (p["coder_a"], p["coder_b"]) == ("A", "B"))
    assert ab["n_units"] == 9 and ab["percent_agreement"] == pytest.approx(8 / 9)
    truth = KRIPPENDORFF_2011["D"]
    accuracy = rel.accuracy_against(KRIPPENDORFF_2011[["A", "B"]], truth)
    assert accuracy["A"] == {"n": 9, "accuracy": pytest.approx(8 / 9)}
    assert accuracy["B"]["n"] == 10
