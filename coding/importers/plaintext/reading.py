"""Reading a treaty file: plain text in the usual encodings (UTF-8 with or without BOM, UTF-16 and
UTF-32 with BOM, GB18030/GBK for Chinese, Windows-1252) or a PDF's text layer, refusing binary,
empty, undecodable and oversized files. Pure: no Django.

The size limit is `MAX_BYTES`; the coding app sets it from the TEXT_MAX_BYTES setting at start-up
(coding/apps.py), and a caller may pass `max_bytes`. It is checked before the file is read."""

import codecs
import os
import re
import unicodedata
from pathlib import Path

from ..csvfile import line_of
from ..errors import ImportFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_BYTES = DEFAULT_MAX_BYTES
ENCODINGS_NAMED = "UTF-8, UTF-16 with byte-order mark, GB18030/GBK or Windows-1252"
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # UTF-32 LE starts like UTF-16 LE
# A GB2312 character: both bytes in A1..FE. Chinese text in GBK is nearly all of these; Latin text in
# Windows-1252 that happens to decode as GB18030 has its accented letters beside ASCII instead.
GB2312_PAIR = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")
DETECT_SAMPLE = 256 * 1024


class TextImportError(ImportFailed, ValueError):
    """The file cannot be read as a treaty text. The message starts with the file's path."""

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None, line: int | None = None) -> None:
        super().__init__(message, path=path, line=line)


def read_treaty_file(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> str:
    """The text of a .txt (see the module doc for encodings) or .pdf file, with "\\n" line ends
    and NFC-normalised characters. Raises TextImportError naming the file."""
    path = Path(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise TextImportError(
                f"the file is {size:,} bytes, more than the limit of {limit:,} (setting TEXT_MAX_BYTES)", path=path
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise TextImportError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    if not raw.strip():
        raise TextImportError("the file is empty: it contains no text", path=path)
    if path.suffix.lower() == ".pdf" or raw[:1024].lstrip().startswith(b"%PDF"):
        text = _pdf_text(path, raw)
    else:
        text = _decode(path, raw)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise TextImportError("the file contains no text", path=path)
    return text


def _decode(path: Path, raw: bytes) -> str:
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            name = encoding[:6].upper()
            try:
                return _check_not_binary(path, raw[len(bom) :].decode(encoding))
            except UnicodeDecodeError as exc:
                offset = len(bom) + exc.start
                raise TextImportError(
                    f"starts with a {name} byte-order mark but is not valid {name} (at byte {offset:,}: {exc.reason})",
                    path=path,
                    line=line_of(raw, offset),
                ) from exc
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise TextImportError(
            "this is not a text file (binary content: NUL bytes); expected .txt or .pdf "
            "(UTF-16 text needs its byte-order mark)",
            path=path,
            line=line_of(raw, nul),
        )
    try:
        return _check_not_binary(path, raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        not_utf8 = exc
    if _looks_like_gbk(raw[:DETECT_SAMPLE]):
        try:
            return _check_not_binary(path, raw.decode("gb18030"))
        except UnicodeDecodeError:
            pass
    try:
        return _check_not_binary(path, raw.decode("cp1252"))
    except UnicodeDecodeError:
        pass
    _check_not_binary(path, raw.decode("latin-1"))  # random bytes: say "binary", not "encoding"
    raise TextImportError(
        f"cannot decode the text: it is not {ENCODINGS_NAMED} (byte 0x{raw[not_utf8.start]:02x} at "
        f"byte {not_utf8.start:,} is not UTF-8); save it as UTF-8",
        path=path,
        line=line_of(raw, not_utf8.start),
    )


def _looks_like_gbk(sample: bytes) -> bool:
    """Most non-ASCII bytes form GB2312 character pairs (simplified Chinese in GBK or GB18030)."""
    high = len(sample.translate(None, bytes(range(0x80))))
    pairs = GB2312_PAIR.subn(b"", sample)[1]
    return high > 0 and 2 * pairs >= 0.8 * high


def _check_not_binary(path: Path, text: str) -> str:
    sample = text[:20000]
    control = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if control > max(2, len(sample) // 100):
        raise TextImportError("this is not a text file (binary content); expected .txt or .pdf", path=path)
    return text


def _pdf_text(path: Path, raw: bytes) -> str:
    if not raw[:1024].lstrip().startswith(b"%PDF"):
        raise TextImportError("not a PDF file (no %PDF header)", path=path)
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # pypdf raises many kinds on damaged content streams
                raise TextImportError(
                    f"cannot extract the text of page {number} ({type(exc).__name__}: {exc})", path=path
                ) from exc
    except TextImportError:
        raise
    except Exception as exc:  # a damaged, truncated or encrypted PDF
        raise TextImportError(f"not a readable PDF ({type(exc).__name__}: {exc})", path=path) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise TextImportError(
            f"the PDF ({len(pages)} page(s)) has no extractable text: scanned PDF without a text layer? run OCR first",
            path=path,
        )
    return text
