"""Who may open a release (reads, no writes): its source must be visible to the user and none of
its agreements coded blind by them (coding/visibility.py decides both). An IRT release calibrated
on other sources (method "calibrate_with") rests on their codes too: their agreements and their
visibility count as the release's own, so a blind coder learns nothing through item parameters."""

from coding import visibility


def _calibration(release):
    return ((release.summary or {}).get("irt") or {}).get("calibration") or {}


def release_sources(release):
    """The release's source and the sources its IRT items were calibrated on."""
    return [release.source, *_calibration(release).get("sources", [])]


def release_agreement_ids(release):
    """The release's agreements and those of its calibration codings."""
    own = [row["agreement_id"] for row in release.rows]
    return list(dict.fromkeys(own + list(_calibration(release).get("agreement_ids", []))))


def release_withheld_from(user, release, *, blind=None) -> int:
    """How many of the release's agreements `user` is still coding blind (see
    coding.visibility.withheld_count: a release is never shown with rows cut out)."""
    return visibility.withheld_count(user, release_agreement_ids(release), blind=blind)


def release_visible_to(user, release, *, blind=None) -> bool:
    """coding.visibility's rule for the release's values, and the calibration sources visible too
    (their agreements are already among release_agreement_ids: blindness is counted once)."""
    calibration_sources = release_sources(release)[1:]
    return visibility.values_visible_to(
        user, source=release.source, agreement_ids=release_agreement_ids(release), blind=blind
    ) and all(visibility.source_visible_to(user, source) for source in calibration_sources)
