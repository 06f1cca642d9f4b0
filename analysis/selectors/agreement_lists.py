"""Reads of agreement lists: the lines a user gives to restrict a release (`release_dataset
--agreements FILE`, the release form) resolved to agreement ids. The parser is the coding app's
(coding/selectors/agreement_lists.py over coding/pure/agreement_list.py), the same one
`precode --agreements` and `train_precoder --exclude` read their files with. Reads only."""

from coding.pure.agreement_list import MAX_LINE, MAX_LINES
from coding.selectors.agreement_lists import (
    REFUSED_SHOWN,
    AgreementListError,
    agreement_by_ref_or_name,
    agreement_ids_from_file,
    agreement_ids_from_lines,
)

__all__ = [
    "MAX_LINE",
    "MAX_LINES",
    "REFUSED_SHOWN",
    "AgreementListError",
    "agreement_by_ref_or_name",
    "agreement_ids_from_file",
    "agreement_ids_from_lines",
]
