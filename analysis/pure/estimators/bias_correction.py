"""The spec option "bias_correction" (bool, PPML only): Weidner & Zylkin's (2021) bias and adjusted
standard errors for each coefficient (pure, no Django). Everything the option adds is declared
here: its key and checks (the schema asks the registry), its amendment of a fit's result and its
rows and labels in the regression table. The numbers are ppml_bias.py's."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SpecError, gettext_noop
from ..spec.tree import Formula
from ..tables import Cell, stars
from . import ppml, ppml_bias
from .base import FooterRow, Option, Results, TableRow

KEY = "bias_correction"


class BiasCorrection(Option):
    key = KEY
    text = {
        "bias": gettext_noop("{variable}: bias (Weidner & Zylkin)"),
        "bias_corrected": gettext_noop("{variable}: bias-corrected (adjusted SE)"),
        "bias_correction": gettext_noop("Bias correction"),
        "three_way": gettext_noop("three-way: bias and adjusted SE"),
        "two_way": gettext_noop("two-way: adjusted SE only (no bias)"),
    }

    def check(self, estimator: str, parsed: Formula, spec: Mapping[str, Any]) -> None:
        """PPML with two- or three-way effects only (ppml_bias.fixed_effect_structure says what is missing)."""
        if estimator != ppml.NAME:
            raise SpecError.of(
                gettext_noop("spec 'bias_correction': only for the PPML estimator, not %(estimator)s"),
                estimator=repr(estimator),
            )
        ppml_bias.fixed_effect_structure(parsed.fixed_names)

    def amend(
        self, result: dict[str, Any], model: Any, frame: pd.DataFrame, parsed: Formula, spec: Mapping[str, Any]
    ) -> None:
        """The bias and adjusted SEs of each coefficient, from the rows pyfixest actually used, its
        fitted means and its estimates."""
        structure = ppml_bias.fixed_effect_structure(parsed.fixed_names)
        used = model._data  # pyfixest's copy of the rows it fitted (after its drops), index reset
        if structure.pair is not None and "^" not in structure.pair:
            ppml_bias.pair_ids_match(used[structure.pair], used[structure.exporter], used[structure.importer])
        names = [str(name) for name in model._coefnames]
        beta = np.asarray(model._beta_hat, dtype=np.float64).ravel()
        if len(names) != len(beta) or not names:
            raise SpecError(f"spec 'bias_correction': {len(beta)} estimates for {len(names)} regressors")
        correction = ppml_bias.bias_correction(
            outcome=used[model._depvar].to_numpy(dtype=np.float64),
            # After the fit _X holds sqrt(w) times the regressors less some fixed-effect terms;
            # dividing by sqrt(w) gives regressors that demean to the same residuals.
            regressors=np.asarray(model._X, dtype=np.float64) / np.sqrt(np.asarray(model._irls_weights))[:, None],
            fitted=np.asarray(model._Y_hat_response, dtype=np.float64).ravel(),
            coefficients=beta,
            exporter=used[structure.exporter].to_numpy(),
            importer=used[structure.importer].to_numpy(),
            time=used[structure.time].to_numpy(),
            names=names,
            three_way=structure.pair is not None,
        )
        for k, name in enumerate(names):
            if name in result["coefficients"]:
                adjusted = None if correction.se_adjusted is None else float(correction.se_adjusted[k])
                result["coefficients"][name]["bias_corrected"] = {
                    "estimate": float(correction.corrected[k]),
                    "bias": float(correction.bias[k]),
                    "se": adjusted,
                    "se_unadjusted": float(correction.se_original[k]),
                }
        result[KEY] = {
            "structure": correction.kind,
            "method": "Weidner & Zylkin (2021), exact ppml_fe_bias method",
            "se": "clustered by exporter-importer pair, G/(G-1)",
            "pairs": correction.pairs,
            "exporters": correction.exporters,
            "importers": correction.importers,
            "periods": correction.periods,
            "note": correction.note,
        }

    def table_rows(self, term: str, results: Results, text: Mapping[str, str]) -> list[TableRow]:
        """Under a coefficient's (original) row, for results with a bias correction: its bias (no SE)
        and its bias-corrected estimate with the adjusted SE (stars from the normal distribution)."""
        corrected = [(r["coefficients"].get(term) or {}).get("bias_corrected") for r in results]
        if not any(corrected):
            return []
        bias: list[Cell] = [(c["bias"], None, "") if c else None for c in corrected]
        fixed: list[Cell] = []
        for c in corrected:
            se = c.get("se") if c else None
            p = math.erfc(abs(c["estimate"] / se) / math.sqrt(2)) if c and se else None
            fixed.append((c["estimate"], se, stars(p)) if c else None)
        return [
            {"variable": text["bias"].format(variable=term), "term": term, "kind": "bias", "cells": bias},
            {
                "variable": text["bias_corrected"].format(variable=term),
                "term": term,
                "kind": "bias_corrected",
                "cells": fixed,
            },
        ]

    def table_footer(self, results: Results, text: Mapping[str, str]) -> list[FooterRow]:
        """Which correction each column has (three-way or two-way), when any has one."""
        if not any(r.get(KEY) for r in results):
            return []
        structures = [(r.get(KEY) or {}).get("structure") for r in results]
        return [(text["bias_correction"], [text[s] if s in ("three_way", "two_way") else "" for s in structures])]


OPTION = BiasCorrection()
