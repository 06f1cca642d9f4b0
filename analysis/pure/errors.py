"""The specification error every pure module raises, and the marker of its translatable messages.
Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue (makemessages finds it by this name); pages
    say it in their reader's language (analysis/views/errors.py: spec_error_text)."""
    return message


class SpecError(ValueError):
    """The specification cannot be run as written (not retried by the job runner). str() is the
    English message; an error made by SpecError.of also keeps its template (marked with
    gettext_noop) and parameters, so a page can say it in its reader's language."""

    def __init__(self, message: str, *, template: str | None = None, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.template, self.params = template, dict(params or {})

    @classmethod
    def of(cls, template: str, **params: Any) -> SpecError:
        """An error from a marked template; a parameter may itself be a SpecError (translated too)."""
        return cls(template % {key: str(value) for key, value in params.items()}, template=template, params=params)
