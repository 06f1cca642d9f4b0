"""A regression table (analysis/pure/tables.py: build) as a Word document and an Excel workbook,
registered in analysis/pure/formats.py (TABLES). Rows show their `label` when the caller set one
(the variable's name in the reader's language), else the variable; columns, footer and `note`
come as the caller wrote them. Excel keeps numbers as numbers (stars and parentheses are the
cells' number format) and text that begins like a formula as text. Pure: no Django."""

from __future__ import annotations

import io
from typing import Any

from coding.pure.csv_safe import sheet_cells_as_text

NOTE = "*** p<0.01, ** p<0.05, * p<0.1; standard errors in parentheses."
DIGITS = "0.000"


def _label(row: dict[str, Any]) -> str:
    return str(row.get("label") or row["variable"])


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def to_docx(table: dict[str, Any]) -> bytes:
    """One Word table: a header row, per variable a row of estimates with stars and a row of
    standard errors in parentheses, then the footer rows; the note below."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    columns = list(table["columns"])
    grid = document.add_table(rows=1, cols=len(columns) + 1)
    grid.style = "Table Grid"
    for index, name in enumerate(["", *columns]):
        grid.rows[0].cells[index].text = str(name)
    for row in table["rows"]:
        estimates = grid.add_row().cells
        errors = grid.add_row().cells
        estimates[0].text = _label(row)
        for index, cell in enumerate(row["cells"], start=1):
            if cell is not None:
                estimates[index].text = _number(cell[0]) + (cell[2] or "")
                errors[index].text = f"({_number(cell[1])})" if cell[1] is not None else ""
    for name, values in table["footer"]:
        cells = grid.add_row().cells
        cells[0].text = str(name)
        for index, value in enumerate(values, start=1):
            cells[index].text = str(value)
    for grid_row in grid.rows:
        for cell in grid_row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    document.add_paragraph(str(table.get("note") or NOTE))
    for text in table.get("notes") or []:  # e.g. what differs from the study's published column
        document.add_paragraph(str(text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_xlsx(table: dict[str, Any]) -> bytes:
    """One sheet "table": estimates and standard errors are numbers (shown as 0.123*** and
    (0.045) by their number format, so a spreadsheet computes with them), labels text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell as SheetCell

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = "table"

    def put(row: int, column: int, value: object, number_format: str | None = None) -> SheetCell:
        cell = sheet.cell(row=row, column=column, value=value)
        if number_format:
            cell.number_format = number_format
        return cell

    for index, name in enumerate(["", *table["columns"]], start=1):
        put(1, index, str(name))
    line = 2
    for row in table["rows"]:
        put(line, 1, _label(row))
        for index, cell in enumerate(row["cells"], start=2):
            if cell is None:
                continue
            estimate, error, mark = cell
            put(line, index, estimate, f'{DIGITS}"{mark}"' if mark else DIGITS)
            put(line + 1, index, error, f"({DIGITS})")
        line += 2
    for name, values in table["footer"]:
        put(line, 1, str(name))
        for index, value in enumerate(values, start=2):
            put(line, index, str(value))
        line += 1
    put(line + 1, 1, str(table.get("note") or NOTE))
    for offset, text in enumerate(table.get("notes") or [], start=2):  # e.g. what differs from the study
        put(line + offset, 1, str(text))
    sheet.column_dimensions["A"].width = 28
    sheet_cells_as_text(workbook.worksheets)  # a label beginning with "=" is text, never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
