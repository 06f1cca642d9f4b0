"""Named specifications. Column names follow the panel builder (analysis/panel.py) for the
study's presets, and the Yotov et al. (2016) panel for the structural ones."""
YOTOV_YEARS = [1986, 1990, 1994, 1998, 2002, 2006]
STATA_SSC = {"k_adj": False}  # reproduces Stata's ppml / reghdfe small-sample choices

STUDY_RHS = "ln_tbt_j + ln_gdp_i + ln_gdp_j + ln_dist | exporter + importer + year"


def _study(dependent, treatment, label, **extra):
    return {"estimator": "ols", "formula": f"log({dependent}) ~ {treatment} + {STUDY_RHS}", "vcov": "hetero",
            "label": label, **extra}


PRESETS = {
    "study-table9": [
        _study("exports", "fta", "(1) total, FTA"),
        _study("exports", "depth_fta", "(2) total, Depth x FTA"),
        _study("hightech_exports", "fta", "(3) high-tech, FTA"),
        _study("hightech_exports", "depth_fta", "(4) high-tech, Depth x FTA"),
    ],
    "study-table10": [
        _study("exports", "depth_fta", "developed exporters", where={"exporter_group": ["developed"]}),
        _study("exports", "depth_fta", "developing exporters", where={"exporter_group": ["developing"]}),
        _study("hightech_exports", "depth_fta", "developed, high-tech", where={"exporter_group": ["developed"]}),
        _study("hightech_exports", "depth_fta", "developing, high-tech", where={"exporter_group": ["developing"]}),
    ],
    "study-robustness": [
        {"estimator": "ols", "formula": "log(exports) ~ fta_lag1 + ln_tbt_j_lag1 + ln_gdp_i + ln_gdp_j + ln_dist | exporter + importer + year",
         "vcov": "hetero", "label": "total, FTA lagged"},
        {"estimator": "ols", "formula": "log(exports) ~ depth_fta_lag1 + ln_tbt_j_lag1 + ln_gdp_i + ln_gdp_j + ln_dist | exporter + importer + year",
         "vcov": "hetero", "label": "total, Depth x FTA lagged"},
    ],
    "structural-ppml": [
        {"estimator": "ppml", "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
         "vcov": {"cluster": "pair_id"}, "ssc": STATA_SSC, "label": "structural PPML, pair clusters"},
    ],
    "structural-ppml-twoway": [
        {"estimator": "ppml", "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
         "vcov": {"cluster": "exporter+importer"}, "ssc": STATA_SSC,
         "label": "structural PPML, exporter and importer clusters"},
    ],
    "yotov-table3": [
        {"estimator": "ols", "formula": "log(trade) ~ ln_dist + cntg + lang + clny + rta | exporter^year + importer^year",
         "vcov": {"cluster": "pair_id"}, "ssc": STATA_SSC, "exclude_domestic": True, "years": YOTOV_YEARS, "label": "(1) OLS"},
        {"estimator": "ppml", "formula": "trade ~ ln_dist + cntg + lang + clny + rta | exporter^year + importer^year",
         "vcov": {"cluster": "pair_id"}, "ssc": STATA_SSC, "exclude_domestic": True, "years": YOTOV_YEARS, "label": "(2) PPML"},
        {"estimator": "ppml", "formula": "trade ~ rta | exporter^year + importer^year + pair_id",
         "vcov": {"cluster": "pair_id"}, "ssc": STATA_SSC, "years": YOTOV_YEARS, "label": "(4) PPML, pair effects"},
    ],
}


def preset(name, *, years=None):
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r}; presets: {', '.join(sorted(PRESETS))}")
    specs = [dict(spec) for spec in PRESETS[name]]
    if years:
        for spec in specs:
            spec["years"] = list(years)
    return specs
