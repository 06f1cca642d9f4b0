"""Gravity estimation: the orchestration of one fit (pure, no Django). It takes a DataFrame and
a spec dict and returns plain numbers; what the estimators share is here, what differs is each
estimator's own module in analysis/pure/estimators/ (ols.py: pyfixest's feols; ppml.py: fepois).

The spec is checked by analysis/pure/spec/schema.py (every key by type and bound, the formula by
our own grammar, the estimator's own checks), and fit() hands pyfixest the formula re-rendered
from that parse, never the user's text.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyfixest as pf  # lazy itself: its estimators (~0.6 s) load on the first fit, not at web start-up

from coding.pure.notes import english

from . import fit_checks
from .errors import SpecError, gettext_noop
from .estimators import amend_result, estimator_for
from .estimators.base import FitOptions
from .spec.schema import checked, ssc_options
from .spec.tree import Formula

__all__ = ["encode_interacted_effects", "fit", "prepare_panel", "sample"]


def sample(data: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """The rows a checked spec's years, where and exclude_domestic keep."""
    frame = data
    if spec.get("years"):
        frame = frame[frame["year"].isin(spec["years"])]
    for column, allowed in (spec.get("where") or {}).items():
        if column not in frame.columns:
            raise SpecError(f"filter column not in the panel: {column}")
        frame = frame[frame[column].isin(list(allowed) if isinstance(allowed, (list, tuple)) else [allowed])]
    if spec.get("exclude_domestic") and {"exporter", "importer"} <= set(frame.columns):
        frame = frame[frame["exporter"] != frame["importer"]]
    return frame


def encode_interacted_effects(frame: pd.DataFrame, parsed: Formula) -> tuple[pd.DataFrame, str, list[str]]:
    """Replace each interacted effect such as `exporter^year` by one integer-coded column.

    pyfixest builds an interaction by casting both columns to strings and concatenating them
    row by row (~0.5 s on a 1M-row panel with two interactions, a fifth of the whole PPML fit);
    a grouped ngroup() gives the same partition of the rows, hence identical estimates, in a
    fraction of that. Takes the parsed formula; returns the frame, the formula to fit (rendered
    from the parse, the coded columns in place of the interactions) and the fixed-effect names."""
    fixed = parsed.fixed_names
    renamed = {fe: "fe__" + fe.replace("^", "__") for fe in fixed if "^" in fe}
    if not renamed:
        return frame, parsed.canonical, fixed
    codes: dict[str, pd.Series[Any]] = {}
    for fe, name in renamed.items():
        group = frame.groupby(fe.split("^"), sort=False, observed=True, dropna=True).ngroup()
        codes[name] = group.where(group >= 0)  # rows with a missing key stay missing, as in pyfixest
    encoded = [renamed.get(fe, fe) for fe in fixed]
    return frame.assign(**codes), parsed.render(encoded), encoded


# The one progress message of a fit, sent as (template, parameters) and translated when shown.
FITTING = gettext_noop("fitting %(estimator)s on %(n)s observations")


def fit(
    data: pd.DataFrame,
    spec: Mapping[str, Any],
    *,
    progress: Callable[[tuple[str, dict[str, Any]]], object] | None = None,
) -> dict[str, Any]:
    """Fit one specification. Returns a dict of plain numbers (fitted pyfixest objects cannot be
    pickled or stored, so only their results leave this function). The formula fitted, and
    reported as "formula", is the one rendered from our parse of spec["formula"]."""
    # Here, not at the top: formulaic costs ~0.1 s of every web start-up, which never fits a model.
    from formulaic.errors import FormulaicError

    name, parsed, vcov = checked(spec, data.columns)
    estimator = estimator_for(name)
    frame = sample(data, spec)
    n_input = len(frame)
    if n_input == 0:
        raise SpecError.of(gettext_noop("the sample is empty after the year and group filters"))
    # Every result has reported zero-outcome groups since the first runs (0 when the estimator
    # drops none); the missing rows and the estimator's own counts follow.
    dropped = {"zero_outcome_groups": 0}
    clusters = vcov["CRV1"].split("+") if isinstance(vcov, dict) else []
    frame, missing = fit_checks.drop_missing(frame, [*sorted(parsed.columns()), *clusters])
    dropped.update(missing)
    frame, rows = estimator.drop_rows(frame, parsed, spec)
    dropped.update(rows)
    fit_checks.check_sample(frame, parsed)
    frame, formula, encoded = encode_interacted_effects(frame, parsed)
    fixed = parsed.fixed_names
    frame, groups = estimator.drop_groups(frame, parsed.dependent.text, encoded, spec)
    dropped.update(groups)
    if frame.empty:
        raise SpecError.of(
            gettext_noop("no observation is left to fit (dropped: %(dropped)s)"),
            dropped=", ".join(f"{key} {count:,}" for key, count in dropped.items() if count),
        )
    fixed_counts = {fe: int(frame[code].nunique()) for fe, code in zip(fixed, encoded)}
    fit_checks.check_parameters(len(frame), parsed, fixed_counts)
    n_handed = len(frame)  # counted before the fit: without a copy, pyfixest drops rows from `frame` itself
    options: FitOptions = {"vcov": vcov}
    if frame is not data:
        # gravity.fit's own sample, not the caller's frame: pyfixest need not copy it again (a 1M-row
        # panel's copy and its fresh pages cost ~0.25 s of a 3.3 s fit; bench/bench_gravity.py).
        options["copy_data"] = False
    small_sample = ssc_options(spec.get("ssc"))
    if small_sample:
        options["ssc"] = pf.ssc(**small_sample)
    if progress:
        progress((FITTING, {"estimator": estimator.title, "n": len(frame)}))
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = estimator.fit(formula, frame, spec, options)
    except (ValueError, FormulaicError) as exc:
        # The formula is in our grammar, so what is left is the spec meeting this data: an i()
        # reference level the column lacks, collinear regressors, a singular IV, log of text.
        raise SpecError(f"pyfixest cannot fit this specification: {' '.join(str(exc).split())}") from exc
    seconds = time.perf_counter() - started
    tidy = model.tidy()
    coefficients = {
        str(term): {
            "estimate": float(row["Estimate"]),
            "se": float(row["Std. Error"]),
            "t": float(row["t value"]),
            "p": float(row["Pr(>|t|)"]),
            "ci_low": float(row["2.5%"]),
            "ci_high": float(row["97.5%"]),
        }
        for term, row in tidy.iterrows()
    }
    n_obs = int(model._N)
    separated = int(getattr(model, "n_separation_na", 0) or 0)  # pyfixest's own check ("full")
    dropped["separation"] = separated
    dropped["singletons"] = max(int(n_handed - n_obs) - separated, 0)
    converged = estimator.converged(model)
    if not converged and spec.get("require_convergence"):
        raise SpecError.of(
            gettext_noop("%(estimator)s did not converge within %(maxiter)s iterations (require_convergence)"),
            estimator=estimator.title,
            maxiter=spec.get("maxiter") or 100,
        )
    result: dict[str, Any] = {
        "estimator": name,
        "formula": parsed.canonical,
        "vcov": vcov,
        "n_obs": n_obs,
        "n_input": n_input,
        "coefficients": coefficients,
        "fixed_effects": fixed_counts,
        "dropped": dropped,
        "converged": converged,
        "iterations": estimator.iterations(model),
        "seconds": round(seconds, 4),
        "label": spec.get("label") or "",
    }
    result.update(estimator.statistics(model))
    amend_result(name, result, model, frame, parsed, spec)  # the estimator's, then each option's (bias_correction)
    if not converged:
        result["warning"] = estimator.not_converged
    collinear, unusable = fit_checks.dropped_regressors(parsed, coefficients, model), fit_checks.zero_se(coefficients)
    result["dropped_regressors"], result["zero_se"] = collinear, unusable
    found = fit_checks.regressor_notes(collinear, unusable)  # English for files, codes for pages
    if found:
        result["warnings"], result["warning_notes"] = [english(n) for n in found], found
    return result


def prepare_panel(frame: pd.DataFrame) -> pd.DataFrame:
    """Make a panel fixest-ready: a pair_id when missing, ln_dist from dist."""
    frame = frame.copy()
    if "pair_id" not in frame.columns and {"exporter", "importer"} <= set(frame.columns):
        frame["pair_id"] = frame["exporter"].astype(str) + "_" + frame["importer"].astype(str)
    if "ln_dist" not in frame.columns and "dist" in frame.columns:
        frame["ln_dist"] = np.log(frame["dist"].where(frame["dist"] > 0))
    # Identifiers as categoricals: a stored panel loads ~10x faster and pyfixest factorises its
    # fixed effects much faster than from Python strings (measured in bench/bench_gravity.py).
    for column in ("exporter", "importer", "pair_id", "exporter_group"):
        if column in frame.columns and (
            pd.api.types.is_string_dtype(frame[column]) or pd.api.types.is_object_dtype(frame[column])
        ):
            frame[column] = frame[column].astype("category")
    # Rows of a pair next to each other: pyfixest's demeaning runs ~20% faster on the Yotov panel
    # (measured), with the same estimates.
    if {"pair_id", "year"} <= set(frame.columns):
        frame = frame.sort_values(["pair_id", "year"], kind="stable").reset_index(drop=True)
    return frame
