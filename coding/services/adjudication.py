"""Adjudication: agreements whose assigned coders have all submitted get final values; where all
coders agree the value is accepted automatically, every disagreement needs a supervisor's
decision with a rationale and a disagreement type."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Adjudication, Answer, Assignment, Coding, DisagreementType, FinalValue


def adjudication_open_if_ready(*, agreement, version):
    """Open (or refresh) adjudication once every assigned coder has submitted. Returns it or None."""
    assigned = set(Assignment.objects.filter(agreement=agreement, version=version).values_list("coder_id", flat=True))
    submitted = set(
        Coding.objects.filter(agreement=agreement, version=version, coder_id__in=assigned, state=Coding.State.SUBMITTED)
        .values_list("coder_id", flat=True)
    )
    if len(assigned) < 2 or submitted != assigned:
        return None
    adjudication, _created = Adjudication.objects.get_or_create(agreement=agreement, version=version)
    if adjudication.state == Adjudication.State.APPROVED:
        return adjudication
    values = {}
    for indicator_id, value in Answer.objects.filter(
        coding__agreement=agreement, coding__version=version, coding__coder_id__in=assigned
    ).values_list("indicator_id", "value"):
        values.setdefault(indicator_id, []).append(value)
    for indicator in version.indicators.all():
        given = values.get(indicator.pk, [])
        if len(given) == len(assigned) and len(set(given)) == 1:
            FinalValue.objects.get_or_create(
                adjudication=adjudication, indicator=indicator,
                defaults={"value": given[0], "disagreement_type": DisagreementType.AGREED},
            )
    return adjudication


@transaction.atomic
def adjudication_resolve(*, adjudication, indicator, value, rationale, disagreement_type, user):
    if adjudication.state == Adjudication.State.APPROVED:
        raise ValidationError(_("This agreement is approved; reopen it before changing a value."))
    if indicator.version_id != adjudication.version_id:
        raise ValidationError(_("This indicator belongs to another codebook version."))
    try:
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("'%(v)s' is not a number") % {"v": value}) from exc
    if value not in indicator.values:
        raise ValidationError(_("%(v)s is not an allowed value for %(code)s") % {"v": value, "code": indicator.code})
    if disagreement_type not in {DisagreementType.MISREAD, DisagreementType.AMBIGUITY, DisagreementType.CLERICAL,
                                 DisagreementType.OTHER}:
        raise ValidationError(_("Choose a disagreement type."))
    if not (rationale or "").strip():
        raise ValidationError(_("Give a rationale for the final value."))
    final, _created = FinalValue.objects.update_or_create(
        adjudication=adjudication, indicator=indicator,
        defaults={"value": value, "rationale": rationale.strip(), "disagreement_type": disagreement_type, "decided_by": user},
    )
    return final


@transaction.atomic
def adjudication_approve(*, adjudication, user):
    decided = set(adjudication.final_values.values_list("indicator_id", flat=True))
    missing = [i.code for i in adjudication.version.indicators.all() if i.pk not in decided]
    if missing:
        raise ValidationError(_("Decide every indicator before approving; open: %(codes)s") % {"codes": ", ".join(missing)})
    adjudication.state = Adjudication.State.APPROVED
    adjudication.approved_by, adjudication.approved_at = user, timezone.now()
    adjudication.revision += 1
    adjudication.save()
    return adjudication


@transaction.atomic
def adjudication_reopen(*, adjudication, user, reason):
    if adjudication.state != Adjudication.State.APPROVED:
        raise ValidationError(_("Only an approved agreement can be reopened."))
    if not (reason or "").strip():
        raise ValidationError(_("Say why the agreement is reopened."))
    adjudication.state = Adjudication.State.OPEN
    adjudication.reopen_reason = reason.strip()
    adjudication.approved_by, adjudication.approved_at = None, None
    adjudication.revision += 1
    adjudication._history_user = user
    adjudication.save()
    return adjudication


@transaction.atomic
def approved_coding_set(*, agreement, version, values, user=None, note=""):
    """Import finished work as the approved coding (import_codings --approved)."""
    adjudication, _created = Adjudication.objects.get_or_create(agreement=agreement, version=version)
    indicators = {i.code: i for i in version.indicators.all()}
    current = {f.indicator_id: f for f in adjudication.final_values.all()}
    for code, value in values.items():
        final = current.get(indicators[code].pk)
        # Write only what changed: re-importing the same file adds no history and keeps decided_at.
        if final is not None and (final.value, final.rationale) == (value, note):
            continue
        FinalValue.objects.update_or_create(
            adjudication=adjudication, indicator=indicators[code],
            defaults={"value": value, "rationale": note, "disagreement_type": DisagreementType.IMPORTED, "decided_by": user},
        )
    # Migrated work is approved as it stands; indicators the source did not code stay missing.
    if adjudication.state != Adjudication.State.APPROVED:
        adjudication.state, adjudication.approved_at = Adjudication.State.APPROVED, timezone.now()
        adjudication.approved_by = user
        adjudication.save()
    return adjudication
