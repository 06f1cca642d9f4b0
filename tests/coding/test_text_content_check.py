"""Treaty texts are judged by their content (issue 19, item 3): the upload form refuses what
import_text refuses, before a job row or a stored file exists, in the reader's language."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coding.importers.sniffing import content_kind, refusal
from coding.models import TextImport
from tests.factories import AgreementFactory

TREATY = b"Chapter 1 General\nArticle 1 Objectives\nThe Parties agree.\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00word/document.xml" + bytes(40)


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\n  %PDF-1.4", "pdf"),
        (DOCX, "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
        (b"{\\rtf1\\ansi", "rtf"),
        (b"\x89PNG\r\n\x1a\n", "image"),
        (TREATY, "text"),
        (b"", "text"),
        ("第一章".encode("gb18030"), "text"),
    ],
)
def test_content_kind_by_the_first_bytes(head, kind):
    assert content_kind(head) == kind


@pytest.mark.parametrize(
    "name, head, expected",
    [
        ("t.txt", TREATY, None),
        ("t.PDF", b"%PDF-1.4", None),
        ("t.txt", b"%PDF-1.4", None),
        ("t.docx", TREATY, ("suffix", ".docx")),
        ("t", TREATY, ("suffix", "")),
        ("t.docx", DOCX, ("other-format", "zip")),
        ("t.txt", DOCX, ("other-format", "zip")),
        ("t.pdf", TREATY, ("not-pdf", "text")),
    ],
)
def test_refusal_names_what_was_found(name, head, expected):
    assert refusal(name, head) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("treaty.txt", DOCX, "treaty.txt, line 1: binary content: this is a ZIP archive (a Word .docx"),
        ("treaty.pdf", TREATY, "treaty.pdf: not a PDF file (no %PDF header); a plain-text file is named .txt"),
        ("treaty.docx", TREATY, "treaty.docx: only .txt and .pdf files can be imported, not “.docx”"),
    ],
)
def test_the_upload_form_refuses_by_content_before_any_job(
    users, client_for, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory()
    response = client_for(users["supervisor"]).post(
        reverse("coding:text_import_create", args=[agreement.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode()
    assert TextImport.objects.count() == 0 and not (tmp_path / "media").exists()


@pytest.mark.django_db
def test_the_refusal_reads_in_chinese(users, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = AgreementFactory()
    response = client_for(users["supervisor"]).post(
        reverse("coding:text_import_create", args=[agreement.pk]),
        {"file": SimpleUploadedFile("scan.txt", DOCX)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "二进制内容：这是ZIP 压缩包（Word .docx、Excel .xlsx 或 OpenDocument 文件）" in response.content.decode()
