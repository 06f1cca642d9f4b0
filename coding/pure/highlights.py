"""Cited passages as highlighted pieces of an article's text. Pure: no Django.

Evidence offsets are measured in the browser, where a string's length counts UTF-16 code units
(a character outside the BMP counts twice; see services/evidence.py); Python indexes code points,
so offsets are converted before the text is cut."""

from collections.abc import Hashable, Iterable
from itertools import pairwise
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def utf16_to_index(text: str, offset: int) -> int:
    """The Python index of the character at UTF-16 `offset` in `text` (clamped to the text)."""
    if offset <= 0:
        return 0
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def passage_segments(text: str, spans: Iterable[tuple[int | None, int | None, Key]]) -> list[tuple[str, list[Key]]]:
    """Cut `text` at every passage boundary: [(piece, keys covering it)] in order, together the
    whole text. `spans` are (start, end, key) in UTF-16 offsets; empty or inverted spans are
    ignored and spans reaching past the text are cut at its end. Keys keep their first-seen order."""
    bounded: list[tuple[int, int, Key]] = []
    for start, end, key in spans:
        if start is None or end is None:
            continue
        a, b = utf16_to_index(text, start), utf16_to_index(text, end)
        if b > a:
            bounded.append((a, b, key))
    cuts = sorted({0, len(text), *(a for a, _b, _k in bounded), *(b for _a, b, _k in bounded)})
    segments = []
    for a, b in pairwise(cuts):
        keys: list[Key] = []
        for start, end, key in bounded:
            if start <= a and end >= b and key not in keys:
                keys.append(key)
        segments.append((text[a:b], keys))
    return segments
