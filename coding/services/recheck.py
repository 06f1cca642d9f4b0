"""Carrying codings over to a new codebook version. Services: keyword-only and atomic.

A new codebook version never edits the codings made under the old one (they stay bound to it,
with their adjudication and the releases built from them). Carrying over makes, for each coder,
a coding under the new version on the same treaty text:
- indicators whose question, values and guidance did not change: the answer is copied with its
  note, "searched, not found" chapters and evidence, so nobody codes them again;
- changed (and new) indicators: an empty answer flagged `recheck`; the coder answers it again
  under the new wording (her old answer is shown beside it in the workspace), which clears the
  flag;
- a coding that was submitted and has nothing to re-check is submitted as it was; when every
  coder's is, the adjudication under the new version opens by itself and takes over the old
  final values of unchanged indicators (services/adjudication.py), to be approved again.
Who is assigned under the old version is assigned under the new one. Reference sources (DESTA
2.1, the study) are not carried over: their codes are imported again.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Answer, Assignment, Coding, Evidence
from ..selectors.recheck import recheck_candidates
from .adjudication import adjudication_open_if_ready
from .history import history_user


def _carry_one(old, *, version, recheck, assigned_by):
    new = Coding.objects.create(
        agreement=old.agreement, version=version, coder=old.coder, text_version=old.text_version, carried_from=old
    )
    if Assignment.objects.filter(agreement=old.agreement, version=old.version, coder=old.coder).exists():
        Assignment.objects.get_or_create(
            agreement=old.agreement, version=version, coder=old.coder, defaults={"assigned_by": assigned_by}
        )
    old_answers = {a.indicator.code: a for a in old.answers.select_related("indicator").prefetch_related("evidence")}
    for indicator in version.indicators.all():
        previous = old_answers.get(indicator.code)
        if indicator.code in recheck:
            Answer.objects.create(coding=new, indicator=indicator, recheck=True)
        elif previous is not None:
            # The first answer travels with the value: a value given after a suggestion stays marked so.
            answer = Answer.objects.create(
                coding=new,
                indicator=indicator,
                value=previous.value,
                note=previous.note,
                not_found=previous.not_found,
                searched_chapters=previous.searched_chapters,
                first_value=previous.first_value,
                suggestion_shown_at=previous.suggestion_shown_at,
            )
            Evidence.objects.bulk_create(
                Evidence(
                    answer=answer, article_identifier=e.article_identifier, start=e.start, end=e.end, quote=e.quote
                )
                for e in previous.evidence.all()
            )
    if old.state == Coding.State.SUBMITTED and not recheck:
        new.state, new.submitted_at = Coding.State.SUBMITTED, old.submitted_at
        new.save(update_fields=["state", "submitted_at", "updated_at"])
    return new


@transaction.atomic
def codings_carry_over(*, version, user, agreements=None):
    """Carry the waiting codings (selectors.recheck.recheck_candidates) of `agreements` (all when
    None) over to `version`, which must be its codebook's newest. Returns the new codings."""
    latest = version.codebook.versions.order_by("-number").first()
    if version.pk != latest.pk:
        raise ValidationError(
            _("Codings are carried over to the newest version of a codebook (%(v)s).") % {"v": latest}
        )
    wanted = None if agreements is None else {a.pk for a in agreements}
    created = []
    with history_user(user):
        for old, codes in recheck_candidates(version=version):
            if wanted is not None and old.agreement_id not in wanted:
                continue
            # Only indicators the coder must look at again; a removed indicator is simply gone.
            created.append(_carry_one(old, version=version, recheck=set(codes), assigned_by=user))
        for agreement in {c.agreement for c in created}:
            adjudication_open_if_ready(agreement=agreement, version=version)
    return created
