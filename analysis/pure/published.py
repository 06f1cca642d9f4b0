"""The study's published coefficients beside ours. Its Tables 9 and 10 ship with the workbench
(analysis/reference/study_tables9_10.csv, sources in SOURCES.md there), so a fresh clone shows them
offline. A result is a study column when its label and formula are exactly those of a study preset
that names the column (analysis/pure/presets.py: STUDY_SPECS); `beside` then puts the published
column (coefficients with the printed stars; the study prints no standard errors) right after
ours in a built regression table (analysis/pure/tables.py: build) and adds a note in words on
what differs: data source, sample, years, estimator. Pure: the caller passes `text` translated
(the English templates below are marked for the catalogue); no Django."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

from .errors import gettext_noop
from .estimators import ols, table_title
from .presets import STUDY_SPECS
from .spec.grammar import parse
from .tables import TEXT as TABLE_TEXT
from .tables import Table

PUBLISHED_CSV = Path(__file__).resolve().parent.parent / "reference" / "study_tables9_10.csv"
STUDY_N = 1722  # the estimation sample of the study's Table 8 (descriptive statistics)
STUDY_FIXED_EFFECTS = ("exporter", "importer", "year")

# CSV column -> (our regressor, the name its `stars` field uses).
REGRESSORS: dict[str, tuple[str, str]] = {
    "FTA": ("fta", "FTA"),
    "Depth_x_FTA": ("depth_fta", "Depth"),
    "TBT_j": ("ln_tbt_j", "TBT"),
    "lnGDP_i": ("ln_gdp_i", "GDPi"),
    "lnGDP_j": ("ln_gdp_j", "GDPj"),
    "lnDis": ("ln_dist", "Dis"),
}

# English templates (marked for the catalogue), keyed apart from tables.TEXT's footer labels (the
# caller passes both translated, in one mapping); pages pass them translated.
TEXT: dict[str, str] = {
    "published_column": gettext_noop("Study, Table %(table)s (%(column)s), published"),
    "published_n": gettext_noop("not printed per column (Table 8: %(n)s)"),
    "published_se": gettext_noop("not printed (stars only)"),
    "published_all": gettext_noop("all exporters"),
    "published_developed exporters": gettext_noop("developed exporters"),
    "published_developing exporters": gettext_noop("developing exporters"),
    "published_total exports": gettext_noop("total exports"),
    "published_high-tech exports": gettext_noop("high-tech exports"),
    "published_note": gettext_noop(
        "%(published)s beside %(ours)s: the study's coefficients as printed (%(dependent)s, %(sample)s; OLS of "
        "log exports with exporter, importer and year effects on its own panel of Belt-and-Road countries, "
        "62 FTAs signed and in force 2000-2020, %(n)s observations in its Table 8; no standard errors "
        "printed, only stars). Ours differs in data: %(data)s; sample: %(ours_n)s observations; years: "
        "%(years)s; estimator: %(estimator)s, standard errors %(vcov)s."
    ),
    "published_synthetic": gettext_noop(
        "the SYNTHETIC demo panel %(panel)s, made-up numbers, so our coefficients are not expected to match"
    ),
    "published_panel": gettext_noop("panel %(panel)s, not the study's own data"),
    "published_unknown_panel": gettext_noop("a panel that is not the study's own data"),
    "published_years_unknown": gettext_noop("as in the panel"),
}


class PanelFacts(TypedDict, total=False):
    """What the note says of our data: the panel's name, whether it is synthetic, its years."""

    name: str
    synthetic: bool
    years: list[int]


@dataclass(frozen=True)
class PublishedColumn:
    key: str  # "table.column", as a preset's study_column names it
    table: str
    column: str
    sample: str  # all, developed exporters, developing exporters
    dependent: str  # total exports, high-tech exports
    coefficients: dict[str, tuple[float, str]]  # our regressor -> (estimate, printed stars)
    r2: float


def _stars(field: str) -> dict[str, str]:
    """'FTA***;TBT*' -> {'FTA': '***', 'TBT': '*'}; a name not listed was printed without stars."""
    marks: dict[str, str] = {}
    for item in field.split(";"):
        name = item.rstrip("*").strip()
        if name:
            marks[name] = item.strip()[len(name) :]
    return marks


@cache
def published_columns(path: Path = PUBLISHED_CSV) -> dict[str, PublishedColumn]:
    """The study's eight published columns by "table.column"; a regressor the column does not
    include (FTA in a Depth x FTA column) is absent."""
    columns = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            marks = _stars(row["stars"])
            coefficients = {
                ours: (float(row[name]), marks.get(star_name, ""))
                for name, (ours, star_name) in REGRESSORS.items()
                if row[name].strip()
            }
            key = f"{row['table']}.{row['column']}"
            columns[key] = PublishedColumn(
                key, row["table"], row["column"], row["sample"], row["dependent"], coefficients, float(row["r2"])
            )
    return columns


def study_column_of(result: Mapping[str, Any]) -> PublishedColumn | None:
    """The published column a stored result replicates: its label and formula are exactly a study
    preset's (a user's own label, or the preset's formula changed, is not the study's column)."""
    spec = STUDY_SPECS.get(str(result.get("label") or ""))
    if spec is None or result.get("formula") != parse(spec["formula"]).canonical:
        return None
    return published_columns().get(str(spec["study_column"]))


def _years(facts: PanelFacts | None, text: Mapping[str, str]) -> str:
    years = sorted(set((facts or {}).get("years") or []))
    if not years:
        return text["published_years_unknown"]
    if len(years) == 2 or years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def _data(facts: PanelFacts | None, text: Mapping[str, str]) -> str:
    if not facts or not facts.get("name"):
        return text["published_unknown_panel"]
    key = "published_synthetic" if facts.get("synthetic") else "published_panel"
    return text[key] % {"panel": f"'{facts['name']}'"}


def note(
    published: PublishedColumn,
    result: Mapping[str, Any],
    *,
    ours: str,
    facts: PanelFacts | None = None,
    vcov: str = "",
    text: Mapping[str, str] | None = None,
) -> str:
    """In words, what the published column is and what differs in ours (`ours`: our column's
    label; `vcov`: our standard errors as the table's footer says them)."""
    text = {**TEXT, **(text or {})}
    return text["published_note"] % {
        "published": text["published_column"] % {"table": published.table, "column": published.column},
        "ours": ours,
        "dependent": text.get(f"published_{published.dependent}", published.dependent),
        "sample": text.get(f"published_{published.sample}", published.sample),
        "n": f"{STUDY_N:,}",
        "data": _data(facts, text),
        "ours_n": f"{int(result.get('n_obs') or 0):,}",
        "years": _years(facts, text),
        "estimator": table_title(result.get("estimator")),
        "vcov": vcov or "?",
    }


def beside(
    table: Table,
    results: Sequence[Mapping[str, Any]],
    *,
    facts: Sequence[PanelFacts | None] | None = None,
    text: Mapping[str, str] | None = None,
) -> Table:
    """`table` (built from `results`, one column each, by tables.build with the same `text`) with
    the study's published column right after each study column, and per published column a note
    (`notes`, shown under the table). A table without a study column (or not one column per
    result) comes back unchanged.
    `facts`: per result, the panel it was fitted on (for the note)."""
    text = {**TABLE_TEXT, **TEXT, **(text or {})}
    published_at = {index: column for index, column in enumerate(map(study_column_of, results)) if column}
    # One column per result is what the positions rest on; a table that widened a result into
    # several columns (e.g. bias-corrected ones) is left as it is rather than misplaced.
    if not published_at or len(table["columns"]) != len(results):
        return table
    rows = [{**row, "cells": list(row["cells"])} for row in table["rows"]]
    width = len(table["columns"])
    for published in published_at.values():  # a published regressor our fit did not keep gets a row
        for variable in published.coefficients:
            if variable not in [row["variable"] for row in rows]:
                rows.append({"variable": variable, "cells": [None] * width})
    footer = [(name, list(values)) for name, values in table["footer"]]
    columns = list(table["columns"])
    notes = list(table.get("notes") or [])
    # Insert from the right, so the positions still to come keep their place.
    for index in sorted(published_at, reverse=True):
        published = published_at[index]
        columns.insert(index + 1, text["published_column"] % {"table": published.table, "column": published.column})
        for row in rows:
            value = published.coefficients.get(row["variable"])
            row["cells"].insert(index + 1, (value[0], None, value[1]) if value else None)
        for name, values in footer:
            values.insert(index + 1, _footer_value(name, published, text))
    for index, published in published_at.items():
        vcov = next((values[index] for name, values in table["footer"] if name == text["se"]), "")
        facts_here = facts[index] if facts and index < len(facts) else None
        label = str(table["columns"][index])
        notes.append(note(published, results[index], ours=label, facts=facts_here, vcov=vcov, text=text))
    return {**table, "columns": columns, "rows": rows, "footer": footer, "notes": notes}


def _footer_value(name: str, published: PublishedColumn, text: Mapping[str, str]) -> str:
    """The published column's entry in one footer row: its R², its estimator and fixed effects,
    and in words what it did not print (N per column, standard errors)."""
    if name in {text["fe"].format(fe=fe) for fe in STUDY_FIXED_EFFECTS}:
        return text["yes"]
    known = {
        text["n"]: text["published_n"] % {"n": f"{STUDY_N:,}"},
        text["r2"]: f"{published.r2:.3f}",
        text["estimator"]: table_title(ols.NAME),
        text["se"]: text["published_se"],
    }
    return known.get(name, "")
