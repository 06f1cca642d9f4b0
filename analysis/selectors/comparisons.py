"""Reads for comparing two sources of codes ("approved", a coder, "release:N") side by side.
Reads only: a release opens here only to whoever may open its page (a release is never shown with
rows cut out); from a live source the agreements the user is still coding blind are left out
(coding/visibility.py decides both); the statistics are the pure analysis/pure/compare.py with
coding/pure/reliability.py's summary."""

import pandas as pd

from coding import visibility
from coding.models import Agreement
from coding.pure.depth import additive
from coding.pure.reliability import indicator_summary
from coding.selectors import agreement_display
from coding.selectors.agreement_uncertainty import tier_ranks
from coding.selectors.codings import reference_coders

from ..models import DatasetRelease
from ..pure.compare import compare_sources
from .releases import release_get, release_withheld_from, releases_for, source_codes, source_visible_to

RELEASE_PREFIX = "release:"


def release_closed_to(user, spec):
    """(release, how many of its agreements `user` codes blind) when `spec` names a release the
    user may not open because of them: the release page's check (`release_withheld_from`), so
    the comparison page refuses exactly the releases the release page refuses. None otherwise
    (not a release, an unknown one: a 404 follows, or one she may open). Whether she may see the
    release's source at all is `source_visible_to`'s question, asked first."""
    if not spec.startswith(RELEASE_PREFIX):
        return None
    try:
        release = release_get(spec[len(RELEASE_PREFIX) :])
    except DatasetRelease.DoesNotExist:
        return None
    withheld = release_withheld_from(user, release)
    return (release, withheld) if withheld else None


def comparison_options(user):
    """The sources `user` may pick: "approved", the reference coders, and the releases she may
    open (one read of her blind set for all of them)."""
    live = ["approved", *[u.username for u in reference_coders()]]
    return [
        *(source for source in live if source_visible_to(user, source)),
        *(f"{RELEASE_PREFIX}{release.number}" for release, withheld in releases_for(user) if not withheld),
    ]


def source_frame(spec, *, version):
    """A comparison source: 'release:N', 'approved', or a coder's username ('DESTA 2.1')."""
    spec = spec.strip()
    if spec.startswith(RELEASE_PREFIX):
        release = release_get(spec[len(RELEASE_PREFIX) :])
        codes = [i.code for i in release.version.indicators.all()]
        frame = pd.DataFrame(release.rows).set_index("agreement_id")
        return frame.reindex(columns=codes).astype(float), release.version
    return source_codes(version=version, source=spec), version


def comparison_for(user, *, a, b, version):
    """Two sources side by side (see compare.compare_sources), without the agreements `user` is
    still coding blind; `hidden` says how many were left out. The view refuses a release she may
    not open before asking (`release_closed_to`), so only live sources lose rows here."""
    frame_a, _ = source_frame(a, version=version)
    frame_b, _ = source_frame(b, version=version)
    blind = visibility.agreements_in_blind_coding(user)
    hidden = len(blind & (set(frame_a.index) | set(frame_b.index)))
    frame_a, frame_b = (
        frame_a.drop(index=list(blind), errors="ignore"),
        frame_b.drop(index=list(blind), errors="ignore"),
    )
    names = dict(Agreement.objects.filter(pk__in=list(frame_a.index.union(frame_b.index))).values_list("pk", "name"))
    levels = {i.code: (i.level, i.values) for i in version.indicators.all()}
    result = compare_sources(
        frame_a,
        frame_b,
        levels=levels,
        depth_indicators=version.depth_indicators,
        names=names,
        labels=("a", "b"),
        summarize=summary_with_intervals,
    )
    result["hidden"] = hidden
    result["rows"] = agreement_display.interval_rows(result["indicators"])
    result["score_rows"] = agreement_display.score_rows(score_agreement_between(frame_a, frame_b, version=version))
    result["replicates"] = agreement_display.PAGE_REPLICATES
    return result


def summary_with_intervals(matrix, *, level, categories):
    """indicator_summary with its 95% intervals, minimum sample and warnings (the pages' replicates)."""
    summary = indicator_summary(matrix, level=level, categories=categories)
    return agreement_display.with_intervals(summary, matrix, level=level, categories=categories)


def score_agreement_between(frame_a, frame_b, *, version):
    """{"depth": ..., "tier": ...}: agreement between two sources on the additive depth score
    (interval level) and its tier (ordinal), over the agreements both code; {} without depth
    indicators."""
    indicators = list(version.depth_indicators or [])
    if not indicators:
        return {}
    common = frame_a.index.intersection(frame_b.index)
    depth = pd.DataFrame(
        {
            label: additive(frame.reindex(columns=indicators), indicators).loc[common]
            for label, frame in (("a", frame_a), ("b", frame_b))
        }
    ).astype(float)
    scores = {"depth": agreement_display.score_summary(depth, level="interval")}
    if version.tiers:
        scores["tier"] = agreement_display.score_summary(tier_ranks(depth, version.tiers), level="ordinal")
    return scores
