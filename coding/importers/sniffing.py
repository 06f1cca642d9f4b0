"""What a file is, by its first bytes rather than its name: the one check every path that imports a
treaty text makes (import_text, the upload form, the worker) before anything is read or stored.
Pure: no Django; the caller words the refusal in the reader's language (coding/services/texts.py).

A treaty text is plain text (the reader decodes UTF-8, UTF-16/32 with a byte-order mark, GB18030
or Windows-1252 and refuses binary content: coding/importers/plaintext/reading.py) or a PDF,
known by its %PDF header. A file named .txt or .pdf whose first bytes are those of another
format (a Word document, an image, an archive) is refused here, naming what was found."""

import os
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".pdf")
HEAD_BYTES = 1024
PDF_MAGIC = b"%PDF"

# (first bytes, kind) of formats people upload by mistake. Sources: each format's specification
# (ZIP local file header, the OLE2 compound file signature, PNG, JPEG/JFIF, GIF87a/89a, gzip, 7z, RAR,
# RTF, PE/MZ and ELF executables).
MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"\x1f\x8b", "archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive"),
    (b"Rar!\x1a\x07", "archive"),
    (b"MZ\x90\x00", "program"),
    (b"\x7fELF", "program"),
)
OTHER_KINDS = {kind for _magic, kind in MAGIC}


def content_kind(head: bytes) -> str:
    """'pdf', 'text' (for the text reader to decode), or one of OTHER_KINDS, from a file's first bytes."""
    if head[:HEAD_BYTES].lstrip().startswith(PDF_MAGIC):
        return "pdf"
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return "text"


def refusal(name: str, head: bytes) -> tuple[str, str] | None:
    """Why a file named `name` starting with `head` cannot be a treaty text, or None, as (code,
    detail): ('other-format', kind) when the content is a known non-text format, ('suffix', the
    suffix) when the name is not .txt or .pdf, ('not-pdf', kind) when named .pdf without a %PDF header."""
    suffix = Path(name).suffix.lower()
    kind = content_kind(head)
    if kind in OTHER_KINDS:
        return "other-format", kind
    if suffix not in TEXT_SUFFIXES:
        return "suffix", suffix
    if suffix == ".pdf" and kind != "pdf":
        return "not-pdf", kind
    return None


def read_head(path: str | os.PathLike[str]) -> bytes:
    """The first bytes of a file; b"" when it cannot be read (the reader then says why)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError:
        return b""
