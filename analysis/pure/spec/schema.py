"""The schema of a gravity specification (pure, no Django): every key by type and bound.

Spec keys: estimator (a name in analysis/pure/estimators/, default "ppml"), formula (fixest
syntax, e.g. "trade ~ rta | exporter^year + importer^year + pair_id"), vcov ("hetero" |
{"cluster": "pair_id"} | {"cluster": "exporter+importer"}), optional years [..], where
{"column": [allowed values]}, exclude_domestic (bool), ssc ({"adj": false} reproduces Stata's
ppml), separation ("fast": drop fixed-effect groups whose outcome is all zero before fitting, as
fixest does; "full": pyfixest's checks incl. the regressor check "ir"), maxiter,
require_convergence (bool: an unconverged fit FAILED rather than DONE with converged false),
label, the presets' study_column and robustness_of, depth_uncertainty, and the key of every option
registered in analysis/pure/estimators/ (bias_correction: bool, PPML only, Weidner & Zylkin's bias
and adjusted SEs, estimators/bias_correction.py), which declares its own checks.

A spec is user input and its formula is code to formulaic (pyfixest's formula engine evaluates
every term as Python), so check_spec() checks every key by type and bound, the formula is parsed
by our own grammar (grammar.py) and the estimator's own checks run on that parse; gravity.fit
hands pyfixest the formula re-rendered from it, never the user's text. Numeric bounds are
analysis/pure/bounds.py's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, cast

import numpy as np

from .. import bounds
from ..errors import SpecError, gettext_noop
from .grammar import MAX_LENGTH, NAME, parse
from .tree import Formula

if TYPE_CHECKING:
    from ..estimators.base import Estimator, Option

# The schema's own keys; the registered options' keys (estimators.OPTIONS) go between the two parts.
FIT_KEYS = (
    "estimator",
    "formula",
    "vcov",
    "years",
    "where",
    "exclude_domestic",
    "ssc",
    "separation",
    "maxiter",
    "require_convergence",
)
LABEL_KEYS = ("label", "study_column", "robustness_of", "depth_uncertainty")
MAX_SPECS = 50

SEPARATION: dict[str, str] = {
    "fast": "fast",
    "full": "full",
    "pyfixest": "full",
}  # "pyfixest": the older name of "full"
# pf.ssc() of pyfixest 0.60: option -> (its current name, allowed values); adj, fixef_k, cluster_adj and
# cluster_df are its deprecated names, still accepted in specs and passed on under the new ones.
SSC_OPTIONS: dict[str, tuple[str, tuple[object, ...]]] = {
    "k_adj": ("k_adj", (True, False)),
    "adj": ("k_adj", (True, False)),
    "k_fixef": ("k_fixef", ("none", "full", "nonnested")),
    "fixef_k": ("k_fixef", ("none", "full", "nonnested")),
    "G_adj": ("G_adj", (True, False)),
    "cluster_adj": ("G_adj", (True, False)),
    "G_df": ("G_df", ("conventional", "min")),
    "cluster_df": ("G_df", ("conventional", "min")),
}


def parse_formula(formula: str) -> tuple[str, list[str], list[str]]:
    """(dependent, regressors, fixed effects) of a fixest formula 'y ~ x1 + x2 | fe1 + fe2', each
    re-rendered from our parse (so 'log( y )' comes back as 'log(y)'); SpecError if it is not in
    the grammar. The IV part, if any, is not among the regressors."""
    parsed = parse(formula)
    return parsed.dependent.render(), [term.render() for term in parsed.regressors], parsed.fixed_names


def _columns_in(term: str) -> list[str]:
    """Identifiers in a rendered term, function names included (a helper for callers' checks;
    validation itself uses the parse tree)."""
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", term)


def _registry() -> Mapping[str, Estimator]:
    # Imported when a spec is checked: the estimator modules import this one (fast_separation).
    from ..estimators import ESTIMATORS

    return ESTIMATORS


def _options() -> Mapping[str, Option]:
    from ..estimators import OPTIONS

    return OPTIONS


def spec_keys() -> tuple[str, ...]:
    """Every key a spec may have: the schema's own and each registered option's."""
    return (*FIT_KEYS, *_options(), *LABEL_KEYS)


def __getattr__(name: str) -> tuple[str, ...]:
    """SPEC_KEYS, read when asked (the registry imports this module, so not at its import)."""
    if name == "SPEC_KEYS":
        return spec_keys()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def estimator_name(spec: Mapping[str, Any]) -> Any:
    """The spec's estimator, the default when it is absent or null (checked by check_spec)."""
    from ..estimators import DEFAULT

    return DEFAULT if spec.get("estimator") is None else spec["estimator"]


def _one_of(names: Collection[str]) -> str:
    """'ols' or 'ppml'; 'a', 'b' or 'c'."""
    quoted = [repr(name) for name in sorted(names)]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(key: str, expected: str, value: object) -> NoReturn:
    raise SpecError(f"spec {key!r}: expected {expected}, got {_show(value)}")


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _identifier(value: object) -> bool:
    return isinstance(value, str) and NAME.fullmatch(value) is not None and not value.startswith("__")


def normalise_vcov(vcov: object) -> str | dict[str, str]:
    """pyfixest's vcov for ours: "hetero" (also None, "HC1", "robust"), "iid", or {"CRV1": "a+b"}
    from {"cluster": "a + b"} (one- or two-way)."""
    if vcov is None or (isinstance(vcov, str) and vcov in ("hetero", "HC1", "robust")):
        return "hetero"
    if isinstance(vcov, str) and vcov == "iid":
        return "iid"
    if isinstance(vcov, dict) and len(vcov) == 1 and next(iter(vcov)) in ("cluster", "CRV1"):
        cluster = next(iter(vcov.values()))
        names = (
            [name.strip() for name in cluster.split("+")] if isinstance(cluster, str) and len(cluster) <= 200 else []
        )
        if 1 <= len(names) <= 2 and all(_identifier(name) for name in names):
            return {"CRV1": "+".join(names)}
    _bad("vcov", "'hetero', 'HC1', 'robust', 'iid' or {'cluster': 'column'} (or 'col1+col2')", vcov)


def check_spec(spec: object) -> None:
    """Every key of a spec by type and bound, before anything else reads it. None counts as
    absent for the optional keys. Raises SpecError naming the key and what was expected."""
    if not isinstance(spec, dict):
        raise SpecError.of(
            gettext_noop("a specification must be an object {...} of keys, got %(type)s"), type=type(spec).__name__
        )
    known = spec_keys()
    unknown = [key for key in spec if key not in known]
    if unknown:
        raise SpecError.of(
            gettext_noop("spec has an unknown key %(key)s (known: %(known)s)"),
            key=_show(unknown[0]),
            known=", ".join(known),
        )
    estimator, registry = estimator_name(spec), _registry()
    if not (isinstance(estimator, str) and estimator in registry):
        _bad("estimator", _one_of(registry), spec["estimator"])
    formula = spec.get("formula")
    if formula is None or (isinstance(formula, str) and not formula):
        raise SpecError.of(gettext_noop("spec 'formula': the spec needs a formula"))
    if not isinstance(formula, str):
        _bad("formula", "a string", formula)
    if len(formula) > MAX_LENGTH:
        raise SpecError(f"spec 'formula': longer than {MAX_LENGTH} characters (got {len(formula)})")
    normalise_vcov(spec.get("vcov"))
    years = spec.get("years")
    if years is not None and (
        not isinstance(years, (list, tuple))
        or len(years) > 300
        or not all(_is_int(y) and bounds.MIN_YEAR <= y <= bounds.MAX_YEAR for y in years)
    ):
        _bad("years", f"a list of whole years (at most 300, {bounds.MIN_YEAR} to {bounds.MAX_YEAR})", years)
    _check_where(spec.get("where"))
    for key, expected in (
        ("exclude_domestic", "true or false"),
        ("require_convergence", "true or false"),
        ("separation", "'fast' or 'full'"),
    ):
        allowed: tuple[object, ...] = tuple(SEPARATION) if key == "separation" else (True, False)
        value = spec.get(key)
        if value is not None and (type(value) is not type(allowed[0]) or value not in allowed):
            _bad(key, expected, value)
    for key, option in _options().items():  # each option's value, by its own declaration
        value = spec.get(key)
        if value is not None and not option.valid(value):
            _bad(key, option.expected, value)
    ssc_options(spec.get("ssc"))
    maxiter = spec.get("maxiter")
    if maxiter is not None and not (_is_int(maxiter) and 1 <= maxiter <= 10_000):
        _bad("maxiter", "a whole number of iterations from 1 to 10000", maxiter)
    for key, limit in (("label", 200), ("study_column", 50), ("robustness_of", 50)):
        value = spec.get(key)
        if value is not None and not (isinstance(value, str) and len(value) <= limit):
            _bad(key, f"a string of at most {limit} characters", value)
    check_depth_uncertainty(spec.get("depth_uncertainty"))


# "depth_uncertainty": {"draws": M, "source": "irt" | "coders", "seed": optional}: M plausible
# values of each treaty's depth, fitted and combined by Rubin's rules (analysis/pure/plausible_values.py).
DEPTH_UNCERTAINTY_SOURCES = ("irt", "coders")
MIN_DRAWS, MAX_DRAWS = 2, 200
MAX_SEED = 2**32 - 1


def check_depth_uncertainty(option: object) -> None:
    """The spec's depth_uncertainty: draws a whole number from MIN_DRAWS to MAX_DRAWS, source 'irt'
    or 'coders', seed (optional) a whole number from 0 to 2**32 - 1; None is absent."""
    if option is None:
        return
    key = "depth_uncertainty"
    if not isinstance(option, dict):
        _bad(key, "an object {'draws': M, 'source': 'irt' or 'coders'}", option)
    unknown = [name for name in option if name not in ("draws", "source", "seed")]
    if unknown:
        _bad(key, "only the keys 'draws', 'source' and 'seed'", unknown[0])
    draws: Any = option.get("draws")
    if not (_is_int(draws) and MIN_DRAWS <= draws <= MAX_DRAWS):
        _bad(f"{key}.draws", f"a whole number of plausible values from {MIN_DRAWS} to {MAX_DRAWS}", draws)
    source = option.get("source")
    if not (isinstance(source, str) and source in DEPTH_UNCERTAINTY_SOURCES):
        _bad(f"{key}.source", _one_of(DEPTH_UNCERTAINTY_SOURCES), source)
    seed = option.get("seed")
    if seed is not None and not (_is_int(seed) and 0 <= seed <= MAX_SEED):
        _bad(f"{key}.seed", f"a whole number from 0 to {MAX_SEED}", seed)


def _check_where(where: object) -> None:
    if where is None:
        return
    if not isinstance(where, dict) or len(where) > 20:
        _bad("where", "an object of at most 20 columns -> allowed values", where)
    for column, allowed in where.items():
        if not _identifier(column):
            _bad("where", "column names (letters, digits, '_') as keys", column)
        values = allowed if isinstance(allowed, (list, tuple)) else [allowed]
        if len(values) > 1000 or not all(
            isinstance(v, (str, int, float)) and not (isinstance(v, str) and len(v) > 200) for v in values
        ):
            _bad("where", f"for {column!r} a value or a list of at most 1000 strings or numbers", allowed)
        # Numbers finite and bounded (an infinity is a DataError in PostgreSQL's JSON), years years.
        for value in values:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                field = f"spec 'where' {column}"
                if column == "year":
                    bounds.year_in_range(value, field)
                else:
                    bounds.finite_number(value, field, low=-bounds.MAX_MAGNITUDE, high=bounds.MAX_MAGNITUDE)


def ssc_options(ssc: object) -> dict[str, object]:
    """The spec's ssc as pf.ssc() keyword arguments under their current names."""
    if ssc is None:
        return {}
    if not isinstance(ssc, dict):
        _bad("ssc", "an object of small-sample options", ssc)
    options: dict[str, object] = {}
    for key, value in ssc.items():
        if key not in SSC_OPTIONS:
            raise SpecError(f"spec 'ssc': unknown option {_show(key)} (known: {', '.join(SSC_OPTIONS)})")
        name, allowed = SSC_OPTIONS[key]
        if type(value) is not type(allowed[0]) or value not in allowed:
            _bad("ssc", f"{key} to be one of {', '.join(map(repr, allowed))}", value)
        if name in options:
            raise SpecError(f"spec 'ssc': {key!r} repeats the option {name!r}")
        options[name] = value
    return options


def checked(spec: object, columns: Collection[str] | None) -> tuple[str, Formula, str | dict[str, str]]:
    """(estimator name, parsed formula, pyfixest vcov) of a spec, every key, the estimator's own
    checks and (unless None) the panel's columns checked."""
    check_spec(spec)
    spec = cast(dict[str, Any], spec)  # check_spec refused anything else
    estimator = estimator_name(spec)
    parsed = parse(spec["formula"])
    _registry()[estimator].check(parsed)
    for option in _options().values():  # e.g. the bias correction: PPML, two- or three-way effects only
        if option.active(spec):
            option.check(estimator, parsed, spec)
    vcov = normalise_vcov(spec.get("vcov"))
    if columns is not None:
        columns = set(columns)
        needed = parsed.columns() | (set(vcov["CRV1"].split("+")) if isinstance(vcov, dict) else set())
        missing = sorted(needed - columns)
        if missing:
            raise SpecError.of(gettext_noop("columns not in the panel: %(columns)s"), columns=", ".join(missing))
        for column in spec.get("where") or {}:
            if column not in columns:
                raise SpecError(f"spec 'where': filter column not in the panel: {column}")
        if spec.get("years") and "year" not in columns:
            raise SpecError("spec 'years': the panel has no 'year' column")
    return estimator, parsed, vcov


def validate(
    spec: object, columns: Collection[str] | None = None
) -> tuple[str, str, list[str], list[str], str | dict[str, str]]:
    """Check one spec against the panel's columns (None: the columns are not checked). Returns
    (estimator, dependent, regressors, fixed effects, vcov) with the terms re-rendered; raises
    SpecError for anything else, user input never raises another exception here."""
    estimator, parsed, vcov = checked(spec, columns)
    return estimator, parsed.dependent.render(), [term.render() for term in parsed.regressors], parsed.fixed_names, vcov


def validate_specs(specs: object, columns: Collection[str] | None = None) -> list[Any]:
    """The one check the page, the API and the command line share: one spec (a dict) or a list of
    1 to 50, each validated; returns them as a list. Errors name the spec's number in a list."""
    if isinstance(specs, dict):
        specs = [specs]
    if not isinstance(specs, list):
        raise SpecError.of(
            gettext_noop("expected a specification (object) or a list of them, got %(type)s"), type=type(specs).__name__
        )
    if not 1 <= len(specs) <= MAX_SPECS:
        raise SpecError.of(gettext_noop("expected 1 to %(max)s specifications, got %(n)s"), max=MAX_SPECS, n=len(specs))
    for number, spec in enumerate(specs, 1):
        try:
            validate(spec, columns)
        except SpecError as exc:
            if len(specs) == 1:
                raise
            raise SpecError.of(
                gettext_noop("specification %(number)s of %(total)s: %(error)s"),
                number=number,
                total=len(specs),
                error=exc,
            ) from None
    return specs


def fast_separation(spec: Mapping[str, Any]) -> bool:
    """Whether a checked spec asks for the fast separation check (the default)."""
    return SEPARATION[spec.get("separation") or "fast"] == "fast"
