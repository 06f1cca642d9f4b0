"""The Chinese interface of the analysis pages and the shared ones: tier names, sources, methods,
reference coders, drop reasons and notes in Chinese; plots labelled in Chinese and drawn with a
CJK font (text compared, not boxes); the workbench's own 403 and 404 pages in zh-hans."""

import os
import warnings

import matplotlib
import pytest
from django.conf import settings
from django.utils import translation
from matplotlib import font_manager

from analysis.pure import plots, scoring
from analysis.services.releases import release_create
from analysis.templatetags.analysis_labels import analysis_note, drop_reason, method_label, source_label, tier_label
from coding.models import Answer, Coding
from coding.pure.notes import note
from coding.services import codebook_import
from coding.services.assignments import assignment_create
from coding.services.users import reference_coder_get_or_create
from tests.conftest import MINI_CODEBOOK
from web.templatetags.source_labels import coder_label

ZH = {"depth": "深度得分", "agreements": "协定", "estimate": "估计值及 95% 置信区间"}
TIERED = MINI_CODEBOOK.replace("codebook: mini", "codebook: tiered").replace(
    "  indicators: [wto, harmon]\n",
    "  indicators: [wto, harmon]\n  tiers:\n    - {name: first, min: 3, max: 4}\n"
    "    - {name: second, min: 0, max: 2}\n",
)


def zh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.fixture
def study_release(db, tmp_path, treaty):
    """A release of the reference coder "the study" under a codebook with tiers."""
    path = tmp_path / "tiered.yaml"
    path.write_text(TIERED, encoding="utf-8")
    version = codebook_import(path=path).version
    study = reference_coder_get_or_create("the study")
    coding = Coding.objects.create(agreement=treaty, version=version, coder=study, state=Coding.State.SUBMITTED)
    for indicator, value in zip(version.indicators.all(), [1, 3]):
        Answer.objects.create(coding=coding, indicator=indicator, value=value)
    return release_create(version=version, name="study", source="the study")[0]


def test_stored_english_words_are_shown_in_chinese():
    with translation.override("zh-hans"):
        assert [tier_label(t) for t in ("first", "second", "third")] == ["第一层级", "第二层级", "第三层级"]
        assert (method_label("additive"), method_label("pca")) == ("加总", "第一主成分")
        assert (source_label("approved"), source_label("the study"), source_label("DESTA 2.1")) == (
            "已批准的编码",
            "本研究",
            "DESTA 2.1",
        )
        assert source_label("release:3") == "发布 3" and coder_label("the study") == "本研究"
        assert drop_reason("zero_outcome_groups") == "因变量全为零的固定效应组"
        assert analysis_note("PPML did not converge within the iteration limit: do not use these estimates").startswith(
            "PPML 在"
        )
        assert analysis_note(note(scoring.CONSTANT, n=4, codes=["wto"])) == "在 4 个完整协定中没有变化，已排除：wto"
    with translation.override("en"):
        assert (tier_label("first"), source_label("the study"), drop_reason("zero_outcome_groups")) == (
            "first",
            "the study",
            "fixed-effect groups whose outcome is always zero",
        )


def test_release_pages_name_tiers_sources_and_methods_in_chinese(study_release, client_for, users):
    client = zh(client_for(users["coder"]))
    html = client.get(f"/analysis/releases/{study_release.number}/").content.decode()
    assert "本研究" in html and "加总" in html and "第一层级" in html
    assert ">first<" not in html and ">the study<" not in html
    listing = client.get("/analysis/releases/").content.decode()
    assert "<td>本研究" in listing and "参照" in listing  # the study, marked as a reference source
    report = client.get(f"/analysis/releases/{study_release.number}/report/").content.decode()
    assert "编码报告" in report and "第一层级" in report and "未记录证据。" in report


def cjk_font_path():
    path = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    if not os.path.exists(path):
        pytest.skip("no CJK font (Debian fonts-wqy-microhei; .ci/run and `make up` install it)")
    return path


def test_a_zh_plot_is_labelled_and_drawn_in_chinese(study_release, client_for, users):
    font = cjk_font_path()
    # Labels: the page asks in the reader's language; text kept as text shows what is written.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = (
            zh(client_for(users["coder"]))
            .get(f"/analysis/releases/{study_release.number}/histogram.svg")
            .content.decode()
        )
        coefficients = plots.coefficient_plot(
            [{"coefficients": {"rta": {"estimate": 0.4, "ci_low": 0.3, "ci_high": 0.5}}}], labels=["本研究"], text=ZH
        ).decode()
    assert ZH["depth"] in svg and ZH["agreements"] in svg and "depth score" not in svg
    assert ZH["estimate"] in coefficients
    assert "WenQuanYi Micro Hei" in svg  # the font the text is set in

    # Glyphs: the PNG is drawn with the CJK font, without a missing-glyph warning (boxes).
    assert plots.CJK_FONT == "WenQuanYi Micro Hei"
    assert font_manager.findfont(font_manager.FontProperties(family=["sans-serif"])) == font
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = plots.depth_histogram({"1": 2, "3": 1}, title="发布 1", fmt="png", text=ZH)
    assert png.startswith(b"\x89PNG") and not [w for w in caught if "missing from font" in str(w.message)]
    # ... which is what the same plot without the CJK font would have warned about.
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.depth_histogram({"1": 2}, title="发布 1", fmt="png", text=ZH)
    assert [w for w in caught if "missing from font" in str(w.message)]


def test_english_readers_keep_english_plot_labels(study_release, client_for, users):
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = (
            client_for(users["coder"]).get(f"/analysis/releases/{study_release.number}/histogram.svg").content.decode()
        )
    assert "depth score" in svg and ZH["depth"] not in svg


def test_refused_and_missing_pages_are_the_workbench_pages_in_chinese(client_for, users, mini_version, treaty):
    client = zh(client_for(users["coder"]))
    refused = client.get("/coding/assign/")  # supervisors only
    html = refused.content.decode()
    assert refused.status_code == 403 and 'lang="zh-hans"' in html
    assert "<h1>无权访问</h1>" in html and "您的账户无权打开此页面。" in html and "返回协定列表" in html
    assert "Access denied" not in html and "自贸协定编码工作台" in html  # the workbench's page, not a bare 403

    # A release closed while the reader codes one of its treaties blind says why, in Chinese.
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    desta = reference_coder_get_or_create("DESTA 2.1")
    coding = Coding.objects.create(agreement=treaty, version=mini_version, coder=desta, state=Coding.State.SUBMITTED)
    for indicator in mini_version.indicators.all():
        Answer.objects.create(coding=coding, indicator=indicator, value=1)
    release = release_create(version=mini_version, name="desta", source="DESTA 2.1")[0]
    closed = client.get(f"/analysis/releases/{release.number}/report/")
    assert closed.status_code == 403 and "盲编码" in closed.content.decode() and "无权访问" in closed.content.decode()

    missing = client.get("/analysis/releases/999/")
    assert missing.status_code == 404 and "<h1>页面不存在</h1>" in missing.content.decode()
