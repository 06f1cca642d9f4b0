"""Reads of agreement lists: the lines a user gives to name agreements (`release_dataset
--agreements FILE` and the release form in the analysis app, `precode --agreements FILE` and
`train_precoder --exclude FILE` here) resolved to agreement ids. One parser for all of them
(coding/pure/agreement_list.py); reads only."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import Agreement
from ..pure.agreement_list import (
    MAX_LINES,
    AgreementListError,
    entry_problem,
    is_reference,
    list_entries,
    read_list_file,
    too_many_lines,
)
from .agreements import AgreementRefError, agreement_get_by_ref

__all__ = ["AgreementListError", "agreement_by_ref_or_name", "agreement_ids_from_file", "agreement_ids_from_lines"]

REFUSED_SHOWN = 10  # a file of many bad lines names the first ones and counts the rest


def agreement_by_ref_or_name(text) -> int:
    """The id of the agreement a line names: a workbench id, desta:N, tota:N or wto:N (as every
    command takes them), else its English or Chinese name (exact, case aside). Raises
    AgreementRefError."""
    if is_reference(text):
        return agreement_get_by_ref(text).pk
    matches = list(
        Agreement.objects.filter(Q(name__iexact=text) | Q(name_zh=text)).values_list("pk", flat=True).distinct()[:2]
    )
    if not matches:
        raise AgreementRefError(f"no agreement matches '{text}'")
    if len(matches) > 1:
        raise AgreementRefError(f"'{text}' names several agreements; use the workbench id or desta:N")
    return matches[0]


def agreement_ids_from_lines(lines, *, source="agreements", allow_empty=False):
    """The agreement ids the non-empty lines name (lines starting with # are comments), in the
    order given, each once. ValidationError naming `source`, the line numbers and texts of every
    line that names no agreement (or several), and their count; and for a list that names none,
    unless `allow_empty` (a list of treaties to leave out may leave out none)."""
    lines = list(lines)
    if too_many_lines(lines):
        raise ValidationError(
            _("%(source)s: %(count)s lines, more than %(limit)s.")
            % {"source": source, "count": len(lines), "limit": MAX_LINES}
        )
    ids, refused = [], []
    for number, text in list_entries(lines):
        try:
            problem = entry_problem(text)
            if problem:
                raise AgreementRefError(problem)
            ids.append(agreement_by_ref_or_name(text))
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
    if not ids and not allow_empty:
        raise ValidationError(_("%(source)s: no agreement listed.") % {"source": source})
    return list(dict.fromkeys(ids))


def agreement_ids_from_file(path, *, source=None, allow_empty=False):
    """agreement_ids_from_lines of a list file. AgreementListError naming the file (and line)
    when it cannot be read as UTF-8 text; ValidationError for lines that name no agreement."""
    return agreement_ids_from_lines(read_list_file(path), source=source or str(path), allow_empty=allow_empty)
