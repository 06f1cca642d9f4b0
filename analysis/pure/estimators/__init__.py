"""The estimator registry (pure, no Django): one module per estimator in this package (ols.py,
ppml.py, ...), each subclassing base.Estimator and setting `ESTIMATOR = TheClass()`, and one
module per option of the spec (bias_correction.py, ...), each subclassing base.Option and setting
`OPTION = TheClass()`. Every module here that sets either is registered, so the next estimator or
option is one new file (plus its tests): the spec schema accepts its name or key and runs its
checks, gravity.fit calls it and its amendment, the regression table shows its rows and labels
(in the reader's language on the pages), the run page's drop reasons and warnings and the
estimation forkserver's preload list all read it from here."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import pandas as pd

from ..spec.schema import FIT_KEYS, LABEL_KEYS
from ..spec.tree import Formula
from ..tables import TEXT as TABLE_TEXT
from .base import Declaration, Estimator, FooterRow, Option, Results, TableRow

DEFAULT = "ppml"  # a spec without "estimator" (or with null) is PPML, the structural gravity estimator

ESTIMATORS: dict[str, Estimator] = {}  # name -> estimator
OPTIONS: dict[str, Option] = {}  # spec key -> option


def register(module: ModuleType) -> None:
    """Register the module's ESTIMATOR and OPTION (either or both). Every module of this package is
    registered at import; a module elsewhere (a test's) registers itself through the same call."""
    estimator = getattr(module, "ESTIMATOR", None)
    option = getattr(module, "OPTION", None)
    if isinstance(estimator, Estimator) and estimator.name in ESTIMATORS:
        raise ImportError(f"{module.__file__}: estimator {estimator.name!r} is registered twice")
    if isinstance(option, Option) and option.key in OPTIONS:
        raise ImportError(f"{module.__file__}: option {option.key!r} is registered twice")
    if isinstance(option, Option) and option.key in (*FIT_KEYS, *LABEL_KEYS):
        raise ImportError(f"{module.__file__}: option {option.key!r} is a key of the schema's own")
    keys = set(TABLE_TEXT) | set(table_labels())  # a label key names one English text, whoever declares it
    for found in (estimator, option):
        if isinstance(found, Declaration):
            taken = sorted(set(found.text) & keys)
            if taken:
                raise ImportError(f"{module.__file__}: table labels {taken} are taken")
            keys |= set(found.text)
    if isinstance(estimator, Estimator):
        ESTIMATORS[estimator.name] = estimator
    if isinstance(option, Option):
        OPTIONS[option.key] = option


def _discover() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        register(importlib.import_module(f"{__name__}.{module_info.name}"))


def estimator_for(name: str) -> Estimator:
    """The registered estimator of a checked spec's name (KeyError for an unknown one)."""
    return ESTIMATORS[name]


def declarations() -> list[Declaration]:
    """Every registered estimator, then every option: what adds table rows, labels and amendments."""
    return [*ESTIMATORS.values(), *OPTIONS.values()]


def active_options(spec: Mapping[str, Any]) -> list[Option]:
    """The registered options a checked spec asks for, in registration order."""
    return [option for option in OPTIONS.values() if option.active(spec)]


def amend_result(
    name: str, result: dict[str, Any], model: Any, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
) -> None:
    """After a fit: the estimator's own amendment of `result`, then each option's the spec sets."""
    estimator_for(name).amend(result, model, frame, parsed, spec)
    for option in active_options(spec):
        option.amend(result, model, frame, parsed, spec)


def table_labels() -> dict[str, str]:
    """Every registered table label, key -> English (marked for translation in its module)."""
    return {key: english for declaration in declarations() for key, english in declaration.text.items()}


def table_rows(term: str, results: Results, text: Mapping[str, str]) -> list[TableRow]:
    """The registered rows under the coefficient `term`'s row."""
    return [row for declaration in declarations() for row in declaration.table_rows(term, results, text)]


def table_footer(results: Results, text: Mapping[str, str]) -> list[FooterRow]:
    """The registered footer rows."""
    return [row for declaration in declarations() for row in declaration.table_footer(results, text)]


def table_title(name: object) -> str:
    """How tables name a stored result's estimator: its title, or the stored name in capitals
    for one no longer registered (old results keep their own words)."""
    estimator = ESTIMATORS.get(name) if isinstance(name, str) else None
    return estimator.title if estimator else str(name or "").upper()


def drop_reasons() -> dict[str, str]:
    """Every registered estimator's drop reasons, key -> English text (marked for translation)."""
    return {key: text for estimator in ESTIMATORS.values() for key, text in estimator.drop_reasons.items()}


def notes() -> tuple[str, ...]:
    """Every warning text a registered estimator may store in a result."""
    return tuple(note for estimator in ESTIMATORS.values() for note in estimator.notes)


def preload_modules() -> list[str]:
    """The estimator and option modules and what their first fit imports, each once, for the forkserver."""
    modules = [type(declaration).__module__ for declaration in declarations()]
    modules += [name for estimator in ESTIMATORS.values() for name in estimator.preload]
    return list(dict.fromkeys(modules))


_discover()
