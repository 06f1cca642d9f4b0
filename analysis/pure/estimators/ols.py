"""OLS with high-dimensional fixed effects (pyfixest's feols), for a level or a logged outcome and
IV. A logged outcome has no value where its argument is zero or negative: those rows are dropped
and counted ("nonpositive_outcome") before fitting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyfixest as pf

from ..errors import SpecError, gettext_noop
from ..spec.tree import Formula, Node
from .base import Estimator, FitOptions, number_or_none

NAME = "ols"
FUNCTIONS: dict[str, Any] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "**": np.power,
    "log": np.log,
    "np.log": np.log,
    "np.log1p": np.log1p,
    "exp": np.exp,
    "np.exp": np.exp,
}


def evaluate(node: Node, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The values of an arithmetic node of the parse over a frame, computed by us (never by
    eval): used to drop the rows where the argument of a logged outcome is not positive."""
    if node.kind == "column":
        try:
            return frame[node.text].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise SpecError(f"column '{node.text}' is not numeric") from exc
    if node.kind == "number":
        return np.full(len(frame), float(node.text))
    values = [evaluate(child, frame) for child in node.children]
    with np.errstate(all="ignore"):
        if node.kind == "paren":
            return values[0]
        if node.kind == "negative":
            return -values[0]
        if node.kind in ("binary", "call") and node.text in FUNCTIONS:
            result: npt.NDArray[np.float64] = FUNCTIONS[node.text](*values)
            return result
    raise SpecError(f"formula: cannot evaluate '{node.render()}'")


class OLS(Estimator):
    name = NAME
    title = "OLS"
    drop_reasons = {"nonpositive_outcome": gettext_noop("zero or negative outcome (no logarithm)")}

    def drop_rows(
        self, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        dependent = parsed.dependent
        if not (dependent.kind == "call" and dependent.text in ("log", "np.log")):
            return frame, {}
        inner = evaluate(dependent.children[0], frame)
        if len(frame) and not (inner > 0).any():
            # Every row would go: say which column, not "no observation is left" after the fact.
            raise SpecError.of(
                gettext_noop(
                    "the outcome %(term)s cannot be taken: %(inner)s is zero or negative in all %(count)s observations"
                ),
                term=dependent.render(),
                inner=dependent.children[0].render(),
                count=f"{len(frame):,}",
            )
        return frame[inner > 0], {"nonpositive_outcome": int((inner <= 0).sum())}

    def fit(self, formula: str, frame: pd.DataFrame, spec: Mapping[str, Any], options: FitOptions) -> Any:
        return pf.feols(formula, data=frame, **options)

    def statistics(self, model: Any) -> dict[str, float | None]:
        return {
            "r2": number_or_none(getattr(model, "_r2", None)),
            "r2_within": number_or_none(getattr(model, "_r2_within", None)),
        }


ESTIMATOR = OLS()
