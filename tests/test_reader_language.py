"""Every history entry, preset label and codebook title in the reader's language (issue 19,
item 7): the same page read in English and in Simplified Chinese."""

import re

import pytest
from django.urls import reverse

from analysis.models import ModelRun
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from analysis.services.runs import model_run_create
from coding.models import Adjudication, Coding
from coding.services.adjudication import adjudication_approve
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save, coding_submit


@pytest.fixture
def read(client_for, users):
    """The supervisor reads `urls` in `language`: their pages as text, in order."""

    def read_in(language, *urls):
        client = client_for(users["supervisor"])
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        return [client.get(url).content.decode() for url in urls]

    return read_in


@pytest.fixture
def approved(users, mini_version, treaty):
    """The treaty coded alike by both coders, submitted and approved by the supervisor."""
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    for user in (users["coder"], users["coder_b"]):
        coding = Coding.objects.get(coder=user)
        coding_save(coding=coding, user=user, revision=0, answers={"wto": {"value": 1}, "harmon": {"value": 2}})
        coding.refresh_from_db()
        coding_submit(coding=coding, user=user, revision=coding.revision)
    adjudication_approve(adjudication=Adjudication.objects.get(), user=users["supervisor"])
    return treaty


@pytest.mark.django_db
def test_history_entries_in_the_reader_language(read, approved):
    url = reverse("coding:agreement_history", args=[approved.pk])
    [english] = read("en", url)
    assert "approved by: supervisor" in english and "coder: coder_a" in english
    [chinese] = read("zh-hans", url)
    assert "批准人: supervisor" in chinese and "编码员: coder_a" in chinese
    assert "approved by" not in chinese and "coder:" not in chinese


RESULT = {
    "formula": "log(trade) ~ rta | exporter + importer",
    "estimator": "ols",
    "vcov": "hetero",
    "n_obs": 30,
    "coefficients": {"rta": {"estimate": 0.4, "se": 0.1, "t": 4.0, "p": 0.001, "ci_low": 0.2, "ci_high": 0.6}},
}


@pytest.fixture
def preset_run(db, settings, tmp_path):
    """A finished run of the study's first two Table 9 columns (their preset labels)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    panel, _ = panel_store(simulate(countries=6, seed=3), name="SYNTHETIC", synthetic=True)
    labels = ["(1) total, FTA", "(2) total, Depth x FTA"]
    run = model_run_create(
        panel=panel,
        specs=[{"estimator": "ols", "formula": RESULT["formula"], "label": label} for label in labels],
        dispatch=False,
    )
    ModelRun.objects.filter(pk=run.pk).update(
        status=ModelRun.Status.DONE, progress=100, results=[dict(RESULT, label=label) for label in labels]
    )
    return run


def header(page):
    return re.search(r'<table class="grid regression" id="regression-table">\s*<thead>(.*?)</thead>', page, re.S).group(
        1
    )


@pytest.mark.django_db
def test_preset_labels_in_tables_and_plot_legends_in_the_reader_language(read, preset_run):
    table = reverse("analysis:run_table", args=["html"]) + f"?runs={preset_run.pk}"
    plot = reverse("analysis:run_plot", args=["svg"]) + f"?runs={preset_run.pk}"
    csv = reverse("analysis:run_table", args=["csv"]) + f"?runs={preset_run.pk}"
    page, english_plot = read("en", preset_run.get_absolute_url(), plot)
    assert "<th>(1) total, FTA</th>" in header(page)
    assert "(1) total, FTA" in english_plot  # matplotlib draws text as paths and keeps each text as a comment
    page, side_by_side, chinese_plot, chinese_csv = read("zh-hans", preset_run.get_absolute_url(), table, plot, csv)
    assert "<th>(1) 总出口，FTA</th>" in header(page)
    assert f"<th>#{preset_run.pk} (1) 总出口，FTA</th>" in header(side_by_side)
    assert "(2) 总出口，深度 × FTA" in chinese_plot and "total, FTA" not in chinese_plot  # the legend
    # a file for a paper keeps the English label whatever the page language
    assert "(1) total, FTA" in chinese_csv and "总出口" not in chinese_csv


@pytest.mark.django_db
def test_codebook_titles_in_the_reader_language(read, mini_version):
    urls = reverse("coding:codebook_list"), reverse("coding:codebook_version", args=["mini", 1])
    listing, detail = read("en", *urls)
    assert '<td class="codebook-title">Mini codebook<br>' in listing
    assert '<h1 id="codebook-title">Mini codebook</h1>' in detail
    listing, detail = read("zh-hans", *urls)
    assert '<td class="codebook-title">迷你编码手册<br>' in listing
    assert '<h1 id="codebook-title">迷你编码手册</h1>' in detail
