"""The study's presets against the study's own regression table (reference CSV)."""

import pandas as pd
import pytest

from analysis.pure.presets import PRESETS
from analysis.pure.spec.schema import parse_formula
from tests.conftest import SHARED, require_shared

# The CSV's names -> the panel builder's columns (analysis/panel.py).
DEPENDENT = {"total exports": "log(exports)", "high-tech exports": "log(hightech_exports)"}
REGRESSORS = {
    "FTA": "fta",
    "Depth_x_FTA": "depth_fta",
    "TBT_j": "ln_tbt_j",
    "lnGDP_i": "ln_gdp_i",
    "lnGDP_j": "ln_gdp_j",
    "lnDis": "ln_dist",
}
SAMPLE = {
    "all": None,
    "developed exporters": {"exporter_group": ["developed"]},
    "developing exporters": {"exporter_group": ["developing"]},
}
FIXED = ["exporter", "importer", "year"]  # the BRIEF: exporter, importer and year effects


@pytest.fixture
def study_columns():
    path = require_shared(SHARED / "reference" / "paper_tables9_10_regressions.csv")
    table = pd.read_csv(path)
    out = {}
    for _, row in table.iterrows():
        # A regressor is in a column when the study prints its coefficient there.
        regressors = sorted(REGRESSORS[name] for name in REGRESSORS if pd.notna(row[name]))
        out[f"{row['table']}.{row['column']}"] = (DEPENDENT[row["dependent"]], regressors, SAMPLE[row["sample"]])
    return out


def spec_shape(spec):
    dependent, regressors, fixed = parse_formula(spec["formula"])
    return dependent, sorted(regressors), spec.get("where"), fixed


@pytest.mark.parametrize("name, table", [("study-table9", 9), ("study-table10", 10)])
def test_study_presets_are_the_studys_columns(study_columns, name, table):
    specs = PRESETS[name]
    # Every column of the table, once, in order
    assert [spec["study_column"] for spec in specs] == sorted(
        (k for k in study_columns if k.startswith(f"{table}.")), key=lambda k: int(k.split(".")[1])
    )
    for spec in specs:
        dependent, regressors, where, fixed = spec_shape(spec)
        assert (dependent, regressors, where) == study_columns[spec["study_column"]], spec["label"]
        assert fixed == FIXED and spec["estimator"] == "ols"


def test_table10_is_high_tech_by_exporter_group(study_columns):
    # The finding: the preset had total exports in 10.1-10.2 and no FTA columns at all.
    dependents = {spec_shape(s)[0] for s in PRESETS["study-table10"]}
    treatments = [spec_shape(s)[1] for s in PRESETS["study-table10"]]
    assert dependents == {"log(hightech_exports)"}
    assert sum("fta" in t for t in treatments) == 2 and sum("depth_fta" in t for t in treatments) == 2


def test_robustness_is_table9_with_fta_depth_and_tbt_lagged(study_columns):
    lagged = {"fta": "fta_lag1", "depth_fta": "depth_fta_lag1", "ln_tbt_j": "ln_tbt_j_lag1"}
    specs = PRESETS["study-robustness"]
    assert [s["robustness_of"] for s in specs] == ["9.1", "9.2", "9.3", "9.4"]
    for spec in specs:
        dependent, regressors, where, fixed = spec_shape(spec)
        study_dependent, study_regressors, study_where = study_columns[spec["robustness_of"]]
        assert dependent == study_dependent and where == study_where and fixed == FIXED
        assert regressors == sorted(lagged.get(r, r) for r in study_regressors), spec["label"]
