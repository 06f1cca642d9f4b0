"""PPML with high-dimensional fixed effects (pyfixest's fepois), the structural gravity
estimator: it models the level of a column, zeros included, and has no IV. A fixed-effect group
whose outcome is zero throughout cannot be fitted; with separation "fast" those rows are dropped
here ("zero_outcome_groups"), with "full" pyfixest's own checks find them. Weidner & Zylkin's bias
correction is an option of the spec, declared in bias_correction.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyfixest as pf

from ..errors import SpecError, gettext_noop
from ..spec.schema import fast_separation
from ..spec.tree import Formula
from .base import Estimator, FitOptions, number_or_none

NAME = "ppml"
DEVIANCE_CALLS = "_workbench_deviance_calls"


def _count_iterations() -> None:
    """pyfixest 0.60 keeps no IRLS iteration count; its loop computes the deviance once per
    iteration (plus once before and once after it), so counting those calls on the model gives
    it. Installed once; if a later pyfixest renames the method, the count is simply absent."""
    from pyfixest.estimation.models.fepois_ import Fepois

    method = getattr(Fepois, "_compute_deviance", None)
    if method is None or getattr(method, "counts_calls", False):
        return

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        setattr(self, DEVIANCE_CALLS, getattr(self, DEVIANCE_CALLS, 0) + 1)
        return method(self, *args, **kwargs)

    counted.counts_calls = True  # type: ignore[attr-defined]
    Fepois._compute_deviance = counted  # type: ignore[method-assign]  # the counting wrapper, see above


def drop_all_zero_groups(frame: pd.DataFrame, dependent: str, fixed: list[str]) -> tuple[pd.DataFrame, int]:
    """PPML cannot fit a fixed-effect group whose outcome is zero throughout (its effect is
    -infinity); fixest drops those observations. Doing it here with vectorised group sums,
    repeated until stable, replaces pyfixest's slower crosstab check with identical estimates."""
    groups = [fe.split("^") for fe in fixed]
    dropped = 0
    if (frame[dependent] > 0).all():  # no zeros at all: nothing can be separated by the effects
        return frame, 0
    while True:
        keep = np.ones(len(frame), dtype=bool)
        for columns in groups:
            total = frame.groupby(columns, sort=False, observed=True)[dependent].transform("sum").to_numpy()
            keep &= total > 0
        if keep.all():
            return frame, dropped
        dropped += int((~keep).sum())
        frame = frame[keep]


class PPML(Estimator):
    name = NAME
    title = "PPML"
    drop_reasons = {"zero_outcome_groups": gettext_noop("fixed-effect groups whose outcome is always zero")}
    not_converged = gettext_noop("PPML did not converge within the iteration limit: do not use these estimates")

    def check(self, parsed: Formula) -> None:
        if parsed.dependent.kind != "column":
            raise SpecError(f"spec 'formula': PPML models the level of a column, not {parsed.dependent.render()!r}")
        if parsed.iv:
            raise SpecError("spec 'formula': pyfixest has no IV estimation for PPML (use the OLS estimator)")

    def drop_groups(
        self, frame: pd.DataFrame, dependent: str, fixed: list[str], spec: Mapping[str, Any]
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        if not (fast_separation(spec) and fixed):
            return frame, {}
        frame, dropped = drop_all_zero_groups(frame, dependent, fixed)
        return frame, {"zero_outcome_groups": dropped}

    def fit(self, formula: str, frame: pd.DataFrame, spec: Mapping[str, Any], options: FitOptions) -> Any:
        _count_iterations()
        return pf.fepois(
            formula,
            data=frame,
            separation_check=[] if fast_separation(spec) else ["fe", "ir"],
            iwls_maxiter=spec.get("maxiter") or 100,
            **options,
        )

    def converged(self, model: Any) -> bool:
        # pyfixest sets _convergence only when the IRLS loop converged: absent means it did not.
        return bool(getattr(model, "_convergence", False))

    def iterations(self, model: Any) -> int | None:
        calls = getattr(model, DEVIANCE_CALLS, None)
        # One deviance before the loop and one after it (the weighted one it stores); the rest,
        # one per IRLS iteration.
        return calls - 2 if isinstance(calls, int) and calls >= 2 else None

    def statistics(self, model: Any) -> dict[str, float | None]:
        return {"pseudo_r2": number_or_none(getattr(model, "_pseudo_r2", None))}


ESTIMATOR = PPML()
