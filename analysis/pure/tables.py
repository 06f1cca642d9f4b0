"""Regression tables from stored results: one column per specification, estimates with stars and
standard errors in parentheses, then N, R2 and fixed effects, as in the study's Table 9. Pure
(analysis/pure): the caller passes the labels in its reader's language (`text`); no Django. An
estimator or an option of the spec adds its own rows and labels (analysis/pure/estimators/: e.g.
the bias correction's rows under each coefficient); this module asks the registry for them."""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from coding.pure.csv_safe import rows_csv

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
Cell = tuple[float | None, float | None, str] | None  # (estimate, standard error, stars), None: not in the model
Table = dict[str, Any]  # {"columns", "rows", "footer"}, as build() makes it


def stars(p: float | None) -> str:
    for cutoff, mark in STARS:
        if p is not None and p < cutoff:
            return mark
    return ""


# Footer labels; pages pass them translated (this module stays Django-free). The registry's
# estimators and options bring their own (estimators.table_labels()).
TEXT = {
    "n": "N",
    "r2": "R² / pseudo R²",
    "estimator": "Estimator",
    "se": "Standard errors",
    "fe": "FE: {fe}",
    "yes": "yes",
    "clustered": "clustered by {cluster}",
    "robust": "robust",
    "iid": "iid",
    "release": "Dataset release",
    "panel": "Panel (hash)",
    "converged": "Converged",
    "no_iterations": "no ({n} iterations)",
    "collinear": "Dropped as collinear",
    "plausible": "{term}: combined over plausible values of depth (SE) [FMI]",
}


def formula_order(result: Mapping[str, Any]) -> list[str]:
    """The result's coefficient names in the order of its formula's terms. A result stored in
    PostgreSQL comes back with its coefficients in jsonb's key order (shorter keys first), so the
    dict's own order cannot be trusted for a table's rows. Names no term matches keep their order,
    after the intercept and the matched ones."""
    names = list(result["coefficients"])
    formula = str(result.get("formula") or "")
    right = formula.split("~", 1)[1].split("|", 1)[0] if "~" in formula else ""
    terms = [term.strip() for term in right.split("+") if term.strip()]

    def position(name: str) -> int:
        if name == "Intercept":
            return -1
        if name in terms:
            return terms.index(name)
        for index, term in enumerate(terms):  # a categorical's levels: C(g)[T.b]
            if name.startswith(term) and name[len(term) : len(term) + 1] == "[":
                return index
        return len(terms)

    return sorted(names, key=position)  # stable: ties keep the stored order


def build(
    results: Sequence[Mapping[str, Any]],
    labels: list[str] | None = None,
    *,
    text: Mapping[str, str] | None = None,
    provenance: Sequence[Mapping[str, Any]] | None = None,
) -> Table:
    """{"columns": [...], "rows": [{"variable", "cells": [(estimate, se, stars) or None]}], "footer": [...]}.
    `provenance`: one {"release": .., "panel": ..} per column, so that a sensitivity table (the
    same specification on releases from coder A, coder B, the adjudicated coding, DESTA 2.1)
    says which coding each column used."""
    # Here, not at the top: the registry's modules import this one (stars, Cell).
    from .estimators import table_footer, table_labels, table_rows, table_title

    text = {**TEXT, **table_labels(), **(text or {})}
    labels = labels or [r.get("label") or f"({i + 1})" for i, r in enumerate(results)]
    variables: list[str] = []
    for result in results:
        for name in formula_order(result):
            if name not in variables:
                variables.append(name)
    rows = []
    for name in variables:
        cells: list[Cell] = []
        for result in results:
            c = result["coefficients"].get(name)
            cells.append((c["estimate"], c["se"], stars(c["p"])) if c else None)
        rows.append({"variable": name, "cells": cells})
        rows += table_rows(name, results, text)  # e.g. the bias correction's, under its coefficient
    fixed: list[str] = []
    for result in results:
        for fe in _fixed_in_formula_order(result):
            if fe not in fixed:
                fixed.append(fe)
    footer = [
        (text["n"], [f"{r['n_obs']:,}" for r in results]),
        (
            text["r2"],
            [_fit_statistic(r.get("r2") if r.get("r2") is not None else r.get("pseudo_r2")) for r in results],
        ),
        (text["estimator"], [table_title(r.get("estimator")) for r in results]),
        (text["se"], [_vcov_label(r.get("vcov"), text) for r in results]),
    ]
    footer += [
        (text["fe"].format(fe=fe), [text["yes"] if fe in r.get("fixed_effects", {}) else "" for r in results])
        for fe in fixed
    ]
    if any(r.get("converged") is False for r in results):  # an unconverged column is never silent
        footer.append((text["converged"], [_converged(r, text) for r in results]))
    footer += table_footer(results, text)
    if any(r.get("dropped_regressors") for r in results):
        footer.append((text["collinear"], [", ".join(r.get("dropped_regressors") or []) for r in results]))
    footer += _plausible_footer(results, text)
    if provenance:
        footer += [
            (text["release"], [str(p.get("release") or "") for p in provenance]),
            (text["panel"], [str(p.get("panel") or "")[:12] for p in provenance]),
        ]
    return {"columns": labels, "rows": rows, "footer": footer}


def _plausible_footer(results: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """For results fitted on plausible values of depth (depth_uncertainty), one row per depth
    term: Rubin's combined estimate, its total SE and the fraction of missing information, with
    M; empty in the other columns."""
    terms: list[str] = []
    for result in results:
        for term in (result.get("plausible_values") or {}).get("depth_terms") or []:
            if term not in terms:
                terms.append(term)
    rows = []
    for term in terms:
        values = []
        for result in results:
            combined = result.get("plausible_values") or {}
            cell = (combined.get("coefficients") or {}).get(term)
            values.append(
                f"{_number(cell['estimate'])} ({_number(cell['se'])}) [{_number(cell['fmi'], 2)}], M = {combined['draws']}"
                if cell
                else ""
            )
        rows.append((text["plausible"].format(term=term), values))
    return rows


def _converged(result: Mapping[str, Any], text: Mapping[str, str]) -> str:
    if result.get("converged") is not False:
        return text["yes"]
    return text["no_iterations"].format(n=result.get("iterations") or "?")


def _vcov_label(vcov: str | dict[str, str] | None, text: Mapping[str, str] = TEXT) -> str:
    if isinstance(vcov, dict):
        return text["clustered"].format(cluster=vcov.get("CRV1", "").replace("+", " & "))
    return {"hetero": text["robust"], "iid": text["iid"], None: ""}.get(vcov, str(vcov))


def _cell(cell: Cell, digits: int = 3) -> tuple[str, str]:
    if cell is None:
        return "", ""
    estimate, se, mark = cell
    # A published column (analysis/pure/published.py) has no standard error: nothing, not "()".
    return f"{_number(estimate, digits)}{mark}", "" if se is None else f"({_number(se, digits)})"


def _number(value: float | None, digits: int = 3) -> str:
    """A stored number; an empty one (NaN or inf in the fit, stored as null) stays empty."""
    return "" if value is None else f"{value:.{digits}f}"


def to_markdown(table: Table) -> str:
    header = "| | " + " | ".join(table["columns"]) + " |"
    lines = [header, "|---|" + "---:|" * len(table["columns"])]
    for row in table["rows"]:
        estimates, ses = zip(*(_cell(c) for c in row["cells"]))
        lines.append(f"| {row['variable']} | " + " | ".join(estimates) + " |")
        lines.append("| | " + " | ".join(ses) + " |")
    for name, values in table["footer"]:
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    lines.append("\n*** p<0.01, ** p<0.05, * p<0.1; standard errors in parentheses.")
    lines += [f"\n{text}" for text in table.get("notes") or []]  # e.g. what differs from the study
    return "\n".join(lines) + "\n"


def _tex(text: object) -> str:
    return (
        str(text)
        .replace("\\", r"\textbackslash{}")
        .replace("_", r"\_")
        .replace("&", r"\&")
        .replace("%", r"\%")
        .replace("^", r"\^{}")
        .replace("#", r"\#")
        .replace("²", r"$^2$")
    )


def to_latex(table: Table) -> str:
    n = len(table["columns"])
    lines = [
        r"\begin{tabular}{l" + "c" * n + "}",
        r"\hline",
        " & " + " & ".join(_tex(c) for c in table["columns"]) + r" \\",
        r"\hline",
    ]
    for row in table["rows"]:
        estimates = [_number(c[0]) + (f"$^{{{c[2]}}}$" if c[2] else "") if c else "" for c in row["cells"]]
        ses = [f"({_number(c[1])})" if c and c[1] is not None else "" for c in row["cells"]]
        lines.append(_tex(row["variable"]) + " & " + " & ".join(estimates) + r" \\")
        lines.append(" & " + " & ".join(ses) + r" \\")
    lines.append(r"\hline")
    for name, values in table["footer"]:
        lines.append(_tex(name) + " & " + " & ".join(_tex(v) for v in values) + r" \\")
    lines += [
        r"\hline",
        r"\multicolumn{" + str(n + 1) + r"}{l}{\footnotesize $^{***}$ p$<$0.01, $^{**}$ p$<$0.05, $^{*}$ p$<$0.1}\\",
        r"\end{tabular}",
    ]
    lines += [r"\par\noindent{\footnotesize " + _tex(text) + "}" for text in table.get("notes") or []]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """The table as data (coding/pure/csv_safe.py): per variable a row of estimates as numbers (so a
    spreadsheet reads -0.25 as a number, not a formula), a row of standard errors in parentheses
    and a row of significance stars; labels that begin like a formula are neutralised."""
    rows = [["variable", *table["columns"]]]
    for row in table["rows"]:
        rows.append([row["variable"], *(None if c is None or c[0] is None else round(c[0], 6) for c in row["cells"])])
        rows.append(["", *(_cell(c, digits=6)[1] for c in row["cells"])])
        rows.append(["", *(c[2] if c else "" for c in row["cells"])])
    numeric = {TEXT["n"], TEXT["r2"]}  # a CSV is a file for a paper: its labels are the English ones
    rows += [[name, *(_footer_number(v) if name in numeric else v for v in values)] for name, values in table["footer"]]
    rows += [["note", text] for text in table.get("notes") or []]
    return rows_csv(rows)


def _footer_number(value: object) -> object:
    """N or R² as the number it shows ("18,270" -> 18270, "0.412" -> 0.412), so a spreadsheet
    computes with them; anything else (an empty cell, a published column's words) stays text."""
    if not isinstance(value, str) or not value or not all(ch.isdigit() or ch in ",.-" for ch in value):
        return value
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value else number


def with_unfinished(
    table: Table,
    positions: Sequence[int],
    unfinished: Sequence[Mapping[str, Any]],
    *,
    text: Mapping[str, str] | None = None,
) -> Table:
    """A partial run's table (built from its finished specifications, at `positions`) with a
    column for each specification that did not finish ({"position", "label", "why"}), in
    specification order: its cells empty, and a footer row saying why it has no estimates (a
    failure's reason, "cancelled", "not started"), so the gap is marked and never looks like zeros."""
    name = (text or {}).get("not_estimated", "Not estimated")
    order = sorted(
        [(position, index, None) for index, position in enumerate(positions)]
        + [(int(item["position"]), -1, item) for item in unfinished],
        key=lambda entry: (entry[0], entry[1]),
    )
    columns = [table["columns"][index] if item is None else str(item["label"]) for _p, index, item in order]
    rows = [
        {**row, "cells": [row["cells"][index] if item is None else None for _p, index, item in order]}
        for row in table["rows"]
    ]
    footer = [
        (label, [values[index] if item is None else "" for _p, index, item in order])
        for label, values in table["footer"]
    ]
    footer.append((name, ["" if item is None else str(item["why"]) for _p, _index, item in order]))
    return {**table, "columns": columns, "rows": rows, "footer": footer}


def _fixed_in_formula_order(result: Mapping[str, Any]) -> list[str]:
    """The fixed effects of a result in the order its formula names them: the stored dict's own
    order is not kept (PostgreSQL's jsonb returns keys shortest first)."""
    stored = list(result.get("fixed_effects") or {})
    formula = str(result.get("formula") or "")
    named = [name.strip() for name in formula.split("|", 1)[1].split("+")] if "|" in formula else []
    return [name for name in named if name in stored] + [name for name in stored if name not in named]


def _fit_statistic(value: Any) -> str:
    """R² or pseudo R² with three decimals; blank when there is none (never "nan"), 0 shown as 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:.3f}" if math.isfinite(number) else ""
