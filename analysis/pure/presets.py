"""Named specifications. Pure (analysis/pure): plain dicts, no Django. Column names follow the
panel builder (analysis/pure/panel_builder.py) for the study's presets, and the Yotov et al.
(2016) panel for the structural ones."""

import json
from collections.abc import Iterable
from typing import Any

from . import bounds
from .errors import SpecError, gettext_noop
from .estimators import ols, ppml

YOTOV_YEARS = [1986, 1990, 1994, 1998, 2002, 2006]
STATA_SSC = {"k_adj": False}  # reproduces Stata's ppml / reghdfe small-sample choices

# The study's Tables 9 and 10 (../shared/reference/paper_tables9_10_regressions.csv): log exports
# on FTA (or Depth x FTA), the importer's ln(1 + TBT stock), both GDPs and distance, with exporter,
# importer and year effects. `study_column` names the CSV row ("table.column") a spec replicates.
STUDY_CONTROLS = "ln_tbt_j + ln_gdp_i + ln_gdp_j + ln_dist"
STUDY_FE = "exporter + importer + year"
STUDY_RHS = f"{STUDY_CONTROLS} | {STUDY_FE}"
DEVELOPED = {"exporter_group": ["developed"]}
DEVELOPING = {"exporter_group": ["developing"]}
Spec = dict[str, Any]  # one specification (spec/schema.py checks its keys)


def _study(dependent: str, treatment: str, label: str, *, controls: str = STUDY_CONTROLS, **extra: Any) -> Spec:
    return {
        "estimator": ols.NAME,
        "formula": f"log({dependent}) ~ {treatment} + {controls} | {STUDY_FE}",
        "vcov": "hetero",
        "label": label,
        **extra,
    }


# The robustness check lags FTA (or Depth x FTA) and TBT one period (columns built by default by
# analysis/pure/panel_builder.py: STUDY_LAGS); GDP and distance stay as in Table 9.
LAGGED_CONTROLS = "ln_tbt_j_lag1 + ln_gdp_i + ln_gdp_j + ln_dist"

PRESETS: dict[str, list[Spec]] = {
    "study-table9": [
        _study("exports", "fta", gettext_noop("(1) total, FTA"), study_column="9.1"),
        _study("exports", "depth_fta", gettext_noop("(2) total, Depth x FTA"), study_column="9.2"),
        _study("hightech_exports", "fta", gettext_noop("(3) high-tech, FTA"), study_column="9.3"),
        _study("hightech_exports", "depth_fta", gettext_noop("(4) high-tech, Depth x FTA"), study_column="9.4"),
    ],
    # Table 10 splits Table 9's high-tech columns (3) and (4) by exporter: all four are high-tech.
    "study-table10": [
        _study(
            "hightech_exports",
            "fta",
            gettext_noop("(1) developed exporters, high-tech, FTA"),
            study_column="10.1",
            where=DEVELOPED,
        ),
        _study(
            "hightech_exports",
            "depth_fta",
            gettext_noop("(2) developed exporters, high-tech, Depth x FTA"),
            study_column="10.2",
            where=DEVELOPED,
        ),
        _study(
            "hightech_exports",
            "fta",
            gettext_noop("(3) developing exporters, high-tech, FTA"),
            study_column="10.3",
            where=DEVELOPING,
        ),
        _study(
            "hightech_exports",
            "depth_fta",
            gettext_noop("(4) developing exporters, high-tech, Depth x FTA"),
            study_column="10.4",
            where=DEVELOPING,
        ),
    ],
    # Table 9's four columns with FTA, Depth x FTA and TBT lagged one year; `robustness_of` names
    # the Table 9 column each one checks (the study prints no coefficients for these).
    "study-robustness": [
        _study("exports", "fta_lag1", gettext_noop("total, FTA lagged"), robustness_of="9.1", controls=LAGGED_CONTROLS),
        _study(
            "exports",
            "depth_fta_lag1",
            gettext_noop("total, Depth x FTA lagged"),
            robustness_of="9.2",
            controls=LAGGED_CONTROLS,
        ),
        _study(
            "hightech_exports",
            "fta_lag1",
            gettext_noop("high-tech, FTA lagged"),
            robustness_of="9.3",
            controls=LAGGED_CONTROLS,
        ),
        _study(
            "hightech_exports",
            "depth_fta_lag1",
            gettext_noop("high-tech, Depth x FTA lagged"),
            robustness_of="9.4",
            controls=LAGGED_CONTROLS,
        ),
    ],
    "structural-ppml": [
        {
            "estimator": ppml.NAME,
            "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "pair_id"},
            "ssc": STATA_SSC,
            "label": gettext_noop("structural PPML, pair clusters"),
        },
    ],
    "structural-ppml-bc": [
        {
            "estimator": ppml.NAME,
            "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "pair_id"},
            "ssc": STATA_SSC,
            "bias_correction": True,
            "label": gettext_noop("structural PPML, bias-corrected (Weidner & Zylkin)"),
        },
    ],
    "structural-ppml-twoway": [
        {
            "estimator": ppml.NAME,
            "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "exporter+importer"},
            "ssc": STATA_SSC,
            "label": gettext_noop("structural PPML, exporter and importer clusters"),
        },
    ],
    "yotov-table3": [
        {
            "estimator": ols.NAME,
            "formula": "log(trade) ~ ln_dist + cntg + lang + clny + rta | exporter^year + importer^year",
            "vcov": {"cluster": "pair_id"},
            "ssc": STATA_SSC,
            "exclude_domestic": True,
            "years": YOTOV_YEARS,
            "label": gettext_noop("(1) OLS"),
        },
        {
            "estimator": ppml.NAME,
            "formula": "trade ~ ln_dist + cntg + lang + clny + rta | exporter^year + importer^year",
            "vcov": {"cluster": "pair_id"},
            "ssc": STATA_SSC,
            "exclude_domestic": True,
            "years": YOTOV_YEARS,
            "label": gettext_noop("(2) PPML"),
        },
        {
            "estimator": ppml.NAME,
            "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
            "vcov": {"cluster": "pair_id"},
            "ssc": STATA_SSC,
            "years": YOTOV_YEARS,
            "label": gettext_noop("(4) PPML, pair effects"),
        },
    ],
}


# Every preset's label, for the pages that show them in their reader's language (stored runs
# keep the English label; analysis/templatetags/analysis_labels.py: preset_label).
PRESET_LABELS = frozenset(spec["label"] for specs in PRESETS.values() for spec in specs)
# The study presets by label: each names the published column it replicates ("table.column" of
# analysis/reference/study_tables9_10.csv), which analysis/pure/published.py shows beside ours.
STUDY_SPECS: dict[str, Spec] = {
    spec["label"]: spec for specs in PRESETS.values() for spec in specs if spec.get("study_column")
}


def preset(name: str, *, years: Iterable[int] | None = None) -> list[Spec]:
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(sorted(PRESETS))}")
    specs = [dict(spec) for spec in PRESETS[name]]
    if years:
        for spec in specs:
            spec["years"] = list(years)
    return specs


MAX_SPEC_TEXT = 100_000  # characters of JSON a user may paste or post


def parse_years(text: object) -> list[int] | None:
    """'1986, 1990' -> [1986, 1990]; an empty text -> None. Bad input is a SpecError naming it."""
    if text is None or not str(text).strip():
        return None
    years = []
    for item in str(text).split(","):
        item = item.strip()
        if not item:
            continue
        if not (item.isascii() and item.isdigit() and len(item) == 4):
            raise SpecError.of(
                gettext_noop("years: '%(item)s' is not a year (write e.g. 1986,1990,1994)"), item=item[:20]
            )
        years.append(int(item))
    return years or None


# What the JSON parser's messages mean, in words a researcher can act on (the parser's own words
# name Python's view of the text, not what to fix).
JSON_PROBLEMS = {
    "Expecting value": gettext_noop(
        "a value is missing or is not JSON (text goes in double quotes, true/false/null in lower case)"
    ),
    "Expecting property name enclosed in double quotes": gettext_noop(
        "a key must be in double quotes, and no comma may follow the last item"
    ),
    "Expecting ',' delimiter": gettext_noop("a comma is missing between two items"),
    "Expecting ':' delimiter": gettext_noop("a colon is missing after a key"),
    "Unterminated string starting at": gettext_noop("a text is not closed by a double quote"),
    "Extra data": gettext_noop("there is more after the end of the specification"),
    "Invalid control character at": gettext_noop("a text contains a line break or tab; write it as \\n or \\t"),
}


def json_problem(parser_message: str) -> SpecError:
    """The JSON parser's complaint as a SpecError in plain words."""
    return SpecError.of(JSON_PROBLEMS.get(parser_message, gettext_noop("the text is not JSON as written")))


def specs_from(
    *, spec: object = None, preset_name: str | None = None, years: str | Iterable[int] | None = None
) -> list[Any]:
    """The specifications a page, the API or the command line asked for: `spec` (JSON text, a
    dict or a list of dicts) wins over `preset_name`; `years` (text or list) applies to a preset.
    Only parsing here: spec/schema.py's validate_specs checks every key and the formula grammar."""
    if isinstance(spec, str) and spec.strip():
        if len(spec) > MAX_SPEC_TEXT:
            raise SpecError.of(
                gettext_noop("the specification is longer than %(max)s characters"), max=f"{MAX_SPEC_TEXT:,}"
            )
        try:
            spec = bounds.json_loads(spec, "spec")  # depth bounded, numbers finite (BoundsError)
        except json.JSONDecodeError as exc:
            raise SpecError.of(
                gettext_noop("the specification is not valid JSON: %(problem)s (line %(line)s, column %(column)s)"),
                problem=json_problem(exc.msg),
                line=exc.lineno,
                column=exc.colno,
            ) from None
    if spec not in (None, ""):
        if isinstance(spec, dict):
            return [spec]
        if isinstance(spec, list):
            return spec
        raise SpecError.of(gettext_noop("a specification is a JSON object {...} or a list of them [{...}, {...}]"))
    if not preset_name:
        raise SpecError.of(gettext_noop("give a specification or choose a preset"))
    if preset_name not in PRESETS:
        raise SpecError.of(
            gettext_noop("unknown preset '%(name)s'; presets: %(presets)s"),
            name=str(preset_name)[:50],
            presets=", ".join(sorted(PRESETS)),
        )
    if isinstance(years, str) or years is None:
        years = parse_years(years)
    return preset(preset_name, years=years)
