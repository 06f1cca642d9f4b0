"""A list of agreements as a user writes it, one per line (`release_dataset --agreements FILE`,
the release form, `precode --agreements FILE`, `train_precoder --exclude FILE`): the file read as
UTF-8 text and its lines cut into references, with every way a file or line can be malformed named
by file and line. Pure: no Django; resolving a reference to an agreement is
coding/selectors/agreement_lists.py.

A line is a workbench id, desta:N, tota:N, wto:N or an agreement's name. Blank lines and lines
starting with # are skipped; after a reference a # starts a comment ("desta:12 #held out"), after
a name a # standing alone ("EU - Korea # FTA"), so a name may still contain one ("Agreement #2").
"""

import os
import re
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # far above 20,000 lines of references
MAX_LINES = 20_000
MAX_LINE = 300
REFERENCE_PREFIXES = ("desta", "tota", "wto")
_TRAILING_COMMENT = re.compile(r"\s+#(\s.*)?$")


class AgreementListError(ValueError):
    """A list file that cannot be read as text; the message names the file (and line)."""


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def read_list_file(path: str | os.PathLike[str]) -> list[str]:
    """The lines of a list file. AgreementListError naming the file when it cannot be opened, is
    too large, or is not UTF-8 text (with the line of the first bad byte)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise AgreementListError(f"{path}: the file is {size:,} bytes, more than the limit of {MAX_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise AgreementListError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AgreementListError(f"{path}, line 1: the file is UTF-16 text; save it as UTF-8 text")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise AgreementListError(f"{path}, line {_line_of(raw, nul)}: contains a NUL byte (a binary file?)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        line = _line_of(raw, exc.start + bom)
        raise AgreementListError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}: {exc.reason}); save it as UTF-8 text"
        ) from exc
    return text.splitlines()


def list_entries(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, reference text) of every line that names something, in order. A file of
    more than MAX_LINES lines is the caller's refusal (too_many_lines)."""
    entries = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff").strip()
        if not text or text.startswith("#"):
            continue
        head = text.split("#", 1)[0].strip()
        text = head if is_reference(head) else _TRAILING_COMMENT.sub("", text)
        entries.append((number, text))
    return entries


def too_many_lines(lines: list[str]) -> bool:
    return len(lines) > MAX_LINES


def entry_problem(text: str) -> str | None:
    """Why a line cannot be a reference at all (too long, a NUL character), or None."""
    if len(text) > MAX_LINE or "\x00" in text:
        return f"'{text[:60]}…' is not an agreement reference"
    return None


def is_reference(text: str) -> bool:
    """A workbench id or a desta:/tota:/wto: reference, as every command takes them (else a name)."""
    head = text.partition(":")[0].lower()
    return (text.isascii() and text.isdigit()) or head in REFERENCE_PREFIXES
