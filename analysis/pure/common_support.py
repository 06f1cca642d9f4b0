"""Common support of a sensitivity run: which treaties every source codes, and how many treaties
and pair-years stand behind each treaty-level regressor of a panel. Pure (analysis/pure): pandas
only, no Django.

Why: two sources of codes often differ more in which treaties they code than in how they code
them. The study codes 11 of China's FTAs, DESTA 2.1 some 800 agreements; an FTA dummy built from
the study's codes can be 1 on two pair-years, so its Depth x FTA coefficient is identified by one
treaty. Restricting every source to the treaties all of them code compares coding with coding,
and counting the treaties behind each regressor says when an estimate rests on too few.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from . import country_codes

MIN_TREATIES = 5  # fewer treaties than this behind a regressor: the page and the output warn
TREATY_LEVEL = re.compile(r"^(?P<base>fta|depth_fta)(?:_(?P<kind>lag|lead)(?P<n>\d+))?$")


def common_agreements(coded: Mapping[str, Iterable[Any]]) -> tuple[list[Any], dict[str, int]]:
    """(the agreement ids every source in `coded` ({source: ids it codes}) codes, sorted; per
    source, how many of its agreements are outside that common set and so left out)."""
    sets = {source: set(ids) for source, ids in coded.items()}
    common = set.intersection(*sets.values()) if sets else set()
    return sorted(common), {source: len(ids - common) for source, ids in sets.items()}


def _treaty_columns(panel: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(column, base, year offset) of each treaty-level regressor in the panel: fta and depth_fta
    and their lags (the treaty in force k years earlier) and leads (k years later)."""
    found = []
    for column in panel.columns:
        match = TREATY_LEVEL.match(str(column))
        if match:
            k = int(match["n"] or 0)
            found.append((str(column), match["base"], -k if match["kind"] == "lag" else k))
    return found


def regressor_support(
    panel: pd.DataFrame, dyads: pd.DataFrame, *, min_treaties: int = MIN_TREATIES
) -> list[dict[str, Any]]:
    """Per treaty-level regressor of `panel` (fta, depth_fta, their lags and leads): the
    pair-years with FTA = 1 behind it (for Depth x FTA: with the depth known) and the number of
    distinct treaties in force on them, from the release's `dyads` (iso3_i, iso3_j, year of entry
    into force, agreement_id, depth; release_frame's dyad shape). `few` is True when fewer than
    `min_treaties` treaties identify it."""
    dyads, _found = country_codes.recode(dyads, "dyads", ["iso3_i", "iso3_j"], year="year")  # as panel_from does
    treaties = dyads.dropna(subset=["year"]).rename(columns={"iso3_i": "exporter", "iso3_j": "importer", "year": "eif"})
    out = []
    for column, base, offset in _treaty_columns(panel):
        fta_column = column.replace("depth_fta", "fta", 1) if base == "depth_fta" else column
        active = panel[fta_column] == 1 if fta_column in panel.columns else panel[column].notna()
        if base == "depth_fta":
            active &= panel[column].notna()
        rows = panel.loc[active, ["exporter", "importer", "year"]]
        rows = rows.assign(at=rows["year"] + offset)
        merged = rows.merge(
            treaties[["exporter", "importer", "eif", "agreement_id", "depth"]], on=["exporter", "importer"]
        )
        behind = merged[merged["eif"] <= merged["at"]]
        if base == "depth_fta":
            behind = behind[behind["depth"].notna()]
        n_treaties = int(behind["agreement_id"].nunique())
        out.append(
            {
                "regressor": column,
                "n_treaties": n_treaties,
                "n_pair_years": int(active.sum()),
                "few": n_treaties < min_treaties,
            }
        )
    return out


def describe(support: Mapping[str, Any], min_treaties: int = MIN_TREATIES) -> str | None:
    """The warning for one regressor's support in words (English: the command's output), or None."""
    if not support.get("few"):
        return None
    n = support["n_treaties"]
    return (
        f"{support['regressor']} rests on {n} {'treaty' if n == 1 else 'treaties'} "
        f"({support['n_pair_years']} pair-years with FTA = 1), fewer than {min_treaties}: "
        "its coefficient says little beyond those treaties"
    )
