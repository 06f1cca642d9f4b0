"""The estimator registry (analysis/pure/estimators/) and the output-format registry
(analysis/pure/formats.py) are the single source: the spec schema, the regression table, the run
page's labels, the presets and the estimation forkserver all read them, so an estimator added
to the registry alone is accepted, fitted and labelled without touching another module."""

import importlib.util

import pandas as pd
import pytest
from django.utils import translation

from analysis.pure import formats, gravity, tables
from analysis.pure.errors import SpecError
from analysis.pure.estimators import ESTIMATORS, drop_reasons, notes, table_title
from analysis.pure.estimators.ols import OLS
from analysis.pure.presets import PRESETS
from analysis.pure.spec.schema import check_spec, validate
from analysis.pure.spec.tree import Formula
from analysis.services.estimation import PRELOAD
from analysis.templatetags.analysis_labels import analysis_note, drop_reason
from tests.analysis.test_gravity import small_panel

OLS_SPEC = {
    "estimator": "ols",
    "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year",
    "vcov": "hetero",
}


class Toy(OLS):
    """A test-only estimator: OLS under another name, refusing IV, with a drop reason of its own."""

    name = "toy"
    title = "Toy LS"
    drop_reasons = {"toy_rows": "rows the toy estimator skips"}

    def check(self, parsed: Formula) -> None:
        if parsed.iv:
            raise SpecError("spec 'formula': the toy estimator has no IV")


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(ESTIMATORS, "toy", Toy())
    return ESTIMATORS["toy"]


def test_the_registry_holds_ols_and_ppml_each_with_its_labels():
    assert sorted(ESTIMATORS) == ["ols", "ppml"]
    assert [table_title(name) for name in sorted(ESTIMATORS)] == ["OLS", "PPML"]
    assert drop_reasons() == {
        "nonpositive_outcome": "zero or negative outcome (no logarithm)",
        "zero_outcome_groups": "fixed-effect groups whose outcome is always zero",
    }
    assert notes() == ("PPML did not converge within the iteration limit: do not use these estimates",)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_every_registered_estimator_is_accepted_and_its_labels_are_translated(name):
    check_spec({"estimator": name, "formula": "trade ~ rta | exporter"})
    assert validate({"estimator": name, "formula": "trade ~ rta | exporter"})[0] == name
    estimator = ESTIMATORS[name]
    table = tables.build([{"estimator": name, "coefficients": {}, "n_obs": 1, "vcov": "hetero"}])
    assert dict(table["footer"])["Estimator"] == [estimator.title]
    with translation.override("zh-hans"):
        for key, english in estimator.drop_reasons.items():
            assert drop_reason(key) not in (english, key), f"{name}: no translation of {english!r}"
        for note in estimator.notes:
            assert analysis_note(note) != note, f"{name}: no translation of {note!r}"


def test_an_unknown_estimator_is_refused_naming_the_registered_ones():
    with pytest.raises(SpecError, match=r"spec 'estimator': expected 'ols' or 'ppml', got 'logit'"):
        check_spec({"estimator": "logit", "formula": "y ~ x"})


def test_presets_use_registered_estimators_and_the_forkserver_preloads_each_module():
    assert {spec.get("estimator") for specs in PRESETS.values() for spec in specs} <= set(ESTIMATORS)
    for estimator in ESTIMATORS.values():
        assert type(estimator).__module__ in PRELOAD and set(estimator.preload) <= set(PRELOAD)
    for module in PRELOAD:  # each name found, so a typo fails here and not in the worker
        assert importlib.util.find_spec(module) is not None, module


def test_a_toy_estimator_registered_alone_is_checked_fitted_and_labelled(toy):
    with pytest.raises(SpecError, match=r"expected 'ols', 'ppml' or 'toy', got 'logit'"):
        check_spec({"estimator": "logit", "formula": "y ~ x"})
    check_spec({"estimator": "toy", "formula": "y ~ x"})
    with pytest.raises(SpecError, match="the toy estimator has no IV"):
        validate({"estimator": "toy", "formula": "y ~ 1 | x ~ z"})

    panel = small_panel()
    ours, reference = gravity.fit(panel, dict(OLS_SPEC, estimator="toy")), gravity.fit(panel, OLS_SPEC)
    assert ours["estimator"] == "toy"
    assert ours["coefficients"] == reference["coefficients"]  # OLS by another name: the same numbers
    assert ours["coefficients"]["fta"]["estimate"] == pytest.approx(0.352380, abs=1e-6)
    assert ours["n_obs"] == reference["n_obs"] and ours["r2"] == reference["r2"]
    assert dict(tables.build([ours, reference])["footer"])["Estimator"] == ["Toy LS", "OLS"]
    assert drop_reason("toy_rows") == "rows the toy estimator skips"
    assert table_title("gone") == "GONE"  # a stored result of an estimator no longer registered


def test_the_format_registry_names_each_format_once_and_writes_csv_through_the_safe_writer():
    for registry in (formats.TABLES, formats.DATASETS, formats.EVIDENCE, formats.PANELS):
        assert all(name == output.name == output.extension for name, output in registry.items())
    assert sorted(formats.TABLES) == ["csv", "docx", "md", "tex", "xlsx"] and sorted(formats.DATASETS) == [
        "csv",
        "dta",
        "json",
        "xlsx",
    ]
    assert sorted(formats.EVIDENCE) == ["csv", "dta"]
    assert formats.TABLES["csv"].content_type == formats.DATASETS["csv"].content_type == "text/csv; charset=utf-8"

    table = tables.build(
        [
            {
                "estimator": "ols",
                "coefficients": {"=cmd()": {"estimate": -0.25, "se": 0.1, "p": 0.02}},
                "n_obs": 10,
                "vcov": "hetero",
            }
        ],
        ["=HYPERLINK(1)"],
    )
    written = formats.TABLES["csv"].write(table)
    assert written.splitlines()[:2] == ["variable,'=HYPERLINK(1)", "'=cmd(),-0.25"]
    frame = pd.DataFrame({"agreement_id": [1], "quote": ["=1+1"]})
    assert formats.dataset_bytes(frame, "csv", meta={}, indicators=[]) == "\ufeffagreement_id,quote\n1,'=1+1\n".encode()
    assert formats.evidence_bytes(frame, "csv", meta={}) == "\ufeffagreement_id,quote\n1,'=1+1\n".encode()
    with pytest.raises(ValueError, match="format must be one of"):
        formats.dataset_bytes(frame, "sav", meta={}, indicators=[])
    with pytest.raises(ValueError, match="CSV or Stata"):
        formats.evidence_bytes(frame, "json", meta={})
