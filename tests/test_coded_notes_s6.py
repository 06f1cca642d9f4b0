"""Warnings as notes (issue 20): every producer keeps its English `warnings` as they were and
stores each warning as a note (its template and parameters, coding/pure/notes.py); pages say the
note in the reader's language, and a warning stored before notes existed as it was stored. No
pattern is matched against a sentence anywhere."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext

from analysis.models import DatasetRelease, ModelRun
from analysis.pure import fit_checks, gravity, irt, scoring
from analysis.services import estimation
from analysis.services.panels import panel_store
from analysis.templatetags.analysis_labels import analysis_note, analysis_notes
from coding.pure import notes, reliability
from coding.selectors.agreement_display import interval_row
from coding.selectors.agreement_uncertainty import with_uncertainty
from coding.templatetags.agreement_notes import agreement_note, agreement_warnings
from tests.analysis.test_gravity import small_panel

ROOT = Path(__file__).resolve().parent.parent

# --- the producers, on small known data ------------------------------------------------------

# Two indicators that always disagree (their sum is constant: the component has no direction from
# the additive score, its loadings are +-0.707) and one that never varies.
PCA_CODES = pd.DataFrame({"a": [0, 1, 0, 1.0], "b": [1, 0, 1, 0.0], "c": [1, 1, 1, 1.0]})
PCA_ENGLISH = [  # the literal sentences scoring.py wrote before notes existed
    "the component is uncorrelated with the additive score: its direction was set by the loadings and "
    "'higher = deeper' is not established",
    "loadings have mixed signs (negative: b -0.707): a provision loading negatively lowers the score, so the "
    "component is not a 'more provisions = deeper' measure",
    "left out for not varying across the 4 complete agreements: c",
]

# 12 treaties coded (harmon never 3) and one without any code.
IRT_CODES = pd.DataFrame(
    {"wto": [0, 1] * 6 + [np.nan], "harmon": [0, 1, 2, 0, 1, 2, 1, 2, 0, 2, 1, 0, np.nan]}, dtype=float
)
IRT_RANGES = {"wto": (0, 1), "harmon": (0, 3)}
IRT_ENGLISH = [
    "harmon: no treaty of the 12 coded on it has the value 3; fitted on the values used (0, 1, 2)",
    "only 12 treaties: item parameters rest on few answers (see their standard errors)",
    "1 treaties have no code on any depth indicator and get no latent score",
]
IRT_CHINESE = [
    "harmon：在其上编码的 12 个条约中没有一个取值为 3；按实际使用的取值（0, 1, 2）拟合",
    "仅 12 个条约：项目参数所依据的回答很少（见其标准误）",
    "1 个条约在任何深度指标上都没有编码，没有潜在得分",
]

RELIABILITY_CASES = [  # matrix (units x coders), the sentence reliability.py wrote before notes existed
    ([[1, 1], [1, 1], [1, 1]], "every coding is 1: without variation kappa and alpha are undefined (kappa paradox); "
     "percent agreement and Gwet's AC still apply"),
    ([[1, 1]] * 19 + [[0, 1]], "value 1 makes up 98% of all codings (over 90%): kappa and alpha can be low although "
     "coders agree (kappa paradox); read percent agreement and Gwet's AC beside them"),
    ([[1, 0], [0, np.nan], [1, 1], [np.nan, 0]], "2 units are not coded by every coder: they count where coded "
     "(missing is not 0); Cohen's kappa uses only units both coders coded"),
    ([[0, 1], [1, 7], [0, 0]], "values outside the codebook counted as categories: 7"),
]  # fmt: skip


def zh_of(template, params, plural=None):
    """The Chinese of a template with its parameters, computed here from the catalogue."""
    joined = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()}
    with translation.override("zh-hans"):
        said = ngettext(template, plural, params["count"]) if plural else gettext(template)
    return said % joined if joined else said


def chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- English unchanged, notes beside it -------------------------------------------------------


def test_the_first_principal_component_keeps_its_english_and_says_its_notes_in_chinese():
    result = scoring.score(PCA_CODES, ["a", "b", "c"], method="pca")
    assert result.warnings == PCA_ENGLISH
    assert [n["params"] for n in result.notes] == [{}, {"negative": ["b -0.707"]}, {"n": 4, "codes": ["c"]}]
    with translation.override("zh-hans"):
        shown = analysis_notes({"warnings": result.warnings, "warning_notes": result.notes})
    assert shown == [
        "该主成分与加总得分不相关：其方向由载荷确定，“越高 = 越深”并不成立",
        "载荷符号不一（为负：b -0.707）：载荷为负的条款会降低得分，因此该主成分不是“条款越多 = 越深”的度量",
        "在 4 个完整协定中没有变化，已排除：c",
    ]
    assert shown[2] == zh_of(scoring.CONSTANT, {"n": 4, "codes": ["c"]})


def test_the_latent_model_keeps_its_english_and_says_its_notes_in_chinese():
    fitted = irt.fit(IRT_CODES, IRT_RANGES)
    assert fitted.converged and fitted.warnings == IRT_ENGLISH
    with translation.override("zh-hans"):
        assert analysis_notes({"warnings": fitted.warnings, "warning_notes": fitted.notes}) == IRT_CHINESE
    assert IRT_CHINESE[1] == zh_of(irt.FEW_TREATIES, {"n": 12})


@pytest.mark.parametrize(("matrix", "english"), RELIABILITY_CASES)
def test_each_reliability_warning_keeps_its_english_and_is_said_in_chinese_from_its_note(matrix, english):
    summary = reliability.indicator_summary(matrix, categories=[0, 1])
    assert summary["warnings"] == [english]
    [found] = summary["warning_notes"]
    expected = zh_of(found["code"], found["params"], found.get("plural"))
    assert chinese(expected) and expected != english
    with translation.override("zh-hans"):
        assert agreement_warnings(summary) == [expected] and agreement_note(found) == expected
        assert interval_row("wto", summary)["notes"] == [expected]  # the agreement table's row


def test_one_unit_is_said_in_the_singular_and_the_plural_form_is_chosen_by_the_count():
    summary = reliability.indicator_summary([[1, 0], [0, np.nan], [1, 1]])
    # Before notes the sentence said "1 unit is ...: they count"; the note's English is the
    # catalogue's singular, so the CLI now says "it counts".
    assert summary["warnings"] == [
        "1 unit is not coded by every coder: it counts where coded (missing is not 0); "
        "Cohen's kappa uses only units both coders coded"
    ]
    with translation.override("zh-hans"):
        assert agreement_warnings(summary) == [
            "1 个单元并非每位编码员都已编码：仅在已编码处计入（缺失不等于 0）；Cohen kappa 只使用两位编码员都编码的单元"
        ]


def test_a_fits_warnings_get_notes_where_the_result_is_stored(tmp_path):
    frame = small_panel(seed=5, countries=6)
    result = gravity.fit(
        frame.assign(twice_fta=2 * frame["fta"]),
        {"estimator": "ppml", "formula": "trade ~ fta + twice_fta + ln_dist | exporter + importer", "vcov": "hetero"},
    )
    result["r2_within"] = float("nan")  # a number JSON cannot hold: named in a warning of its own
    cleaned = estimation.clean_numbers(result)
    assert cleaned["warnings"] == [
        "regressors dropped as collinear: twice_fta",
        "not a finite number, stored as empty: r2_within (nan)",
    ]
    with translation.override("zh-hans"):
        shown = analysis_notes(cleaned)
    assert shown == [
        zh_of(fit_checks.COLLINEAR, {"terms": "twice_fta"}),
        zh_of(estimation.NOT_FINITE, {"fields": "r2_within (nan)"}),
    ]
    assert shown[0] == "因共线性被剔除的回归变量：twice_fta"
    # More than 20 replacements: the first 20 and how many more, in English as before.
    many = estimation.clean_numbers({"list": [float("nan")] * 23})
    assert many["warnings"] == [
        "not a finite number, stored as empty: " + ", ".join(f"list[{i}] (nan)" for i in range(20)) + " and 3 more"
    ]
    with translation.override("zh-hans"):
        assert analysis_notes(many)[0].endswith("及另外 3 个") and chinese(analysis_notes(many)[0])
    assert "warning_notes" not in estimation.clean_numbers({"r2": 0.5})


# --- stored before notes: shown as stored --------------------------------------------------------


def test_a_warning_stored_before_notes_is_shown_as_it_was_stored():
    legacy = {"warnings": [IRT_ENGLISH[1], "regressors dropped as collinear: twice_fta", "something new"]}
    with translation.override("zh-hans"):
        assert analysis_notes(legacy) == legacy["warnings"]
        assert agreement_warnings({"warnings": [RELIABILITY_CASES[0][1]]}) == [RELIABILITY_CASES[0][1]]
        # a warning without parameters is its own template: said in Chinese by an exact lookup
        assert analysis_notes({"warnings": [PCA_ENGLISH[0]]}) == [gettext(scoring.UNCORRELATED)]
        assert analysis_note("PPML did not converge within the iteration limit: do not use these estimates") != (
            "PPML did not converge within the iteration limit: do not use these estimates"
        )


def test_notes_pair_with_their_own_warning_only():
    """A summary whose warnings were extended (agreement_uncertainty adds the interval warnings in
    English) pairs each note with its own sentence; a note whose text differs pairs with nothing."""
    matrix = [[1, 1], [1, 1], [1, 1]]
    summary = with_uncertainty(reliability.indicator_summary(matrix, categories=[0, 1]), pd.DataFrame(matrix),
                               level="nominal", categories=[0, 1], replicates=50)  # fmt: skip
    assert len(summary["warnings"]) > len(summary["warning_notes"]) == 1
    with translation.override("zh-hans"):
        shown = agreement_warnings(summary)
    assert chinese(shown[0]) and shown[1:] == summary["warnings"][1:]
    stale = {"warnings": ["only 13 treaties: item parameters rest on few answers (see their standard errors)"]}
    stale["warning_notes"] = [notes.note(irt.FEW_TREATIES, n=12)]
    with translation.override("zh-hans"):
        assert analysis_notes(stale) == stale["warnings"]


# --- on the pages ------------------------------------------------------------------------------


def zh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.django_db
def test_release_pages_show_the_notes_in_chinese_and_an_old_releases_warnings_as_stored(
    mini_version, users, client_for
):
    fitted = irt.fit(IRT_CODES, IRT_RANGES)
    pca = scoring.score(PCA_CODES, ["a", "b", "c"], method="pca")
    common = {"version": mini_version, "source": "approved", "rows": [], "created_by": users["supervisor"]}
    DatasetRelease.objects.create(
        number=1, name="irt", method={"name": "irt"}, content_hash="1" * 64, **common,
        summary={"irt": fitted.summary(), "warnings": fitted.warnings, "warning_notes": fitted.notes},
    )  # fmt: skip
    DatasetRelease.objects.create(
        number=2, name="pca", method={"name": "pca"}, content_hash="2" * 64, **common,
        summary={"loadings": pca.loadings, "explained_variance": pca.explained_variance,
                 "warnings": pca.warnings, "warning_notes": pca.notes},
    )  # fmt: skip
    DatasetRelease.objects.create(
        number=3, name="old", method={"name": "pca"}, content_hash="3" * 64, **common,
        summary={"loadings": pca.loadings, "explained_variance": pca.explained_variance, "warnings": PCA_ENGLISH[1:]},
    )  # fmt: skip
    client = zh(client_for(users["supervisor"]))
    irt_page = client.get("/analysis/releases/1/").content.decode()
    assert all(text in irt_page for text in IRT_CHINESE) and "only 12 treaties" not in irt_page
    pca_page = client.get("/analysis/releases/2/").content.decode()
    assert "在 4 个完整协定中没有变化，已排除：c" in pca_page and "left out for not varying" not in pca_page
    old_page = client.get("/analysis/releases/3/").content.decode()
    assert "left out for not varying across the 4 complete agreements: c" in old_page


@pytest.mark.django_db
def test_the_run_page_shows_a_fits_notes_in_chinese(users, client_for, settings, tmp_path):
    settings.PANEL_DIR = str(tmp_path)
    frame = small_panel(seed=5, countries=6)
    panel, _ = panel_store(frame.assign(twice_fta=2 * frame["fta"]), name="notes")
    spec = {"estimator": "ppml", "formula": "trade ~ fta + twice_fta + ln_dist | exporter + importer", "vcov": "hetero"}
    result = estimation.clean_numbers(
        gravity.fit(gravity.prepare_panel(frame.assign(twice_fta=2 * frame["fta"])), spec)
    )
    run = ModelRun.objects.create(
        panel=panel, specs=[spec], results=[result], status=ModelRun.Status.DONE, created_by=users["supervisor"]
    )
    page = zh(client_for(users["supervisor"])).get(f"/analysis/runs/{run.pk}/").content.decode()
    assert "因共线性被剔除的回归变量：twice_fta" in page and "regressors dropped as collinear" not in page


# --- no pattern matching of messages left -------------------------------------------------------


def test_no_template_tag_matches_patterns_against_messages():
    """The translating template tags import no `re`: a warning is translated from its note."""
    for path in (
        ROOT / "analysis" / "templatetags" / "analysis_labels.py",
        ROOT / "coding" / "templatetags" / "agreement_notes.py",
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert "re" not in imported, path
    # and the agreement table's template still renders the translated notes
    summary = reliability.indicator_summary(RELIABILITY_CASES[3][0], categories=[0, 1])
    with translation.override("zh-hans"):
        html = render_to_string("coding/_agreement_table.html", {"summaries": {"wto": summary}, "table_id": "t"})
    assert "编码手册之外的取值被计为类别：7" in html
