"""Write a stored pair-year panel for another program: CSV (the one safe writer,
coding/pure/csv_safe.py), Stata .dta (every variable labelled in at most 80 characters without
cutting a word, `tier` a number with value labels) and, when pyarrow is installed, Parquet (the
labels in the file's metadata). Registered in analysis/pure/formats.py (PANELS). Pure
(analysis/pure): a DataFrame and plain facts in, bytes out; no Django."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from coding.pure.csv_safe import frame_csv

from .variable_labels import fit_label, stata_labels, tier_codes


def data_label(meta: Mapping[str, Any]) -> str:
    """The file's own label: the panel's name, hash prefix and, for a synthetic one, so."""
    synthetic = "SYNTHETIC " if meta.get("synthetic") and "SYNTHETIC" not in str(meta.get("name")) else ""
    return fit_label(f"{synthetic}{meta.get('name', 'panel')} (sha256 {str(meta.get('content_hash', ''))[:12]})")


def stata_frame(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(the frame as Stata stores it, the to_stata keyword arguments): text columns as plain
    strings (missing: ""), `tier` as 1/2/3 with its names as value labels, and a variable label
    for every column (`labels` first, e.g. a codebook's questions)."""
    data = frame.copy()
    value_labels: dict[str, dict[float, str]] = {}
    if "tier" in data.columns and not pd.api.types.is_numeric_dtype(data["tier"]):
        codes = tier_codes(data["tier"].dropna().unique())
        value_labels["tier"] = {float(code): name for name, code in codes.items()}
        data["tier"] = data["tier"].map(lambda name: codes.get(name) if isinstance(name, str) else None)
        data["tier"] = pd.to_numeric(data["tier"]).astype("float64")
    for column in data.columns:
        if data[column].dtype == bool:
            data[column] = data[column].astype("int8")
        elif not pd.api.types.is_numeric_dtype(data[column]):
            data[column] = data[column].astype(object).where(data[column].notna(), "").astype(str)
    options: dict[str, Any] = {"variable_labels": stata_labels(data.columns, dict(labels or {}))}
    if value_labels:
        options["value_labels"] = value_labels
    return data, options


def stata_bytes(frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes:
    data, options = stata_frame(frame)
    buffer = io.BytesIO()
    data.to_stata(buffer, write_index=False, version=118, data_label=data_label(meta), **options)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes:
    """UTF-8 with a byte-order mark; a text cell that begins like a formula stays text."""
    return frame_csv(frame)


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401  - only whether it is installed
    except ImportError:
        return False
    return True


def parquet_bytes(frame: pd.DataFrame, *, meta: Mapping[str, Any]) -> bytes:
    """Parquet (pyarrow) with the variable labels and the panel's label in the schema metadata
    under b"workbench" (JSON), for readers that keep them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    described = {
        "panel": data_label(meta),
        "variable_labels": stata_labels(frame.columns),
    }
    metadata = {**(table.schema.metadata or {}), b"workbench": json.dumps(described).encode("utf-8")}
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), buffer)
    return buffer.getvalue()
