"""A release's agreement between coders, read when the release is made and stored in its summary:
per indicator the point estimates the release page shows and, since issue 21, their 95% intervals,
why a figure is not estimable, P(alpha < .667 / .800), the minimum number of treaties and the
warnings (codes), for the page and the README (analysis/pure/exports.py: reliability_readme)."""

from django.contrib.auth import get_user_model

from coding.models import Agreement
from coding.roles import REFERENCE
from coding.selectors.dashboard import reliability_by_indicator


def coder_agreement(*, version, agreement_ids):
    """Inter-coder agreement of the (human) coders on `agreement_ids`, per indicator ({} when
    fewer than two human coders coded them)."""
    humans = list(
        get_user_model()
        .objects.exclude(groups__name=REFERENCE)
        .filter(codings__version=version, codings__agreement_id__in=agreement_ids)
        .values_list("username", flat=True)
        .distinct()
    )
    if len(humans) < 2:
        return {}
    stats = reliability_by_indicator(
        version=version,
        coders=sorted(humans),
        agreements=Agreement.objects.filter(pk__in=agreement_ids),
        intervals=True,
        replicates=RELEASE_REPLICATES,
    )
    return {code: {**{k: s[k] for k in RELEASED_STATS}, **released_intervals(s)} for code, s in stats.items()}


RELEASED_STATS = ("n_units", "percent_agreement", "krippendorff_alpha", "gwet_ac")
RELEASE_REPLICATES = 2000  # a release keeps its figures for good: the report's full bootstrap, not the pages' 500


def released_intervals(summary):
    """What a release stores of a figure's uncertainty (releases made before issue 21 have none):
    the 95% intervals of the statistics it shows, why one is not estimable, the probability that
    alpha is below .667 / .800, the minimum number of treaties and the warnings (codes)."""
    intervals = summary.get("intervals") or {}
    spreads = intervals.get("uncertainty") or {}
    return {
        "uncertainty": {name: spreads.get(name) for name in RELEASED_STATS[1:]},
        "not_estimable": {
            name: reason for name, reason in (intervals.get("not_estimable") or {}).items() if name in RELEASED_STATS
        },
        "p_alpha_below": intervals.get("p_alpha_below"),
        "min_units": intervals.get("min_units"),
        "warnings": intervals.get("warnings") or [],
        "replicates": intervals.get("replicates"),
    }
