"""Agreement with intervals on the pages (issue 21, the display): the supervision dashboard shows
every coefficient with its 95% intervals and n, "not estimable: only one treaty" instead of 0.000 or
-1.000, the small-sample warning, the depth score's row; the assignment page says how many
double-coded treaties the reliability sample needs; the comparison page and a release's README carry
the same figures. Known answers: the page's numbers are uncertainty(...)'s on the same matrix."""

import json
import re

import pandas as pd
import pytest
from django.urls import reverse

from analysis.pure.exports import readme_lines
from analysis.selectors.release_reliability import coder_agreement
from coding.models import Answer, Coding
from coding.pure.agreement_intervals import uncertainty, units_needed
from coding.selectors.agreement_display import PAGE_REPLICATES, PLANNER_REPLICATES
from coding.services.users import reference_coder_get_or_create
from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

# Five treaties coded by two coders: wto disagrees once, harmon once by one step.
WTO = {"coder_a": [1, 1, 0, 1, 0], "coder_b": [1, 0, 0, 1, 0]}
HARMON = {"coder_a": [0, 1, 2, 3, 1], "coder_b": [0, 1, 2, 2, 1]}


def code(version, agreement, coder, values):
    """A submitted coding of `agreement` by `coder` with `values` {indicator code: value}."""
    indicators = {i.code: i for i in version.indicators.all()}
    coding = Coding.objects.create(agreement=agreement, version=version, coder=coder, state=Coding.State.SUBMITTED)
    for indicator, value in values.items():
        Answer.objects.create(coding=coding, indicator=indicators[indicator], value=value)


@pytest.fixture
def five(users, mini_version):
    treaties = [AgreementFactory(name=f"T{i}") for i in range(5)]
    for key, name in (("coder", "coder_a"), ("coder_b", "coder_b")):
        for i, treaty in enumerate(treaties):
            code(mini_version, treaty, users[key], {"wto": WTO[name][i], "harmon": HARMON[name][i]})
    return treaties


def dashboard(client_for, users, version, **params):
    response = client_for(users["supervisor"]).get(
        reverse("coding:supervisor_dashboard"), {"version": version.pk, **params}
    )
    assert response.status_code == 200
    return response


def table_row(html, table_id, code):
    """The HTML of one row (data-code) of one table (id) of the page."""
    table = html[html.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    start = table.index(f'<tr data-code="{code}">')
    return table[start : table.index("</tr>", start)]


def stat_cell(row, stat):
    start = row.index(f'data-stat="{stat}"')
    return row[start : row.index("</td>", start)]


def test_one_treaty_is_not_estimable_never_zero_or_minus_one(client_for, users, mini_version, treaty):
    # given: one treaty, the coders disagree on harmon (reliability.py used to say alpha 0.000, AC -1.000)
    code(mini_version, treaty, users["coder"], {"wto": 1, "harmon": 2})
    code(mini_version, treaty, users["coder_b"], {"wto": 1, "harmon": 1})
    html = dashboard(client_for, users, mini_version).content.decode()
    for indicator in ("wto", "harmon"):
        row = table_row(html, "agreement-table", indicator)
        for stat in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac"):
            assert "not estimable: only one treaty" in stat_cell(row, stat), (indicator, stat)
        assert "0.000" not in row and "-1.000" not in row
    chart = html[html.index('id="agreement-chart"') : html.index("</svg>")]
    assert chart.count("not estimable: only one treaty") == 4 and 'class="whisker"' not in chart


def test_small_sample_warning_and_intervals_equal_uncertainty(client_for, users, mini_version, five):
    response = dashboard(client_for, users, mini_version)
    html = response.content.decode()
    matrix = pd.DataFrame(HARMON, dtype=float)
    expected = uncertainty(matrix, level="ordinal", categories=[0, 1, 2, 3], replicates=PAGE_REPLICATES, seed=0)
    assert expected["n_units"] == 5 and expected["min_units"] > 5
    row = table_row(html, "agreement-table", "harmon")
    assert f"rests on 5 treaties; at least {expected['min_units']} are needed for alpha &gt;= .667 at p = .05" in row
    assert '<td class="n-units">5</td>' in row
    for stat in ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac"):
        spread, cell = expected["uncertainty"][stat], stat_cell(row, stat)
        lo, hi = spread["ci"]
        assert f'[<span class="lo">{lo:.3f}</span>, <span class="hi">{hi:.3f}</span>]' in cell, stat
        lo, hi = spread["bootstrap_ci"]
        assert f'bootstrap [<span class="lo">{lo:.3f}</span>, <span class="hi">{hi:.3f}</span>]' in cell, stat
    assert f'<td class="p-below-667">{expected["p_alpha_below"]["0.667"]:.2f}</td>' in row
    # the chart draws alpha's bootstrap interval as a whisker, and says the page's replicates
    whisker = re.search(
        r'<g class="chart-row" data-code="harmon">.*?<g class="whisker" data-lo="([-\d.]+)" data-hi="([-\d.]+)"',
        html,
        re.S,
    )
    assert whisker.groups() == tuple(f"{x:.3f}" for x in expected["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"])
    assert f"{PAGE_REPLICATES} replicates" in html


def test_depth_score_and_tier_rows_between_coders(client_for, users, mini_version, five):
    type(mini_version).objects.filter(pk=mini_version.pk).update(
        tiers=[{"name": "first", "min": 0, "max": 1}, {"name": "second", "min": 2, "max": 4}]
    )
    response = dashboard(client_for, users, mini_version)
    depth = pd.DataFrame({c: [w + h for w, h in zip(WTO[c], HARMON[c])] for c in WTO}, dtype=float)
    expected = uncertainty(depth, level="interval", replicates=PAGE_REPLICATES, seed=0)
    [row] = [r for r in response.context["score_rows"] if r["code"] == "depth"]
    cells = {cell["name"]: cell for cell in row["cells"]}
    assert row["n_units"] == 5 and row["level"] == "interval"
    assert cells["krippendorff_alpha"]["value"] == pytest.approx(expected["estimates"]["krippendorff_alpha"])
    assert cells["krippendorff_alpha"]["bootstrap_ci"] == pytest.approx(
        expected["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    )
    assert cells["weighted_kappa"]["ci"] == pytest.approx(expected["uncertainty"]["weighted_kappa"]["ci"])
    assert cells["percent_agreement"]["value"] == pytest.approx(3 / 5)  # depths 1,2,2,4,1 vs 1,1,2,3,1
    assert row["within_one"] == 1.0
    [tier] = [r for r in response.context["score_rows"] if r["code"] == "tier"]
    tiers = pd.DataFrame({"coder_a": [0, 1, 1, 1, 0], "coder_b": [0, 0, 1, 1, 0]}, dtype=float)
    expected = uncertainty(tiers, level="ordinal", replicates=PAGE_REPLICATES, seed=0)
    cells = {cell["name"]: cell for cell in tier["cells"]}
    assert (tier["level"], cells["percent_agreement"]["value"]) == ("ordinal", pytest.approx(4 / 5))
    assert cells["krippendorff_alpha"]["ci"] == pytest.approx(expected["uncertainty"]["krippendorff_alpha"]["ci"])
    assert 'id="score-table"' in response.content.decode()


def test_final_answers_switch_still_counts_and_shows_intervals(client_for, users, mini_version, five):
    response = dashboard(client_for, users, mini_version, answers="final")
    html = response.content.decode()
    assert response.context["answers"] == "final" and 'id="agreement-table"' in html
    assert response.context["agreement_rows"][0]["n_units"] == 5


def test_reference_pair_on_the_dashboard_has_intervals(client_for, users, mini_version, five):
    study, desta = reference_coder_get_or_create("the study"), reference_coder_get_or_create("DESTA 2.1")
    for i, treaty in enumerate(five):
        code(mini_version, treaty, study, {"wto": WTO["coder_a"][i], "harmon": HARMON["coder_a"][i]})
        code(mini_version, treaty, desta, {"wto": WTO["coder_b"][i], "harmon": HARMON["coder_b"][i]})
    html = dashboard(client_for, users, mini_version).content.decode()
    row = table_row(html, "reference-table", "wto")
    expected = uncertainty(
        pd.DataFrame(WTO, dtype=float), level="nominal", categories=[0, 1], replicates=PAGE_REPLICATES, seed=0
    )["uncertainty"]["krippendorff_alpha"]
    assert f'bootstrap [<span class="lo">{expected["bootstrap_ci"][0]:.3f}</span>' in stat_cell(
        row, "krippendorff_alpha"
    )
    assert 'id="reference-score-table"' in html


def test_assignment_page_plans_the_reliability_sample(client_for, users, mini_version, five):
    response = client_for(users["supervisor"]).get(reverse("coding:assign"), {"plan_version": mini_version.pk})
    html = response.content.decode()
    plan = response.context["plan"]
    shares = [0.2, 0.4, 0.3, 0.1]  # harmon over the ten codings: two 0s, four 1s, three 2s, one 3
    expected = units_needed(
        prevalence=shares,
        coders=2,
        target=0.667,
        confidence=0.95,
        level="ordinal",
        seed=0,
        replicates=PLANNER_REPLICATES,
    )
    [harmon] = [row for row in plan["rows"] if row["code"] == "harmon"]
    assert harmon["observed"] and harmon["prevalence"] == pytest.approx(shares)
    assert expected["units"] and harmon["targets"][0]["units"] == expected["units"]
    assert plan["needed"][0]["units"] == max(row["targets"][0]["units"] for row in plan["rows"])
    assert f'data-needed-667="{plan["needed"][0]["units"]}"' in html
    assert {"simulation": "by simulation", "formula": "by formula"}[expected["method"]] in html
    assert 'id="plan-assumed"' not in html


def test_assignment_page_says_what_prevalence_it_assumes(client_for, users, mini_version):
    response = client_for(users["supervisor"]).get(reverse("coding:assign"))
    html = response.content.decode()
    assert response.context["plan"]["observed"] is False
    [wto] = [row for row in response.context["plan"]["rows"] if row["code"] == "wto"]
    assert wto["prevalence"] == [0.5, 0.5]
    assert 'id="plan-assumed"' in html and "half yes, half no" in html


def test_comparison_page_has_intervals_n_and_the_depth_row(client_for, users, mini_version, five):
    study, desta = reference_coder_get_or_create("the study"), reference_coder_get_or_create("DESTA 2.1")
    for i, treaty in enumerate(five):
        code(mini_version, treaty, study, {"wto": WTO["coder_a"][i], "harmon": HARMON["coder_a"][i]})
        code(mini_version, treaty, desta, {"wto": WTO["coder_b"][i], "harmon": HARMON["coder_b"][i]})
    response = client_for(users["supervisor"]).get(
        reverse("analysis:comparison"), {"version": mini_version.pk, "a": "the study", "b": "DESTA 2.1"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    expected = uncertainty(
        pd.DataFrame(HARMON, dtype=float).set_axis(["a", "b"], axis=1),
        level="ordinal",
        categories=[0, 1, 2, 3],
        replicates=PAGE_REPLICATES,
        seed=0,
    )
    row = table_row(html, "compare-table", "harmon")
    lo, hi = expected["uncertainty"]["krippendorff_alpha"]["ci"]
    assert f'[<span class="lo">{lo:.3f}</span>, <span class="hi">{hi:.3f}</span>]' in stat_cell(
        row, "krippendorff_alpha"
    )
    assert '<td class="n-units">5</td>' in row and "rests on 5 treaties" in row
    depth = table_row(html, "compare-score-table", "depth")
    assert '<td class="n-units">5</td>' in depth and "within ±1: 1.00" in depth


def test_a_release_stores_its_intervals_and_its_readme_says_them(users, mini_version, five):
    stored = coder_agreement(version=mini_version, agreement_ids=[t.pk for t in five])
    expected = uncertainty(pd.DataFrame(WTO, dtype=float), level="nominal", categories=[0, 1], replicates=2000, seed=0)
    wto = json.loads(json.dumps(stored))["wto"]  # the release's summary is JSON
    assert (wto["n_units"], wto["min_units"], wto["replicates"]) == (5, expected["min_units"], 2000)
    for key in ("se", "ci", "bootstrap_ci"):
        assert wto["uncertainty"]["krippendorff_alpha"][key] == pytest.approx(
            expected["uncertainty"]["krippendorff_alpha"][key]
        )
    assert wto["warnings"] == [{"code": "few_units", "n": 5, "min": expected["min_units"]}]
    lines = readme_lines({**META, "reliability": stored})
    assert "Gwet's analytic variance, and a percentile bootstrap over treaties with 2,000 replicates, seed 0):" in lines
    lo, hi = expected["uncertainty"]["krippendorff_alpha"]["bootstrap_ci"]
    [line] = [line for line in lines if line.startswith("  wto: n=5;")]
    assert f"(bootstrap [{lo:.3f}, {hi:.3f}])" in line and f"at least {expected['min_units']} are needed" in line


META = {
    "number": 3,
    "name": "r",
    "citation": "c",
    "codebook": "mini",
    "version": 1,
    "codebook_title": "t",
    "source": "approved",
    "method": "additive",
    "depth_indicators": ["wto"],
    "content_hash": "0" * 64,
    "created_by": "s",
    "created_at": "2026-01-01 00:00 UTC",
    "evidence_kept": True,
}


def test_release_readme_carries_intervals_and_not_estimable():
    meta = {
        **META,
        "reliability": {
            "wto": {
                "n_units": 5,
                "percent_agreement": 0.8,
                "krippendorff_alpha": 0.6,
                "gwet_ac": 0.65,
                "uncertainty": {
                    "percent_agreement": {"se": 0.2, "ci": [0.244, 1.0], "bootstrap_ci": [0.4, 1.0]},
                    "krippendorff_alpha": {"se": 0.3, "ci": [-0.233, 1.0], "bootstrap_ci": [0.0, 1.0]},
                    "gwet_ac": None,
                },
                "not_estimable": {},
                "p_alpha_below": {"0.667": 0.41, "0.800": 0.62},
                "min_units": 23,
                "warnings": [{"code": "few_units", "n": 5, "min": 23}],
            },
            "harmon": {"n_units": 1, "percent_agreement": 0.0, "krippendorff_alpha": 0.0, "gwet_ac": -1.0},
        },
    }
    lines = readme_lines(meta)
    [wto] = [line for line in lines if line.startswith("  wto:")]
    assert wto == (
        "  wto: n=5; percent agreement 0.800 [0.244, 1.000] (bootstrap [0.400, 1.000]); Krippendorff's alpha "
        "0.600 [-0.233, 1.000] (bootstrap [0.000, 1.000]); Gwet's AC 0.650; P(alpha < .667) = 0.41, "
        "P(alpha < .800) = 0.62; warning: rests on 5 treaties; at least 23 are needed for alpha >= .667 at p = .05"
    )
    [harmon] = [line for line in lines if line.startswith("  harmon:")]  # a release from before intervals, one treaty
    assert "-1.000" not in harmon and "Gwet's AC not estimable (only one treaty)" in harmon


def test_the_page_words_are_chinese_in_chinese(client_for, users, mini_version, treaty):
    code(mini_version, treaty, users["coder"], {"wto": 1, "harmon": 2})
    code(mini_version, treaty, users["coder_b"], {"wto": 1, "harmon": 1})
    client = client_for(users["supervisor"])
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("coding:supervisor_dashboard"), {"version": mini_version.pk}).content.decode()
    assert "无法估计：仅有一项条约" in html and "not estimable" not in html
    assert "须线：按条约自助抽样的 95% 区间" in html and "500 次重复抽样" in html
    plan = client.get(reverse("coding:assign")).content.decode()
    assert "使 alpha 的 95% 区间下限达到" in plan and "通过模拟计算" in plan
