"""Regression tables from stored results: one column per specification, estimates with stars and
standard errors in parentheses, then N, R2 and fixed effects, as in the study's Table 9. Pure
(analysis/pure): the caller passes the labels in its reader's language (`text`); no Django."""

from collections.abc import Mapping, Sequence
from typing import Any

from coding.pure.csv_safe import rows_csv

from .estimators import table_title

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
Cell = tuple[float | None, float | None, str] | None  # (estimate, standard error, stars), None: not in the model
Table = dict[str, Any]  # {"columns", "rows", "footer"}, as build() makes it


def stars(p: float | None) -> str:
    for cutoff, mark in STARS:
        if p is not None and p < cutoff:
            return mark
    return ""


# Footer labels; pages pass them translated (this module stays Django-free).
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
    text = {**TEXT, **(text or {})}
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
    fixed: list[str] = []
    for result in results:
        for fe in result.get("fixed_effects", {}):
            if fe not in fixed:
                fixed.append(fe)
    footer = [
        (text["n"], [f"{r['n_obs']:,}" for r in results]),
        (
            text["r2"],
            [
                f"{(r.get('r2') if r.get('r2') is not None else r.get('pseudo_r2')) or float('nan'):.3f}"
                for r in results
            ],
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
    if any(r.get("dropped_regressors") for r in results):
        footer.append((text["collinear"], [", ".join(r.get("dropped_regressors") or []) for r in results]))
    if provenance:
        footer += [
            (text["release"], [str(p.get("release") or "") for p in provenance]),
            (text["panel"], [str(p.get("panel") or "")[:12] for p in provenance]),
        ]
    return {"columns": labels, "rows": rows, "footer": footer}


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
    return f"{_number(estimate, digits)}{mark}", f"({_number(se, digits)})"


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
        ses = [f"({_number(c[1])})" if c else "" for c in row["cells"]]
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
    rows += [[name, *values] for name, values in table["footer"]]
    return rows_csv(rows)
