"""Bounds for every number and name that comes in, checked before any row or file is written.

One module for the page, the API, the commands and the input files, because the database is
the wrong place to find out: PostgreSQL refuses an infinity inside a JSON column (`DataError:
Token "Infinity"`), SQLite a NaN (IntegrityError), both a name longer than its column, and
Python's JSON parser recurses once per level of nesting (a body nested 1000 deep is a
RecursionError, a 500). Errors are BoundsError, a SpecError (so every path that already answers
a specification error with a 400 or a CommandError answers these too), naming the field and
translatable like SpecError.of.

Pure: the standard library only.
"""

import json
import math
import numbers
from collections.abc import Callable
from typing import Any, NoReturn, cast

from .errors import SpecError, gettext_noop

# Years of trade data and treaties: CEPII's TRADHIST starts in 1827, DESTA's oldest treaty is
# older still; the coding side's importers use the same range (coding/importers/desta.py).
MIN_YEAR, MAX_YEAR = 1800, 2100
MAX_LAG = 50  # years a lag or lead reaches back or forward
MAX_WEIGHT = 1000  # a depth indicator weighted 1000 times another is a typo, not a design
MAX_MAGNITUDE = 10**15  # a filter value beyond this is no code, year or count a panel holds
MAX_JSON_DEPTH = 32  # a specification is 3 levels deep; codings' answers 3


class BoundsError(SpecError):
    """A number or name out of bounds; str() names the field and what is allowed."""


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def finite_number(value: Any, field: str, *, low: float | None = None, high: float | None = None) -> Any:
    """`value` if it is a finite real number (not a bool) within [low, high], else BoundsError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise BoundsError.of(
            gettext_noop("%(field)s: expected a number, got %(value)s"), field=field, value=_show(value)
        )
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an int too large for a float
        finite = False
    if not finite:
        raise BoundsError.of(
            gettext_noop("%(field)s: %(value)s is not a finite number"), field=field, value=_show(value)
        )
    number = cast(float, value)  # numbers.Real declares no comparison; every real one compares like a float
    if (low is not None and number < low) or (high is not None and number > high):
        raise BoundsError.of(
            gettext_noop("%(field)s: %(value)s is out of range (%(low)s to %(high)s)"),
            field=field,
            value=_show(value),
            low=low,
            high=high,
        )
    return value


def whole_number(value: Any, field: str, *, low: int, high: int) -> int:
    """`value` as an int if it is a whole number (1990 or 1990.0) within [low, high]."""
    finite_number(value, field)
    if value != int(value):
        raise BoundsError.of(
            gettext_noop("%(field)s: %(value)s is not a whole number"), field=field, value=_show(value)
        )
    return int(finite_number(int(value), field, low=low, high=high))


def year_in_range(value: Any, field: str) -> int:
    return whole_number(value, field, low=MIN_YEAR, high=MAX_YEAR)


def lag_in_range(value: Any, field: str) -> int:
    """A lag or lead in whole years, 1 to MAX_LAG."""
    return whole_number(value, field, low=1, high=MAX_LAG)


def weight(value: Any, field: str) -> float:
    """An indicator's weight in a depth score: a finite number from 0 to MAX_WEIGHT."""
    return float(finite_number(value, field, low=0, high=MAX_WEIGHT))


def name_length(name: object, field: str, limit: int, *, blank: bool = False) -> str:
    """`name` stripped, if it is text of at most `limit` characters (and not empty unless `blank`)."""
    if not isinstance(name, str):
        raise BoundsError.of(gettext_noop("%(field)s: expected text, got %(value)s"), field=field, value=_show(name))
    name = name.strip()
    if not name and not blank:
        raise BoundsError.of(gettext_noop("%(field)s: a name is needed"), field=field)
    if len(name) > limit:
        raise BoundsError.of(
            gettext_noop("%(field)s: %(length)s characters long; at most %(limit)s are allowed"),
            field=field,
            length=len(name),
            limit=limit,
        )
    return name


def not_a_number(name: str, field: str) -> str:
    """`name` unless it reads as a number ("1", "#12"): lookups by number or name would take it
    for that number."""
    if name.lstrip("#").strip().isdigit():
        raise BoundsError.of(
            gettext_noop("%(field)s: %(value)s would be read as a number; a name needs a letter"),
            field=field,
            value=_show(name),
        )
    return name


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep the arrays and objects of JSON `text` nest, counted without parsing it (brackets
    inside strings do not count) and stopping once past `limit`."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif character in "]}":
            depth -= 1
    return deepest


def check_json_depth(text: str, field: str, limit: int = MAX_JSON_DEPTH) -> str:
    if json_depth(text, limit) > limit:
        raise BoundsError.of(
            gettext_noop("%(field)s: JSON nested deeper than %(limit)s levels"), field=field, limit=limit
        )
    return text


def _finite_float(field: str) -> Callable[[str], float]:
    def parse(text: str) -> float:  # 1e999: float() says inf, the message quotes what was written
        number = float(text)
        if not math.isfinite(number):
            raise BoundsError.of(
                gettext_noop("%(field)s: %(value)s is not a finite number"), field=field, value=text[:40]
            )
        return number

    return parse


def _constant(field: str) -> Callable[[str], NoReturn]:
    def refuse(text: str) -> NoReturn:  # NaN, Infinity, -Infinity: Python's extensions, not JSON
        raise BoundsError.of(gettext_noop("%(field)s: %(value)s is not a finite number"), field=field, value=text)

    return refuse


def json_loads(text: str, field: str, limit: int = MAX_JSON_DEPTH) -> Any:
    """json.loads(text) with the depth bounded and every number finite (JSON has no NaN or
    Infinity, but Python reads them, and 1e999 as infinity). json.JSONDecodeError as usual for
    text that is not JSON; BoundsError for the rest."""
    check_json_depth(text, field, limit)
    try:
        return json.loads(text, parse_float=_finite_float(field), parse_constant=_constant(field))
    except (json.JSONDecodeError, BoundsError):
        raise
    except ValueError as exc:  # an integer of more than 4300 digits
        raise BoundsError.of(gettext_noop("%(field)s: a number is too large"), field=field) from exc
