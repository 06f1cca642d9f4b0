"""The formula grammar and the spec schema (analysis/pure/spec/grammar.py, analysis/pure/spec/schema.py): hostile
formulas are refused naming the offending token and never reach formulaic, valid ones are fitted
from their canonical rendering, and every spec key is checked by type and bound. Pure: no
database."""

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.pure.errors import SpecError
from analysis.pure.gravity import fit
from analysis.pure.presets import PRESETS
from analysis.pure.spec import schema
from analysis.pure.spec.grammar import MAX_LENGTH, parse
from analysis.pure.spec.schema import check_spec, parse_formula, validate, validate_specs

CANARY = "CANARY"  # stands for the canary file's path: the attacks that write, write that file

# (formula, a piece of the error message naming the offending token)
HOSTILE = [
    ("trade ~ rta | pair_id | ln_dist ~ I(__import__('os').system('touch CANARY') + dist)", "'__import__'"),
    ("y ~ __import__('os').system('touch CANARY')", "'__import__'"),
    ("y ~ x + eval('1')", "function 'eval'"),
    ("y ~ exec('x')", "function 'exec'"),
    ("y ~ open('CANARY', 'w')", "function 'open'"),
    ("y ~ x + os.system('touch CANARY')", "'os.system'"),
    ("y ~ np.__class__", "'__class__'"),
    ("().__class__.__bases__ ~ x", "'__class__'"),
    ("y ~ lambda: 1", "'lambda'"),
    ("y ~ x + (lambda: 1)()", "'lambda'"),
    ("y ~ getattr(np, 'os')", "function 'getattr'"),
    ("y ~ globals()", "function 'globals'"),
    ("y ~ x + vars()", "function 'vars'"),
    ("y ~ x + 'abc'", "string 'abc'"),
    ('y ~ x + "abc"', 'string "abc"'),
    ("y ~ f'{x}'", "string '{x}'"),
    ("y ~ x + exec(\"open('CANARY', 'w')\")", "function 'exec'"),
    ("y ~ x + I(__import__('pathlib').Path('CANARY').touch())", "'__import__'"),
    ("y ~ x | fe | x2 ~ z + compile('1', 'CANARY', 'exec')", "function 'compile'"),
    ("y ~ x[0]", "'['"),
    ("y ~ np.log(x).real", "'.real'"),
    ("log(x).real ~ x", "'.real'"),
    ("y ~ np.linalg.norm(x)", "'np.linalg'"),
    ("y ~ x + np.sys", "'np.sys'"),
    ("y ~ x + I(np.os.system('touch CANARY'))", "'np.os'"),
    ("y ~ I(x.__class__)", "'__class__'"),
    ("y ~ x | fe | x2 ~ eval('1')", "function 'eval'"),
    ("y ~ x | fe | open('CANARY', 'w') ~ z", "function 'open'"),
    ("y ~ x | fe | x2 ~ z | exec('1')", "'|'"),
    ("y ~ x | x2 ~ I(__import__('os').system('touch CANARY'))", "'__import__'"),
    ("y ~ x | fe | x2 + x ~ z", "'+'"),
    ("y ~ x | exporter + eval('1')", "function 'eval'"),
    ("y ~ x | exporter^__import__", "'__import__'"),
    ("y ~ x | fe[x]", "'['"),
    ("y ~ x | log(fe)", "function 'log'"),
    ("y ~ i(rta, ref=__import__('os'))", "'__import__'"),
    ("y ~ i(rta, ref=x)", "'x'"),
    ("y ~ i(rta, reff=1)", "'reff='"),
    ("y ~ i(rta, ref='a;b')", "';'"),
    ("y ~ i(rta, ref='CANARY')", "'/'"),
    ("y ~ i(rta, x, z)", "'z'"),
    ("y ~ C(x, Treatment(reference=1))", "','"),
    ("y ~ log(x, 2)", "','"),
    ("y ~ I(x, y)", "','"),
    ("y ~ I(x if x else z)", "'if'"),
    ("y ~ x + I('touch CANARY')", "string 'touch CANARY'"),
    ("y ~ x \\ z", "'\\\\'"),
    ("y ~ x\n+ eval('1')", "'\\n'"),
    ("y ~ x\r+ z", "'\\r'"),
    ("y ~ x + \x00", "'\\x00'"),
    ("y ~ ｅｖａｌ('1')", "U+FF45"),
    ("y ~ \u0435val('1')", "U+0435"),  # a Cyrillic e
    ("y ~ x\u00a0+ z", "U+00A0"),  # a no-break space
    ("y ~ `x`", "'`'"),
    ("y ~ {x}", "'{'"),
    ("y ~ x @ z", "'@'"),
    ("y ~ x; import os", "';'"),
    ("y ~ x # comment", "'#'"),
    ("y ~ log(x", "'(' at position 8 is never closed"),
    ("y ~ x)", "')'"),
    ("y ~ x ~ z", "'~'"),
    ("y ~ x | a | b ~ c | d", "'|'"),
    ("y ~ x + + z", "'+'"),
    ("y ~ x +", "end of formula"),
    ("y ~ x | | fe", "'|'"),
    ("y ~ x + sw(a, b)", "function 'sw'"),
    ("y ~ 0x10 + x", "'0x10'"),
    ("y ~ x + 1_000", "'1_000'"),
    ("y ~ x + 2", "'2'"),
    ("y ~ x - z", "'-'"),
    ("y ~ x^z", "'^'"),
    ("y ~ x * z", "'*'"),
    ("y ~ exp(x) ** 2", "'**'"),
    ("y1 + y2 ~ x", "'+'"),
    ("y ~ x + True", "'True'"),
    ("y ~ x + __builtins__", "'__builtins__'"),
    ("y ~ " + " + ".join(["x"] * 2500), f"longer than {MAX_LENGTH}"),
    ("y ~ " + " + ".join(f"x{i}" for i in range(150)), "150 terms"),
    ("y ~ I(" + "(" * 300 + "x" + ")" * 301, "nests parentheses deeper"),
    ("y ~ I(" + "-" * 400 + "x)", "nests the expression deeper"),
    ("y ~ I(" + "x ** " * 150 + "x)", "nests the expression deeper"),
    ("trade rta", "needs '~'"),
]


def hostile_cases(canary):
    """The corpus with the canary's path filled in: [(formula, token the message must name)].
    Shared with the page, API, command-line and worker tests (test_hostile_specs.py)."""
    return [(formula.replace(CANARY, str(canary)), token.replace(CANARY, str(canary))) for formula, token in HOSTILE]


@pytest.fixture
def canary(tmp_path):
    return tmp_path / "canary"


def tiny_frame():
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame({name: rng.normal(size=n) for name in ("x", "x1", "x2", "z", "a", "b", "ln_dist")})
    frame["fe"] = rng.integers(0, 5, n)
    frame["g"] = rng.integers(0, 3, n)
    frame["year"] = rng.choice([2000, 2002, 2004], n)
    frame["exporter"], frame["importer"] = rng.choice(["A", "B", "C"], n), rng.choice(["D", "E"], n)
    frame["rta"] = rng.integers(0, 2, n).astype(float)
    frame["pair_id"] = rng.integers(0, 6, n)
    frame["dist"] = rng.uniform(100, 900, n)
    frame["y"] = 1 + frame.x + 0.5 * frame.x2 + rng.normal(size=n)
    frame["trade"] = np.exp(frame.y / 3)
    return frame


def test_the_corpus_is_large_and_varied(canary):
    assert len(HOSTILE) >= 40 and len({formula for formula, _ in HOSTILE}) == len(HOSTILE)
    assert sum(str(canary) in formula for formula, _ in hostile_cases(canary)) >= 8


@pytest.mark.parametrize("formula, token", HOSTILE)
def test_hostile_formulas_are_refused_naming_the_token(formula, token, canary):
    formula, token = formula.replace(CANARY, str(canary)), token.replace(CANARY, str(canary))
    with pytest.raises(SpecError) as parsed:
        parse(formula)
    assert token in str(parsed.value)
    with pytest.raises(SpecError) as fitted:
        fit(tiny_frame(), {"estimator": "ols", "formula": formula})
    assert token in str(fitted.value)


@pytest.mark.parametrize("formula", [f for f, _ in HOSTILE if CANARY in f or "eval" in f or "exec" in f])
def test_no_attack_runs(formula, canary):
    formula = formula.replace(CANARY, str(canary))
    for estimator in ("ols", "ppml"):
        with pytest.raises(SpecError):
            fit(tiny_frame(), {"estimator": estimator, "formula": formula, "vcov": "hetero"})
        with pytest.raises(SpecError):
            validate_specs([{"formula": "y ~ x"}, {"estimator": estimator, "formula": formula}], tiny_frame().columns)
    assert not canary.exists()


def test_the_attack_is_real_when_pyfixest_gets_the_text(canary):
    """The control: the same formula handed to pyfixest directly runs the shell command, which
    is why fit() hands it only what our grammar rendered."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pf.feols(hostile_cases(canary)[0][0], data=tiny_frame())
    assert canary.exists()


def test_the_position_is_one_based_and_exact():
    formula = "trade ~ rta | pair_id | ln_dist ~ I(__import__('os').system('id > /tmp/x') + dist)"
    with pytest.raises(SpecError, match=r"unexpected '__import__' at position 37"):
        parse(formula)
    with pytest.raises(SpecError, match=r"function 'eval' at position 9 is not allowed \(allowed: log, np.log"):
        parse("y ~ x + eval(x)")


def test_deep_nesting_is_a_spec_error_not_a_recursion_error():
    for formula in ("y ~ " + "log(" * 500 + "x" + ")" * 500, "y ~ I(" + "- " * 498 + "x)", "(" * 999):
        with pytest.raises(SpecError):
            parse(formula)


# --- valid formulas -----------------------------------------------------------------------------

VALID = [
    (
        "log(trade) ~ ln_dist + i(year, ref=2000) | exporter^year",
        "log(trade) ~ ln_dist + i(year, ref=2000) | exporter^year",
    ),
    ("y ~ I(a * b) + C(g)", "y ~ I(a * b) + C(g)"),
    ("y ~ x1 | fe | x2 ~ z", "y ~ x1 | fe | x2 ~ z"),
    ("y~x1+  i(year,ref=2000)|fe", "y ~ x1 + i(year, ref=2000) | fe"),
    ("y ~ x1 | x2 ~ z + log1p(a)", "y ~ x1 | x2 ~ z + np.log1p(a)"),
    ("np.log(y) ~ np.exp(x) + np.log1p(z) + exp(a)", "np.log(y) ~ np.exp(x) + np.log1p(z) + exp(a)"),
    ("y ~ -1 + x", "y ~ -1 + x"),
    ("y ~ x - 1 + z", "y ~ x - 1 + z"),
    ("y ~ 0 + x:z + i(g, x, ref=-1)", "y ~ 0 + x:z + i(g, x, ref=-1)"),
    ("y ~ i(s, ref='a b-c.d')", "y ~ i(s, ref='a b-c.d')"),
    ("y ~ I(-x ** 2 - -(a+b)/2.5e-3)", "y ~ I(-x ** 2 - -(a + b) / 2.5e-3)"),
    ("y ~ log(x + .5 * log(z))", "y ~ log(x + .5 * log(z))"),
]


@pytest.mark.parametrize("formula, canonical", VALID)
def test_valid_formulas_parse_to_their_canonical_form(formula, canonical):
    parsed = parse(formula)
    assert parsed.canonical == canonical
    assert parse(canonical).canonical == canonical  # rendering is a fixed point


def test_every_preset_formula_parses_to_itself():
    for specs in PRESETS.values():
        for spec in specs:
            check_spec(spec)
            assert parse(spec["formula"]).canonical == spec["formula"]
    assert parse_formula(PRESETS["study-table9"][0]["formula"]) == (
        "log(exports)",
        ["fta", "ln_tbt_j", "ln_gdp_i", "ln_gdp_j", "ln_dist"],
        ["exporter", "importer", "year"],
    )


def test_the_structure_of_an_iv_formula():
    parsed = parse("log(y) ~ x1 + i(year, ref=2000) | exporter^year + fe | x2 ~ z + I(a * b)")
    assert parsed.dependent.render() == "log(y)" and [t.render() for t in parsed.regressors] == [
        "x1",
        "i(year, ref=2000)",
    ]
    assert parsed.fixed == (("exporter", "year"), ("fe",))
    endogenous, instruments = parsed.iv
    assert endogenous.render() == "x2" and [t.render() for t in instruments] == ["z", "I(a * b)"]
    assert parsed.columns() == {"y", "x1", "year", "exporter", "fe", "x2", "z", "a", "b"}


def capture(monkeypatch, name):
    import pyfixest as pf

    seen, real = [], getattr(pf, name)

    def spy(formula, *args, **kwargs):
        seen.append(formula)
        return real(formula, *args, **kwargs)

    monkeypatch.setattr(pf, name, spy)
    return seen


def test_the_canonical_string_is_what_is_fitted(monkeypatch):
    seen = capture(monkeypatch, "feols")
    result = fit(tiny_frame(), {"estimator": "ols", "formula": "y~x1+  i(year,ref=2000)|fe", "vcov": "iid"})
    assert seen == ["y ~ x1 + i(year, ref=2000) | fe"] and result["formula"] == seen[0]
    # interacted effects are fitted as our coded columns, the rest still rendered by us
    fit(tiny_frame(), {"estimator": "ols", "formula": "y ~ x1|exporter^year+fe|x2~z"})
    assert seen[1] == "y ~ x1 | fe__exporter__year + fe | x2 ~ z"
    seen = capture(monkeypatch, "fepois")
    fit(tiny_frame(), {"estimator": "ppml", "formula": "trade~x1+log1p(dist)|fe"})
    assert seen == ["trade ~ x1 + np.log1p(dist) | fe"]


def test_an_iv_fit_equals_two_stage_least_squares_by_hand():
    frame = tiny_frame()
    result = fit(frame, {"estimator": "ols", "formula": "y ~ x1 | x2 ~ z", "vcov": "iid"})
    X = np.column_stack([np.ones(len(frame)), frame.x1, frame.x2])
    Z = np.column_stack([np.ones(len(frame)), frame.x1, frame.z])
    fitted = Z @ np.linalg.lstsq(Z, X, rcond=None)[0]
    beta = np.linalg.lstsq(fitted, frame.y.to_numpy(), rcond=None)[0]
    for name, value in zip(("Intercept", "x1", "x2"), beta):
        assert result["coefficients"][name]["estimate"] == pytest.approx(value, abs=1e-9)


def test_an_i_and_iv_fit_with_effects_equal_pyfixest_on_the_same_formula():
    import pyfixest as pf

    frame = tiny_frame()
    for formula in ("y ~ x1 + i(year, ref=2000) | fe", "y ~ x1 | fe | x2 ~ z", "y ~ I(a * b) + C(g) + x1:z"):
        ours = fit(frame, {"estimator": "ols", "formula": formula, "vcov": "hetero"})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pf.feols(formula, data=frame.copy(), vcov="hetero")
        assert set(ours["coefficients"]) == set(map(str, theirs.coef().index))
        for name, value in theirs.coef().items():
            assert ours["coefficients"][str(name)]["estimate"] == pytest.approx(value, abs=1e-10)
            assert ours["coefficients"][str(name)]["se"] == pytest.approx(theirs.se()[name], rel=1e-9)
    dummies = pd.get_dummies(frame.year, dtype=float).drop(columns=2000)
    X = np.column_stack([np.ones(len(frame)), frame.x1, dummies])
    beta = np.linalg.lstsq(X, frame.y.to_numpy(), rcond=None)[0]
    result = fit(frame, {"estimator": "ols", "formula": "y ~ x1 + i(year, ref=2000)"})
    assert result["coefficients"]["year::2002"]["estimate"] == pytest.approx(beta[2], abs=1e-9)


def test_a_logged_outcome_drops_non_positive_rows_of_the_expression():
    frame = tiny_frame()
    result = fit(frame, {"estimator": "ols", "formula": "log(y - 1) ~ x1"})
    assert result["dropped"]["nonpositive_outcome"] == int((frame.y - 1 <= 0).sum())
    assert result["n_obs"] == int((frame.y - 1 > 0).sum())


def test_what_pyfixest_refuses_for_this_data_is_a_spec_error():
    for formula, message in [
        ("y ~ x + i(year, ref=1999)", "1999"),
        ("y ~ C(year) | year", "collinear"),
        ("y ~ x + i(exporter, ref='Z')", "'Z'"),
    ]:
        with pytest.raises(SpecError, match=f"pyfixest cannot fit this specification: .*{message}"):
            fit(tiny_frame(), {"estimator": "ols", "formula": formula})


def test_old_ssc_names_fit_as_the_new_ones():
    frame = tiny_frame()
    spec = {"estimator": "ols", "formula": "y ~ x1 | fe", "vcov": {"cluster": "fe"}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        old = fit(frame, {**spec, "ssc": {"adj": False, "cluster_adj": False, "cluster_df": "min", "fixef_k": "none"}})
    new = fit(frame, {**spec, "ssc": {"k_adj": False, "G_adj": False, "G_df": "min", "k_fixef": "none"}})
    assert old["coefficients"]["x1"]["se"] == new["coefficients"]["x1"]["se"]
    assert new["coefficients"]["x1"]["se"] != fit(frame, spec)["coefficients"]["x1"]["se"]


# --- the spec schema ----------------------------------------------------------------------------

GOOD = {"estimator": "ols", "formula": "y ~ x1 | fe", "vcov": "hetero"}
BAD = [
    ({"formual": "y ~ x"}, "unknown key 'formual'"),
    ({"estimator": "logit"}, "spec 'estimator': expected 'ols' or 'ppml', got 'logit'"),
    ({"estimator": ["ols"]}, "spec 'estimator'"),
    ({"formula": 5}, "spec 'formula': expected a string, got 5"),
    ({"formula": ""}, "spec 'formula': the spec needs a formula"),
    ({"formula": "y ~ x1" + " + x1" * 250}, "spec 'formula': longer than 1000"),
    ({"vcov": "bootstrap"}, "spec 'vcov'"),
    ({"vcov": {"cluster": 5}}, "spec 'vcov'"),
    ({"vcov": {"cluster": "fe+g+year"}}, "spec 'vcov'"),
    ({"vcov": {"cluster": "__class__"}}, "spec 'vcov'"),
    ({"vcov": {"cluster": "fe", "extra": 1}}, "spec 'vcov'"),
    ({"vcov": {"cluster": "nothere"}}, "columns not in the panel: nothere"),
    ({"years": "abc"}, "spec 'years': expected a list of whole years"),
    ({"years": [2000.0]}, "spec 'years'"),
    ({"years": [True]}, "spec 'years'"),
    ({"years": [1700]}, "spec 'years'"),
    ({"years": list(range(1800, 2200))}, "spec 'years'"),
    ({"where": "g"}, "spec 'where'"),
    ({"where": {"__class__": [1]}}, "spec 'where'"),
    ({"where": {"g": [[1]]}}, "spec 'where'"),
    ({"where": {"g": list(range(1001))}}, "spec 'where'"),
    ({"where": {f"c{i}": [1] for i in range(21)}}, "spec 'where'"),
    ({"where": {"nothere": [1]}}, "filter column not in the panel: nothere"),
    ({"exclude_domestic": "yes"}, "spec 'exclude_domestic'"),
    ({"exclude_domestic": 1}, "spec 'exclude_domestic'"),
    ({"ssc": "none"}, "spec 'ssc'"),
    ({"ssc": {"foo": True}}, "spec 'ssc': unknown option 'foo'"),
    ({"ssc": {"k_adj": "no"}}, "spec 'ssc'"),
    ({"ssc": {"k_fixef": "some"}}, "spec 'ssc'"),
    ({"ssc": {"adj": False, "k_adj": False}}, "spec 'ssc'"),
    ({"separation": "slow"}, "spec 'separation'"),
    ({"maxiter": 0}, "spec 'maxiter'"),
    ({"maxiter": "100"}, "spec 'maxiter'"),
    ({"maxiter": True}, "spec 'maxiter'"),
    ({"maxiter": 10_001}, "spec 'maxiter'"),
    ({"label": 5}, "spec 'label'"),
    ({"label": "x" * 201}, "spec 'label'"),
    ({"study_column": ["9.1"]}, "spec 'study_column'"),
    ({"robustness_of": 9.1}, "spec 'robustness_of'"),
    ({"estimator": "ppml", "formula": "log(y) ~ x1"}, "PPML models the level"),
    ({"estimator": "ppml", "formula": "trade ~ x1 | x2 ~ z"}, "no IV estimation for PPML"),
    ({"formula": "y ~ nothere + x1"}, "columns not in the panel: nothere"),
]


@pytest.mark.parametrize("change, message", BAD)
def test_spec_errors_name_the_key(change, message):
    spec = {**GOOD, **change}
    with pytest.raises(SpecError) as error:
        validate(spec, tiny_frame().columns)
    assert message in str(error.value)
    with pytest.raises(SpecError):
        fit(tiny_frame(), spec)


def test_years_need_a_year_column():
    with pytest.raises(SpecError, match="spec 'years': the panel has no 'year' column"):
        validate({**GOOD, "years": [2000]}, tiny_frame().drop(columns="year").columns)


WEIRD = [
    None,
    0,
    -1,
    1.5,
    float("nan"),
    "",
    "x" * 5000,
    [],
    {},
    [1, "a"],
    {"a": {"b": []}},
    True,
    ("t",),
    b"bytes",
    np.array([1, 2]),
    np.int64(3),
    {"cluster": np.array(["fe"])},
    {1: 2},
    object(),
]


@pytest.mark.parametrize("key", schema.SPEC_KEYS)
def test_no_value_of_any_key_escapes_as_another_exception(key):
    for value in WEIRD:
        try:
            validate({**GOOD, key: value}, tiny_frame().columns)
        except SpecError:
            pass
    for spec in WEIRD + [[GOOD, 5], [[]]]:
        with pytest.raises(SpecError):
            validate_specs(spec, tiny_frame().columns)


def test_validate_specs_takes_one_or_a_list():
    columns = tiny_frame().columns
    assert validate_specs(GOOD, columns) == [GOOD]
    assert validate_specs([GOOD, GOOD], columns) == [GOOD, GOOD]
    with pytest.raises(SpecError, match="expected 1 to 50 specifications, got 0"):
        validate_specs([], columns)
    with pytest.raises(SpecError, match="got 51"):
        validate_specs([GOOD] * 51, columns)
    with pytest.raises(SpecError, match=r"specification 2 of 2: spec 'maxiter'"):
        validate_specs([GOOD, {**GOOD, "maxiter": -1}], columns)
    with pytest.raises(SpecError, match=r"^spec 'maxiter'"):
        validate_specs({**GOOD, "maxiter": -1}, columns)


def test_the_older_separation_name_and_none_values_are_accepted():
    check_spec({**GOOD, "separation": "pyfixest", "label": None, "years": None, "where": None, "ssc": None})
    result = fit(tiny_frame(), {**GOOD, "where": {"g": [0, 1]}, "years": [2000, 2002], "label": "ok"})
    frame = tiny_frame()
    assert result["n_input"] == int((frame.g.isin([0, 1]) & frame.year.isin([2000, 2002])).sum())
    assert result["label"] == "ok"
