"""What an estimator or an estimator option declares (pure, no Django). One module in this
package per estimator (subclassing Estimator, ending `ESTIMATOR = TheClass()`) or per option of
the spec (subclassing Option: a spec key such as "bias_correction", ending `OPTION = TheClass()`);
analysis/pure/estimators/__init__.py finds both. analysis/pure/gravity.py does everything the
estimators share (checking, sampling, encoding the fixed effects, the coefficient table) and asks
them only for what differs; the spec schema, the regression table and the pages ask the registry
for the keys, checks, labels and rows declared here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pandas as pd

from ..spec.tree import Formula

# pyfixest's keyword arguments shared by its estimators: vcov and, when the spec sets one, ssc.
FitOptions = dict[str, Any]
# A regression table's row (analysis/pure/tables.py): {"variable": label, "cells": [...]}, and for a
# row under a coefficient its "term" and "kind"; a footer row: (label, one text per column).
TableRow = dict[str, Any]
FooterRow = tuple[str, list[str]]
Results = Sequence[Mapping[str, Any]]


class Declaration:
    """What an estimator or an option adds beyond the shared fit: its amendment of the result and
    its rows in the regression table, labelled from `text`. Each label's English is written once,
    here in its module, marked with gettext_noop (analysis/pure/errors.py); tables.build reads
    them in English and the pages (analysis/views/runs.py: table_text) pass them translated."""

    # The table labels it adds: key -> English (a str.format template), unique across the registry.
    text: ClassVar[Mapping[str, str]] = {}

    def amend(
        self, result: dict[str, Any], model: Any, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
    ) -> None:
        """Add what the spec asks beyond the fit to `result` (`frame`: the rows handed to fit)."""

    def table_rows(self, term: str, results: Results, text: Mapping[str, str]) -> list[TableRow]:
        """Rows under the coefficient `term`'s row, one cell per result (None where it has none)."""
        return []

    def table_footer(self, results: Results, text: Mapping[str, str]) -> list[FooterRow]:
        """Footer rows, one text per result ("" where it has none); none when no result has any."""
        return []


class Estimator(Declaration):
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

    @property
    def notes(self) -> tuple[str, ...]:
        """Every warning text it may store in a result (the run page translates them)."""
        return (self.not_converged,) if self.not_converged else ()


class Option(Declaration):
    """An option of the spec: one key beyond the schema's own (spec/schema.py), its checks, its
    amendment of the result (run after the estimator's, when `active`) and its table rows.
    The schema knows the key only while the option is registered."""

    key: ClassVar[str]  # the spec key it owns, e.g. "bias_correction"
    # What a valid value is, for the schema's error "spec 'key': expected ..., got ...".
    expected: ClassVar[str] = "true or false"

    def valid(self, value: object) -> bool:
        """Whether a present (not None) value has the right type and bounds; by default a boolean."""
        return type(value) is bool

    def active(self, spec: Mapping[str, Any]) -> bool:
        """Whether a checked spec asks for it (then its check and amend run)."""
        return bool(spec.get(self.key))

    def check(self, estimator: str, parsed: Formula, spec: Mapping[str, Any]) -> None:
        """Refuse (SpecError naming the key) an estimator, formula or value it cannot serve."""


def number_or_none(value: object) -> float | None:
    """A model statistic as a plain float; None when pyfixest has none or it is NaN."""
    try:
        number = float(value)  # type: ignore[arg-type]  # whatever pyfixest stored; refused below
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN is the only value unequal to itself
