"""Read DESTA 2.1's list of treaties (CSV). No Django here."""

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pycountry

from .csvfile import csv_rows
from .errors import ImportFailed

# DESTA numbers as DESTA 2.1 writes them: "224" (base treaty), "324_1" (protocol or consolidated
# version), "3+1" (accession), "694a" (a second entry under one number). Agreement.desta_number
# holds at most 20 characters.
DESTA_NUMBER = re.compile(r"\d{1,6}(?:[_+]\d{1,4}|[a-z])?")
YEARS = (1800, 2100)
TYPEMEMB = (1, 99)
NAME_MAX, REGION_MAX = 300, 80

# DESTA's entry types that are agreements a coder would code; accessions, withdrawals and
# negotiations change membership or are not yet treaties, so they are reported, not imported.
IMPORTED_ENTRY_TYPES = {"base_treaty", "consolidated", "protocol or amendment"}
# Numeric codes of states that no longer exist (ISO 3166-3) or that DESTA uses outside ISO.
HISTORIC_NUMERIC = {
    "200": "CSK",
    "278": "DDR",
    "280": "DEU",
    "530": "ANT",
    "810": "SUN",
    "890": "YUG",
    "891": "SCG",
    "720": "YMD",
    "886": "YEM",
    "900": "XKX",
}  # 900: Kosovo in DESTA; XKX is its widely used code


@dataclass
class DestaTreaty:
    line: int
    number: str
    name: str
    entry_type: str
    year_signed: int | None
    entry_into_force_year: int | None
    typememb: int | None
    region: str
    parties: list[str]


def iso3_from_numeric(code: object) -> str | None:
    code = str(code).strip()
    if code.endswith(".0"):
        code = code[:-2]
    if not code:
        return None
    padded = code.zfill(3)
    country = pycountry.countries.get(numeric=padded)
    if country:
        return str(country.alpha_3)
    return HISTORIC_NUMERIC.get(padded)


def desta_number_check(value: str | None, *, path: Path | str | None, line: int | None, field: str = "number") -> str:
    """A DESTA number ("224", "324_1", "3+1", "694a") or ImportFailed naming the line."""
    value = (value or "").strip()
    if not value:
        raise ImportFailed("empty treaty number", path=path, line=line, field=field)
    if not DESTA_NUMBER.fullmatch(value):
        raise ImportFailed(
            f"'{value[:40]}' is not a DESTA number (like 224, 324_1, 3+1 or 694a)", path=path, line=line, field=field
        )
    return value


def _whole_number(
    value: str | None, *, path: Path, line: int, field: str, bounds: tuple[int, int], what: str
) -> int | None:
    """A whole number within `bounds`, written as DESTA does ("2003" or "2003.0"); None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number != int(number) or not bounds[0] <= number <= bounds[1]:
        raise ImportFailed(
            f"'{value[:40]}' is not {what} ({bounds[0]} to {bounds[1]})", path=path, line=line, field=field
        )
    return int(number)


def _year(value: str | None, *, path: Path, line: int, field: str) -> int | None:
    return _whole_number(value, path=path, line=line, field=field, bounds=YEARS, what="a year")


def _text(row: dict[str, str], column: str, *, path: Path, line: int, limit: int) -> str:
    value = (row.get(column) or "").strip()
    if len(value) > limit:
        raise ImportFailed(f"{len(value)} characters, more than {limit}", path=path, line=line, field=column)
    return value


def read_desta_list(path: str | os.PathLike[str]) -> tuple[list[DestaTreaty], dict[str, int], set[str]]:
    """Returns (treaties to import, skipped counts by entry type, unknown member codes)."""
    path = Path(path)
    treaties: list[DestaTreaty] = []
    skipped: dict[str, int] = {}
    unknown: set[str] = set()
    numbers: dict[str, int] = {}
    required = {"number", "name", "entry_type", "year", "entryforceyear", "typememb"}
    with csv_rows(path, required=required) as (columns, rows):
        member_columns = [c for c in columns if c[:1] == "c" and c[1:].isdigit()]
        for line, row in rows:
            number = desta_number_check(row["number"], path=path, line=line)
            if number in numbers:
                raise ImportFailed(
                    f"treaty number {number} appears twice (first on line {numbers[number]})",
                    path=path,
                    line=line,
                    field="number",
                )
            numbers[number] = line
            entry_type = _text(row, "entry_type", path=path, line=line, limit=40)
            if entry_type not in IMPORTED_ENTRY_TYPES:
                skipped[entry_type] = skipped.get(entry_type, 0) + 1
                continue
            parties = []
            for column in member_columns:
                raw = (row.get(column) or "").strip()
                if not raw:
                    continue
                iso3 = iso3_from_numeric(raw)
                if iso3 is None:
                    unknown.add(raw[:20])
                    continue
                parties.append(iso3)
            typememb = _whole_number(
                row["typememb"], path=path, line=line, field="typememb", bounds=TYPEMEMB, what="a membership type"
            )
            treaties.append(
                DestaTreaty(
                    line=line,
                    number=number,
                    name=_text(row, "name", path=path, line=line, limit=NAME_MAX),
                    entry_type=entry_type,
                    year_signed=_year(row["year"], path=path, line=line, field="year"),
                    entry_into_force_year=_year(row["entryforceyear"], path=path, line=line, field="entryforceyear"),
                    typememb=typememb,
                    region=_text(row, "regioncon", path=path, line=line, limit=REGION_MAX),
                    parties=sorted(set(parties)),
                )
            )
    return treaties, skipped, unknown
