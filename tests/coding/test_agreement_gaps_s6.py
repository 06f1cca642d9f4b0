"""Issue 21, the gaps an audit found (session 6): the analytic interval's single-coded treaties are
said; "within +-1" on one treaty is no share; a release README says reasons and warnings in words;
a release stores and shows agreement on the depth score; the double-coding planner reads the
reference sources' prevalences, is monotone and says the page's number the function says.
Known answers: counts of the small matrices here, shares computed by hand, the planner function."""

import json
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis.pure.exports import readme_lines
from analysis.selectors.release_reliability import coder_agreement
from analysis.services.releases import release_create
from coding.pure.agreement_intervals import uncertainty, units_needed, within_one
from coding.pure.agreement_words import warning_words
from coding.selectors import agreement_display, agreement_uncertainty
from coding.selectors.dashboard import double_coding_plan
from coding.services.users import reference_coder_get_or_create
from tests.coding.test_agreement_interval_pages import HARMON, META, WTO, code, dashboard, table_row
from tests.factories import AgreementFactory

NAN = np.nan
# Four treaties both coders coded (they agree on each) and two coded by one coder only.
SINGLES = pd.DataFrame({"a": [1, 0, 1, 0, 1, NAN], "b": [1, 0, 1, 0, NAN, 0]}, dtype=float)


# --- 1. the analytic interval also counts single-coded treaties: said, with the counts ---------


def test_single_coded_treaties_are_counted_and_said():
    result = uncertainty(SINGLES, level="nominal", categories=[0, 1], replicates=50)
    assert (result["n_units"], result["n_analytic"]) == (4, 6)
    [warning] = [w for w in result["warnings"] if w["code"] == "single_coded"]
    assert warning == {"code": "single_coded", "n_single": 2, "n_pairable": 4}
    assert warning_words(warning) == (
        "the analytic intervals of percent agreement, Fleiss' kappa and Gwet's AC follow Gwet (irrCAC) and also "
        "count the 2 treaties coded by one coder only; the bootstrap intervals rest on the 4 treaties coded at "
        "least twice"
    )
    assert "the 1 treaty coded by one coder only" in warning_words({**warning, "n_single": 1})
    # irrCAC's percent agreement: pa*_i = n/n2 pa_i over all six, so se > 0 although all four agree
    assert result["uncertainty"]["percent_agreement"]["se"] > 0
    assert result["uncertainty"]["percent_agreement"]["bootstrap_ci"] == [1.0, 1.0]


def test_no_single_coded_warning_on_complete_data():
    complete = SINGLES.dropna()
    result = uncertainty(complete, level="nominal", categories=[0, 1], replicates=50)
    assert result["n_analytic"] == result["n_units"] == 4
    assert all(w["code"] != "single_coded" for w in result["warnings"])


@pytest.fixture
def half_coded(users, mini_version):
    """Five treaties both coders coded on harmon; coder_b left wto blank on the last two."""
    treaties = [AgreementFactory(name=f"S{i}") for i in range(5)]
    for i, treaty in enumerate(treaties):
        code(mini_version, treaty, users["coder"], {"wto": WTO["coder_a"][i], "harmon": HARMON["coder_a"][i]})
        values = {"harmon": HARMON["coder_b"][i], **({"wto": WTO["coder_b"][i]} if i < 3 else {})}
        code(mini_version, treaty, users["coder_b"], values)
    return treaties


def test_single_coded_warning_on_the_dashboard_and_the_report(client_for, users, mini_version, half_coded):
    html = dashboard(client_for, users, mini_version).content.decode()
    assert "also count the 2 treaties coded by one coder only; the bootstrap intervals rest on the 3 treaties" in (
        table_row(html, "agreement-table", "wto")
    )
    assert "coded by one coder only" not in table_row(html, "agreement-table", "harmon")
    out = StringIO()
    call_command("agreement_report", "--codebook", "mini", "--format", "json", "--replicates", "50", stdout=out)
    wto = json.loads(out.getvalue())["indicators"]["wto"]
    assert (wto["n_units"], wto["n_analytic"]) == (3, 5)
    assert {"code": "single_coded", "n_single": 2, "n_pairable": 3} in wto["warning_codes"]
    assert any("also count the 2 treaties coded by one coder only" in w for w in wto["warnings"])
    text = StringIO()
    call_command("agreement_report", "--codebook", "mini", "--replicates", "50", stdout=text)
    assert "analytic n=5" in text.getvalue() and "coded by one coder only" in text.getvalue()
    client = client_for(users["supervisor"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("coding:supervisor_dashboard"), {"version": mini_version.pk}).content.decode()
    assert "也计入仅由一名编码员编码的 2 项条约" in table_row(html, "agreement-table", "wto")


# --- 2. within +-1 needs two treaties ------------------------------------------------------------


def test_within_one_is_no_share_on_one_treaty():
    one = pd.DataFrame({"a": [3.0], "b": [5.0]})
    assert within_one(one) is None
    assert agreement_display.score_summary(one, level="interval")["within_one"] is None
    assert agreement_uncertainty.score_summary(one, level="interval", replicates=20)["within_one"] is None
    two = pd.DataFrame({"a": [3.0, 2.0], "b": [5.0, 3.0]})  # |3-5| = 2 > 1, |2-3| = 1: one of two
    assert within_one(two) == 0.5
    assert agreement_display.score_summary(two, level="interval")["within_one"] == 0.5
    assert agreement_uncertainty.score_summary(two, level="interval", replicates=20)["within_one"] == 0.5


def test_the_depth_row_on_one_treaty_says_not_estimable_without_a_share(client_for, users, mini_version, treaty):
    code(mini_version, treaty, users["coder"], {"wto": 1, "harmon": 2})
    code(mini_version, treaty, users["coder_b"], {"wto": 0, "harmon": 1})
    html = dashboard(client_for, users, mini_version).content.decode()
    depth = table_row(html, "score-table", "depth")
    assert "not estimable: only one treaty" in depth and "within ±1" not in depth


# --- 3 and 4. the release: words in its README, the depth score stored and shown ---------------


def test_a_one_treaty_release_readme_says_words_not_codes(users, mini_version, treaty):
    code(mini_version, treaty, users["coder"], {"wto": 1, "harmon": 2})
    code(mini_version, treaty, users["coder_b"], {"wto": 1, "harmon": 1})
    stored = json.loads(json.dumps(coder_agreement(version=mini_version, agreement_ids=[treaty.pk])))
    lines = readme_lines({**META, "reliability": stored})
    [harmon] = [line for line in lines if line.startswith("  harmon:")]
    assert "Krippendorff's alpha not estimable (only one treaty)" in harmon
    assert "warning: rests on 1 treaty; at least" in harmon
    text = "\n".join(lines)
    for raw in ("one_unit", "few_units", "no_pairable_units", "1 treaties", "(undefined)"):
        assert raw not in text, raw


@pytest.fixture
def released(users, mini_version):
    """Four treaties both coders coded, released from the study's codes of them (additive)."""
    study = reference_coder_get_or_create("the study")
    treaties = [AgreementFactory(name=f"R{i}") for i in range(4)]
    for i, treaty in enumerate(treaties):
        code(mini_version, treaty, users["coder"], {"wto": WTO["coder_a"][i], "harmon": HARMON["coder_a"][i]})
        code(mini_version, treaty, users["coder_b"], {"wto": WTO["coder_b"][i], "harmon": HARMON["coder_b"][i]})
        code(mini_version, treaty, study, {"wto": WTO["coder_a"][i], "harmon": HARMON["coder_a"][i]})
    release, _created = release_create(version=mini_version, name="scored", source="the study")
    return release


def test_a_release_stores_and_shows_agreement_on_the_depth_score(client_for, users, released):
    depth = pd.DataFrame({c: [w + h for w, h in zip(WTO[c][:4], HARMON[c][:4])] for c in WTO}, dtype=float)
    expected = uncertainty(depth, level="interval", replicates=2000, seed=0)  # depths 1,2,2,4 vs 1,1,2,3
    client = client_for(users["supervisor"])
    document = json.loads(client.get(f"/analysis/releases/{released.number}/agreement.json").content)
    stored = document["release"]["reliability_scores"]["depth"]
    assert stored["n_units"] == 4 and stored["percent_agreement"] == pytest.approx(2 / 4)
    assert stored["within_one"] == 1.0
    for key in ("se", "ci", "bootstrap_ci"):
        assert stored["uncertainty"]["krippendorff_alpha"][key] == pytest.approx(
            expected["uncertainty"]["krippendorff_alpha"][key]
        )
    assert "tier" not in document["release"]["reliability_scores"]  # the mini codebook has no tiers
    lines = readme_lines(document["release"])
    [line] = [line for line in lines if line.startswith("  depth score")]
    lo, hi = expected["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    assert "n=4; exact agreement 0.500" in line and f"(bootstrap [{lo:.3f}, {hi:.3f}])" in line
    assert "Agreement is on the additive score" not in "\n".join(lines)
    html = client.get(reverse("analysis:release_detail", args=[released.number])).content.decode()
    row = table_row(html, "release-score-agreement", "depth")
    assert f'bootstrap [<span class="lo">{lo:.3f}</span>, <span class="hi">{hi:.3f}</span>]' in row
    assert '<td class="n-units">4</td>' in row and "rests on 4 treaties" in row
    wto = table_row(html, "release-agreement", "wto")
    assert '<td class="n-units">4</td>' in wto and "bootstrap [" in wto


def test_a_weighted_release_says_its_agreement_is_on_the_additive_score(client_for, users, mini_version, released):
    weighted, _ = release_create(
        version=mini_version, name="weighted", source="the study", method={"name": "weighted", "weights": {"wto": 2}}
    )
    html = client_for(users["supervisor"]).get(reverse("analysis:release_detail", args=[weighted.number]))
    assert "Agreement is on the additive score; this release's depth is" in html.content.decode()
    lines = readme_lines({**META, "method": "weighted", "reliability_scores": weighted.summary["agreement_scores"]})
    assert "  Agreement is on the additive score; this release's depth is weighted." in lines


# --- 5. the planner ------------------------------------------------------------------------------


def test_the_planner_is_monotone_in_coders_and_in_skew():
    def needed(prevalence, coders):
        return units_needed(prevalence=prevalence, coders=coders, target=0.667)["units"]

    skews = ([0.5, 0.5], [0.3, 0.7], [0.1, 0.9])
    grid = {(tuple(p), c): needed(p, c) for p in skews for c in (2, 3, 4)}
    for p in skews:  # more coders per treaty: never more treaties
        assert grid[tuple(p), 2] >= grid[tuple(p), 3] >= grid[tuple(p), 4], p
    for c in (2, 3, 4):  # a rarer value: more treaties
        column = [grid[tuple(p), c] for p in skews]
        assert column == sorted(column) and column[0] < column[-1], c
    assert grid[(0.5, 0.5), 2] > grid[(0.5, 0.5), 4]  # and coders do help when values are balanced


def test_the_page_says_the_function_s_number(client_for, users, mini_version, half_coded):
    response = client_for(users["supervisor"]).get(reverse("coding:assign"), {"plan_version": mini_version.pk})
    [harmon] = [row for row in response.context["plan"]["rows"] if row["code"] == "harmon"]
    for index, target in enumerate((0.667, 0.800)):
        # the function with its own defaults (replicates, seed), as a closing note would call it
        expected = units_needed(prevalence=harmon["prevalence"], target=target, level="ordinal")
        assert harmon["targets"][index]["units"] == expected["units"]
    html = response.content.decode()
    assert f"averaged over {agreement_display.PLANNER_REPLICATES} simulated samples" in html
    assert 'id="plan-vs-minimum"' in html and "Krippendorff’s formula" in html


def test_without_human_codings_the_planner_reads_the_reference_prevalences(client_for, users, mini_version):
    desta = reference_coder_get_or_create("DESTA 2.1")
    for i in range(5):  # wto: one yes in five; harmon: 0, 0, 0, 1, 2
        code(mini_version, AgreementFactory(name=f"D{i}"), desta, {"wto": int(i == 0), "harmon": [0, 0, 0, 1, 2][i]})
    plan = double_coding_plan(version=mini_version)
    rows = {row["code"]: row for row in plan["rows"]}
    assert plan["observed"] and plan["prevalence_sources"] == ["DESTA 2.1"]
    assert rows["wto"]["prevalence"] == pytest.approx([0.8, 0.2])
    assert rows["harmon"]["prevalence"] == pytest.approx([0.6, 0.2, 0.2, 0.0])
    html = client_for(users["supervisor"]).get(reverse("coding:assign")).content.decode()
    assert "the prevalences are those of the reference codings of DESTA 2.1." in html
    assert 'id="plan-assumed"' not in html
