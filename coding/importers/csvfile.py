"""Reading a CSV file for an importer, with every way a file can be malformed named by file and
line: too large, not UTF-8 (with or without BOM), NUL bytes, malformed quoting, duplicate or
missing columns, rows with more or fewer fields than the header. Pure: no Django.

    with csv_rows(path, required={"agreement", "value"}) as (columns, rows):
        for line, row in rows:  # row: {column: text}, every column present
            ...
"""

import csv
import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import ImportFailed

# Far above any real file (DESTA's largest CSV is 2.5 MB); the whole file is decoded at once so a
# bad byte is reported with its line, before anything is written.
CSV_MAX_BYTES = 50 * 1024 * 1024
FIELD_MAX_CHARS = 100_000


def file_size_check(
    path: str | os.PathLike[str], *, max_bytes: int, what: str = "file", setting: str | None = None
) -> int:
    """Refuse a file larger than `max_bytes` before reading it into memory."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFailed(f"cannot open ({exc.strerror or exc})", path=path) from exc
    if size > max_bytes:
        where = f" (setting {setting})" if setting else ""
        raise ImportFailed(f"the {what} is {size:,} bytes, more than the limit of {max_bytes:,}{where}", path=path)
    return size


def line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed("the file is UTF-16 text; save it as a UTF-8 CSV file", path=path, line=1)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise ImportFailed(
            "contains a NUL byte (a binary file?); save it as a UTF-8 CSV file", path=path, line=line_of(raw, nul)
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        raise ImportFailed(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}: {exc.reason}); save it as a UTF-8 CSV file",
            path=path,
            line=line_of(raw, exc.start + bom),
        ) from exc


def _header(path: Path, reader: Any) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed("the file is empty: expected a header line with column names", path=path, line=1) from None
    except csv.Error as exc:
        raise ImportFailed(f"not a CSV file ({exc})", path=path, line=1) from exc
    columns = [name.strip() for name in header]
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise ImportFailed(f"column '{name}' appears twice in the header", path=path, line=1)
        seen.add(name)
    return columns


def _rows(path: Path, reader: Any, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed(f"not a CSV file ({exc})", path=path, line=reader.line_num or None) from exc
        if not fields:
            continue  # a blank line
        line = reader.line_num
        if len(fields) != len(columns):
            raise ImportFailed(f"{len(fields)} fields, but the header has {len(columns)} columns", path=path, line=line)
        for name, value in zip(columns, fields):
            if len(value) > FIELD_MAX_CHARS:
                raise ImportFailed(
                    f"{len(value):,} characters, more than {FIELD_MAX_CHARS:,}", path=path, line=line, field=name
                )
        yield line, dict(zip(columns, fields))


@contextmanager
def csv_rows(
    path: str | os.PathLike[str], *, required: Iterable[str] = (), max_bytes: int = CSV_MAX_BYTES
) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, str]]]]]:
    """(columns, rows): `rows` yields (line, {column: text}); the line is the row's last line in
    the file (its only line, unless a quoted field spans lines)."""
    path = Path(path)
    file_size_check(path, max_bytes=max_bytes, what="CSV file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"cannot open ({exc.strerror or exc})", path=path) from exc
    text = _decode(path, raw)
    # strict: a quote left open swallows the rest of the file otherwise.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns = _header(path, reader)
    missing = set(required) - set(columns)
    if missing:
        raise ImportFailed(f"missing columns: {', '.join(sorted(missing))}", path=path, line=1)
    yield columns, _rows(path, reader, columns)
