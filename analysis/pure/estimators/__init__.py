"""The estimator registry (pure, no Django): one module per estimator in this package (ols.py,
ppml.py, ...), each subclassing base.Estimator and setting `ESTIMATOR = TheClass()`. Every module
here that sets ESTIMATOR is registered under its name, so the next estimator is one new file
(plus its tests): the spec schema accepts its name and runs its checks, gravity.fit calls it, the
regression table, the run page's drop reasons and warnings, and the estimation forkserver's
preload list all read it from ESTIMATORS."""

from __future__ import annotations

import importlib
import pkgutil

from .base import Estimator

DEFAULT = "ppml"  # a spec without "estimator" (or with null) is PPML, the structural gravity estimator


def _discovered() -> dict[str, Estimator]:
    found: dict[str, Estimator] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        estimator = getattr(module, "ESTIMATOR", None)
        if isinstance(estimator, Estimator):
            if estimator.name in found:
                raise ImportError(f"{module.__file__}: estimator {estimator.name!r} is registered twice")
            found[estimator.name] = estimator
    return found


ESTIMATORS: dict[str, Estimator] = _discovered()


def estimator_for(name: str) -> Estimator:
    """The registered estimator of a checked spec's name (KeyError for an unknown one)."""
    return ESTIMATORS[name]


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
    """The estimator modules and what their first fit imports, each once, for the forkserver."""
    modules = [type(estimator).__module__ for estimator in ESTIMATORS.values()]
    modules += [name for estimator in ESTIMATORS.values() for name in estimator.preload]
    return list(dict.fromkeys(modules))
