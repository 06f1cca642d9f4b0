"""coding.pure.reliability against published worked examples (to three decimals or better).

Plain pytest: no database, no Django. Sources:

[K2011]  Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
         Communication, University of Pennsylvania. Sec. A: 2 observers, binary data, alpha = .095;
         sec. C: 4 observers x 12 units with missing values; alpha nominal .743, ordinal .815,
         interval .849, ratio .797.
[irrCAC] Gwet, K. L., R package irrCAC, README (github.com/kgwet/irrCAC), outputs printed there for
         the example data of Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed.:
         cac.raw4raters (= [K2011]'s sec. C data): pa.coeff.raw 0.8181818; gwet.ac1.raw AC1 0.77544
         (pe 0.1903212); fleiss.kappa.raw 0.76117 (pe 0.2387153); krippen.alpha.raw 0.74342.
         (0.76282, sometimes quoted as "Fleiss", is conger.kappa.raw in that README.)
         cont3x3abstractors (2 raters, 100 units): kappa2.table 0.7964094, gwet.ac1.table 0.8493305,
         krippen2.table 0.7972585, pa2.table 0.89.
         distrib.6raters (the first 15 patients of [F1971]): gwet.ac1.dist 0.4448007 (pa 0.5511111),
         fleiss.kappa.dist 0.4139265, krippen.alpha.dist 0.4204384.
[pyCAC]  The Python port of irrCAC (github.com/afergadis/irrCAC), test/unit/irrCAC/raw/test_gwet.py,
         which reproduces the R package's output: AC2 with ordinal weights on raw_4raters
         0.899 (pa 0.968, pe 0.685).
[F1971]  Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
         Bulletin 76(5), 378-382: 30 patients, 6 psychiatrists, 5 diagnoses, kappa = .430
         (the data as R irr's `diagnoses` and statsmodels' test suite have them).
[WikiF]  Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories,
         P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
[WikiC]  Wikipedia, "Cohen's kappa", simple example: 50 grant proposals, yes/yes 20, yes/no 5,
         no/yes 10, no/no 15; p_o = 0.7, p_e = 0.5, kappa = 0.4.
"""

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from coding.pure import reliability as rel
from coding.pure.notes import english

n = np.nan
TO_3 = 5e-4  # "to three decimals": a published .743 covers [.7425, .7435)

# [K2011] sec. C, as printed there (observers A-D; unit 12 is coded by B only and cannot be paired).
# irrCAC's cac.raw4raters has the same values, except that the lone code 3 of unit 12 is Rater3's:
# no pooled statistic depends on who gave an unpairable code.
KRIPPENDORFF_2011 = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        "C": [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    }
)

# [F1971]: per patient, how many of the 6 psychiatrists chose depression, personality disorder,
# schizophrenia, neurosis, other.
FLEISS_1971 = [
    (0, 0, 0, 6, 0),
    (0, 3, 0, 0, 3),
    (0, 1, 4, 0, 1),
    (0, 0, 0, 0, 6),
    (0, 3, 0, 3, 0),
    (2, 0, 4, 0, 0),
    (0, 0, 4, 0, 2),
    (2, 0, 3, 1, 0),
    (2, 0, 0, 4, 0),
    (0, 0, 0, 0, 6),
    (1, 0, 0, 5, 0),
    (1, 1, 0, 4, 0),
    (0, 3, 3, 0, 0),
    (1, 0, 0, 5, 0),
    (0, 2, 0, 3, 1),
    (0, 0, 5, 0, 1),
    (3, 0, 0, 1, 2),
    (5, 1, 0, 0, 0),
    (0, 2, 0, 4, 0),
    (1, 0, 2, 0, 3),
    (0, 0, 0, 0, 6),
    (0, 1, 0, 5, 0),
    (0, 2, 0, 1, 3),
    (2, 0, 0, 4, 0),
    (1, 0, 0, 4, 1),
    (0, 5, 0, 1, 0),
    (4, 0, 0, 0, 2),
    (0, 2, 0, 4, 0),
    (1, 0, 5, 0, 0),
    (0, 0, 0, 0, 6),
]

# [WikiF]: per subject, how many of the 14 raters chose categories 1..5.
WIKIPEDIA_FLEISS = [
    (0, 0, 0, 0, 14),
    (0, 2, 6, 4, 2),
    (0, 0, 3, 5, 6),
    (0, 3, 9, 2, 0),
    (2, 2, 8, 1, 1),
    (7, 7, 0, 0, 0),
    (3, 2, 6, 3, 0),
    (2, 5, 3, 2, 2),
    (6, 5, 2, 1, 0),
    (0, 2, 2, 3, 7),
]

WIKIPEDIA_COHEN = [[20, 5], [10, 15]]  # [WikiC]: rows reader A (yes, no), columns reader B
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]  # [irrCAC] cont3x3abstractors

# [K2011] sec. A: two observers, ten units, binary.
KRIPPENDORFF_BINARY = pd.DataFrame(
    {"Mary": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "Dave": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}, dtype=float
)


def from_counts(rows):
    """Category counts per unit (categories 1..q) -> a units x raters matrix. Rater order is
    irrelevant to the many-rater statistics this data is used for."""
    return pd.DataFrame([[k + 1 for k, c in enumerate(row) for _ in range(c)] for row in rows], dtype=float)


def from_table(table):
    """A contingency table (rows: coder 1, columns: coder 2) -> units x 2 coders (codes 0..q-1)."""
    pairs = [(i, j) for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)]
    return pd.DataFrame(pairs, columns=["coder1", "coder2"], dtype=float)


# --- Krippendorff's alpha ----------------------------------------------------------------------


def test_krippendorff_2011_four_observers_with_missing_data():
    # [K2011] sec. C: nominal .743, ordinal .815; [irrCAC] krippen.alpha.raw 0.74342.
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.743, abs=TO_3)
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.74342, abs=5e-6)
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "ordinal") == pytest.approx(0.815, abs=TO_3)
    # The codebook's scale 1..5 is exactly what the coders used: passing it changes nothing.
    assert rel.krippendorff_alpha(KRIPPENDORFF_2011, "ordinal", categories=[1, 2, 3, 4, 5]) == pytest.approx(
        0.815, abs=TO_3
    )


def test_krippendorff_2011_data_transcription_gives_its_interval_and_ratio_values():
    # Guards the data above: [K2011] sec. C also gives interval .849 and ratio .797 (levels the
    # module does not offer, so asked of the krippendorff package directly).
    data = KRIPPENDORFF_2011.to_numpy().T
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="interval") == pytest.approx(0.849, abs=TO_3)
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="ratio") == pytest.approx(0.797, abs=TO_3)


def test_krippendorff_2011_binary_two_observers():
    # [K2011] sec. A: alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 19 * 4 / (14 * 6) = .095
    assert rel.krippendorff_alpha(KRIPPENDORFF_BINARY) == pytest.approx(0.095, abs=TO_3)
    assert rel.percent_agreement(KRIPPENDORFF_BINARY) == pytest.approx(0.6)  # 6 of 10 units agree


# --- Gwet's irrCAC examples ------------------------------------------------------------------


def test_irrcac_raw4raters_percent_agreement_ac1_and_fleiss_with_missing_data():
    # [irrCAC] pa.coeff.raw 0.8181818 = 9/11: units 1-11 are pairable, unit 6 (1,2,3,4) has no
    # agreeing pair, unit 2 (2,2,3,2) and unit 8 (1,1,2,1) have 3 of 6 pairs agreeing.
    assert rel.percent_agreement(KRIPPENDORFF_2011) == pytest.approx(0.8181818, abs=1e-7)
    # [irrCAC] gwet.ac1.raw: pa 0.8181818, pe 0.1903212, AC1 0.77544.
    parts = rel.gwet_parts(KRIPPENDORFF_2011, "nominal")
    assert (parts["pa"], parts["pe"], parts["q"]) == (
        pytest.approx(0.8181818, abs=1e-7),
        pytest.approx(0.1903212, abs=1e-7),
        5,
    )
    assert rel.gwet_ac(KRIPPENDORFF_2011, "nominal") == pytest.approx(0.77544, abs=5e-6)
    # [irrCAC] fleiss.kappa.raw (Gwet's generalisation to varying raters per unit): 0.76117.
    assert rel.fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(0.76117, abs=5e-6)


def test_irrcac_raw4raters_ac2_with_gwet_ordinal_weights():
    # [pyCAC] gwet(weights='ordinal') on raw_4raters: pa 0.968, pe 0.685, AC2 0.899.
    parts = rel.gwet_parts(KRIPPENDORFF_2011, "ordinal")
    assert parts["pa"] == pytest.approx(0.968, abs=TO_3)
    assert parts["pe"] == pytest.approx(0.685, abs=TO_3)
    assert rel.gwet_ac(KRIPPENDORFF_2011, "ordinal") == pytest.approx(0.899, abs=TO_3)
    assert rel.gwet_ac(KRIPPENDORFF_2011, "ordinal", categories=[1, 2, 3, 4, 5]) == pytest.approx(0.899, abs=TO_3)


def test_irrcac_cont3x3abstractors_two_raters():
    abstractors = from_table(ABSTRACTORS)
    assert rel.cohen_kappa(abstractors) == pytest.approx(0.7964094, abs=1e-7)  # [irrCAC] kappa2.table
    assert rel.gwet_ac(abstractors) == pytest.approx(0.8493305, abs=1e-7)  # [irrCAC] gwet.ac1.table
    assert rel.krippendorff_alpha(abstractors) == pytest.approx(0.7972585, abs=1e-7)  # [irrCAC] krippen2.table
    assert rel.percent_agreement(abstractors) == pytest.approx(0.89)  # [irrCAC] pa2.table


def test_irrcac_distrib_6raters():
    first_15 = from_counts(FLEISS_1971[:15])
    assert rel.gwet_ac(first_15) == pytest.approx(0.4448007, abs=1e-7)  # [irrCAC] gwet.ac1.dist
    assert rel.percent_agreement(first_15) == pytest.approx(0.5511111, abs=1e-7)  # its pa
    assert rel.fleiss_kappa(first_15) == pytest.approx(0.4139265, abs=1e-7)  # [irrCAC] fleiss.kappa.dist
    assert rel.krippendorff_alpha(first_15) == pytest.approx(0.4204384, abs=1e-7)  # [irrCAC] krippen.alpha.dist


# --- Fleiss' kappa ---------------------------------------------------------------------------


def test_fleiss_1971_thirty_patients():
    matrix = from_counts(FLEISS_1971)
    assert rel.fleiss_kappa(matrix) == pytest.approx(0.430, abs=TO_3)  # [F1971]
    assert rel.fleiss_kappa(matrix) == pytest.approx(statsmodels_fleiss(np.array(FLEISS_1971)), abs=1e-12)


def test_fleiss_wikipedia_example():
    matrix = from_counts(WIKIPEDIA_FLEISS)
    assert rel.percent_agreement(matrix) == pytest.approx(0.378, abs=TO_3)  # [WikiF] P-bar
    assert rel.fleiss_kappa(matrix) == pytest.approx(0.210, abs=TO_3)  # [WikiF] kappa


def test_generalised_fleiss_equals_classic_fleiss_on_complete_data():
    # Gwet's formula for varying raters per unit, fed the complete [F1971] and [WikiF] tables,
    # gives the classic (statsmodels) kappa: with a constant m the mean of per-unit shares is
    # the pooled share.
    for table in (FLEISS_1971, WIKIPEDIA_FLEISS):
        counts = np.array(table, dtype=float)
        assert rel._fleiss_generalised(counts) == pytest.approx(statsmodels_fleiss(counts), abs=1e-12)
    # A unit nobody coded changes nothing; a unit coded by fewer raters switches to that formula.
    matrix = from_counts(FLEISS_1971)
    assert rel.fleiss_kappa(pd.concat([matrix, pd.DataFrame([[n] * 6])], ignore_index=True)) == pytest.approx(
        0.430, abs=TO_3
    )
    ragged = matrix.copy()
    ragged.iloc[0, 0] = n
    assert rel.fleiss_kappa(ragged) == rel._fleiss_generalised(rel.category_counts(ragged, np.arange(1.0, 6.0)))


# --- Cohen's kappa ---------------------------------------------------------------------------


def test_cohen_wikipedia_table():
    matrix = from_table(WIKIPEDIA_COHEN)
    assert rel.percent_agreement(matrix) == pytest.approx(0.7)  # [WikiC] p_o
    assert rel.cohen_kappa(matrix) == pytest.approx(0.4, abs=1e-12)  # [WikiC]
    # AC1 by hand (Gwet 2014, two raters): pa = .7; pi_yes = (25 + 30) / 100 = .55 (A says yes 25
    # times, B 30 times); pe = T_w / (q (q-1)) * sum pi (1 - pi) = 2/2 * 2 * .55 * .45 = .495;
    # AC1 = (.7 - .495) / (1 - .495) = .40594
    assert rel.gwet_parts(matrix)["pe"] == pytest.approx(0.495)
    assert rel.gwet_ac(matrix) == pytest.approx(0.406, abs=TO_3)


def test_cohen_uses_only_units_both_coders_coded():
    matrix = from_table(WIKIPEDIA_COHEN)
    with_gaps = pd.concat([matrix, pd.DataFrame({"coder1": [1, n, n], "coder2": [n, 0, n]})], ignore_index=True)
    assert rel.cohen_kappa(with_gaps) == pytest.approx(0.4, abs=1e-12)
    assert rel.cohen_kappa(KRIPPENDORFF_2011) is None  # four coders: no Cohen's kappa
    assert rel.cohen_kappa(KRIPPENDORFF_2011[["A"]]) is None


# --- weights ---------------------------------------------------------------------------------


def test_ordinal_weights_follow_gwet():
    # Gwet (2014): w_kl = 1 - C(|k-l| + 1, 2) / C(q, 2); q = 5: C(., 2) = 0, 1, 3, 6, 10
    w = rel.ordinal_weights(5)
    assert w[0].tolist() == pytest.approx([1, 0.9, 0.7, 0.4, 0])
    assert np.allclose(w, w.T) and np.allclose(np.diag(w), 1)
    assert rel.ordinal_weights(1).tolist() == [[1.0]]


def test_ac2_gives_partial_credit_to_near_misses():
    scale = [0, 1, 2, 3]
    perfect = pd.DataFrame({"a": [0, 1, 2, 3], "b": [0, 1, 2, 3]}, dtype=float)
    assert rel.gwet_ac(perfect, "ordinal", scale) == pytest.approx(1.0)
    near = pd.DataFrame({"a": [0, 1, 2, 3, 0, 1], "b": [1, 2, 3, 2, 0, 1]}, dtype=float)
    far = pd.DataFrame({"a": [0, 1, 2, 3, 0, 1], "b": [3, 3, 0, 0, 0, 1]}, dtype=float)
    assert rel.gwet_ac(near, "ordinal", scale) > rel.gwet_ac(far, "ordinal", scale)
    assert rel.percent_agreement(near) == rel.percent_agreement(far)  # same exact agreements


def test_unused_codebook_categories_count_in_gwet_q():
    # Gwet (irrCAC's categ.labels): q is the number of categories available to the coders.
    matrix = from_table(WIKIPEDIA_COHEN)
    assert rel.gwet_parts(matrix, categories=[0, 1, 2])["q"] == 3
    assert rel.gwet_ac(matrix, categories=[0, 1, 2]) != rel.gwet_ac(matrix)


# --- missing data, edge cases, warnings ------------------------------------------------------


def test_missing_is_missing_not_zero():
    with_gap = pd.DataFrame({"a": [1, 1, 0, 1], "b": [1, n, 0, 1]})
    assert rel.percent_agreement(with_gap) == 1.0
    assert rel.percent_agreement(with_gap.fillna(0)) == 0.75
    assert rel.indicator_summary(with_gap)["n_units"] == 3
    # None (e.g. from an object column) is missing too.
    assert rel.percent_agreement(pd.DataFrame({"a": [1, 1, 0], "b": [1, None, 0]}, dtype=object)) == 1.0


def test_values_outside_the_codebook_count_and_are_reported():
    matrix = pd.DataFrame({"a": [1, 2, 3], "b": [1, 2, 9]}, dtype=float)
    summary = rel.indicator_summary(matrix, "ordinal", categories=[1, 2, 3])
    assert summary["percent_agreement"] == pytest.approx(2 / 3) and summary["krippendorff_alpha"] is not None
    assert summary["warnings"] == ["values outside the codebook counted as categories: 9"]


def test_all_missing():
    summary = rel.indicator_summary(pd.DataFrame({"a": [n, n], "b": [n, n]}), "nominal", categories=[0, 1])
    assert summary["n_units"] == 0 and summary["n_coders"] == 0
    for key in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac"):
        assert summary[key] is None, key
    assert summary["warnings"] == []


def test_one_coder():
    summary = rel.indicator_summary(pd.DataFrame({"a": [1.0, 0.0], "b": [n, n]}), "nominal")
    assert (summary["n_coders"], summary["n_units"]) == (1, 0)
    for key in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac"):
        assert summary[key] is None, key


def test_no_variation_kappa_undefined_with_warning():
    constant = pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, 1]}, dtype=float)
    summary = rel.indicator_summary(constant, "nominal", categories=[0, 1])
    assert summary["cohen_kappa"] is None
    assert summary["fleiss_kappa"] is None
    assert summary["krippendorff_alpha"] is None
    assert summary["percent_agreement"] == 1.0
    assert summary["gwet_ac"] == 1.0  # pi = (0, 1): pe = 0, AC1 = pa
    assert len(summary["warnings"]) == 1 and "undefined" in summary["warnings"][0]
    assert json.loads(json.dumps(summary)) == summary  # no NaN anywhere


def test_prevalence_warning_and_kappa_paradox():
    # 19 units coded 1 by both, one disagreement: 39 of 40 codings are 1 (97.5%).
    skewed = pd.DataFrame({"a": [1] * 20, "b": [1] * 19 + [0]}, dtype=float)
    summary = rel.indicator_summary(skewed, "nominal", categories=[0, 1])
    assert summary["percent_agreement"] == pytest.approx(0.95)
    assert summary["cohen_kappa"] == pytest.approx(0.0, abs=1e-12)  # p_e = .95 = p_o
    assert summary["gwet_ac"] > 0.9
    assert any("kappa paradox" in w for w in summary["warnings"])
    assert "98%" in english(rel.prevalence_note(skewed))
    # Exactly at the threshold: no warning ("exceeds"); above it: a warning.
    nine_in_ten = pd.DataFrame({"a": [1] * 9 + [0], "b": [1] * 9 + [0]}, dtype=float)
    assert rel.prevalence_note(nine_in_ten) is None
    assert rel.prevalence_note(nine_in_ten, threshold=0.85) is not None
    assert rel.prevalence_note(pd.DataFrame({"a": [n]})) is None


def test_summary_shape_types_and_level():
    summary = rel.indicator_summary(KRIPPENDORFF_2011, "ordinal", categories=[1, 2, 3, 4, 5])
    assert set(summary) == {
        "n_units",
        "n_coders",
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "gwet_ac",
        "level",
        "warnings",
        "warning_notes",
    }
    assert (summary["n_units"], summary["n_coders"], summary["level"]) == (11, 4, "ordinal")
    assert summary["cohen_kappa"] is None  # four coders
    assert summary["krippendorff_alpha"] == pytest.approx(0.815, abs=TO_3)
    assert summary["gwet_ac"] == pytest.approx(0.899, abs=TO_3)
    assert summary["fleiss_kappa"] == pytest.approx(0.76117, abs=5e-6)  # Fleiss is nominal whatever the level
    for key in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac"):
        assert type(summary[key]) is float, key
    assert any("not coded by every coder" in w for w in summary["warnings"])
    json.dumps(summary)
    two = rel.indicator_summary(from_table(WIKIPEDIA_COHEN), "nominal")
    assert two["cohen_kappa"] == pytest.approx(0.4) and two["n_units"] == 50 and two["warnings"] == []
    with pytest.raises(ValueError):
        rel.indicator_summary(KRIPPENDORFF_2011, "interval")


def test_array_input():
    values = KRIPPENDORFF_2011.to_numpy()
    assert rel.krippendorff_alpha(values) == pytest.approx(0.743, abs=TO_3)
    assert rel.gwet_ac(values.tolist()) == pytest.approx(0.77544, abs=5e-6)


# --- pairs and accuracy ----------------------------------------------------------------------


def test_pairwise_summary():
    pairs = rel.pairwise_summary(KRIPPENDORFF_2011, "nominal")
    assert [(p["coder_a"], p["coder_b"]) for p in pairs] == [
        ("A", "B"),
        ("A", "C"),
        ("A", "D"),
        ("B", "C"),
        ("B", "D"),
        ("C", "D"),
    ]
    assert set(pairs[0]) == {
        "coder_a",
        "coder_b",
        "n_units",
        "percent_agreement",
        "cohen_kappa",
        "krippendorff_alpha",
        "gwet_ac",
    }
    ab = pairs[0]
    assert ab["n_units"] == 9 and ab["percent_agreement"] == pytest.approx(8 / 9)
    # The pair statistics are the two-coder ones on the pair's columns.
    assert ab["cohen_kappa"] == rel.cohen_kappa(KRIPPENDORFF_2011[["A", "B"]])
    cohen = rel.pairwise_summary(from_table(WIKIPEDIA_COHEN), "nominal")
    assert len(cohen) == 1 and cohen[0]["cohen_kappa"] == pytest.approx(0.4)
    json.dumps(rel.pairwise_summary(KRIPPENDORFF_2011.to_numpy(), "ordinal"))  # integer labels, plain types


def test_accuracy_against_truth():
    truth = KRIPPENDORFF_2011["D"]
    accuracy = rel.accuracy_against(KRIPPENDORFF_2011[["A", "B"]], truth)
    assert accuracy["A"] == {"n": 9, "accuracy": pytest.approx(8 / 9)}  # A differs from D on unit 6
    assert accuracy["B"] == {"n": 10, "accuracy": pytest.approx(9 / 10)}  # unit 12: D has no value
    nothing = rel.accuracy_against(pd.DataFrame({"x": [n, n]}), pd.Series([1.0, 2.0]))
    assert nothing == {"x": {"n": 0, "accuracy": None}}
