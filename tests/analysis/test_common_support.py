"""Sensitivity on common support: every source restricted to the treaties all sources code, the
treaties left out counted per source, and per treaty-level regressor the treaties and pair-years
with FTA = 1 behind it, with a warning under 5 treaties; releases restricted to a list."""

from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from analysis.models import DatasetRelease
from analysis.pure.common_support import common_agreements, describe, regressor_support
from analysis.selectors.sensitivity import sensitivity_output
from analysis.services.sensitivity import sensitivity_run_create
from coding.services.users import reference_coder_get_or_create
from tests.analysis.test_sensitivity import SPEC, code, setting  # noqa: F401 - the fixture
from tests.factories import AgreementFactory


def test_common_agreements_and_what_each_source_loses():
    common, left_out = common_agreements({"DESTA 2.1": [1, 2, 3, 4, 5], "the study": [2, 3, 9]})
    assert common == [2, 3] and left_out == {"DESTA 2.1": 3, "the study": 1}


def test_support_counts_treaties_and_pair_years_by_hand():
    # Given a panel of three pairs over 2010-2013 and two treaties: A-B in force from 2011 (depth 2),
    # A-C from 2013 with no depth; B-C has none
    years = [2010, 2011, 2012, 2013]
    panel = pd.DataFrame(
        [(i, j, t) for i, j in [("AAA", "BBB"), ("AAA", "CCC"), ("BBB", "CCC")] for t in years],
        columns=["exporter", "importer", "year"],
    )
    eif = {("AAA", "BBB"): (2011, 2.0), ("AAA", "CCC"): (2013, None)}
    panel["fta"] = [
        int((i, j) in eif and t >= eif[i, j][0]) for i, j, t in panel[["exporter", "importer", "year"]].values
    ]
    panel["depth_fta"] = [
        (eif[i, j][1] if eif[i, j][1] is not None else float("nan")) if f else 0.0
        for i, j, f in panel[["exporter", "importer", "fta"]].values
    ]
    panel["fta_lag1"] = panel.groupby(["exporter", "importer"])["fta"].shift(1)
    dyads = pd.DataFrame(
        [("AAA", "BBB", 1, 2011, 2.0), ("BBB", "AAA", 1, 2011, 2.0), ("AAA", "CCC", 2, 2013, None)],
        columns=["iso3_i", "iso3_j", "agreement_id", "year", "depth"],
    )
    support = {s["regressor"]: s for s in regressor_support(panel, dyads)}
    # Then FTA = 1 on 3 (A-B 2011-13) + 1 (A-C 2013) pair-years, two treaties; Depth x FTA only
    # where the depth is known: A-B's 3 pair-years, one treaty; the lag: A-B 2012-13, one treaty
    assert (support["fta"]["n_pair_years"], support["fta"]["n_treaties"]) == (4, 2)
    assert (support["depth_fta"]["n_pair_years"], support["depth_fta"]["n_treaties"]) == (3, 1)
    assert (support["fta_lag1"]["n_pair_years"], support["fta_lag1"]["n_treaties"]) == (2, 1)
    assert all(s["few"] for s in support.values())
    assert describe(support["depth_fta"]) == (
        "depth_fta rests on 1 treaty (3 pair-years with FTA = 1), fewer than 5: "
        "its coefficient says little beyond those treaties"
    )
    assert describe({**support["fta"], "few": False}) is None


def test_sensitivity_on_common_support_counts_what_each_source_leaves_out(setting):  # noqa: F811 - the fixture imported above
    # Given a fourth treaty only DESTA codes (the fixture's three are coded by both sources)
    extra = AgreementFactory(name="CHN-USA", parties=["CHN", "USA"], entry_into_force_year=2012)
    code(extra, setting["version"], reference_coder_get_or_create("DESTA 2.1"), (1, 2))
    files = {kind: str(path) for kind, path in setting["files"].items()}
    common = sensitivity_run_create(
        version=setting["version"], sources=["DESTA 2.1", "the study"], files=files, specs=[SPEC], dispatch=False
    )
    output = sensitivity_output(common)
    desta, study = output["columns"]
    # Then both releases hold the three shared treaties; DESTA leaves one out, the study none
    assert output["common_support"] == {"requested": True, "n_common": 3}
    assert (desta["left_out"], study["left_out"]) == (1, 0)
    assert {c.release.summary["n_agreements"] for c in common.columns.all()} == {3}
    # and every treaty-level regressor rests on 3 treaties (fewer than 5): warned in words
    by_name = {s["regressor"]: s for s in desta["support"]}
    assert by_name["fta"]["n_treaties"] == 3 and by_name["fta"]["few"]
    assert any(w.startswith("fta rests on 3 treaties") for w in desta["warnings"])
    # Without common support DESTA's column has the fourth treaty behind FTA
    apart = sensitivity_output(
        sensitivity_run_create(
            version=setting["version"],
            sources=["DESTA 2.1", "the study"],
            files=files,
            specs=[SPEC],
            dispatch=False,
            common=False,
        )
    )
    assert apart["common_support"] == {"requested": False, "n_common": None}
    assert {s["regressor"]: s["n_treaties"] for s in apart["columns"][0]["support"]}["fta"] == 4
    assert apart["columns"][0]["left_out"] is None


def test_the_page_shows_the_support_and_the_warning(setting, client_for, users):  # noqa: F811 - the fixture imported above
    files = {kind: str(path) for kind, path in setting["files"].items()}
    sensitivity = sensitivity_run_create(
        version=setting["version"], sources=["DESTA 2.1", "the study"], files=files, specs=[SPEC], dispatch=False
    )
    page = client_for(users["supervisor"]).get(sensitivity.get_absolute_url()).content.decode()
    assert 'id="regressor-support"' in page and "3 treaties, " in page
    assert "restricted to the 3 treaties all sources code" in page
    assert "rests on 3 treaties, fewer than 5" in page


def test_command_no_common_flag_and_disjoint_sources_refused(setting):  # noqa: F811 - the fixture imported above
    # Given a source coding a treaty nobody else codes
    lone = AgreementFactory(name="FRA-ITA", parties=["FRA", "ITA"], entry_into_force_year=2012)
    code(lone, setting["version"], reference_coder_get_or_create("lonely"), (1, 1))
    files = setting["files"]
    args = ["--codebook", "mini", "--sources", "DESTA 2.1,lonely", "--spec", str(setting["spec"])]
    args += ["--exports", str(files["exports"]), "--gdp", str(files["gdp"]), "--dist", str(files["dist"])]
    with pytest.raises(CommandError, match=r"No treaty is coded by every source \(DESTA 2.1: 3, lonely: 1\)"):
        call_command("run_sensitivity", *args, stdout=StringIO(), stderr=StringIO())
    call_command("run_sensitivity", *args, "--no-common", stdout=StringIO(), stderr=StringIO())


def test_release_restricted_to_a_list_and_unknown_lines_refused(setting, tmp_path):  # noqa: F811 - the fixture imported above
    first, second, third = setting["agreements"]
    listed = tmp_path / "list.txt"
    listed.write_text(f"{first.pk}\n\n# comment\n{second.name}\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "release_dataset", "--codebook", "mini", "--name", "two", "--source", "DESTA 2.1",
        "--agreements", str(listed), stdout=out, stderr=StringIO(),
    )  # fmt: skip
    release = DatasetRelease.objects.get(name="two")
    assert [r["agreement_id"] for r in release.rows] == sorted([first.pk, second.pk])
    assert release.summary["restricted_to"] == {"n_listed": 2, "not_coded": []}
    listed.write_text(f"{third.pk}\nnot a treaty\ndesta:99999\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"2 lines name no single agreement \(line 2: no agreement matches 'not a "):
        call_command(
            "release_dataset", "--codebook", "mini", "--name", "bad", "--source", "DESTA 2.1",
            "--agreements", str(listed), stdout=StringIO(),
        )  # fmt: skip
    assert not DatasetRelease.objects.filter(name="bad").exists()
