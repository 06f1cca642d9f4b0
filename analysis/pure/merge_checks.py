"""Checks on the inputs of a panel before it is built. Pure (analysis/pure): pandas and pycountry.

Two kinds. `check_numbers` stops the build at the first value that cannot be right (a year that
is not a whole number or is empty, a negative or non-numeric trade value, an input without rows)
and names the file, line and column. `merge_checks` lists the published merge pitfalls of gravity
data, which do not stop a build unless asked to (`strict`): country codes that changed over time
(Romania's ROM, Yugoslavia's YUG, Zaire's ZAR in CEPII's files beside ROU, SRB, COD elsewhere) or
that pycountry does not know, keys duplicated in an input (a duplicated Comtrade row is counted
twice), pair variables that differ by direction (distance i->j vs j->i), and sample
country-years without GDP or pairs without a distance (what a code mismatch leaves behind).
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import numpy as np
import pandas as pd
import pycountry

Finding = dict[str, Any]
Findings = dict[str, list[Finding]]

# Codes data providers still use for countries whose ISO 3166 code changed or that dissolved,
# with the current code(s). pycountry's historic_countries adds the withdrawn ISO codes.
SUCCESSORS = {
    "ROM": ("ROU",),
    "ZAR": ("COD",),
    "TMP": ("TLS",),
    "PAL": ("PSE",),
    "SER": ("SRB",),
    "BUR": ("MMR",),
    "FXX": ("FRA",),
    "DDR": ("DEU",),
    "YMD": ("YEM",),
    "YUG": ("SRB", "MNE"),
    "SCG": ("SRB", "MNE"),
    "CSK": ("CZE", "SVK"),
    "ANT": ("CUW", "SXM", "BES"),
    "SUN": ("RUS", "UKR", "BLR", "KAZ", "UZB", "GEO", "AZE", "ARM", "MDA", "KGZ", "TJK", "TKM", "LTU", "LVA", "EST"),
}
KINDS = ("changed_codes", "unknown_codes", "duplicate_keys", "asymmetric_pairs", "missing_gdp", "missing_distance")
EXAMPLES = 10  # examples listed per finding


class InputError(ValueError):
    """A value no panel can be built from (panel_builder.PanelInputError is this class)."""


class MergeCheckError(InputError):
    """Merge checks found something and the build was strict."""


def _label(kind: str, names: Mapping[str, str] | None) -> str:
    name = (names or {}).get(kind)
    return f"{kind} ({name})" if name else kind


def _line(frame: pd.DataFrame, position: int) -> int:
    """The file line of data row `position` (0-based): the header is line 1 unless the reader
    recorded another first data line (the WDI reader skips the download's preamble)."""
    return int(frame.attrs.get("first_line", 2)) + int(position)


def _first_bad(
    frame: pd.DataFrame, mask: Any, column: str, kind: str, names: Mapping[str, str] | None, problem: str
) -> NoReturn:
    position = int(np.flatnonzero(np.asarray(mask))[0])
    value = frame[column].iloc[position]
    raise InputError(
        f"{_label(kind, names)}, line {_line(frame, position)}, column {column}: "
        f"{problem.format(value=repr(value) if not pd.isna(value) else 'empty')}"
    )


def _check_years(frame: pd.DataFrame, column: str, kind: str, names: Mapping[str, str] | None) -> None:
    years = pd.to_numeric(frame[column], errors="coerce")
    _if_any(frame, frame[column].isna(), column, kind, names, "the year is {value}; every row needs a year")
    _if_any(frame, years.isna(), column, kind, names, "{value} is not a year")
    _if_any(frame, years != years.round(), column, kind, names, "{value} is not a whole year")


def _if_any(
    frame: pd.DataFrame, mask: Any, column: str, kind: str, names: Mapping[str, str] | None, problem: str
) -> None:
    if np.asarray(mask).any():
        _first_bad(frame, mask, column, kind, names, problem)


def check_numbers(
    *,
    exports: pd.DataFrame,
    gdp: pd.DataFrame | None = None,
    dist: pd.DataFrame | None = None,
    notifications: pd.DataFrame | None = None,
    dist_column: str = "dist",
    names: Mapping[str, str] | None = None,
) -> None:
    """Raise InputError naming file, line and column of the first value no panel can use:
    inputs without rows, years that are empty or not whole numbers, trade values that are empty,
    not numbers or negative, distances that are not numbers or negative."""
    for kind, frame in (("exports", exports), ("gdp", gdp), ("dist", dist), ("tbt", notifications)):
        if frame is not None and len(frame) == 0:
            raise InputError(f"{_label(kind, names)}: no rows; at least one row is needed")
    if "year" in exports.columns:
        _check_years(exports, "year", "exports", names)
    if "value" in exports.columns:
        values = pd.to_numeric(exports["value"], errors="coerce")
        _if_any(
            exports,
            exports["value"].isna(),
            "value",
            "exports",
            names,
            "the trade value is {value}; write 0 for no trade, or leave the row out",
        )
        _if_any(exports, values.isna(), "value", "exports", names, "{value} is not a number")
        _if_any(exports, values < 0, "value", "exports", names, "{value} is negative; trade values are >= 0")
    if gdp is not None and "Year" in gdp.columns:
        _check_years(gdp, "Year", "gdp", names)
    if dist is not None and dist_column in dist.columns:
        distance = pd.to_numeric(dist[dist_column], errors="coerce")
        _if_any(
            dist, distance.isna() & dist[dist_column].notna(), dist_column, "dist", names, "{value} is not a number"
        )
        _if_any(dist, distance < 0, dist_column, "dist", names, "{value} is negative")


# --- merge checks --------------------------------------------------------------------------------


def known_code(code: object) -> bool:
    return pycountry.countries.get(alpha_3=str(code)) is not None


def changed_code(code: object) -> tuple[tuple[str, ...], str] | None:
    """(successor codes, what it was) for a code that changed or was withdrawn, else None."""
    text = str(code)
    historic = pycountry.historic_countries.get(alpha_3=text)
    if text in SUCCESSORS or historic is not None:
        return SUCCESSORS.get(text, ()), str(historic.name) if historic is not None else _name(SUCCESSORS[text][0])
    return None


def _name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return str(country.name) if country is not None else code


def _code_rows(frame: pd.DataFrame, columns: list[str]) -> "pd.Series[int]":
    return pd.concat([frame[c].astype(str) for c in columns]).value_counts()


def _changed(inputs: Iterable[tuple[str, "pd.Series[int]"]], sample: set[str]) -> list[Finding]:
    found = []
    for kind, counts in inputs:
        for code, rows in counts.items():
            change = changed_code(code)
            # Outside the exports a retired code only matters when it or its successor is in the
            # sample (CEPII lists ROM whatever the sample; it matters once Romania is in it).
            if change and (kind == "exports" or code in sample or set(change[0]) & sample):
                found.append(
                    {
                        "input": kind,
                        "code": code,
                        "now": "/".join(change[0]) or "?",
                        "was": change[1],
                        "rows": int(rows),
                    }
                )
    return found


def _duplicates(kind: str, frame: pd.DataFrame, key: list[str]) -> list[Finding]:
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return []
    rows = frame[repeated]
    examples = rows[key].drop_duplicates().head(EXAMPLES).astype(str).agg(" ".join, axis=1).tolist()
    return [{"input": kind, "key": ", ".join(key), "rows": int(frame.duplicated(key).sum()), "examples": examples}]


def _asymmetric(dist: pd.DataFrame, sample: set[str]) -> list[Finding]:
    frame = dist[dist["iso_o"].isin(sample) & dist["iso_d"].isin(sample) & (dist["iso_o"] != dist["iso_d"])]
    frame = frame.drop_duplicates(["iso_o", "iso_d"])
    columns = [c for c in frame.columns if c not in ("iso_o", "iso_d") and pd.api.types.is_numeric_dtype(frame[c])]
    both = frame.merge(frame, left_on=["iso_o", "iso_d"], right_on=["iso_d", "iso_o"], suffixes=("", "__back"))
    both = both[both["iso_o"] < both["iso_d"]]  # each unordered pair once
    found = []
    for column in columns:
        there, back = both[column].astype(float), both[f"{column}__back"].astype(float)
        differs = ~np.isclose(there, back, rtol=1e-9, atol=0.0, equal_nan=True)
        if differs.any():
            rows = both[differs]
            found.append(
                {
                    "input": "dist",
                    "column": column,
                    "pairs": int(differs.sum()),
                    "examples": [
                        f"{a}->{b} {x:g} vs {b}->{a} {y:g}"
                        for a, b, x, y in rows[["iso_o", "iso_d", column, f"{column}__back"]]
                        .head(EXAMPLES)
                        .itertuples(index=False)
                    ],
                }
            )
    return found


def _missing_gdp(gdp: pd.DataFrame, sample: set[str], years: Iterable[int]) -> list[Finding]:
    have = set(zip(gdp["iso3"].astype(str), gdp["year"].astype(int)))
    found = []
    for year in years:
        lacking = sorted(code for code in sample if (code, int(year)) not in have)
        if lacking:
            found.append({"year": int(year), "countries": len(lacking), "examples": lacking[:EXAMPLES]})
    return found


def _missing_distance(dist: pd.DataFrame, sample: set[str], domestic: bool) -> list[Finding]:
    have = set(zip(dist["iso_o"].astype(str), dist["iso_d"].astype(str)))
    lacking = sorted(f"{i}->{j}" for i in sample for j in sample if (i != j or domestic) and (i, j) not in have)
    return [{"input": "dist", "pairs": len(lacking), "examples": lacking[:EXAMPLES]}] if lacking else []


def merge_checks(
    *,
    exports: pd.DataFrame,
    gdp: pd.DataFrame,
    dist: pd.DataFrame,
    notifications: pd.DataFrame | None = None,
    domestic: bool = False,
) -> Findings:
    """The merge pitfalls of this sample's inputs: {kind: [finding, ...]} for every kind in KINDS.
    `exports` as read (reporter, partner, year, commodity, value), `gdp` long (iso3, year, gdp),
    `dist` as read (iso_o, iso_d, distance columns), `notifications` as read (optional). The
    sample is the countries that appear as reporters or partners in the years of the exports."""
    sample = set(exports["reporter"].astype(str)) | set(exports["partner"].astype(str))
    years = sorted(pd.to_numeric(exports["year"]).astype(int).unique())
    exported = _code_rows(exports, ["reporter", "partner"])
    inputs = [
        ("exports", exported),
        ("gdp", gdp["iso3"].astype(str).value_counts()),
        ("dist", _code_rows(dist, ["iso_o", "iso_d"])),
    ]
    in_gdp = gdp[gdp["iso3"].astype(str).isin(sample)]
    in_dist = dist[dist["iso_o"].astype(str).isin(sample) & dist["iso_d"].astype(str).isin(sample)]
    duplicates = (
        _duplicates("exports", exports, ["reporter", "partner", "year", "commodity"])
        + _duplicates("gdp", in_gdp, ["iso3", "year"])
        + _duplicates("dist", in_dist, ["iso_o", "iso_d"])
    )
    if notifications is not None and "symbol" in notifications.columns:
        duplicates += _duplicates("tbt", notifications.dropna(subset=["symbol"]), ["symbol"])
    return {
        "changed_codes": _changed(inputs, sample),
        "unknown_codes": [
            {"input": "exports", "code": code, "rows": int(rows)}
            for code, rows in exported.items()
            if not known_code(code) and changed_code(code) is None
        ],
        "duplicate_keys": duplicates,
        "asymmetric_pairs": _asymmetric(dist, sample),
        "missing_gdp": _missing_gdp(gdp, sample, years),
        "missing_distance": _missing_distance(dist, sample, domestic),
    }


def with_recoded(findings: Findings, recoded: list[Finding], exports: pd.DataFrame) -> Findings:
    """The findings with the codes analysis/pure/country_codes.py recoded before the merge: each
    listed under changed_codes (recoded: true, so a strict build still names it) and under
    recoded_codes. As in _changed, a retired code outside the exports counts only when its
    successor is in the sample."""
    sample = set(exports["reporter"].astype(str)) | set(exports["partner"].astype(str))
    listed = [
        {**f, "was": _name(f["now"]), "recoded": True} for f in recoded if f["input"] == "exports" or f["now"] in sample
    ]
    return {**findings, "changed_codes": listed + findings["changed_codes"], "recoded_codes": listed}


def counts(findings: Findings) -> dict[str, int]:
    """How much each kind found: codes, duplicated rows, pairs, country-years."""
    measure: dict[str, Callable[[Finding], int]] = {
        "changed_codes": lambda f: 1,
        "unknown_codes": lambda f: 1,
        "duplicate_keys": lambda f: f["rows"],
        "asymmetric_pairs": lambda f: f["pairs"],
        "missing_gdp": lambda f: f["countries"],
        "missing_distance": lambda f: f["pairs"],
    }
    return {kind: sum(measure[kind](f) for f in findings.get(kind, [])) for kind in KINDS}


def describe(findings: Findings) -> list[str]:
    """One English line per finding, for the command line and the error of a strict build."""
    lines = []
    for f in findings.get("changed_codes", []):
        recoded = f", recoded to {f['now']}" if f.get("recoded") else ""
        lines.append(
            f"{f['input']}: {f['code']} is the old code of {f['was']} (now {f['now']}), {f['rows']} rows{recoded}"
        )
    for f in findings.get("unknown_codes", []):
        lines.append(f"{f['input']}: {f['code']} is not a country code pycountry knows, {f['rows']} rows")
    for f in findings.get("duplicate_keys", []):
        lines.append(f"{f['input']}: {f['rows']} rows repeat a key ({f['key']}), e.g. {'; '.join(f['examples'][:3])}")
    for f in findings.get("asymmetric_pairs", []):
        lines.append(
            f"dist: {f['column']} differs by direction for {f['pairs']} pairs, e.g. {'; '.join(f['examples'][:3])}"
        )
    for f in findings.get("missing_gdp", []):
        lines.append(
            f"gdp: no GDP in {f['year']} for {f['countries']} countries of the sample ({', '.join(f['examples'])})"
        )
    for f in findings.get("missing_distance", []):
        lines.append(f"dist: no distance for {f['pairs']} pairs of the sample, e.g. {', '.join(f['examples'][:5])}")
    return lines


def raise_if_any(findings: Findings) -> None:
    """A strict build: any finding is an error."""
    lines = describe(findings)
    if lines:
        raise MergeCheckError("merge checks failed (strict):\n  " + "\n  ".join(lines))
