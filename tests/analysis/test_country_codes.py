"""Country codes (issue 22, item 4): retired and variant ISO3 codes recoded before the merge."""

import pandas as pd

from analysis.pure import country_codes, merge_checks
from analysis.pure import panel_builder as builder
from tests.analysis.test_zero_panels import frames, world


def romania_as_rom():
    """The test world with CHN renamed: Romania, ROM in the exports and distances, ROU in the GDP."""
    gdp, dist, flows = world()
    inputs = frames(gdp, dist, flows)
    for kind, columns in (("exports", ["reporter", "partner"]), ("dist", ["iso_o", "iso_d"])):
        inputs[kind][columns] = inputs[kind][columns].replace("CHN", "ROM")
    inputs["gdp"]["Country Code"] = inputs["gdp"]["Country Code"].replace("CHN", "ROU")
    inputs["dyads"][["iso3_i", "iso3_j"]] = inputs["dyads"][["iso3_i", "iso3_j"]].replace("CHN", "ROU")
    return inputs


def test_romania_as_rom_and_rou_merges_without_dropping_a_row():
    gdp, dist, flows = world()
    reference = builder.build_panel(**frames(gdp, dist, flows))
    inputs = romania_as_rom()
    prepared = builder.prepare_inputs(**{k: v for k, v in inputs.items() if k != "dyads"})
    panel = builder.panel_from(prepared, inputs["dyads"])
    assert len(panel) == len(reference) == 100
    romania = panel[panel["exporter"] == "ROU"]
    assert len(romania) == 20 and romania["gdp_i"].notna().all() and romania["ln_dist"].notna().all()
    assert "ROM" not in set(panel["exporter"]) | set(panel["importer"])
    # Same GDP, distance and FTA as the world where the code never changed
    china = reference[reference["exporter"] == "CHN"].reset_index(drop=True)
    assert romania["gdp_i"].tolist() == china["gdp_i"].tolist() and romania["fta"].tolist() == china["fta"].tolist()
    # The build summary lists what was recoded, with the rows (every ROM row of each input)
    summary = builder.panel_summary(panel, prepared)
    recoded = {(f["input"], f["code"], f["now"]): f["rows"] for f in summary["checks"]["recoded_codes"]}
    n_exports = int(((inputs["exports"]["reporter"] == "ROM") | (inputs["exports"]["partner"] == "ROM")).sum())
    assert recoded == {("exports", "ROM", "ROU"): n_exports, ("dist", "ROM", "ROU"): 9}  # 4 to, 4 from, 1 domestic
    assert summary["checks"]["missing_gdp"] == [] and summary["checks"]["missing_distance"] == []
    assert any(
        "ROM is the old code of Romania (now ROU)" in line and "recoded to ROU" in line
        for line in merge_checks.describe(prepared.checks)
    )


def test_a_row_under_the_current_code_wins_over_its_recoded_twin():
    gdp = pd.DataFrame({"iso3": ["ROU", "ROM", "ROM"], "year": [2010, 2010, 2011], "gdp": [1.0, 2.0, 3.0]})
    frame, found = country_codes.recode(gdp, "gdp", ["iso3"], year="year", key=["iso3", "year"])
    assert frame.values.tolist() == [["ROU", 2010, 1.0], ["ROU", 2011, 3.0]]
    assert found == [{"input": "gdp", "code": "ROM", "now": "ROU", "rows": 2, "superseded": 1}]


def test_yugoslavia_is_serbia_only_in_the_years_it_meant_serbia_and_montenegro():
    gdp = pd.DataFrame(
        {"iso3": ["YUG", "YUG", "SCG", "ZAR", "CSK", "XYZ"], "year": [1990, 2000, 2005, 1995, 1990, 2000]}
    )
    frame, found = country_codes.recode(gdp, "gdp", ["iso3"], year="year")
    assert frame["iso3"].tolist() == ["YUG", "SRB", "SRB", "COD", "CSK", "XYZ"]  # splits and unknowns untouched
    assert sorted((f["code"], f["rows"]) for f in found) == [("SCG", 1), ("YUG", 1), ("ZAR", 1)]


def test_unknown_and_split_codes_are_still_flagged():
    inputs = romania_as_rom()
    extra = pd.DataFrame(
        [("ROM", "XYZ", 2012, "0111", 1.0), ("CSK", "KOR", 2012, "0111", 1.0)], columns=inputs["exports"].columns
    )
    inputs["exports"] = pd.concat([inputs["exports"], extra], ignore_index=True)
    checks = builder.prepare_inputs(**{k: v for k, v in inputs.items() if k != "dyads"}).checks
    assert [f["code"] for f in checks["unknown_codes"]] == ["XYZ"]
    changed = {f["code"]: f.get("recoded", False) for f in checks["changed_codes"]}
    assert changed == {"ROM": True, "CSK": False}
