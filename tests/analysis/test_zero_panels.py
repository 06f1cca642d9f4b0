"""Zero-filled panels, merge checks and numeric checks of the panel builder (pure, small inputs
with known answers)."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from analysis.pure import gravity, merge_checks, panel_inputs
from analysis.pure import panel_builder as builder

COUNTRIES = ["CHN", "DEU", "JPN", "KOR", "USA"]
YEARS = [2010, 2011, 2012, 2013, 2014]
EIF = {("CHN", "KOR"): 2012, ("KOR", "CHN"): 2012, ("USA", "KOR"): 2011, ("KOR", "USA"): 2011}


def world(seed=7):
    """Flows for every ordered pair and year, then a quarter of the pair-years left unreported."""
    rng = np.random.default_rng(seed)
    gdp = {(c, t): float(rng.uniform(1e11, 1e13)) for c in COUNTRIES for t in YEARS}
    position = {c: rng.uniform(0, 10_000, 2) for c in COUNTRIES}
    dist = {(i, j): float(np.hypot(*(position[i] - position[j])) + 100) for i in COUNTRIES for j in COUNTRIES}
    flows = {}
    for i, j, t in itertools.product(COUNTRIES, COUNTRIES, YEARS):
        if i != j and rng.uniform() > 0.25:
            flows[(i, j, t)] = float(np.exp(rng.normal(0, 1)) * gdp[(i, t)] ** 0.5 / dist[(i, j)])
    return gdp, dist, flows


def frames(gdp, dist, flows):
    exports = pd.DataFrame(
        [
            (i, j, t, code, v * share)
            for (i, j, t), v in flows.items()
            for code, share in (("7764", 0.75), ("0111", 0.25))
        ],
        columns=["reporter", "partner", "year", "commodity", "value"],
    )
    gdp_frame = pd.DataFrame([(c, t, v) for (c, t), v in gdp.items()], columns=["Country Code", "Year", "Value"])
    dist_frame = pd.DataFrame([(i, j, d) for (i, j), d in dist.items()], columns=["iso_o", "iso_d", "dist"])
    dyads = pd.DataFrame([(i, j, t, 5) for (i, j), t in EIF.items()], columns=["iso3_i", "iso3_j", "year", "depth"])
    return dict(exports=exports, gdp=gdp_frame, dist=dist_frame, dyads=dyads)


SPEC = {
    "estimator": "ppml",
    "formula": "exports ~ fta + ln_gdp_i + ln_gdp_j + ln_dist | exporter + importer + year",
    "vcov": "hetero",
}


def test_missing_flows_become_zeros_and_ppml_uses_them():
    # Given flows missing for a quarter of the pair-years
    gdp, dist, flows = world()
    n_grid = len(COUNTRIES) * (len(COUNTRIES) - 1) * len(YEARS)
    assert 0 < len(flows) < n_grid
    # When the panel is built (zeros by default)
    prepared = builder.prepare_inputs(**{k: v for k, v in frames(gdp, dist, flows).items() if k != "dyads"})
    panel = builder.panel_from(prepared, frames(gdp, dist, flows)["dyads"])
    # Then every pair-year is a row, the missing ones 0 and flagged unreported
    assert len(panel) == n_grid and prepared.zeros_added == n_grid - len(flows)
    assert int(panel["reported"].sum()) == len(flows) and (panel.loc[panel["reported"] == 0, "exports"] == 0).all()
    summary = builder.panel_summary(panel, prepared)
    assert summary["zeros_added"] == n_grid - len(flows) and summary["reported_rows"] == len(flows)
    # And PPML counts the zeros among its observations
    ours = gravity.fit(gravity.prepare_panel(panel), SPEC)
    assert ours["n_obs"] == n_grid
    # And gives what pyfixest gives on a zero-filled frame built independently, row by row
    rows = [
        {
            "exporter": i,
            "importer": j,
            "year": t,
            "exports": flows.get((i, j, t), 0.0),
            "fta": int((i, j) in EIF and t >= EIF[(i, j)]),
            "ln_gdp_i": np.log(gdp[(i, t)]),
            "ln_gdp_j": np.log(gdp[(j, t)]),
            "ln_dist": np.log(dist[(i, j)]),
        }
        for i, j, t in itertools.product(COUNTRIES, COUNTRIES, YEARS)
        if i != j
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's pandas deprecation notices
        direct = pf.fepois(SPEC["formula"], data=pd.DataFrame(rows), vcov="hetero")
    assert n_grid == direct._N
    for name in ("fta", "ln_gdp_i", "ln_dist"):
        assert ours["coefficients"][name]["estimate"] == pytest.approx(float(direct.coef()[name]), abs=1e-6)
    # Reported flows only (for OLS): PPML then sees fewer observations
    reported = builder.build_panel(**frames(gdp, dist, flows), zeros=False)
    assert len(reported) == len(flows) and gravity.fit(gravity.prepare_panel(reported), SPEC)["n_obs"] == len(flows)


def test_domestic_pairs_only_when_asked():
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    inputs["exports"] = pd.concat(
        [inputs["exports"], pd.DataFrame([("CHN", "CHN", 2010, "0111", 500.0)], columns=inputs["exports"].columns)]
    )
    without = builder.build_panel(**inputs)
    assert not (without["exporter"] == without["importer"]).any()
    with_domestic = builder.build_panel(**inputs, domestic=True)
    home = with_domestic[with_domestic["exporter"] == with_domestic["importer"]].set_index(["exporter", "year"])
    assert len(home) == len(COUNTRIES) * len(YEARS)
    assert home.loc[("CHN", 2010), "exports"] == 500.0 and home.loc[("CHN", 2011), "exports"] == 0.0
    assert home.loc[("CHN", 2010), "reported"] == 1 and home.loc[("DEU", 2010), "reported"] == 0


def pitfalls():
    """Romania as ROU in the exports and ROM in CEPII's distances, a duplicated Comtrade row, a
    GDP row twice, a distance that differs by direction, GDP missing for 2014, an unknown code."""
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    exports = inputs["exports"]
    extra = pd.DataFrame(
        [("ROU", "CHN", 2012, "0111", 10.0), ("CHN", "XYZ", 2012, "0111", 1.0)], columns=exports.columns
    )
    exports = pd.concat([exports, extra, exports.iloc[[0]]], ignore_index=True)
    dist_frame = pd.concat(
        [
            inputs["dist"],
            pd.DataFrame([("ROM", "CHN", 7000.0), ("CHN", "ROM", 7000.0)], columns=["iso_o", "iso_d", "dist"]),
        ],
        ignore_index=True,
    )
    dist_frame.loc[(dist_frame.iso_o == "CHN") & (dist_frame.iso_d == "KOR"), "dist"] += 5.0
    gdp_frame = inputs["gdp"]
    gdp_frame = pd.concat([gdp_frame[gdp_frame["Year"] != 2014], gdp_frame.iloc[[0]]], ignore_index=True)
    return dict(exports=exports, gdp=gdp_frame, dist=dist_frame, dyads=inputs["dyads"])


def test_merge_checks_list_the_pitfalls_with_counts():
    inputs = pitfalls()
    prepared = builder.prepare_inputs(**{k: v for k, v in inputs.items() if k != "dyads"})
    checks = prepared.checks
    assert {(f["input"], f["code"], f["now"]) for f in checks["changed_codes"]} == {("dist", "ROM", "ROU")}
    assert [(f["input"], f["code"]) for f in checks["unknown_codes"]] == [("exports", "XYZ")]
    duplicated = {f["input"]: f for f in checks["duplicate_keys"]}
    assert duplicated["exports"]["rows"] == 1 and duplicated["gdp"]["rows"] == 1 and "dist" not in duplicated
    assert duplicated["exports"]["key"] == "reporter, partner, year, commodity"
    assert [(f["column"], f["pairs"]) for f in checks["asymmetric_pairs"]] == [("dist", 1)]
    assert "CHN->KOR" in checks["asymmetric_pairs"][0]["examples"][0]
    missing = {f["year"]: f for f in checks["missing_gdp"]}
    assert missing[2014]["countries"] == 7 and set(missing) == {2010, 2011, 2012, 2013, 2014}  # ROU and XYZ have none
    # XYZ to and from the 5 others and ROU, and ROU to and from 4 of the others: ROU-CHN has its
    # distance, CEPII's ROM recoded to ROU before the merge
    assert checks["missing_distance"][0]["pairs"] == 4 * 5 + 2 - 2
    assert [(f["input"], f["code"], f["now"], f["rows"]) for f in checks["recoded_codes"]] == [
        ("dist", "ROM", "ROU", 2)
    ]
    counts = merge_checks.counts(checks)
    assert counts["changed_codes"] == 1 and counts["duplicate_keys"] == 2 and counts["asymmetric_pairs"] == 1
    summary = builder.panel_summary(builder.panel_from(prepared, inputs["dyads"]), prepared)
    assert summary["checks"]["counts"] == counts and summary["checks"]["changed_codes"][0]["code"] == "ROM"
    assert any("ROM is the old code of Romania (now ROU)" in line for line in merge_checks.describe(checks))
    # Strict: the same findings are an error that lists them
    with pytest.raises(builder.MergeCheckError, match=r"(?s)strict.*ROM.*XYZ.*reporter, partner"):
        builder.build_panel(**inputs, strict=True)
    # Clean inputs pass strict
    gdp, dist, flows = world()
    assert len(builder.build_panel(**frames(gdp, dist, flows), strict=True)) == 100


def test_retired_codes_outside_the_sample_are_not_findings():
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    inputs["dist"] = pd.concat(
        [inputs["dist"], pd.DataFrame([("YUG", "ZAR", 1.0)], columns=["iso_o", "iso_d", "dist"])]
    )
    assert builder.prepare_inputs(**{k: v for k, v in inputs.items() if k != "dyads"}).checks["changed_codes"] == []


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("year", "2014.5", r"exports \(comtrade\.csv\), line 4, column year: '2014\.5' is not a whole year"),
        ("year", None, r"exports \(comtrade\.csv\), line 4, column year: the year is empty"),
        ("year", "twenty", r"line 4, column year: 'twenty' is not a year"),
        ("value", -3.0, r"line 4, column value: -3\.0 is negative; trade values are >= 0"),
        ("value", None, r"line 4, column value: the trade value is empty"),
    ],
)
def test_numeric_checks_name_file_line_and_column(column, value, message):
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    inputs["exports"] = inputs["exports"].astype({column: object})
    inputs["exports"].loc[2, column] = value  # data row 3 is line 4 of the file (line 1 is the header)
    with pytest.raises(builder.PanelInputError, match=message):
        builder.build_panel(**inputs, names={"exports": "comtrade.csv"})


def test_inputs_need_rows_and_whole_gdp_years(tmp_path):
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    with pytest.raises(builder.PanelInputError, match=r"dist \(d\.csv\): no rows"):
        builder.build_panel(**{**inputs, "dist": inputs["dist"].iloc[:0]}, names={"dist": "d.csv"})
    # A WDI download: the error's line counts the preamble the reader skipped
    path = tmp_path / "wdi.csv"
    path.write_text(
        '"Data Source","WDI",\n\n"Country Name","Country Code","Year","Value"\n"China","CHN","2010","1e13"\n'
        '"China","CHN","20x1","1e13"\n',
        encoding="utf-8",
    )
    with pytest.raises(builder.PanelInputError, match=r"gdp \(wdi\.csv\), line 5, column Year: '20x1' is not a year"):
        builder.build_panel(**{**inputs, "gdp": panel_inputs.read_input("gdp", path)}, names={"gdp": "wdi.csv"})
