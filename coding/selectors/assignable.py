"""What the assignment page lists: the filtered agreements (selectors/agreements.py:
agreement_list), the first few shown, in name order or most uncertain first (the newest
retraining's scores, selectors/precoder_training.py), and how many match. Reads only."""

from .precoder_training import uncertainty_order

SHOWN = 500  # agreements listed at once; the count says how many match


def assignable_agreements(agreements, *, version=None, by_uncertainty=False, limit=SHOWN):
    """([(agreement, its uncertainty under `version` or None)] for the first `limit` of the
    filtered `agreements` (a queryset), most uncertain first when `by_uncertainty`; and how many
    agreements match the filters."""
    shown, scores = agreements, {}
    if by_uncertainty and version is not None:
        shown, scores, _job = uncertainty_order(version=version, agreements=agreements)
    return [(agreement, scores.get(agreement.pk)) for agreement in shown[:limit]], agreements.count()
