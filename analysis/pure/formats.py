"""The one registry of the files the analysis app writes (pure, no Django): per format its name,
file extension, content type and writer. Regression tables (a run's, several runs', a
sensitivity run's; also as Word and Excel), stored panels (`manage.py export_panel`) and dataset
releases (the data and its companion evidence file) are downloaded by these names on the pages,
the API and the commands; every CSV goes through the one safe CSV writer
(coding/pure/csv_safe.py), so a cell that begins like a spreadsheet formula is text. A new format
is one writer plus one entry here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import pandas as pd

from . import exports, panel_exports, table_documents, tables

Writer = TypeVar("Writer")


@dataclass(frozen=True)
class OutputFormat(Generic[Writer]):
    name: str  # as the URL and the command line say it
    extension: str  # of the file name, without the dot
    content_type: str
    write: Writer
    label: str  # how a download link names it (a program's or format's name: the same in every language)


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


TableWriter = Callable[[dict[str, Any]], str | bytes]


class PanelWriter(Protocol):
    def __call__(self, frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes: ...


CSV = "text/csv; charset=utf-8"
STATA = "application/x-stata-dta"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A regression table built by analysis/pure/tables.py: build(); the page itself is "html".
TABLES: dict[str, OutputFormat[TableWriter]] = {
    "tex": OutputFormat("tex", "tex", "text/x-tex; charset=utf-8", tables.to_latex, "LaTeX"),
    "md": OutputFormat("md", "md", "text/markdown; charset=utf-8", tables.to_markdown, "Markdown"),
    "csv": OutputFormat("csv", "csv", CSV, tables.to_csv, "CSV"),
    # Word and Excel speak the reader's language (the run page passes its labels).
    "docx": OutputFormat("docx", "docx", DOCX, table_documents.to_docx, "Word"),
    "xlsx": OutputFormat("xlsx", "xlsx", XLSX, table_documents.to_xlsx, "Excel"),
}
# Formats whose labels are the reader's language; the others are files for a paper, in English.
READER_LANGUAGE_TABLES = frozenset({"docx", "xlsx"})

# A stored pair-year panel (manage.py export_panel, the panel download on the run page); Parquet
# only where pyarrow is installed (requirements.txt pins it).
PANELS: dict[str, OutputFormat[PanelWriter]] = {
    "csv": OutputFormat("csv", "csv", CSV, panel_exports.csv_bytes, "CSV"),
    "dta": OutputFormat("dta", "dta", STATA, panel_exports.stata_bytes, "Stata"),
}
if panel_exports.parquet_available():
    PANELS["parquet"] = OutputFormat(
        "parquet", "parquet", "application/vnd.apache.parquet", panel_exports.parquet_bytes, "Parquet"
    )

# A dataset release (analysis/pure/exports.py: release_frame), per agreement or per country pair.
DATASETS: dict[str, OutputFormat[DatasetWriter]] = {
    "csv": OutputFormat("csv", "csv", CSV, exports.csv_bytes, "CSV"),
    "xlsx": OutputFormat("xlsx", "xlsx", XLSX, exports.xlsx_bytes, "Excel"),
    "dta": OutputFormat("dta", "dta", STATA, exports.stata_bytes, "Stata"),
    "json": OutputFormat("json", "json", "application/json", exports.json_bytes, "JSON"),
}

# The evidence file beside a CSV or Stata release (Excel and JSON carry the evidence inside).
EVIDENCE: dict[str, OutputFormat[EvidenceWriter]] = {
    "csv": OutputFormat("csv", "csv", CSV, exports.evidence_csv, "CSV"),
    "dta": OutputFormat("dta", "dta", STATA, exports.evidence_stata, "Stata"),
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
