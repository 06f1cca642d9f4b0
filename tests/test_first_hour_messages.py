"""What a first user is told when something is wrong: words a researcher understands, in both
languages, never a Python message or a path on the server; plurals that agree; a histogram of one
agreement on a whole-number axis."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analysis.pure import plots
from analysis.pure.presets import specs_from
from analysis.pure.simulate import simulate
from analysis.services.panels import panel_store
from coding.models import TextImport
from coding.services.text_jobs import text_import_run
from tests.factories import AgreementFactory


def in_chinese(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    return client


@pytest.fixture
def panel(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return panel_store(simulate(countries=5, seed=3), name="tiny")[0]


def run_page_error(client, **form):
    response = client.post(reverse("analysis:run_list"), form)
    assert response.status_code == 400
    return " ".join(str(m) for m in response.context["messages"])


def test_bad_json_is_explained_not_parsed_at(panel, client_for, users):
    client = client_for(users["supervisor"])
    message = run_page_error(client, panel=panel.pk, spec='{"estimator": "ols", "formula": "trade ~ rta",}')
    assert message == (
        "Specification error: the specification is not valid JSON: a key must be in double quotes, "
        "and no comma may follow the last item (line 1, column 47)"
    )
    assert "Expecting" not in message  # the parser's own words
    message = run_page_error(in_chinese(client), panel=panel.pk, spec="{bad")
    assert (
        message
        == "模型设定错误：模型设定不是有效的 JSON：键必须放在双引号中，且最后一项后面不能有逗号（第 1 行，第 2 列）"
    )


def test_years_that_are_not_years_say_so_in_both_languages(panel, client_for, users):
    client = client_for(users["supervisor"])
    message = run_page_error(client, panel=panel.pk, preset="structural-ppml", years="abc")
    assert "'abc' is not a year (write e.g. 1986,1990,1994)" in message and "invalid literal" not in message
    message = run_page_error(in_chinese(client), panel=panel.pk, preset="structural-ppml", years="19x0")
    assert "'19x0' 不是年份" in message
    message = run_page_error(client, panel=panel.pk, spec='[{"formula": "trade ~ rta"}, {"formula": "trade ~ nope"}]')
    assert "第 2 个模型设定（共 2 个）：面板数据中没有这些列：nope" in message  # nested messages translated too


def test_spec_errors_keep_their_english_for_the_command_line_and_api():
    with pytest.raises(ValueError, match=r"years: 'abc' is not a year"):
        specs_from(preset_name="structural-ppml", years="abc")
    with pytest.raises(ValueError, match=r"not valid JSON: a comma is missing between two items \(line 1, column 4\)"):
        specs_from(spec="[1 2]")


@pytest.mark.django_db
def test_a_failed_text_import_names_the_file_not_the_server_path(client_for, users, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("coding.services.text_jobs.job_dispatch", lambda job: None)  # run here, not on a worker
    agreement = AgreementFactory()
    client = client_for(users["supervisor"])
    url = reverse("coding:text_import_create", args=[agreement.pk])
    client.post(url, {"file": SimpleUploadedFile("scan of treaty.pdf", b"%PDF-1.4 not really a pdf")})
    client.post(url, {"file": SimpleUploadedFile("empty.txt", b"   \n")})
    for job in TextImport.objects.order_by("pk"):
        job = text_import_run(job_id=job.pk)
        assert job.status == "FAILED" and job.error.startswith(f"{job.original_name}: "), job.error
        assert str(tmp_path) not in job.error and "text_imports/" not in job.error
    # a file of the wrong kind is refused at once, in the reader's language
    response = in_chinese(client).post(url, {"file": SimpleUploadedFile("notes.docx", b"x")}, follow=True)
    assert "notes.docx: 只能导入 .txt 和 .pdf 文件，不能导入“.docx”" in response.content.decode()


@pytest.mark.django_db
def test_plurals_agree_with_their_number(client_for, users, mini_version):
    AgreementFactory(name="Only one")
    page = client_for(users["supervisor"]).get(reverse("coding:assign")).content.decode()
    assert "1 agreement matches the filters." in page


def test_a_histogram_of_one_agreement_has_a_whole_number_axis():
    svg = plots.depth_histogram({"6": 1}, title="one agreement").decode()
    ticks = sorted({int(t) for t in re.findall(r"<!-- (\d+) -->", svg)})
    assert ticks[:7] == [0, 1, 2, 3, 4, 5, 6]  # not 5.6 ... 6.4
    assert "5.6" not in svg.split("<!-- agreements -->")[0]


def test_the_same_histogram_draws_the_same_bytes():
    # A timestamp in the file once put "5.6" in the SVG (13:34:45.676) and made the tick test flaky.
    first = plots.depth_histogram({"3": 2, "6": 1}, title="twice")
    assert first == plots.depth_histogram({"3": 2, "6": 1}, title="twice")
    assert b"<dc:date>" not in first
