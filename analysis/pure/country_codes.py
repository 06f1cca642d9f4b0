"""Retired and variant ISO3 country codes recoded to the current one before a panel's inputs are
merged (pure, no Django). Romania is ROM in CEPII's GeoDist and in older trade files but ROU in
the World Bank's GDP: merged as they come, Romania's rows find no GDP and drop out.

Only renames are recoded, one old code to one current code for the same territory, each from a
source a reader can check:
- ISO 3166-3 (codes withdrawn from ISO 3166-1, with the date and the new code): ROM -> ROU
  (2002), ZAR -> COD (1997), TMP -> TLS (2002), BUR -> MMR (1989), FXX -> FRA (1997, metropolitan
  France merged into FR).
- Serbia as the continuing state (UN membership and the ISO record passed to Serbia in 2006;
  CEPII's GeoDist places YUG and SCG at Belgrade): SCG -> SRB, and YUG -> SRB for 1992-2006 only,
  when YUG meant the Federal Republic (Serbia and Montenegro). Before 1992 YUG is the Socialist
  Federal Republic, which split into six countries.
Splits (CSK, SUN, ANT, YUG before 1992) and mergers (DDR, YMD) have no single successor: they are
not recoded and stay listed by merge_checks as changed codes. Unknown codes are flagged there too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd


class Recode(NamedTuple):
    old: str
    new: str
    first_year: int | None = None  # the years whose rows it applies to (None: open)
    last_year: int | None = None


CONCORDANCE: tuple[Recode, ...] = (
    Recode("ROM", "ROU"),
    Recode("ZAR", "COD"),
    Recode("TMP", "TLS"),
    Recode("BUR", "MMR"),
    Recode("FXX", "FRA"),
    Recode("SCG", "SRB"),
    Recode("YUG", "SRB", 1992, 2006),
)


def _applies(recode: Recode, frame: pd.DataFrame, column: str, year: str | None) -> pd.Series[bool]:
    rows = frame[column].astype(str) == recode.old
    if year is not None and year in frame.columns and (recode.first_year or recode.last_year):
        years = pd.to_numeric(frame[year], errors="coerce")
        rows &= years.between(recode.first_year or -(10**6), recode.last_year or 10**6)
    return rows


def recode(
    frame: pd.DataFrame, kind: str, columns: Sequence[str], *, year: str | None = None, key: Sequence[str] = ()
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """`frame` with the concordance applied to its code `columns` (years from `year`, if any; a
    distance has none, the capital being the same), and what was recoded: [{"input", "code",
    "now", "rows"}]. A recoded row whose `key` already holds a row under the current code (ROM and
    ROU both in one GDP file) is dropped, the current code's row kept; counted as "superseded"."""
    found: list[dict[str, Any]] = []
    masks: list[pd.Series[bool]] = []
    old_codes = {entry.old for entry in CONCORDANCE}
    # One isin() per column first: on a million-row input without old codes that is all it costs.
    present = [column for column in columns if column in frame.columns and frame[column].isin(old_codes).any()]
    if not present:
        return frame, found
    frame = frame.copy()
    for entry in CONCORDANCE:
        per_column = {column: _applies(entry, frame, column, year) for column in present}
        rows = pd.concat(list(per_column.values()), axis=1).any(axis=1) if per_column else None
        if rows is None or not rows.any():
            continue
        for column, here in per_column.items():
            frame[column] = frame[column].astype(object).where(~here, entry.new)
        masks.append(rows)
        found.append({"input": kind, "code": entry.old, "now": entry.new, "rows": int(rows.sum()), "superseded": 0})
    if found and key:
        recoded = np.logical_or.reduce([rows.to_numpy() for rows in masks])
        # Positions with the current code's rows first, so that keep="first" keeps them (the
        # index of an input may repeat: positions, not labels).
        order = np.argsort(recoded, kind="stable")
        repeated = np.empty(len(frame), dtype=bool)
        repeated[order] = frame.iloc[order].duplicated(list(key), keep="first").to_numpy()
        superseded = repeated & recoded
        if superseded.any():
            for finding, rows in zip(found, masks):
                finding["superseded"] = int((superseded & rows.to_numpy()).sum())
            frame = frame[~superseded]
    return frame, found
