"""Weidner & Zylkin (2021) bias correction of PPML (analysis/pure/estimators/ppml_bias.py): the
module against the formulas evaluated here with dense dummy matrices and plain loops, the
original SEs against pyfixest's pair-clustered SEs, the spec's refusals, the result's keys, and
(when its data is present) ppml_fe_bias's published example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from analysis.pure import gravity, tables
from analysis.pure.errors import SpecError
from analysis.pure.estimators import ppml_bias
from analysis.pure.spec.schema import checked

THREE = "y ~ x1 + x2 | exporter^year + importer^year + pair_id"
TWO = "y ~ x1 + x2 | exporter^year + importer^year"


def simulated_panel(countries: int = 5, years: int = 3, seed: int = 5) -> pd.DataFrame:
    """A small three-way panel, unbalanced (three pair-years missing) and with one pair (0 -> 1)
    that never trades, which PPML drops."""
    rng = np.random.default_rng(seed)
    rows = [(i, j, t) for i in range(countries) for j in range(countries) if i != j for t in range(years)]
    df = pd.DataFrame(rows, columns=["exporter", "importer", "year"])
    df["pair_id"] = df["exporter"] * 100 + df["importer"]
    df["x1"] = rng.normal(size=len(df))
    df["x2"] = (rng.random(len(df)) < 0.3).astype(float)
    a, b, c = (
        rng.normal(size=(countries, years)),
        rng.normal(size=(countries, years)),
        rng.normal(size=(countries,) * 2),
    )
    mu = np.exp(
        0.3 * df.x1 + 0.2 * df.x2 + a[df.exporter, df.year] + b[df.importer, df.year] + c[df.exporter, df.importer]
    )
    df["y"] = rng.poisson(3 * mu).astype(float)
    df.loc[(df.exporter == 0) & (df.importer == 1), "y"] = 0.0
    missing = [row for row in (5, 22, 41) if row < len(df)]  # an unbalanced panel: pair-years missing
    return df.drop(index=missing).reset_index(drop=True)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulated_panel()


@pytest.fixture(scope="module")
def fits(panel: pd.DataFrame) -> dict[bool, pf.Fepois]:
    """The three-way (True) and two-way (False) fits, shared by the tests of this module."""
    return {True: fitted(panel, THREE), False: fitted(panel, TWO)}


def fitted(df: pd.DataFrame, formula: str) -> pf.Fepois:
    """A direct pyfixest fit on the sample the estimator fits: singletons dropped (as ppmlhdfe)."""
    return pf.fepois(
        formula,
        data=df,
        vcov={"CRV1": "pair_id"},
        ssc=pf.ssc(k_adj=False, G_adj=True),
        fixef_tol=1e-12,
        fixef_rm="singleton",
    )


def codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0]


def dense_reference(df: pd.DataFrame, lam: np.ndarray, three_way: bool) -> tuple[np.ndarray, np.ndarray]:
    """(bias, adjusted SE) from the formulas with dense dummies and loops (the Stata exact path:
    the leverage's fixed-effect part d_p V d_p' with the within-pair demeaned dummies)."""
    i, j, t = codes(df.exporter), codes(df.importer), codes(df.year)
    pair = codes(df.exporter.astype(str) + "-" + df.importer.astype(str))
    n_i, n_j, T, P = i.max() + 1, j.max() + 1, t.max() + 1, pair.max() + 1
    X = df[["x1", "x2"]].to_numpy()
    dummies = [np.eye(n_i * T)[i * T + t], np.eye(n_j * T)[j * T + t]] + ([np.eye(P)[pair]] if three_way else [])
    D = np.hstack(dummies)
    w = np.sqrt(lam)[:, None]
    x = X - D @ np.linalg.lstsq(D * w, X * w, rcond=None)[0]
    e = df.y.to_numpy() - lam
    bread = np.linalg.inv((x * lam[:, None]).T @ x)
    xs, es, ls, owner = [], [], [], []
    for p in range(P):
        rows = np.flatnonzero(pair == p)
        xp, ep, lp = np.zeros((T, 2)), np.zeros(T), np.zeros(T)
        for r in rows:
            xp[t[r]], ep[t[r]], lp[t[r]] = x[r], e[r], lam[r]
        xs.append(xp)
        es.append(ep)
        ls.append(lp)
        owner.append((i[rows[0]], j[rows[0]]))
    F = (n_i + n_j) * T
    bias = np.zeros(2)
    if three_way:
        H = [lp.sum() * (np.diag(lp / lp.sum()) - np.outer(lp, lp) / lp.sum() ** 2) for lp in ls]
        halves = []
        for side, count in ((0, n_i), (1, n_j)):
            half = np.zeros(2)
            for country in range(count):
                members = [p for p in range(P) if owner[p][side] == country]
                Hc_inv = np.linalg.pinv(sum(H[p] for p in members), rcond=1e-10, hermitian=True)
                scores = sum(np.outer(es[p], es[p]) for p in members)
                for k in range(2):
                    first = sum(np.outer(es[p], H[p] @ xs[p][:, k]) for p in members)
                    second = sum(-(np.diag(xs[p][:, k]) @ H[p] + H[p] @ np.diag(xs[p][:, k])) for p in members)
                    half[k] += -np.trace(first @ Hc_inv) / count + np.trace(Hc_inv @ second @ Hc_inv @ scores) / (
                        2 * count
                    )
            halves.append(half)
        bias = P * bread @ (n_i / (n_i - 1) * halves[0] * n_i / P + n_j / (n_j - 1) * halves[1] * n_j / P)
        d = np.zeros((P, T, F))
        for p, (ci, cj) in enumerate(owner):
            demeaned = np.eye(T) - np.outer(np.ones(T), ls[p] / ls[p].sum())
            d[p, :, ci * T : (ci + 1) * T] = demeaned
            d[p, :, (n_i + cj) * T : (n_i + cj + 1) * T] = demeaned
        weight = [H[p] for p in range(P)]
    else:
        d = np.zeros((P, T, F))
        for p, (ci, cj) in enumerate(owner):
            d[p, :, ci * T : (ci + 1) * T] = np.eye(T)
            d[p, :, (n_i + cj) * T : (n_i + cj + 1) * T] = np.eye(T)
        weight = [np.diag(lp) for lp in ls]
    V = np.linalg.pinv(sum(d[p].T @ np.diag(ls[p]) @ d[p] for p in range(P)), rcond=1e-10, hermitian=True)
    meat = np.zeros((2, 2))
    for p in range(P):
        hat = weight[p] @ (xs[p] @ bread @ xs[p].T + d[p] @ V @ d[p].T)
        meat += xs[p].T @ np.linalg.inv(np.eye(T) - hat) @ np.outer(es[p], es[p]) @ xs[p]
    variance = bread @ meat @ bread * P / (P - 1)
    return bias, np.sqrt(np.diag(variance))


def module_correction(model: pf.Fepois, three_way: bool, raw: bool = False) -> ppml_bias.Correction:
    used = model._data
    regressors = used[["x1", "x2"]].to_numpy() if raw else model._X / np.sqrt(model._irls_weights)[:, None]
    return ppml_bias.bias_correction(
        outcome=used.y.to_numpy(float),
        regressors=regressors,
        fitted=model._Y_hat_response,
        coefficients=model._beta_hat,
        exporter=used.exporter,
        importer=used.importer,
        time=used.year,
        names=list(model._coefnames),
        three_way=three_way,
    )


@pytest.mark.parametrize(("formula", "three_way"), [(THREE, True), (TWO, False)])
def test_correction_matches_the_dense_formulas_and_pyfixest(fits, formula, three_way):
    model = fits[three_way]
    assert model._fml.replace(" ", "") == formula.replace(" ", "")
    correction = module_correction(model, three_way)
    bias, se_adjusted = dense_reference(model._data, model._Y_hat_response, three_way)
    assert np.allclose(correction.bias, bias, rtol=1e-6, atol=1e-10)
    assert np.allclose(correction.se_adjusted, se_adjusted, rtol=1e-6)
    assert np.allclose(correction.corrected, model._beta_hat - bias, rtol=1e-6)
    # The original SE is pyfixest's pair-clustered SE with G/(G-1) only (as Stata's cluster());
    # pyfixest's sandwich uses the weights of its last-but-one iteration, hence 1e-4.
    assert np.allclose(correction.se_original, model.tidy()["Std. Error"].to_numpy(), rtol=1e-4)
    assert (correction.se_adjusted > correction.se_original).all()  # the sandwich is too small
    assert (np.abs(correction.bias) > 1e-4).all() if three_way else (correction.bias == 0).all()
    # Any regressors that differ by fixed-effect terms give the same correction.
    again = module_correction(model, three_way, raw=True)
    assert np.allclose(again.bias, correction.bias, rtol=1e-7, atol=1e-12)
    assert np.allclose(again.se_adjusted, correction.se_adjusted, rtol=1e-7)


# ppml_fe_bias's example (help file, v1.2): manufacturing trade of 65 countries, 1988-2004 every
# 4 years, `ppmlhdfe trade fta, a(imp#year exp#year imp#exp)`: fta 0.178 original, 0.170
# bias-corrected; 95% lower bound 0.109 original, 0.086 corrected. Published to three decimals.
EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "ppml_fe_bias" / "PPMLFEBIAS_EXAMPLE_DATA.dta"


def test_published_example_of_ppml_fe_bias():
    if not EXAMPLE.exists():
        pytest.skip(f"ppml_fe_bias's example data is not here ({EXAMPLE}); the public copy is a binary .dta")
    df = pd.read_stata(EXAMPLE)
    df = df[df["category"] == "MANUF"].rename(columns={"exp": "exporter_code"})
    df["exporter"], df["importer"] = df["isoexp"].astype(str), df["isoimp"].astype(str)
    df["pair_id"] = df["exporter"] + "_" + df["importer"]
    result = gravity.fit(
        df,
        {
            "formula": "trade ~ fta | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "pair_id"},
            "bias_correction": True,
        },
    )
    fta = result["coefficients"]["fta"]
    corrected = fta["bias_corrected"]
    assert fta["estimate"] == pytest.approx(0.178, abs=5e-4)
    assert corrected["estimate"] == pytest.approx(0.170, abs=5e-4)
    assert fta["estimate"] - 1.96 * corrected["se_unadjusted"] == pytest.approx(0.109, abs=1e-3)
    assert corrected["estimate"] - 1.96 * corrected["se"] == pytest.approx(0.086, abs=1e-3)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (
            {"estimator": "ols", "formula": "y ~ x1 | exporter^year + importer^year + pair_id"},
            "only for the PPML estimator",
        ),
        ({"formula": "y ~ x1 | exporter + importer + year"}, "no two exporter-time and importer-time effects"),
        ({"formula": "y ~ x1 | exporter^year + importer^year + pair_id + x2"}, "extra fixed effects"),
        ({"formula": "y ~ x1 | exporter^year + importer^year + exporter^x2"}, "is not the pair effect"),
        ({"formula": THREE, "bias_correction": "yes"}, "expected true or false"),
    ],
)
def test_spec_refuses_bias_correction_it_cannot_do(spec, words):
    with pytest.raises(SpecError, match="bias_correction") as caught:
        checked({"bias_correction": True, **spec}, None)
    assert words in str(caught.value)


def test_a_pair_column_that_is_not_a_pair_is_refused():
    df = simulated_panel(countries=5, years=3)
    df["pair_id"] = df["exporter"]  # one level per exporter, not per pair
    with pytest.raises(SpecError, match="5 levels for 20 exporter-importer pairs"):
        gravity.fit(df, {"formula": THREE, "vcov": {"cluster": "pair_id"}, "bias_correction": True})


def test_result_json_and_table_through_the_estimator(panel, fits):
    df = panel
    spec = {"formula": THREE, "vcov": {"cluster": "pair_id"}, "ssc": {"k_adj": False}, "bias_correction": True}
    result = gravity.fit(df, spec)
    reference = module_correction(fits[True], True)
    # The estimator fits at pyfixest's default tolerances, the reference at fixef_tol 1e-12: 1e-4.
    for k, name in enumerate(["x1", "x2"]):
        corrected = result["coefficients"][name]["bias_corrected"]
        assert set(corrected) == {"estimate", "bias", "se", "se_unadjusted"}
        assert corrected["bias"] == pytest.approx(reference.bias[k], rel=1e-4)
        assert corrected["estimate"] == pytest.approx(
            result["coefficients"][name]["estimate"] - corrected["bias"], rel=1e-9
        )
        assert corrected["se"] == pytest.approx(reference.se_adjusted[k], rel=1e-4)
        assert corrected["se_unadjusted"] == pytest.approx(result["coefficients"][name]["se"], rel=1e-5)
    facts = result["bias_correction"]
    assert (facts["structure"], facts["pairs"], facts["exporters"], facts["periods"]) == (
        "three_way",
        5 * 4 - 1,  # all ordered pairs of 5 countries but 0 -> 1, all zero, dropped
        5,
        3,
    )
    table = tables.build([result])
    kinds = [(row["variable"], row.get("kind")) for row in table["rows"]]
    assert kinds[:3] == [
        ("x1", None),
        ("x1: bias (Weidner & Zylkin)", "bias"),
        ("x1: bias-corrected (adjusted SE)", "bias_corrected"),
    ]
    assert table["rows"][1]["cells"][0] == (pytest.approx(reference.bias[0], rel=1e-4), None, "")
    assert ("Bias correction", ["three-way: bias and adjusted SE"]) in table["footer"]
    assert "x1: bias-corrected (adjusted SE)" in tables.to_markdown(table)

    two_way = gravity.fit(df, {**spec, "formula": TWO})
    x1 = two_way["coefficients"]["x1"]
    assert x1["bias_corrected"]["bias"] == 0 and x1["bias_corrected"]["estimate"] == x1["estimate"]
    assert x1["bias_corrected"]["se"] > x1["se"]
    assert (
        two_way["bias_correction"]["structure"] == "two_way"
        and "no incidental-parameter bias" in two_way["bias_correction"]["note"]
    )
    assert (
        "bias_corrected"
        not in gravity.fit(df, {k: v for k, v in spec.items() if k != "bias_correction"})["coefficients"]["x1"]
    )
