"""Plain-text / PDF treaty import: the command, and the upload job run by a real Celery worker
on a real Redis."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from coding.models import JobStatus, TextImport
from tests.factories import AgreementFactory
from tests.live_services import celery_worker, wait_for

TREATY = """FREE TRADE AGREEMENT BETWEEN A AND B

The Parties, recognising their friendship, agree as follows:

CHAPTER 1 INITIAL PROVISIONS

Article 1.1: Establishment of a Free Trade Area
The Parties hereby establish a free trade area.

Chapter 6 Technical Barriers to Trade

Article 6.1: Objectives
The objective of this Chapter is to facilitate trade.

Article 6.3: International Standards
Each Party shall use relevant international standards as a basis for its technical regulations.
Article 6.3 of this Agreement shall apply to conformity assessment as well.
"""


@pytest.mark.django_db
def test_import_text_command_splits_and_is_idempotent(tmp_path, capsys):
    agreement = AgreementFactory(desta_number="9999")
    path = tmp_path / "treaty.txt"
    path.write_text(TREATY, encoding="utf-8")
    call_command("import_text", str(path), "--agreement", "desta:9999")
    assert "text imported" in capsys.readouterr().out
    identifiers = list(agreement.articles.values_list("identifier", flat=True))
    assert identifiers[-3:] == ["1.1", "6.1", "6.3"]
    tbt = agreement.articles.get(identifier="6.3")
    assert tbt.chapter.identifier == "6" and "Article 6.3 of this Agreement shall apply" in tbt.text

    call_command("import_text", str(path), "--agreement", str(agreement.pk))
    assert "text unchanged" in capsys.readouterr().out


@pytest.mark.django_db
def test_import_text_bad_reference_and_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="no agreement matches 'desta:1'"):
        call_command("import_text", str(path), "--agreement", "desta:1")
    agreement = AgreementFactory()
    with pytest.raises(CommandError, match=r"empty\.txt"):
        call_command("import_text", str(path), "--agreement", str(agreement.pk))
    assert agreement.articles.count() == 0


@pytest.mark.django_db
def test_coders_cannot_upload_texts(client_for, users):
    agreement = AgreementFactory()
    upload = SimpleUploadedFile("t.txt", TREATY.encode())
    response = client_for(users["coder"]).post(
        reverse("coding:text_import_create", args=[agreement.pk]), {"file": upload}
    )
    assert response.status_code == 403 and TextImport.objects.count() == 0


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_uploaded_text_is_split_by_a_real_worker(client_for, users, settings, tmp_path, redis_broker):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory(name="A - B")
    with celery_worker(redis_broker) as worker:
        client = client_for(users["supervisor"])
        response = client.post(
            reverse("coding:text_import_create", args=[agreement.pk]),
            {"file": SimpleUploadedFile("a-b.txt", TREATY.encode("utf-8"), content_type="text/plain")},
        )
        assert response.status_code == 302
        job = TextImport.objects.get()
        assert job.status == JobStatus.QUEUED  # the row exists before the task runs

        status_url = reverse("coding:text_import_status", args=[job.pk])
        assert wait_for(lambda: client.get(status_url).json()["status"] in {"DONE", "FAILED"}, process=worker)

        job.refresh_from_db()
        assert job.status == JobStatus.DONE, job.error
        assert job.task_id
        assert job.result["articles"] == agreement.articles.count() >= 3
        assert agreement.articles.filter(identifier="6.3", text__icontains="international standards").exists()

        bad = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 not really a pdf", content_type="application/pdf")
        client.post(reverse("coding:text_import_create", args=[agreement.pk]), {"file": bad})
        failed = TextImport.objects.exclude(pk=job.pk).get()
        assert wait_for(lambda: TextImport.objects.get(pk=failed.pk).status == "FAILED", process=worker)
        assert "scan.pdf" in TextImport.objects.get(pk=failed.pk).error
        assert agreement.articles.filter(identifier="6.3").exists()  # a failed import keeps the old text
