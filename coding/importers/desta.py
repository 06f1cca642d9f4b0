"""Read DESTA 2.1's list of treaties (CSV). No Django here."""
import csv
from dataclasses import dataclass
from pathlib import Path

import pycountry

from .errors import ImportFailed

# DESTA's entry types that are agreements a coder would code; accessions, withdrawals and
# negotiations change membership or are not yet treaties, so they are reported, not imported.
IMPORTED_ENTRY_TYPES = {"base_treaty", "consolidated", "protocol or amendment"}
# Numeric codes of states that no longer exist (ISO 3166-3) or that DESTA uses outside ISO.
HISTORIC_NUMERIC = {"200": "CSK", "278": "DDR", "280": "DEU", "530": "ANT", "810": "SUN", "890": "YUG", "891": "SCG", "720": "YMD", "886": "YEM", "900": "XKX"}  # 900: Kosovo in DESTA; XKX is its widely used code


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
    parties: list


def iso3_from_numeric(code):
    code = str(code).strip()
    if code.endswith(".0"):
        code = code[:-2]
    if not code:
        return None
    padded = code.zfill(3)
    country = pycountry.countries.get(numeric=padded)
    if country:
        return country.alpha_3
    return HISTORIC_NUMERIC.get(padded)


def _year(value, *, path, line, field):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(float(value))
    except ValueError as exc:
        raise ImportFailed(f"'{value}' is not a year", path=path, line=line, field=field) from exc


def read_desta_list(path):
    """Returns (treaties to import, skipped counts by entry type, unknown member codes)."""
    path = Path(path)
    treaties, skipped, unknown = [], {}, set()
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailed(f"cannot open ({exc})", path=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        required = {"number", "name", "entry_type", "year", "entryforceyear", "typememb"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise ImportFailed(f"missing columns: {', '.join(sorted(missing))}", path=path, line=1)
        member_columns = [c for c in reader.fieldnames if c[:1] == "c" and c[1:].isdigit()]
        for line, row in enumerate(reader, start=2):
            number = (row["number"] or "").strip()
            if not number:
                raise ImportFailed("empty treaty number", path=path, line=line, field="number")
            entry_type = (row["entry_type"] or "").strip()
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
                    unknown.add(raw)
                    continue
                parties.append(iso3)
            typememb = _year(row["typememb"], path=path, line=line, field="typememb")
            treaties.append(
                DestaTreaty(
                    line=line,
                    number=number,
                    name=(row["name"] or "").strip(),
                    entry_type=entry_type,
                    year_signed=_year(row["year"], path=path, line=line, field="year"),
                    entry_into_force_year=_year(row["entryforceyear"], path=path, line=line, field="entryforceyear"),
                    typememb=typememb,
                    region=(row.get("regioncon") or "").strip(),
                    parties=sorted(set(parties)),
                )
            )
    return treaties, skipped, unknown
