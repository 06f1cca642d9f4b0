"""Gravity estimates against an independent computation (statsmodels with dummy variables) on a
small panel, and against the published Yotov et al. (2016) Table 3 on the Guide's own data."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.pure import gravity
from analysis.pure.presets import YOTOV_YEARS, preset
from tests.conftest import DATA, require_shared


def small_panel(seed=1, countries=8, years=(2000, 2002, 2004, 2006)):
    rng = np.random.default_rng(seed)
    iso = [f"C{i}" for i in range(countries)]
    rows = [(e, i, y) for e in iso for i in iso if e != i for y in years]
    frame = pd.DataFrame(rows, columns=["exporter", "importer", "year"])
    size = {c: rng.normal(size=1)[0] for c in iso}
    frame["ln_dist"] = np.log(rng.uniform(500, 9000, size=len(frame)))
    frame["fta"] = (rng.uniform(size=len(frame)) < 0.3).astype(float)
    mu = np.exp(
        11
        + frame.exporter.map(size)
        - 0.5 * frame.importer.map(size)
        - 0.8 * frame.ln_dist
        + 0.4 * frame.fta
        + 0.05 * (frame.year - 2000)
    )
    frame["trade"] = rng.poisson(mu).astype(float)
    frame["exports"] = mu * np.exp(rng.normal(scale=0.3, size=len(frame)))
    return gravity.prepare_panel(frame)


def dummies(frame, columns):
    parts = [pd.get_dummies(frame[c].astype(str), prefix=c, drop_first=True, dtype=float) for c in columns]
    return pd.concat(parts, axis=1)


def test_ols_matches_statsmodels_with_dummies():
    panel = small_panel()
    spec = {
        "estimator": "ols",
        "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year",
        "vcov": "hetero",
    }
    result = gravity.fit(panel, spec)
    X = sm.add_constant(
        pd.concat([panel[["ln_dist", "fta"]], dummies(panel, ["exporter", "importer", "year"])], axis=1)
    )
    reference = sm.OLS(np.log(panel["exports"]), X).fit(cov_type="HC1")
    for name in ("ln_dist", "fta"):
        assert result["coefficients"][name]["estimate"] == pytest.approx(reference.params[name], abs=1e-6)
        assert result["coefficients"][name]["se"] == pytest.approx(reference.bse[name], rel=1e-6)
    assert result["n_obs"] == len(panel) and result["r2"] == pytest.approx(reference.rsquared, abs=1e-9)


def test_ppml_matches_statsmodels_glm_poisson_with_dummies():
    panel = small_panel(seed=2)
    panel.loc[panel.sample(frac=0.1, random_state=5).index, "trade"] = 0.0  # zeros are kept in PPML
    assert (panel.groupby(["exporter", "year"]).trade.sum() > 0).all() and (
        panel.groupby(["importer", "year"]).trade.sum() > 0
    ).all()
    spec = {
        "estimator": "ppml",
        "formula": "trade ~ ln_dist + fta | exporter^year + importer^year",
        "vcov": {"cluster": "pair_id"},
    }
    result = gravity.fit(panel, spec)
    X = sm.add_constant(
        pd.concat(
            [
                panel[["ln_dist", "fta"]],
                dummies(
                    panel.assign(
                        ey=panel.exporter.astype(str) + panel.year.astype(str),
                        iy=panel.importer.astype(str) + panel.year.astype(str),
                    ),
                    ["ey", "iy"],
                ),
            ],
            axis=1,
        )
    )
    with warnings.catch_warnings():  # exporter-year and importer-year dummies share the year: rank-deficient by design
        warnings.simplefilter("ignore")
        reference = sm.GLM(panel["trade"], X, family=sm.families.Poisson()).fit(tol=1e-13, maxiter=300)
    for name in ("ln_dist", "fta"):
        assert result["coefficients"][name]["estimate"] == pytest.approx(reference.params[name], abs=1e-6)
    assert result["n_obs"] == len(panel) and result["converged"]


def test_all_zero_groups_are_dropped_and_counted():
    panel = small_panel(seed=3)
    panel.loc[panel.exporter == "C0", "trade"] = 0.0
    result = gravity.fit(
        panel, {"estimator": "ppml", "formula": "trade ~ fta | exporter + importer + year", "vcov": "hetero"}
    )
    assert result["dropped"]["zero_outcome_groups"] == int((panel.exporter == "C0").sum())
    assert result["n_obs"] == len(panel) - result["dropped"]["zero_outcome_groups"]


def test_interacted_effects_encoded_by_us_give_pyfixests_own_estimates():
    """fit() codes `exporter^year` itself (faster than pyfixest's string concatenation): same
    estimates, standard errors, N and fixed-effect counts as handing pyfixest the raw formula,
    also with a missing key (the row is dropped in both)."""
    import pyfixest as pf

    panel = small_panel(seed=4)
    panel.loc[panel.sample(frac=0.1, random_state=1).index, "trade"] = 0.0
    panel["year_with_gap"] = panel["year"].astype(float)
    panel.loc[panel.index[:5], "year_with_gap"] = np.nan
    formula = "trade ~ ln_dist + fta | exporter^year_with_gap + importer^year + pair_id"
    ours = gravity.fit(
        panel, {"estimator": "ppml", "formula": formula, "vcov": {"cluster": "pair_id"}, "separation": "pyfixest"}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pf.fepois(formula, data=panel, vcov={"CRV1": "pair_id"})
    for name in ("ln_dist", "fta"):
        # Same partition of the rows; only the order of the groups differs, so the iterative
        # demeaning converges to the same point by a slightly different path.
        assert ours["coefficients"][name]["estimate"] == pytest.approx(float(theirs.coef()[name]), abs=1e-8)
        assert ours["coefficients"][name]["se"] == pytest.approx(float(theirs.se()[name]), rel=1e-6)
    assert ours["n_obs"] == theirs._N
    complete = panel.dropna(subset=["year_with_gap"])
    assert ours["fixed_effects"]["exporter^year_with_gap"] == len(
        complete[["exporter", "year_with_gap"]].drop_duplicates()
    )
    assert ours["formula"] == formula


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"estimator": "logit", "formula": "y ~ x"}, "estimator"),
        ({"estimator": "ppml", "formula": "trade ~ nothere | exporter"}, "nothere"),
        ({"estimator": "ppml", "formula": "trade rta"}, "needs '~'"),
        ({"estimator": "ppml", "formula": "trade ~ fta", "vcov": {"bootstrap": 9}}, "vcov"),
    ],
)
def test_specification_errors_are_clear(spec, message):
    with pytest.raises(gravity.SpecError, match=message):
        gravity.fit(small_panel(), spec)


def test_yotov_table3_reproduced():
    """Yotov, Piermartini, Monteiro and Larch (2016), An Advanced Guide to Trade Policy Analysis,
    chapter 1, Table 3 (RTA effects), pair-clustered SEs: (1) OLS ln DIST -1.216 (0.038), CNTG
    0.223 (0.200), LANG 0.661 (0.081), CLNY 0.670 (0.147), RTA -0.004 (0.053), N 25,689; (2) PPML
    -0.822 (0.031), 0.416 (0.083), 0.250 (0.077), -0.205 (0.114), RTA 0.191 (0.066), N 28,152;
    (4) PPML with pair effects: RTA 0.557 (0.102), N 28,482."""
    path = require_shared(DATA / "gravity" / "agtpa_applications.csv")
    panel = gravity.prepare_panel(pd.read_csv(path))
    ols, ppml, structural = [gravity.fit(panel, spec) for spec in preset("yotov-table3")]
    published = {
        "ols": (
            ols,
            25689,
            {
                "ln_dist": (-1.216, 0.038),
                "cntg": (0.223, 0.200),
                "lang": (0.661, 0.081),
                "clny": (0.670, 0.147),
                "rta": (-0.004, 0.053),
            },
        ),
        "ppml": (
            ppml,
            28152,
            {
                "ln_dist": (-0.822, 0.031),
                "cntg": (0.416, 0.083),
                "lang": (0.250, 0.077),
                "clny": (-0.205, 0.114),
                "rta": (0.191, 0.066),
            },
        ),
        "structural": (structural, 28482, {"rta": (0.557, 0.102)}),
    }
    for name, (result, n_obs, coefficients) in published.items():
        assert result["n_obs"] == n_obs, name
        for variable, (estimate, se) in coefficients.items():
            assert round(result["coefficients"][variable]["estimate"], 3) == pytest.approx(estimate, abs=1e-9), (
                name,
                variable,
            )
            assert round(result["coefficients"][variable]["se"], 3) == pytest.approx(se, abs=1e-9), (name, variable)
    assert structural["fixed_effects"] == {"exporter^year": 414, "importer^year": 414, "pair_id": 2408}
    assert set(YOTOV_YEARS) == set(panel[panel.year.isin(YOTOV_YEARS)].year.unique())
