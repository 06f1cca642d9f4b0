"""An option of the spec is one module (analysis/pure/estimators/): this test module is one, a toy
option "percent_effects" declaring its key, its checks, its amendment of a fit and its table row
and label, and registered through the same call the package uses for its own modules. Nothing
else is edited: the schema accepts and refuses its key, gravity.fit amends the result, the table
shows its row under the coefficient and the pages' labels include its label. The bias correction
is declared the same way (estimators/bias_correction.py), its English written once."""

import math
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.utils import translation

from analysis.pure import estimators, gravity, tables
from analysis.pure.errors import SpecError, gettext_noop
from analysis.pure.estimators.base import Option
from analysis.pure.spec import schema
from analysis.views.runs import table_text
from tests.analysis.test_gravity import small_panel

KEY = "percent_effects"
SPEC = {
    "estimator": "ols",
    "formula": "log(exports) ~ ln_dist + fta | exporter + importer + year",
    "vcov": "hetero",
}


class PercentEffects(Option):
    """A log outcome's coefficient b of a dummy as the percent change it implies: 100 (e^b - 1)."""

    key = KEY
    expected = "a list of 1 to 10 regressor names"
    text = {
        "percent": gettext_noop("{variable}: effect in % (100 (e^b - 1))"),
        "percent_footer": gettext_noop("Percent effects"),
    }

    def valid(self, value):
        return isinstance(value, list) and 1 <= len(value) <= 10 and all(isinstance(term, str) for term in value)

    def check(self, estimator, parsed, spec):
        if not (parsed.dependent.kind == "call" and parsed.dependent.text in ("log", "np.log")):
            raise SpecError(f"spec {KEY!r}: needs a logged outcome, not {parsed.dependent.render()!r}")
        missing = sorted(set(spec[KEY]) - {term.render() for term in parsed.regressors})
        if missing:
            raise SpecError(f"spec {KEY!r}: not a regressor of the formula: {', '.join(missing)}")

    def amend(self, result, model, frame, parsed, spec):
        coefficients = result["coefficients"]
        result[KEY] = {term: 100 * math.expm1(coefficients[term]["estimate"]) for term in spec[KEY]}

    def table_rows(self, term, results, text):
        values = [(result.get(KEY) or {}).get(term) for result in results]
        if all(value is None for value in values):
            return []
        cells = [None if value is None else (value, None, "") for value in values]
        return [{"variable": text["percent"].format(variable=term), "term": term, "kind": KEY, "cells": cells}]

    def table_footer(self, results, text):
        if not any(result.get(KEY) for result in results):
            return []
        return [(text["percent_footer"], [", ".join(result.get(KEY) or {}) for result in results])]


OPTION = PercentEffects()


@pytest.fixture
def registered(monkeypatch):
    """The toy option registered for one test (the registry's own dict restored after it)."""
    monkeypatch.setattr(estimators, "OPTIONS", dict(estimators.OPTIONS))
    estimators.register(sys.modules[__name__])
    return estimators.OPTIONS[KEY]


def test_the_schema_knows_the_key_only_while_the_option_is_registered(registered, monkeypatch):
    assert KEY in schema.SPEC_KEYS and schema.SPEC_KEYS.index(KEY) < schema.SPEC_KEYS.index("label")
    schema.validate({**SPEC, KEY: ["fta"]})
    for value, words in (
        ("fta", "spec 'percent_effects': expected a list of 1 to 10 regressor names, got 'fta'"),
        (["fta"] * 11, "expected a list of 1 to 10 regressor names"),
    ):
        with pytest.raises(SpecError, match=words):
            schema.check_spec({**SPEC, KEY: value})
    with pytest.raises(SpecError, match=r"spec 'percent_effects': needs a logged outcome, not 'exports'"):
        schema.validate({**SPEC, "formula": "exports ~ fta | exporter", KEY: ["fta"]})
    with pytest.raises(SpecError, match=r"spec 'percent_effects': not a regressor of the formula: rta"):
        schema.validate({**SPEC, KEY: ["fta", "rta"]})
    schema.validate({**SPEC, KEY: None})  # None is absent, as for every optional key

    monkeypatch.delitem(estimators.OPTIONS, KEY)
    assert KEY not in schema.SPEC_KEYS
    with pytest.raises(SpecError, match=r"spec has an unknown key 'percent_effects' \(known: .*require_convergence, "):
        schema.check_spec({**SPEC, KEY: ["fta"]})


def test_the_fit_is_amended_and_the_table_shows_its_row_and_label(registered):
    panel = small_panel()
    result = gravity.fit(panel, {**SPEC, KEY: ["fta"]})
    plain = gravity.fit(panel, SPEC)
    fta = result["coefficients"]["fta"]["estimate"]
    assert fta == pytest.approx(0.352380, abs=1e-6)  # tests/analysis/test_estimator_registry.py's OLS
    assert result[KEY] == {"fta": pytest.approx(100 * (math.exp(0.352380) - 1), abs=1e-3)}  # 42.24 %
    assert KEY not in plain and result["coefficients"] == plain["coefficients"]

    table = tables.build([result, plain])
    rows = [(row["variable"], row.get("kind")) for row in table["rows"]]
    assert rows == [("ln_dist", None), ("fta", None), ("fta: effect in % (100 (e^b - 1))", KEY)]
    assert table["rows"][2]["cells"] == [(pytest.approx(42.24, abs=0.01), None, ""), None]
    assert ("Percent effects", ["fta", ""]) in table["footer"]
    assert "| fta: effect in % (100 (e^b - 1)) | 42.24" in tables.to_markdown(table)

    # The pages' labels come from the registry: the toy's English (no catalogue entry), the bias
    # correction's in the reader's language from its one marked English in bias_correction.py.
    with translation.override("zh-hans"):
        text = table_text()
        shown = tables.build([result], text=text)
    assert text["percent"] == "{variable}: effect in % (100 (e^b - 1))"
    assert text["bias"] != "{variable}: bias (Weidner & Zylkin)" and "{variable}" in text["bias"]
    assert shown["rows"][2]["variable"] == "fta: effect in % (100 (e^b - 1))"


def test_a_key_or_label_taken_by_another_declaration_is_refused(registered):
    clash = ModuleType("clash")
    clash.__file__ = "clash.py"
    clash.OPTION = type("Clash", (PercentEffects,), {"key": "clash", "text": {"bias": "x"}})()
    with pytest.raises(ImportError, match=r"clash.py: table labels \['bias'\] are taken"):
        estimators.register(clash)
    clash.OPTION = type("Clash", (PercentEffects,), {"key": "formula", "text": {}})()
    with pytest.raises(ImportError, match="option 'formula' is a key of the schema's own"):
        estimators.register(clash)
    with pytest.raises(ImportError, match="option 'percent_effects' is registered twice"):
        estimators.register(sys.modules[__name__])
    assert sorted(estimators.OPTIONS) == ["bias_correction", KEY]


def test_the_bias_correction_is_an_option_declared_once_in_its_own_module():
    option = estimators.OPTIONS["bias_correction"]
    assert type(option).__module__ == "analysis.pure.estimators.bias_correction"
    assert set(option.text) == {"bias", "bias_corrected", "bias_correction", "three_way", "two_way"}
    assert not set(option.text) & set(tables.TEXT)
    assert "analysis.pure.estimators.bias_correction" in estimators.preload_modules()
    # Its English is written in one Python file of the apps (the .po translates it).
    root = Path(__file__).resolve().parents[2]
    for english in option.text.values():
        files = [
            path.relative_to(root).as_posix()
            for app in ("analysis", "coding", "jobs", "web")
            for path in (root / app).rglob("*.py")
            if english in path.read_text(encoding="utf-8")
        ]
        assert files == ["analysis/pure/estimators/bias_correction.py"], english
