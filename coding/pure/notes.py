"""Warnings as data. A pure module has no reader, so beside each warning's English text (the CLI,
the JSON API, stored rows) it keeps the warning as a note: its untranslated template (the msgid,
marked with gettext_noop where it is written) and the template's parameters. The English text is
made from the note (`english`), so text and note cannot drift; a page says the note in its
reader's language (`translated`, given Django's gettext and ngettext by a template tag) and a
warning stored before notes existed as its stored English. Pure: no Django.

A note is plain JSON: {"code": template, "params": {name: value}} and, for a count said in the
singular or plural, "plural": the plural template (params then hold "count"). A list parameter is
joined with ", " when the note is said."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict

Translate = Callable[[str], str]
TranslatePlural = Callable[[str, str, int], str]


def gettext_noop(message: str) -> str:
    """Marks a template for the translation catalogue (makemessages finds it by this name)."""
    return message


def ngettext_lazy(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular and plural pair of templates for the catalogue as one entry: makemessages
    extracts a call of this name as a pair (its keyword ngettext_lazy:1,2), as it does
    gettext_noop's one template. Nothing is translated here (see `translated`)."""
    return singular, plural


class Note(TypedDict):
    code: str
    params: dict[str, Any]
    plural: NotRequired[str]


def _plain(value: Any) -> Any:
    """A parameter as JSON keeps it: lists of strings, numbers and strings as they are."""
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def note(template: str, **params: Any) -> Note:
    """A warning as its template and parameters."""
    return {"code": template, "params": {key: _plain(value) for key, value in params.items()}}


def plural_note(singular: str, plural: str, count: int, **params: Any) -> Note:
    """A warning said in the singular or the plural by `count` (a parameter too)."""
    return {**note(singular, count=count, **params), "plural": plural}


def _filled(template: str, params: Mapping[str, Any]) -> str:
    joined = {key: ", ".join(value) if isinstance(value, list) else value for key, value in params.items()}
    return template % joined if joined else template


def english(warning: Note) -> str:
    """The note's English text (what `warnings` stores)."""
    params = warning["params"]
    plural = warning.get("plural")
    template = plural if plural is not None and params.get("count") != 1 else warning["code"]
    return _filled(template, params)


def translated(warning: Note, gettext: Translate, ngettext: TranslatePlural) -> str:
    """The note in the reader's language (`gettext`, `ngettext`: Django's); its English when the
    translation no longer fits its parameters."""
    params = warning["params"]
    plural = warning.get("plural")
    try:
        if plural is not None:
            return _filled(ngettext(warning["code"], plural, int(params.get("count") or 0)), params)
        return _filled(gettext(warning["code"]), params)
    except (KeyError, TypeError, ValueError):
        return english(warning)


def is_note(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(value.get("code"), str)
        and isinstance(value.get("params"), Mapping)
        and isinstance(value.get("plural", ""), str)
    )


def noted(warnings: Sequence[str], notes: Iterable[object] | None) -> list[tuple[str, Note | None]]:
    """Each stored English warning with its note (None when it has none: a warning stored before
    notes existed, or one written without a note). Paired by the note's English text, an exact
    lookup, so a list whose warnings were extended (or a note that no longer matches) never pairs
    a warning with another's note."""
    by_text: dict[str, Note] = {}
    for item in notes or ():
        if is_note(item):
            candidate: Note = item  # type: ignore[assignment]  # checked by is_note
            try:
                by_text.setdefault(english(candidate), candidate)
            except (KeyError, TypeError, ValueError):
                continue
    return [(str(text), by_text.get(str(text))) for text in warnings]
