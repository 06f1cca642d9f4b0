"""What the panel's columns and a table's coefficients are called: a short label per variable
(English, marked for translation; pages show it in the reader's language through
analysis/templatetags/analysis_labels.py: variable_label) and a longer English description for
the variable labels of every Stata file the workbench writes, fitted to Stata's 80 characters
without cutting a word. Pure (analysis/pure): no Django."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import gettext_noop

STATA_LABEL_LIMIT = 80  # characters of a Stata variable or data label

# Short names of the study's and Yotov's variables, as a regression table shows a coefficient.
VARIABLE_LABELS: dict[str, str] = {
    "fta": gettext_noop("FTA"),
    "depth": gettext_noop("Depth"),
    "depth_fta": gettext_noop("Depth x FTA"),
    "rta": gettext_noop("RTA"),
    "ln_dist": gettext_noop("ln distance"),
    "dist": gettext_noop("Distance"),
    "cntg": gettext_noop("Contiguity"),
    "lang": gettext_noop("Common language"),
    "clny": gettext_noop("Colonial tie"),
    "ln_tbt_j": gettext_noop("ln(1 + TBT stock), importer"),
    "tbt_stock_j": gettext_noop("TBT stock, importer"),
    "ln_gdp_i": gettext_noop("ln GDP, exporter"),
    "ln_gdp_j": gettext_noop("ln GDP, importer"),
    "gdp_i": gettext_noop("GDP, exporter"),
    "gdp_j": gettext_noop("GDP, importer"),
    "exports": gettext_noop("Exports"),
    "hightech_exports": gettext_noop("High-tech exports"),
    "trade": gettext_noop("Trade"),
}
LAG_LABEL = gettext_noop("%(label)s (lag %(n)s)")
LEAD_LABEL = gettext_noop("%(label)s (lead %(n)s)")
SHIFTED = re.compile(r"^(?P<base>\w+?)_(?P<kind>lag|lead)(?P<n>\d+)$")

# Longer English descriptions for data files (Stata variable labels); the rest use the short label.
DESCRIPTIONS: dict[str, str] = {
    "exporter": "exporter (ISO3 code)",
    "importer": "importer (ISO3 code)",
    "year": "year",
    "pair_id": "country pair (exporter_importer)",
    "reported": "1 = flow reported, 0 = no flow reported (a zero added to the panel)",
    "exports": "exports from exporter to importer, all products",
    "hightech_exports": "high-tech exports from exporter to importer (the study's SITC Rev. 3 codes)",
    "trade": "trade flow from exporter to importer",
    "fta": "1 = a free trade agreement between the pair is in force this year",
    "depth": "depth score of the deepest agreement in force (missing before any)",
    "depth_se": "standard error of the latent depth score (posterior SD, IRT)",
    "depth_fta": "depth x FTA: 0 without an agreement in force, the depth with one",
    "rta": "1 = a regional trade agreement between the pair is in force this year",
    "dist": "distance between the pair",
    "ln_dist": "log of the distance between the pair",
    "cntg": "1 = the pair shares a border (contiguity)",
    "lang": "1 = the pair shares an official language",
    "clny": "1 = the pair ever had a colonial relationship",
    "tbt_stock_j": "importer's stock of TBT notifications",
    "ln_tbt_j": "log of 1 + the importer's stock of TBT notifications",
    "gdp_i": "exporter's GDP",
    "gdp_j": "importer's GDP",
    "ln_gdp_i": "log of the exporter's GDP",
    "ln_gdp_j": "log of the importer's GDP",
    "exporter_group": "exporter developed or developing (the study's grouping)",
    "tier": "depth tier of the agreement",
}

# A release's and a panel's tiers, as Stata stores them: a number with a value label.
TIER_CODES: dict[str, int] = {"first": 1, "second": 2, "third": 3}


def fit_label(text: str, limit: int = STATA_LABEL_LIMIT) -> str:
    """`text` in at most `limit` characters, cut between words (never inside one) and without a
    dangling comma or colon; a single word longer than the limit is the only thing ever cut."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rfind(" ")
    shortened = head[:cut] if cut > 0 else text[:limit]
    return shortened.rstrip(" ,;:-(")


def short_label(name: str) -> str | None:
    """The English short label of a variable, lags and leads included ("fta_lag1": "FTA (lag 1)"),
    or None for a name without one."""
    if name in VARIABLE_LABELS:
        return VARIABLE_LABELS[name]
    shifted = SHIFTED.match(name)
    if shifted and shifted["base"] in VARIABLE_LABELS:
        pattern = LAG_LABEL if shifted["kind"] == "lag" else LEAD_LABEL
        return pattern % {"label": VARIABLE_LABELS[shifted["base"]], "n": shifted["n"]}
    return None


def description(name: str) -> str:
    """A variable's English description for a data file, at most 80 characters, never empty."""
    shifted = SHIFTED.match(name)
    if name not in DESCRIPTIONS and shifted and shifted["base"] in DESCRIPTIONS:
        when = "a year before" if shifted["kind"] == "lag" else "a year ahead"
        count = int(shifted["n"])
        years = when if count == 1 else f"{count} years {'before' if shifted['kind'] == 'lag' else 'ahead'}"
        return fit_label(f"{DESCRIPTIONS[shifted['base']]}, {years}")
    return fit_label(DESCRIPTIONS.get(name) or short_label(name) or name)


def stata_labels(columns: Iterable[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """A variable label for every column: `known` first (e.g. a codebook's questions), else the
    description; each fitted to Stata's 80 characters between words."""
    known = known or {}
    return {c: fit_label(known[c]) if c in known else description(c) for c in columns}


def tier_codes(names: Iterable[object]) -> dict[str, int]:
    """Tier name -> its number: first 1, second 2, third 3, any other name after them in order."""
    codes = dict(TIER_CODES)
    for name in sorted({str(n) for n in names if isinstance(n, str) and n and n not in codes}):
        codes[name] = max(codes.values()) + 1
    return codes
