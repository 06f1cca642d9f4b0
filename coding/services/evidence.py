"""What a coder may cite as evidence for an answer, checked before a save writes anything
(services/codings.py): at most MAX_EVIDENCE_PER_ANSWER items, each naming an article of the
coding's own text version, a passage with its start before its end and inside the article's text
(measured in UTF-16 units, as the browser counts), a quote of at most MAX_QUOTE_LENGTH characters.
Every error names the item and the field; the caller adds the indicator."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Article, TextVersion

# Bounds on evidence, so a bad client gets a message and the database never an absurd value.
# A serializer that bounds evidence imports these rather than repeating them.
MAX_EVIDENCE_PER_ANSWER = 50
MAX_QUOTE_LENGTH = 10_000

# A cleaned evidence item: article_identifier, start, end (ints or both None), quote.
EvidenceItem = dict[str, Any]


def _offset(value: object, *, where: str, name: str) -> int:
    """An int, or a string of digits (with an optional minus: the range check names it)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValidationError(_("%(where)s: %(field)s must be a whole number") % {"where": where, "field": name})


def evidence_clean(items: Iterable[object] | None, *, known_articles: set[str] | None) -> list[EvidenceItem]:
    """Cleaned evidence items; raises ValidationError (message without the indicator) naming the
    item and field. `known_articles`: the identifiers a passage may cite (None: any)."""
    items = list(items or [])
    if len(items) > MAX_EVIDENCE_PER_ANSWER:
        raise ValidationError(
            _("at most %(max)d evidence items per answer (%(n)d given)")
            % {"max": MAX_EVIDENCE_PER_ANSWER, "n": len(items)}
        )
    evidence = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError(_("evidence %(n)d is not an object with an article") % {"n": n})
        where = _("evidence %(n)d") % {"n": n}
        article = str(item.get("article") or "").strip()
        if known_articles is not None and article not in known_articles:
            raise ValidationError(_("article '%(a)s' is not in this treaty") % {"a": article})
        start, end = item.get("start"), item.get("end")
        if (start is None) != (end is None):
            raise ValidationError(_("%(where)s: give both start and end of a passage, or neither") % {"where": where})
        if start is not None:
            start, end = _offset(start, where=where, name="start"), _offset(end, where=where, name="end")
            if end < start:
                raise ValidationError(
                    _("%(where)s: a passage needs a start before its end (start %(start)d, end %(end)d)")
                    % {"where": where, "start": start, "end": end}
                )
        quote = str(item.get("quote") or "")
        if len(quote) > MAX_QUOTE_LENGTH:
            raise ValidationError(
                _("%(where)s: quote is longer than %(max)d characters") % {"where": where, "max": MAX_QUOTE_LENGTH}
            )
        evidence.append({"article_identifier": article, "start": start, "end": end, "quote": quote})
    return evidence


def _utf16_length(text: str) -> int:
    # The workspace measures passages in the browser, where a string's length counts UTF-16
    # code units: a character outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def cited_articles(
    answers: Mapping[str, Mapping[str, Any]], *, text_version: TextVersion | None
) -> tuple[set[str] | None, dict[str, int]]:
    """(known, lengths) for the articles the answers cite, in one query: `known`, the cited
    identifiers that exist in `text_version` (None when it has no articles: a treaty without
    text, where any article may be named); `lengths`, their texts' lengths in UTF-16 units."""
    cited = {
        str(item.get("article") or "").strip()
        for payload in answers.values()
        for item in (payload.get("evidence") or [])
        if isinstance(item, dict)
    }
    if text_version is None:
        return None, {}
    if not cited:
        return set(), {}
    lengths = {
        identifier: _utf16_length(text)
        for identifier, text in Article.objects.filter(version=text_version, identifier__in=cited).values_list(
            "identifier", "text"
        )
    }
    if not lengths and not Article.objects.filter(version=text_version).exists():
        return None, {}
    return set(lengths), lengths


def passages_check(cleaned: Mapping[str, tuple[int | None, list[EvidenceItem]]], *, lengths: Mapping[str, int]) -> None:
    """Every passage lies inside its article's text (in the coding's text version). `cleaned`:
    indicator code -> (value, evidence items); an error is keyed by the indicator's code."""
    for code, (_value, evidence) in cleaned.items():
        for n, item in enumerate(evidence, start=1):
            if item["start"] is None:
                continue
            length = lengths.get(item["article_identifier"])
            if length is None:  # a treaty without text: an article may be named, no passage placed
                raise ValidationError(
                    {code: _("article '%(a)s' is not in this treaty") % {"a": item["article_identifier"]}}
                )
            for name in ("start", "end"):
                if not 0 <= item[name] <= length:
                    raise ValidationError(
                        {
                            code: _(
                                "evidence %(n)d: %(field)s must be between 0 and %(length)d, the length of article %(a)s"
                            )
                            % {"n": n, "field": name, "length": length, "a": item["article_identifier"]}
                        }
                    )
