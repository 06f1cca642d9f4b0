"""coding.pure.agreement_intervals: analytic standard errors and intervals against irrCAC, the
bootstrap against a plain loop over reliability.py, Krippendorff's minimum sample against his
table, "not estimable" on one unit, the planner, and agreement_report's JSON shape.

[irrCAC-py] Reference values computed with the Python irrCAC package 0.4.4 (afergadis/irrCAC, a
            port of Gwet's R irrCAC; CAC(...).gwet/fleiss/krippendorff/conger/bp, 5 decimals) on the
            textbook data of tests/coding/test_reliability.py. Its `categories` are passed
            explicitly: under pandas 3 it otherwise counts NaN as a category. The package pins
            pandas < 3 and scipy 1.12, so it cannot join requirements-dev.txt; when it is installed
            (pip install --no-deps irrCAC==0.4.4) test_live_irrcac_agrees recomputes them.
            R's irrCAC README prints the same AC1 (0.77544, se 0.14295, [0.46081, 1]) and Fleiss
            (0.76117, se 0.15302) for cac.raw4raters.
            Percent agreement: irrCAC's pa.coeff.raw variance is Brennan-Prediger's with
            pe = 1/q held fixed, so se(pa) = se(BP) * (1 - 1/q) on data where every unit is paired.
[K2004]     Krippendorff, K. (2004), Content Analysis, 2nd ed., Table 11.3 (as reproduced in the
            ATLAS.ti manual, "Sample size and decision rules"): 4 equally likely values,
            p = .05: 139 units for alpha_min = .800, 81 for .667.
"""

import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from sklearn.metrics import cohen_kappa_score

from coding.pure import agreement_intervals as ai
from coding.pure import reliability as rel
from tests.coding.test_coding_import_report import write_long_csv
from tests.coding.test_reliability import (
    ABSTRACTORS,
    FLEISS_1971,
    KRIPPENDORFF_2011,
    WIKIPEDIA_COHEN,
    from_counts,
    from_table,
)
from tests.factories import AgreementFactory

IRRCAC = 6e-6  # irrCAC rounds to 5 decimals


def analytic(matrix, level="nominal"):
    result = ai.uncertainty(matrix, level=level, replicates=10)
    return {name: (s["se"], s["ci"]) for name, s in result["uncertainty"].items() if s}


def close(got, se, lo, hi):
    assert got[0] == pytest.approx(se, abs=IRRCAC)
    assert got[1] == pytest.approx([lo, hi], abs=IRRCAC)


# --- analytic standard errors and intervals against irrCAC -------------------------------------


def test_analytic_matches_irrcac_on_krippendorffs_four_observers_with_missing_data():
    nominal = analytic(KRIPPENDORFF_2011)
    close(nominal["gwet_ac"], 0.14295, 0.46081, 1)  # AC1 0.77544
    close(nominal["fleiss_kappa"], 0.15302, 0.42438, 1)  # 0.76117
    close(nominal["krippendorff_alpha"], 0.14557, 0.41906, 1)  # 0.74342
    ordinal = analytic(KRIPPENDORFF_2011, "ordinal")
    close(ordinal["gwet_ac"], 0.10690, 0.66365, 1)  # AC2, Gwet's ordinal weights: 0.89894
    close(ordinal["krippendorff_alpha"], 0.14235, 0.49822, 1)  # weights 1 - delta_ordinal / max: 0.81539
    close(analytic(KRIPPENDORFF_2011, "interval")["krippendorff_alpha"], 0.12913, 0.56139, 1)  # quadratic: 0.84911


def test_analytic_matches_irrcac_for_two_raters():
    cohen = analytic(from_table(WIKIPEDIA_COHEN))
    close(cohen["cohen_kappa"], 0.12829, 0.14220, 0.65780)  # conger() with 2 raters = Cohen: 0.4
    close(cohen["percent_agreement"], 0.13093 * (1 - 1 / 2), 0.56844, 0.83156)
    abstractors = analytic(from_table(ABSTRACTORS))
    close(abstractors["cohen_kappa"], 0.05921, 0.67893, 0.91389)  # 0.79641
    close(abstractors["weighted_kappa"], 0.03553, 0.82166, 0.96266)  # conger(weights="quadratic"): 0.89216
    close(abstractors["gwet_ac"], 0.04344, 0.76315, 0.93552)  # 0.84933
    close(abstractors["krippendorff_alpha"], 0.05935, 0.67949, 0.91503)  # 0.79726
    assert abstractors["percent_agreement"][0] == pytest.approx(0.04717 * (1 - 1 / 3), abs=IRRCAC)


def test_analytic_matches_irrcac_on_fleiss_1971():
    fleiss = analytic(from_counts(FLEISS_1971))
    close(fleiss["fleiss_kappa"], 0.05420, 0.31940, 0.54109)
    close(fleiss["gwet_ac"], 0.05566, 0.33404, 0.56173)
    close(fleiss["krippendorff_alpha"], 0.05420, 0.32256, 0.54426)
    assert fleiss["percent_agreement"][0] == pytest.approx(0.05512 * (1 - 1 / 5), abs=IRRCAC)


def test_live_irrcac_agrees():
    raw = pytest.importorskip("irrCAC.raw")
    cats = [1.0, 2.0, 3.0, 4.0, 5.0]
    for level, weights in (("nominal", "identity"), ("ordinal", rel.ordinal_weights(5))):
        ours = analytic(KRIPPENDORFF_2011, level)["gwet_ac"]
        theirs = raw.CAC(KRIPPENDORFF_2011, categories=cats, weights=weights).gwet()["est"]
        assert ours[0] == pytest.approx(theirs["se"], abs=IRRCAC)
    two = from_table(ABSTRACTORS)
    assert analytic(two)["cohen_kappa"][0] == pytest.approx(raw.CAC(two).conger()["est"]["se"], abs=IRRCAC)


def test_point_estimates_equal_reliability_py():
    for level in ("nominal", "ordinal"):
        estimates = ai.uncertainty(KRIPPENDORFF_2011, level=level, replicates=10)["estimates"]
        assert estimates["krippendorff_alpha"] == pytest.approx(rel.krippendorff_alpha(KRIPPENDORFF_2011, level=level))
        assert estimates["gwet_ac"] == pytest.approx(rel.gwet_ac(KRIPPENDORFF_2011, level=level))
        assert estimates["fleiss_kappa"] == pytest.approx(rel.fleiss_kappa(KRIPPENDORFF_2011))
    interval = ai.uncertainty(KRIPPENDORFF_2011, level="interval", replicates=10)["estimates"]
    assert interval["krippendorff_alpha"] == pytest.approx(0.849, abs=5e-4)  # Krippendorff (2011) sec. C


# --- the bootstrap ---------------------------------------------------------------------------


def plain_bootstrap(matrix, *, level, categories, replicates, seed):
    """The bootstrap written as a loop over reliability.py: the same index draws, one resample at a time."""
    n = len(matrix)
    draws = np.random.default_rng(seed).integers(0, n, size=(replicates, n))
    values = {
        name: [] for name in ("percent_agreement", "krippendorff_alpha", "gwet_ac", "fleiss_kappa", "cohen_kappa")
    }
    for rows in draws:
        sample = matrix.iloc[rows].reset_index(drop=True)
        values["percent_agreement"].append(rel.percent_agreement(sample, categories=categories))
        values["krippendorff_alpha"].append(rel.krippendorff_alpha(sample, level=level, categories=categories))
        values["gwet_ac"].append(rel.gwet_ac(sample, level=level, categories=categories))
        values["fleiss_kappa"].append(rel.fleiss_kappa(sample, categories=categories))
        values["cohen_kappa"].append(rel.cohen_kappa(sample, categories=categories))
    intervals = {}
    for name, column in values.items():
        defined = [v for v in column if v is not None]
        intervals[name] = list(np.percentile(defined, [2.5, 97.5])) if defined else None
    alphas = np.array([v for v in values["krippendorff_alpha"] if v is not None])
    return intervals, {"0.667": float((alphas < 0.667).mean()), "0.800": float((alphas < 0.8).mean())}


@pytest.mark.parametrize(
    "matrix, level",
    [
        (KRIPPENDORFF_2011, "nominal"),
        (KRIPPENDORFF_2011, "ordinal"),
        (from_table(WIKIPEDIA_COHEN), "nominal"),
    ],
)
def test_bootstrap_equals_a_plain_loop_with_the_same_seed(matrix, level):
    cats = [float(v) for v in rel.categories_of(matrix)]
    result = ai.uncertainty(matrix, level=level, categories=cats, replicates=100, seed=7)
    intervals, below = plain_bootstrap(matrix, level=level, categories=cats, replicates=100, seed=7)
    for name, expected in intervals.items():
        spread = result["uncertainty"][name]
        if expected is None or spread is None:
            assert spread is None or name == "cohen_kappa"
            continue
        assert spread["bootstrap_ci"] == pytest.approx(expected, abs=1e-12), name
    assert result["p_alpha_below"] == pytest.approx(below, abs=1e-12)


def test_bootstrap_is_reproducible_and_replicates_configurable():
    first = ai.uncertainty(KRIPPENDORFF_2011, replicates=300, seed=3)
    assert ai.uncertainty(KRIPPENDORFF_2011, replicates=300, seed=3) == first
    assert first["replicates"] == 300
    other = ai.uncertainty(KRIPPENDORFF_2011, replicates=300, seed=4)["uncertainty"]["krippendorff_alpha"]
    assert other["bootstrap_ci"] != first["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    assert 0 <= first["p_alpha_below"]["0.667"] <= first["p_alpha_below"]["0.800"] <= 1


# --- the minimum sample and not estimable ------------------------------------------------------


def test_min_units_reproduces_krippendorffs_table():
    assert ai.min_units(alpha_min=0.800, significance=0.05, prevalence=[0.25] * 4) == 139  # [K2004]
    assert ai.min_units(alpha_min=0.667, significance=0.05, prevalence=[0.25] * 4) == 81  # [K2004]
    # the rarest value decides; a rarer one or a stricter level needs more units
    assert ai.min_units(prevalence=[0.9, 0.1]) > ai.min_units(prevalence=[0.5, 0.5])
    assert ai.min_units(significance=0.01, prevalence=[0.5, 0.5]) > ai.min_units(prevalence=[0.5, 0.5])


def test_few_units_carry_a_warning():
    result = ai.uncertainty(from_table(WIKIPEDIA_COHEN), replicates=10)
    assert result["n_units"] == 50 and result["min_units"] == ai.min_units(prevalence=[0.55, 0.45])
    assert {"code": "few_units", "n": 50, "min": result["min_units"]} in result["warnings"]


def test_one_unit_is_not_estimable_never_zero_or_minus_one():
    one = pd.DataFrame({"a": [1.0], "b": [0.0]})
    # on this one unit, alpha would be 0.000 and Gwet's AC -1.000 whatever the coders did
    summary = rel.indicator_summary(one, categories=[0, 1])
    assert [summary[s] for s in ai.STATS] == [None] * 5 and summary["n_units"] == 1
    result = ai.uncertainty(one, categories=[0, 1])
    assert result["not_estimable"] == dict.fromkeys((*ai.STATS, "weighted_kappa"), "one_unit")
    assert all(v is None for v in result["uncertainty"].values()) and result["p_alpha_below"] is None
    assert result["warnings"][0] == {"code": "one_unit"}
    three = ai.uncertainty(pd.DataFrame({"a": [1.0, 0, 1], "b": [0.0, 1, 1], "c": [1.0, 1, 1]}))
    assert three["not_estimable"]["cohen_kappa"] == "two_coders_needed"


def test_weighted_kappa_is_sklearns_quadratic_kappa():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 5, 40)
    b = np.clip(a + rng.integers(-1, 2, 40), 0, 4)
    expected = cohen_kappa_score(a, b, weights="quadratic")
    assert rel.weighted_kappa(pd.DataFrame({"a": a, "b": b})) == pytest.approx(expected, abs=1e-12)
    estimate = ai.uncertainty(pd.DataFrame({"a": a, "b": b}), level="interval", replicates=10)["estimates"]
    assert estimate["weighted_kappa"] == pytest.approx(expected, abs=1e-12)


# --- the planner ------------------------------------------------------------------------------


def test_units_needed_by_simulation():
    def plan(**options):  # fewer simulated samples than the pages: the ordering is clear at 100
        return ai.units_needed(replicates=100, **options)

    easy = plan(prevalence=[0.5, 0.5], target=0.667)
    assert easy["method"] == "simulation" and easy["target"] == 0.667 and easy["note"] == "average_bound_reaches_target"
    assert easy == plan(prevalence=[0.5, 0.5], target=0.667)
    firm = plan(prevalence=[0.5, 0.5], target=0.8)
    rare = plan(prevalence=[0.95, 0.05], target=0.667)
    assert easy["units"] < firm["units"] and easy["units"] < rare["units"]
    assert plan(prevalence=[1.0], target=0.667)["units"] is None
    assert plan(prevalence=[0.5, 0.5], target=0.95)["note"] == "target_not_below_assumed"


# --- agreement_report ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_json_has_intervals_warnings_and_scores(tmp_path, mini_version):
    agreements = [AgreementFactory() for _ in range(6)]
    rows = []
    for index, agreement in enumerate(agreements):
        rows += [
            [agreement.pk, "ra", "wto", index % 2, "", ""],
            [agreement.pk, "rb", "wto", (index + (index == 2)) % 2, "", ""],
        ]
    rows += [[agreements[0].pk, coder, "harmon", 2, "", ""] for coder in ("ra", "rb")]  # harmon: one treaty
    write_long_csv(tmp_path / "codings.csv", rows)
    call_command(
        "import_codings", str(tmp_path / "codings.csv"), "--codebook", "mini", "--reference", stdout=StringIO()
    )
    out = StringIO()
    call_command(
        "agreement_report",
        "--codebook",
        "mini",
        "--coders",
        "ra,rb",
        "--format",
        "json",
        "--replicates",
        "200",
        "--seed",
        "1",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    wto = report["indicators"]["wto"]
    assert wto["n_units"] == 6 and wto["percent_agreement"] == pytest.approx(5 / 6)
    assert set(wto["uncertainty"]) >= set(ai.STATS)
    alpha = wto["uncertainty"]["krippendorff_alpha"]
    assert set(alpha) == {"se", "ci", "bootstrap_ci"} and alpha["ci"][0] < wto["krippendorff_alpha"] <= alpha["ci"][1]
    assert set(wto["p_alpha_below"]) == {"0.667", "0.800"} and wto["min_units"] > 6
    assert any(w["code"] == "few_units" for w in wto["warning_codes"])
    harmon = report["indicators"]["harmon"]
    assert harmon["krippendorff_alpha"] is None and harmon["gwet_ac"] is None
    assert harmon["not_estimable"]["krippendorff_alpha"] == "one_unit" and harmon["uncertainty"]["gwet_ac"] is None
    depth = report["scores"]["depth"]  # wto + harmon: only the one treaty with both
    assert (
        depth["level"] == "interval"
        and depth["n_units"] == 1
        and depth["not_estimable"]["krippendorff_alpha"] == "one_unit"
    )
    assert report["bootstrap"]["replicates"] == 200 and report["bootstrap"]["seed"] == 1
    text = StringIO()
    call_command("agreement_report", "--codebook", "mini", "--coders", "ra,rb", "--replicates", "50", stdout=text)
    assert "one unit only: not estimable" in text.getvalue() and "P(alpha<.667)=" in text.getvalue()
