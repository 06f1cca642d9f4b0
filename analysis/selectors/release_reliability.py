"""A release's agreement between coders, read when the release is made and stored in its summary:
per indicator the point estimates the release page shows and, since issue 21, their 95% intervals,
why a figure is not estimable, P(alpha < .667 / .800), the minimum number of treaties and the
warnings (codes), for the page and the README (analysis/pure/exports.py: reliability_readme); and
the same for the depth score and its tier ("agreement_scores", agreement_report's "scores")."""

from django.contrib.auth import get_user_model

from coding.models import Agreement
from coding.roles import REFERENCE
from coding.selectors.agreement_display import interval_row, score_rows
from coding.selectors.agreement_uncertainty import scores_with_uncertainty
from coding.selectors.dashboard import reliability_by_indicator

RELEASED_STATS = ("n_units", "percent_agreement", "krippendorff_alpha", "gwet_ac")
RELEASE_REPLICATES = 2000  # a release keeps its figures for good: the report's full bootstrap, not the pages' 500


def _human_coders(*, version, agreement_ids):
    """Usernames of the (non-reference) coders with codings of `agreement_ids` under `version`."""
    return sorted(
        get_user_model()
        .objects.exclude(groups__name=REFERENCE)
        .filter(codings__version=version, codings__agreement_id__in=agreement_ids)
        .values_list("username", flat=True)
        .distinct()
    )


def coder_agreement(*, version, agreement_ids):
    """Inter-coder agreement of the (human) coders on `agreement_ids`, per indicator ({} when
    fewer than two human coders coded them)."""
    humans = _human_coders(version=version, agreement_ids=agreement_ids)
    if len(humans) < 2:
        return {}
    stats = reliability_by_indicator(
        version=version,
        coders=humans,
        agreements=Agreement.objects.filter(pk__in=agreement_ids),
        intervals=True,
        replicates=RELEASE_REPLICATES,
    )
    return {
        code: {
            **{k: s[k] for k in RELEASED_STATS},
            "level": s.get("level"),
            "n_coders": s.get("n_coders"),
            **released_intervals(s),
        }
        for code, s in stats.items()
    }


def coder_score_agreement(*, version, agreement_ids):
    """The same coders' agreement on the codebook's additive depth score and its tier, in the shape
    of agreement_report's "scores" ({"depth": row, "tier": row}, each with "uncertainty",
    "not_estimable", "warning_codes", ...); {} with fewer than two human coders or no depth
    indicators. The additive score whatever the release's method: the page and README say so."""
    humans = _human_coders(version=version, agreement_ids=agreement_ids)
    if len(humans) < 2:
        return {}
    return scores_with_uncertainty(
        version=version,
        coders=humans,
        agreements=Agreement.objects.filter(pk__in=agreement_ids),
        replicates=RELEASE_REPLICATES,
    )


def released_intervals(summary):
    """What a release stores of a figure's uncertainty (releases made before issue 21 have none):
    the 95% intervals of the statistics it shows, why one is not estimable, the probability that
    alpha is below .667 / .800, the minimum number of treaties, the warnings (codes) and the
    treaties the analytic interval counts (n_analytic: coded at least once, as irrCAC)."""
    intervals = summary.get("intervals") or {}
    spreads = intervals.get("uncertainty") or {}
    return {
        "uncertainty": {name: spreads.get(name) for name in RELEASED_STATS[1:]},
        "not_estimable": {
            name: reason for name, reason in (intervals.get("not_estimable") or {}).items() if name in RELEASED_STATS
        },
        "p_alpha_below": intervals.get("p_alpha_below"),
        "min_units": intervals.get("min_units"),
        "n_analytic": intervals.get("n_analytic"),
        "warnings": intervals.get("warnings") or [],
        "replicates": intervals.get("replicates"),
    }


def release_agreement_table(release):
    """The release page's agreement tables, as the dashboard draws them (agreement_display's rows:
    each statistic with its 95% intervals, n, "not estimable" with the reason, the warnings in the
    page language): {"rows": per indicator, "score_rows": depth score and tier, "method": the
    release's method when it is not the additive score the score rows are on, else None}."""
    summary = release.summary or {}
    figures = summary.get("agreement") or {}
    levels = {i.code: i.level for i in release.version.indicators.all()}  # releases before "level" was stored
    # the stored warnings are codes, said by interval_row from "intervals" (never as notes)
    rows = [
        interval_row(
            code,
            {"level": levels.get(code), **figure, "warnings": [], "intervals": figure},
            stats=RELEASED_STATS[1:],
        )
        for code, figure in figures.items()
    ]
    scores = summary.get("agreement_scores") or {}
    score_table = score_rows(
        {name: {**row, "warnings": [], "intervals": _as_intervals(row)} for name, row in scores.items()}
    )
    method = (release.method or {}).get("name", "additive")
    return {"rows": rows, "score_rows": score_table, "method": method if method != "additive" else None}


def _as_intervals(row):
    """agreement_report's score row (flat "uncertainty", "warning_codes") as interval_row reads it."""
    return {**row, "warnings": row.get("warning_codes") or []}
