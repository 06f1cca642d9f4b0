"""Reading treaty files (pure: no database, no Django): text in various encodings, PDFs with
and without a text layer, and errors that name the file."""

import random

import pytest

from coding.importers.plaintext import TextImportError, read_treaty_file, split_treaty_text
from tests.coding.test_plaintext_split import assert_nothing_lost, structure


def test_text_files_in_various_encodings(tmp_path):
    path = tmp_path / "treaty.txt"
    path.write_bytes("\ufeffCapítulo 1\r\nArtículo 1\r\nTexto.\r\n".encode("utf-8"))
    assert read_treaty_file(path) == "Capítulo 1\nArtículo 1\nTexto.\n"
    path.write_bytes("Capítulo 1 – Artículo “1”\n".encode("cp1252"))
    assert read_treaty_file(path) == "Capítulo 1 – Artículo “1”\n"
    path.write_bytes("第一章 总则\r\n".encode("utf-16"))
    assert read_treaty_file(path) == "第一章 总则\n"
    path.write_bytes("第一章 总则\n".encode("utf-32"))
    assert read_treaty_file(path) == "第一章 总则\n"
    chinese = "第一章 总则\n第一条 双方同意就技术性贸易壁垒开展合作与信息交流。“标准”见 Article 6.\n"
    path.write_bytes(chinese.encode("gbk"))  # once stored as cp1252 mojibake
    assert read_treaty_file(path) == chinese
    path.write_bytes((chinese + "𠀀\n").encode("gb18030"))
    assert read_treaty_file(path) == chinese + "𠀀\n"
    path.write_bytes("ÉCOLE, résumé, naïve, Œuvre, Straße\n".encode("cp1252"))  # Latin, not GBK
    assert read_treaty_file(path) == "ÉCOLE, résumé, naïve, Œuvre, Straße\n"
    path.write_bytes("Cap\u0131\u0301tulo".encode("utf-8").replace("\u0131".encode(), b"i"))  # decomposed í
    assert read_treaty_file(path) == "Capítulo"


def test_empty_missing_and_binary_files_name_the_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n ")
    with pytest.raises(TextImportError, match=r"empty\.txt.*no text") as caught:
        read_treaty_file(empty)
    assert caught.value.path == empty and caught.value.line is None and isinstance(caught.value, ValueError)
    undecodable = tmp_path / "undecodable.txt"
    undecodable.write_bytes("Capítulo 1\n".encode("latin-1") + b"\x81\n")  # 0x81: in no encoding we read
    with pytest.raises(TextImportError, match=r"undecodable\.txt, line 1: cannot decode the text.*save it as UTF-8"):
        read_treaty_file(undecodable)
    with pytest.raises(TextImportError, match=r"missing\.txt.*cannot read"):
        read_treaty_file(tmp_path / "missing.txt")
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(TextImportError, match=r"blob\.txt.*binary"):
        read_treaty_file(blob)
    garbage = tmp_path / "garbage.dat"
    rng = random.Random(1)
    garbage.write_bytes(bytes(rng.randrange(1, 256) for _ in range(5000)))  # no NUL byte
    with pytest.raises(TextImportError, match=r"garbage\.dat.*binary"):
        read_treaty_file(garbage)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"not a pdf at all")
    with pytest.raises(TextImportError, match=r"fake\.pdf.*not a PDF"):
        read_treaty_file(fake)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(2000)))
    with pytest.raises(TextImportError, match=r"broken\.pdf"):
        read_treaty_file(broken)


@pytest.fixture
def pyplot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def test_pdf_round_trip(tmp_path, pyplot):
    from matplotlib.backends.backend_pdf import PdfPages

    pages = [
        [
            "AGREEMENT BETWEEN A AND B",
            "The Parties agree as follows:",
            "CHAPTER 6 TECHNICAL BARRIERS TO TRADE",
            "Article 6.1: Scope",
            "This Chapter applies to technical regulations.",
        ],
        [
            "Article 6.3 International Standards",
            "Each Party shall use international standards.",
            "Article 6.3 of this Agreement shall apply to conformity assessment.",
            "Capítulo 7",
            "Artículo 7.1",
            "Reglas de origen",
        ],
    ]
    path = tmp_path / "treaty.pdf"
    with PdfPages(path) as pdf:
        for lines in pages:
            figure = pyplot.figure(figsize=(8.5, 11))
            for index, line in enumerate(lines):
                figure.text(0.1, 0.9 - index * 0.04, line, fontsize=11)
            pdf.savefig(figure)
            pyplot.close(figure)
    text = read_treaty_file(path)
    chapters = split_treaty_text(text)
    assert structure(chapters) == [
        ("preamble", "Preamble", [("preamble", "Preamble")]),
        ("6", "TECHNICAL BARRIERS TO TRADE", [("6.1", "Scope"), ("6.3", "International Standards")]),
        ("7", "", [("7.1", "Reglas de origen")]),
    ]
    assert "Article 6.3 of this Agreement shall apply" in chapters[1].articles[1].text
    assert_nothing_lost(text, chapters)


def test_pdf_without_text_layer_asks_for_ocr(tmp_path, pyplot):
    import numpy

    figure = pyplot.figure(figsize=(4, 4))
    figure.figimage(numpy.random.default_rng(0).random((100, 100)))  # a page that is only an image
    path = tmp_path / "scan.pdf"
    figure.savefig(path)
    pyplot.close(figure)
    with pytest.raises(TextImportError, match=r"scan\.pdf.*no extractable text.*run OCR first"):
        read_treaty_file(path)
