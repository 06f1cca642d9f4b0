"""The one registry of the files the analysis app writes (pure, no Django): per format its name,
file extension, content type and writer. Regression tables (a run's, several runs', a
sensitivity run's) and dataset releases (the data and its companion evidence file) are
downloaded by these names on the pages, the API and `manage.py export_dataset`; every CSV goes
through the one safe CSV writer (coding/pure/csv_safe.py), so a cell that begins like a
spreadsheet formula is text. A new format is one writer plus one entry here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd

from . import exports, tables

Writer = TypeVar("Writer")


@dataclass(frozen=True)
class OutputFormat(Generic[Writer]):
    name: str  # as the URL and the command line say it
    extension: str  # of the file name, without the dot
    content_type: str
    write: Writer


class DatasetWriter(Protocol):
    def __call__(
        self,
        frame: pd.DataFrame,
        *,
        meta: Mapping[str, Any],
        indicators: list[dict[str, Any]],
        evidence: list[dict[str, Any]] | None = None,
        rows: Sequence[Mapping[str, Any]] = (),
    ) -> bytes: ...


class EvidenceWriter(Protocol):
    def __call__(self, frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes: ...


TableWriter = Callable[[dict[str, Any]], str]

CSV = "text/csv; charset=utf-8"
STATA = "application/x-stata-dta"

# A regression table built by analysis/pure/tables.py: build(); the page itself is "html".
TABLES: dict[str, OutputFormat[TableWriter]] = {
    "tex": OutputFormat("tex", "tex", "text/x-tex; charset=utf-8", tables.to_latex),
    "md": OutputFormat("md", "md", "text/markdown; charset=utf-8", tables.to_markdown),
    "csv": OutputFormat("csv", "csv", CSV, tables.to_csv),
}

# A dataset release (analysis/pure/exports.py: release_frame), per agreement or per country pair.
DATASETS: dict[str, OutputFormat[DatasetWriter]] = {
    "csv": OutputFormat("csv", "csv", CSV, exports.csv_bytes),
    "xlsx": OutputFormat(
        "xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.xlsx_bytes
    ),
    "dta": OutputFormat("dta", "dta", STATA, exports.stata_bytes),
    "json": OutputFormat("json", "json", "application/json", exports.json_bytes),
}

# The evidence file beside a CSV or Stata release (Excel and JSON carry the evidence inside).
EVIDENCE: dict[str, OutputFormat[EvidenceWriter]] = {
    "csv": OutputFormat("csv", "csv", CSV, exports.evidence_csv),
    "dta": OutputFormat("dta", "dta", STATA, exports.evidence_stata),
}


def dataset_bytes(
    frame: pd.DataFrame,
    fmt: str,
    *,
    meta: Mapping[str, Any],
    indicators: list[dict[str, Any]],
    evidence: list[dict[str, Any]] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """One export of a release's frame; ValueError naming the formats for an unknown one."""
    if fmt not in DATASETS:
        raise ValueError(f"format must be one of {sorted(DATASETS)}")
    return DATASETS[fmt].write(frame, meta=meta, indicators=indicators, evidence=evidence, rows=rows)


def evidence_bytes(frame: pd.DataFrame, fmt: str, *, meta: Mapping[str, Any]) -> bytes:
    """The companion evidence file of a CSV or Stata export."""
    if fmt not in EVIDENCE:
        raise ValueError("the evidence file is CSV or Stata .dta")
    return EVIDENCE[fmt].write(frame, meta=meta)
