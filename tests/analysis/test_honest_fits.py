"""Honest fits (issue 22, item 1): convergence read as pyfixest reports it, degenerate samples
refused naming the column and the count, collinear regressors, SE 0 and drops named."""

import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from analysis.pure import gravity, tables
from analysis.pure.errors import SpecError
from analysis.pure.spec.schema import check_spec
from tests.analysis.test_gravity import small_panel

PPML = {"estimator": "ppml", "formula": "trade ~ fta + ln_dist | exporter + importer + year", "vcov": "hetero"}


@pytest.fixture(scope="module")
def panel():
    return small_panel(seed=5, countries=6)


def test_a_ppml_fit_stopped_after_one_iteration_says_so_with_its_iteration_count(panel):
    stopped = gravity.fit(panel, {**PPML, "maxiter": 1})
    assert stopped["converged"] is False and stopped["iterations"] == 1
    assert "did not converge" in stopped["warning"]
    converged = gravity.fit(panel, PPML)
    assert converged["converged"] is True and 1 < converged["iterations"] < 100 and "warning" not in converged
    assert stopped["coefficients"]["fta"]["estimate"] != pytest.approx(converged["coefficients"]["fta"]["estimate"])
    # Three iterations asked and not enough: exactly three ran.
    assert gravity.fit(panel, {**PPML, "maxiter": 3})["iterations"] == 3
    # The table says which column did not converge.
    footer = dict(tables.build([stopped, converged])["footer"])
    assert footer["Converged"] == ["no (1 iterations)", "yes"]


def test_require_convergence_turns_an_unconverged_fit_into_a_failure(panel):
    check_spec({**PPML, "require_convergence": True})
    with pytest.raises(SpecError, match=r"spec 'require_convergence': expected true or false"):
        check_spec({**PPML, "require_convergence": "yes"})
    with pytest.raises(SpecError, match=r"PPML did not converge within 1 iterations \(require_convergence\)"):
        gravity.fit(panel, {**PPML, "maxiter": 1, "require_convergence": True})


def test_an_outcome_that_is_zero_throughout_is_refused_naming_the_column(panel):
    frame = panel.assign(exports_ht=0.0)
    spec = {**PPML, "formula": "exports_ht ~ fta + ln_dist | exporter + importer + year"}
    with pytest.raises(
        SpecError, match=rf"the outcome exports_ht does not vary: all {len(frame):,} observations are 0"
    ):
        gravity.fit(frame, spec)


def test_a_constant_regressor_is_refused_naming_it(panel):
    with pytest.raises(SpecError, match=rf"the regressor one does not vary: all {len(panel):,} observations are 1"):
        gravity.fit(panel.assign(one=1.0), {**PPML, "formula": "trade ~ fta + one | exporter + importer"})


def test_infinite_values_and_logs_of_non_positive_values_are_refused_with_their_count(panel):
    frame = panel.copy()
    frame.loc[frame.index[:3], "ln_dist"] = np.inf
    with pytest.raises(SpecError, match=r"column 'ln_dist' has 3 non-finite values \(infinity\)"):
        gravity.fit(frame, PPML)
    frame = panel.assign(gdp=np.where(np.arange(len(panel)) < 4, 0.0, 2.0 + np.arange(len(panel))))
    with pytest.raises(SpecError, match=r"log\(gdp\): the log of zero or negative values on 4 observations"):
        gravity.fit(frame, {**PPML, "formula": "trade ~ fta + log(gdp) | exporter + importer"})


def test_fewer_observations_than_parameters_is_refused():
    frame = small_panel(seed=2, countries=3, years=(2000,))
    # 2 regressors + 3 exporters + 3 importers + 6 pairs, less one level per effect after the first
    with pytest.raises(SpecError, match=r"6 observations for 12 parameters"):
        gravity.fit(frame, {**PPML, "formula": "trade ~ fta + ln_dist | exporter + importer + pair_id"})


def test_a_collinear_regressor_is_named_and_a_zero_se_flagged(panel):
    frame = panel.assign(twice_fta=2 * panel["fta"])
    result = gravity.fit(frame, {**PPML, "formula": "trade ~ fta + twice_fta + ln_dist | exporter + importer"})
    assert result["dropped_regressors"] == ["twice_fta"] and "twice_fta" not in result["coefficients"]
    assert result["warnings"] == ["regressors dropped as collinear: twice_fta"]
    ols = gravity.fit(
        panel.assign(copy=panel["exports"]), {"estimator": "ols", "formula": "exports ~ copy", "vcov": "hetero"}
    )
    assert ols["zero_se"] == ["Intercept", "copy"]  # a perfect fit: SEs of ~1e-16
    assert ols["warnings"] == ["standard error 0 or not finite, do not use: Intercept, copy"]
    assert result["zero_se"] == []
    with pytest.raises(SpecError, match=r"exp\(trade\) is not a finite number on \d+ observations"):
        gravity.fit(panel, {**PPML, "formula": "trade ~ exp(trade) | exporter + importer"})


def test_missing_values_and_missing_lags_are_counted_apart(panel):
    frame = panel.assign(fta_lag1=panel["fta"])
    frame.loc[frame.index[:5], "fta_lag1"] = np.nan
    frame.loc[frame.index[5:7], "ln_dist"] = np.nan
    frame.loc[frame.index[0], "ln_dist"] = np.nan  # missing in both: a missing value, not a lag
    result = gravity.fit(frame, {**PPML, "formula": "trade ~ fta_lag1 + ln_dist | exporter + importer + year"})
    assert result["dropped"]["missing_lag"] == 4 and result["dropped"]["missing_values"] == 3
    assert result["n_obs"] == len(frame) - 7 and result["dropped"]["singletons"] == 0


@pytest.mark.django_db
def test_run_gravity_with_maxiter_1_prints_converged_false(settings, tmp_path, panel):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({**PPML, "maxiter": 1}))
    out = StringIO()
    call_command("run_gravity", "--panel", str(path), "--spec", str(spec), "--inline", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["status"] == "DONE" and printed["converged"] is False
    assert printed["results"][0]["iterations"] == 1 and "did not converge" in printed["results"][0]["warning"]


def test_a_text_column_written_as_a_plain_term_is_refused_pointing_to_i(panel):
    # pyfixest would expand it silently into one dummy per exporter.
    with pytest.raises(
        SpecError, match=r"column 'exporter' holds text \(6 distinct values\), not numbers: write i\(exporter\)"
    ):
        gravity.fit(
            panel.assign(exporter=panel["exporter"].astype(str)), {**PPML, "formula": "trade ~ fta + exporter | year"}
        )
    # The same column as i(exporter) is a categorical regressor and fits.
    fitted = gravity.fit(panel, {**PPML, "formula": "trade ~ fta + i(exporter) | year"})
    assert "fta" in fitted["coefficients"]


def test_a_study_preset_on_all_zero_high_tech_exports_is_refused_naming_the_column(panel):
    from analysis.pure.presets import PRESETS

    frame = panel.assign(hightech_exports=0.0, ln_tbt_j=np.log1p(np.arange(len(panel)) % 7), ln_gdp_i=panel["ln_dist"])
    frame = frame.assign(ln_gdp_j=np.log1p(np.arange(len(frame)) % 5))
    high_tech = next(spec for spec in PRESETS["study-table9"] if spec["formula"].startswith("log(hightech_exports)"))
    with pytest.raises(
        SpecError,
        match=rf"the outcome log\(hightech_exports\) cannot be taken: hightech_exports is zero or negative in all "
        rf"{len(frame):,} observations",
    ):
        gravity.fit(frame, high_tech)


@pytest.mark.parametrize(
    "formula",
    ["trade ~ fta + ln_dist | exporter^year + importer^year", "trade ~ fta + ln_dist | exporter + importer + year"],
    ids=["own-sample-not-copied-again", "callers-frame-copied"],
)
def test_the_callers_panel_is_never_changed_by_a_fit(panel, formula):
    # pyfixest is told not to copy gravity.fit's own sample (it drops rows and resets the index in
    # place); the caller's frame, handed over unfiltered, must come back as it went in.
    data = panel.sample(frac=1.0, random_state=3)  # a shuffled index, which a reset would lose
    before = data.copy()
    fitted = gravity.fit(data, {**PPML, "formula": formula})
    pd.testing.assert_frame_equal(data, before)
    assert fitted["n_obs"] <= len(data) and "fta" in fitted["coefficients"]
