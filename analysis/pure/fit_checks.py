"""Honest fits (pure, no Django): the checks gravity.fit runs on the sample before it hands it to
pyfixest, and what it reads from the fitted model afterwards.

Before: pyfixest (and the Rust demeaner under it) meets degenerate data with a panic
(`panicked at src/demean.rs`), a silent zero or rows dropped without a word. So the sample is
refused, naming the column and the count, when its outcome or a regressor does not vary, holds a
non-finite value or takes the log() of a non-positive value, or has fewer observations than
parameters; rows with a missing value are dropped here and counted by cause (a missing lag or
lead apart from any other missing value).

After: the regressors pyfixest dropped as collinear, coefficients whose standard error is 0 (or
not finite), the observations dropped as singletons or separated, and the IRLS iterations of a
PPML fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from coding.pure.notes import Note, note

from .errors import SpecError, gettext_noop
from .estimators.ols import FUNCTIONS, evaluate
from .spec.tree import Formula, Node

__all__ = [
    "DROP_REASONS",
    "check_parameters",
    "check_sample",
    "drop_missing",
    "dropped_regressors",
    "regressor_notes",
    "zero_se",
]

# The drop reasons every fit may report (the run page's drop_reason translates them).
DROP_REASONS = {
    "missing_values": gettext_noop("missing values"),
    "missing_lag": gettext_noop("missing lag or lead (first or last years of a pair)"),
    "singletons": gettext_noop("singleton fixed-effect groups"),
    "separation": gettext_noop("separated observations"),
}
# Warnings stored in a result's "warnings" in English and in its "warning_notes" as notes
# (regressor_notes; pages translate the notes, coding/pure/notes.py).
COLLINEAR = gettext_noop("regressors dropped as collinear: %(terms)s")
ZERO_SE = gettext_noop("standard error 0 or not finite, do not use: %(terms)s")

ZERO_SE_RELATIVE = 1e-10  # a perfect fit leaves ~1e-16; real standard errors are many orders larger
LAG_COLUMN = re.compile(r"_(lag|lead)\d+$")  # panel_builder.add_lags names them var_lagK / var_leadK


def drop_missing(frame: pd.DataFrame, columns: Iterable[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop the rows with a missing value in any of `columns`, counted as "missing_lag" when every
    missing value of the row is in a lag or lead column, else as "missing_values"."""
    present = [column for column in dict.fromkeys(columns) if column in frame.columns]
    missing = frame[present].isna()
    row_missing = missing.any(axis=1).to_numpy()
    if not row_missing.any():
        return frame, {"missing_values": 0, "missing_lag": 0}
    lags = [column for column in present if LAG_COLUMN.search(column)]
    others = [column for column in present if column not in lags]
    other_missing = missing[others].any(axis=1).to_numpy() if others else np.zeros(len(frame), dtype=bool)
    counts = {
        "missing_values": int(other_missing.sum()),
        "missing_lag": int((row_missing & ~other_missing).sum()),
    }
    return frame[~row_missing], counts


def _evaluable(node: Node) -> bool:
    if node.kind in ("column", "number"):
        return True
    if node.kind in ("paren", "negative") or (node.kind in ("binary", "call") and node.text in FUNCTIONS):
        return all(_evaluable(child) for child in node.children)
    return False  # i(), interactions, intercepts: pyfixest expands them, nothing to check here


def _logged(node: Node) -> list[Node]:
    found = [node] if node.kind == "call" and node.text in ("log", "np.log") else []
    return found + [inner for child in node.children for inner in _logged(child)]


def _numeric(frame: pd.DataFrame, node: Node) -> bool:
    return all(pd.api.types.is_numeric_dtype(frame[column]) for column in node.columns() if column in frame.columns)


def _shown(value: float) -> str:
    return f"{value:g}"


def _check_term(frame: pd.DataFrame, node: Node, role: str) -> None:
    """Refuse a term with non-finite values, a log() of non-positive values or no variation."""
    term = node.render()
    for column in sorted(node.columns()):
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            infinite = int(np.isinf(series.to_numpy(dtype=float, na_value=np.nan)).sum())
            if infinite:
                raise SpecError.of(
                    gettext_noop("column '%(column)s' has %(count)s non-finite values (infinity) in the sample"),
                    column=column,
                    count=f"{infinite:,}",
                )
    for call in _logged(node):
        if not _evaluable(call.children[0]):
            continue
        inner = evaluate(call.children[0], frame)
        bad = int((inner <= 0).sum())
        if bad:
            raise SpecError.of(
                gettext_noop("%(term)s: the log of zero or negative values on %(count)s observations"),
                term=call.render(),
                count=f"{bad:,}",
            )
    values = evaluate(node, frame)
    if not np.isfinite(values).all():
        raise SpecError.of(
            gettext_noop("%(term)s is not a finite number on %(count)s observations"),
            term=term,
            count=f"{int((~np.isfinite(values)).sum()):,}",
        )
    if len(values) and np.all(values == values[0]):
        template = (
            gettext_noop("the outcome %(term)s does not vary: all %(count)s observations are %(value)s")
            if role == "outcome"
            else gettext_noop("the regressor %(term)s does not vary: all %(count)s observations are %(value)s")
        )
        raise SpecError.of(template, term=term, count=f"{len(values):,}", value=_shown(float(values[0])))


def check_sample(frame: pd.DataFrame, parsed: Formula) -> None:
    """Refuse (SpecError naming the column or term and the count) a sample pyfixest would meet
    with a panic, a silent zero or a silent drop. Runs after missing rows are dropped."""
    terms = [(parsed.dependent, "outcome")] + [(term, "regressor") for term in parsed.regressors]
    for node, role in terms:
        if not _evaluable(node) or node.kind == "number":
            continue
        if not _numeric(frame, node):
            _refuse_text(frame, node)
        _check_term(frame, node, role)


def _refuse_text(frame: pd.DataFrame, node: Node) -> None:
    """A text column written as a plain term: pyfixest would silently expand it into one dummy per
    value (or fail inside a function); a categorical regressor is asked for with i(column)."""
    for column in sorted(node.columns()):
        if column in frame.columns and not pd.api.types.is_numeric_dtype(frame[column]):
            raise SpecError.of(
                gettext_noop(
                    "column '%(column)s' holds text (%(count)s distinct values), not numbers: "
                    "write i(%(column)s) for one dummy per value"
                ),
                column=column,
                count=f"{frame[column].nunique():,}",
            )


def check_parameters(n_obs: int, parsed: Formula, fixed_counts: Mapping[str, int]) -> None:
    """Refuse a sample with fewer observations than parameters: the regressors plus the levels
    of the fixed effects (less one per effect after the first, which the others absorb)."""
    regressors = sum(1 for term in parsed.regressors if term.kind != "intercept")
    levels = sum(fixed_counts.values()) - max(len(fixed_counts) - 1, 0)
    parameters = regressors + (levels if fixed_counts else 1)
    if n_obs < parameters:
        raise SpecError.of(
            gettext_noop("%(n)s observations for %(k)s parameters: the model cannot be estimated"),
            n=f"{n_obs:,}",
            k=f"{parameters:,}",
        )


def dropped_regressors(parsed: Formula, coefficients: Mapping[str, Any], model: Any) -> list[str]:
    """The regressors asked for that the fit has no coefficient for (pyfixest drops collinear
    ones, with each other or with the fixed effects, without an error)."""
    collinear = [str(name) for name in (getattr(model, "_collin_vars", None) or [])]
    asked = [term.render() for term in parsed.regressors if _evaluable(term) and term.kind != "number"]
    return list(dict.fromkeys(collinear + [term for term in asked if term not in coefficients]))


def zero_se(coefficients: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Coefficients whose standard error is 0 to machine precision (below ZERO_SE_RELATIVE of the
    estimate's size, at least 1) or not finite: a perfect fit, or a regressor that is an exact
    function of the outcome. Their t and p are meaningless."""
    return [
        name
        for name, c in coefficients.items()
        if not (np.isfinite(c["se"]) and c["se"] > ZERO_SE_RELATIVE * max(abs(c["estimate"]), 1.0))
    ]


def regressor_notes(collinear: Iterable[str], unusable: Iterable[str]) -> list[Note]:
    """The warnings of dropped_regressors and zero_se as notes: in English (notes.english) they are
    the result's "warnings"."""
    terms = {COLLINEAR: list(collinear), ZERO_SE: list(unusable)}
    return [note(template, terms=names) for template, names in terms.items() if names]
