"""Reads of agreement lists: the lines a user gives to restrict a release (`release_dataset
--agreements FILE`, the release form) resolved to agreement ids. Reads only."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from coding.models import Agreement
from coding.selectors.agreements import AgreementRefError, agreement_get_by_ref

MAX_LINES = 20_000
MAX_LINE = 300
REFUSED_SHOWN = 10  # a file of many bad lines names the first ones and counts the rest


def _one(text):
    """The agreement a line names: a workbench id, desta:N, tota:N or wto:N (as every command
    takes them), else its English or Chinese name (exact, case aside). Raises AgreementRefError."""
    head = text.partition(":")[0].lower()
    if (text.isascii() and text.isdigit()) or head in {"desta", "tota", "wto"}:
        return agreement_get_by_ref(text).pk
    matches = list(
        Agreement.objects.filter(Q(name__iexact=text) | Q(name_zh=text)).values_list("pk", flat=True).distinct()[:2]
    )
    if not matches:
        raise AgreementRefError(f"no agreement matches '{text}'")
    if len(matches) > 1:
        raise AgreementRefError(f"'{text}' names several agreements; use the workbench id or desta:N")
    return matches[0]


def agreement_ids_from_lines(lines, *, source="agreements"):
    """The agreement ids the non-empty lines name (lines starting with # are comments), in the
    order given, each once. ValidationError naming `source`, the line numbers and texts of every
    line that names no agreement (or several), and their count."""
    lines = list(lines)
    if len(lines) > MAX_LINES:
        raise ValidationError(
            _("%(source)s: %(count)s lines, more than %(limit)s.")
            % {"source": source, "count": len(lines), "limit": MAX_LINES}
        )
    ids, refused = [], []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        try:
            if len(text) > MAX_LINE or "\x00" in text:
                raise AgreementRefError(f"'{text[:60]}…' is not an agreement reference")
            ids.append(_one(text))
        except AgreementRefError as exc:
            refused.append(f"line {number}: {exc}")
    if refused:
        more = len(refused) - REFUSED_SHOWN
        raise ValidationError(
            _("%(source)s: %(count)s lines name no single agreement (%(lines)s).")
            % {
                "source": source,
                "count": len(refused),
                "lines": "; ".join(refused[:REFUSED_SHOWN]) + (f"; … {more} more" if more > 0 else ""),
            }
        )
    if not ids:
        raise ValidationError(_("%(source)s: no agreement listed.") % {"source": source})
    return list(dict.fromkeys(ids))
