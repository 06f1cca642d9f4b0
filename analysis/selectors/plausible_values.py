"""Reads for plausible values of depth (analysis/pure/plausible_values.py): the submitted codings
of the human coders of a release's treaties, before adjudication, for source "coders"."""

from django.contrib.auth import get_user_model

from coding.models import Answer, Coding
from coding.roles import REFERENCE


def release_coder_codings(release, indicators):
    """{agreement id: [{indicator: value}, ...]}: one dict per human coder (reference sources
    such as DESTA are not coders) whose coding of a treaty of `release` under its codebook version
    was submitted, in the coders' username order, with the values of `indicators` (None when not
    answered)."""
    agreement_ids = [row["agreement_id"] for row in release.rows]
    references = get_user_model().objects.filter(groups__name=REFERENCE).values_list("pk", flat=True)
    answers = (
        Answer.objects.filter(
            coding__version_id=release.version_id,
            coding__agreement_id__in=agreement_ids,
            coding__state=Coding.State.SUBMITTED,
            indicator__code__in=list(indicators),
        )
        .exclude(coding__coder_id__in=list(references))
        .values_list("coding__agreement_id", "coding__coder__username", "indicator__code", "value")
        .order_by("coding__agreement_id", "coding__coder__username")
    )
    codings = {}
    for agreement_id, coder, code, value in answers:
        codings.setdefault(agreement_id, {}).setdefault(coder, dict.fromkeys(indicators))[code] = value
    return {agreement_id: [by_coder[coder] for coder in sorted(by_coder)] for agreement_id, by_coder in codings.items()}
