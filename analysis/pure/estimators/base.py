"""What an estimator declares (pure, no Django). One module per estimator in this package
subclasses Estimator and sets `ESTIMATOR = TheClass()`; analysis/pure/estimators/__init__.py
finds it. analysis/pure/gravity.py does everything the estimators share (checking, sampling,
encoding the fixed effects, the coefficient table) and asks the estimator only for what differs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from ..spec.tree import Formula

# pyfixest's keyword arguments shared by its estimators: vcov and, when the spec sets one, ssc.
FitOptions = dict[str, Any]


class Estimator:
    """One estimator. Class attributes say what it is and how tables and pages label it; the
    methods are its spec checks, its row drops and its pyfixest call. English texts are marked
    with gettext_noop (analysis/pure/errors.py) so the pages can say them in their reader's language."""

    name: ClassVar[str]  # the spec's "estimator" value, stored with every result
    title: ClassVar[str]  # the table's "Estimator" row (tables.py) and the progress message
    # Keys this estimator adds to a result's "dropped" -> what they mean (the run page's drop_reason).
    drop_reasons: ClassVar[Mapping[str, str]] = {}
    # The warning stored in a result when the fit did not converge ("" if it always does).
    not_converged: ClassVar[str] = ""
    # Modules its first fit imports, for the estimation forkserver (analysis/services/estimation.py).
    preload: ClassVar[tuple[str, ...]] = ("pyfixest.estimation",)

    def check(self, parsed: Formula) -> None:
        """Refuse (SpecError naming the key) a formula this estimator cannot fit."""

    def drop_rows(
        self, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        """Rows it cannot use, dropped before the fixed effects are encoded: (frame, {reason: count})."""
        return frame, {}

    def drop_groups(
        self, frame: pd.DataFrame, dependent: str, fixed: list[str], spec: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        """Fixed-effect groups it cannot fit, dropped after encoding (`fixed`: the encoded columns)."""
        return frame, {}

    def fit(self, formula: str, frame: pd.DataFrame, spec: Mapping[str, Any], options: FitOptions) -> Any:
        """The fitted pyfixest model of the canonical `formula` on `frame`."""
        raise NotImplementedError

    def converged(self, model: Any) -> bool:
        return True

    def iterations(self, model: Any) -> int | None:
        """The iterations an iterative fit took (None: not iterative, or not known)."""
        return None

    def statistics(self, model: Any) -> dict[str, float | None]:
        """Its goodness-of-fit numbers for the result (the table shows r2, else pseudo_r2)."""
        return {}

    def amend(
        self, result: dict[str, Any], model: Any, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
    ) -> None:
        """Add what the spec asks beyond the fit to `result` (`frame`: the rows handed to fit)."""

    @property
    def notes(self) -> tuple[str, ...]:
        """Every warning text it may store in a result (the run page translates them)."""
        return (self.not_converged,) if self.not_converged else ()


def number_or_none(value: object) -> float | None:
    """A model statistic as a plain float; None when pyfixest has none or it is NaN."""
    try:
        number = float(value)  # type: ignore[arg-type]  # whatever pyfixest stored; refused below
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is the only value unequal to itself
