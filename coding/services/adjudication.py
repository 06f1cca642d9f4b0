"""Writes of adjudication: final values, approval, reopening. Services: keyword-only and atomic.

Agreements whose assigned coders have all submitted get final values; where all coders agree the
value is accepted automatically, every disagreement needs a supervisor's decision with a
rationale and a disagreement type."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Adjudication, Answer, Assignment, Coding, DisagreementType, FinalValue
from ..pure.codebook_changes import changed_codes
from ..selectors.recheck import indicator_dicts
from .history import as_workbench, history_user

RATIONALE_MAX = 10_000


class AdjudicationConflict(Exception):
    """Another supervisor changed this adjudication since the page was loaded (optimistic concurrency)."""


def _claim(adjudication, revision):
    """Lock the row and move it to the next revision, if it is still at `revision` (None: the caller
    loaded no page, e.g. a script, and is not checked). Of two supervisors who loaded the same
    revision exactly one wins; the other gets AdjudicationConflict. Saving keeps the history."""
    locked = Adjudication.objects.select_for_update().get(pk=adjudication.pk)
    if revision is not None and locked.revision != int(revision):
        raise AdjudicationConflict(
            _(
                "Another supervisor changed this adjudication since you opened it; nothing was recorded. "
                "The page now shows the current values: check them and record yours again if it still applies."
            )
        )
    locked.revision += 1
    return locked


def adjudication_open_if_ready(*, agreement, version):
    """Open (or refresh) adjudication once every assigned coder has submitted. Returns it or None."""
    assigned = set(Assignment.objects.filter(agreement=agreement, version=version).values_list("coder_id", flat=True))
    submitted = set(
        Coding.objects.filter(
            agreement=agreement, version=version, coder_id__in=assigned, state=Coding.State.SUBMITTED
        ).values_list("coder_id", flat=True)
    )
    if len(assigned) < 2 or submitted != assigned:
        return None
    # The workbench opens the adjudication and accepts agreed values by itself: the history names
    # it, not the coder whose submission happened to be the last (services/history.py).
    adjudication = _create_or_get(Adjudication, agreement=agreement, version=version)
    if adjudication.state == Adjudication.State.APPROVED:
        return adjudication
    values = {}
    for indicator_id, value in Answer.objects.filter(
        coding__agreement=agreement, coding__version=version, coding__coder_id__in=assigned
    ).values_list("indicator_id", "value"):
        values.setdefault(indicator_id, []).append(value)
    decided = set(adjudication.final_values.values_list("indicator_id", flat=True))
    for indicator in version.indicators.all():
        given = values.get(indicator.pk, [])
        if indicator.pk not in decided and len(given) == len(assigned) and len(set(given)) == 1:
            _create_or_get(
                FinalValue,
                adjudication=adjudication,
                indicator=indicator,
                defaults={"value": given[0], "disagreement_type": DisagreementType.AGREED},
            )
            decided.add(indicator.pk)
    _final_values_carry_over(adjudication, decided)
    return adjudication


def _final_values_carry_over(adjudication, decided):
    """When the coders' codings were carried over from an older codebook version, that version's
    final values of the indicators whose wording did not change still hold, as long as every
    coder's answer is still the one the decision was made on: copied (value, rationale, type, who
    decided) where nothing is decided yet. Approving stays the supervisor's."""
    carried = list(
        Coding.objects.filter(
            agreement=adjudication.agreement, version=adjudication.version, carried_from__isnull=False
        ).select_related("carried_from")
    )
    old_version_ids = {c.carried_from.version_id for c in carried}
    if len(old_version_ids) != 1:
        return
    old = (
        Adjudication.objects.filter(agreement=adjudication.agreement, version_id=old_version_ids.pop())
        .select_related("version")
        .first()
    )
    if old is None:
        return
    changed = changed_codes(indicator_dicts(old.version), indicator_dicts(adjudication.version))
    new_indicators = {i.code: i for i in adjudication.version.indicators.all()}

    def answered(codings):
        return set(
            Answer.objects.filter(coding__in=codings).values_list("coding__coder_id", "indicator__code", "value")
        )

    # (coder, code, value) now and when the old decision was made: an indicator whose answers moved
    # since the carry-over is decided afresh.
    now, then = answered(carried), answered([c.carried_from for c in carried])
    moved = {code for _coder, code, _value in now ^ then}
    for final in old.final_values.select_related("indicator"):
        indicator = new_indicators.get(final.indicator.code)
        if indicator is None or indicator.code in changed or indicator.code in moved or indicator.pk in decided:
            continue
        _create_or_get(
            FinalValue,
            adjudication=adjudication,
            indicator=indicator,
            defaults={
                "value": final.value,
                "rationale": final.rationale,
                "disagreement_type": final.disagreement_type,
                "decided_by": final.decided_by,
            },
        )


def _create_or_get(model, *, defaults=None, **keys):
    """get_or_create for a row the workbench makes by itself (see as_workbench): of two
    concurrent submissions that both complete a treaty, one creates it and the other reads it."""
    existing = model.objects.filter(**keys).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            row = as_workbench(model(**keys, **(defaults or {})))
            row.save()
            return row
    except IntegrityError:
        return model.objects.get(**keys)


@transaction.atomic
def adjudication_resolve(*, adjudication, indicator, value, rationale, disagreement_type, user, revision=None):
    """Record a final value. `revision` is the adjudication's revision the page showed: a stale
    one raises AdjudicationConflict and records nothing (the last writer never wins silently)."""
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
    if disagreement_type not in {
        DisagreementType.MISREAD,
        DisagreementType.AMBIGUITY,
        DisagreementType.CLERICAL,
        DisagreementType.OTHER,
    }:
        raise ValidationError(_("Choose a disagreement type."))
    if not (rationale or "").strip():
        raise ValidationError(_("Give a rationale for the final value."))
    if len(rationale) > RATIONALE_MAX:
        raise ValidationError(_("Keep the rationale under %(n)d characters.") % {"n": RATIONALE_MAX})
    locked = _claim(adjudication, revision)
    if locked.state == Adjudication.State.APPROVED:  # approved meanwhile, by a script
        raise AdjudicationConflict(_("This agreement was approved meanwhile; reopen it before changing a value."))
    with history_user(user):
        locked.save()
        final, _created = FinalValue.objects.update_or_create(
            adjudication=adjudication,
            indicator=indicator,
            defaults={
                "value": value,
                "rationale": rationale.strip(),
                "disagreement_type": disagreement_type,
                "decided_by": user,
            },
        )
    adjudication.revision = locked.revision
    return final


@transaction.atomic
def adjudication_approve(*, adjudication, user, revision=None):
    """Approve the final values the page showed (`revision`, see adjudication_resolve)."""
    locked = _claim(adjudication, revision)
    decided = set(locked.final_values.values_list("indicator_id", flat=True))
    missing = [i.code for i in locked.version.indicators.all() if i.pk not in decided]
    if missing:
        raise ValidationError(
            _("Decide every indicator before approving; open: %(codes)s") % {"codes": ", ".join(missing)}
        )
    locked.state = Adjudication.State.APPROVED
    locked.approved_by, locked.approved_at = user, timezone.now()
    with history_user(user):
        locked.save()
    _copy_back(locked, adjudication)
    return adjudication


@transaction.atomic
def adjudication_reopen(*, adjudication, user, reason, revision=None):
    if not (reason or "").strip():
        raise ValidationError(_("Say why the agreement is reopened."))
    if len(reason) > RATIONALE_MAX:
        raise ValidationError(_("Keep the reason under %(n)d characters.") % {"n": RATIONALE_MAX})
    locked = _claim(adjudication, revision)
    if locked.state != Adjudication.State.APPROVED:
        raise ValidationError(_("Only an approved agreement can be reopened."))
    locked.state = Adjudication.State.OPEN
    locked.reopen_reason = reason.strip()
    locked.approved_by, locked.approved_at = None, None
    with history_user(user):
        locked.save()
    _copy_back(locked, adjudication)
    return adjudication


def _copy_back(locked, adjudication):
    for name in ("state", "approved_by_id", "approved_at", "reopen_reason", "revision"):
        setattr(adjudication, name, getattr(locked, name))


@transaction.atomic
def approved_coding_set(*, agreement, version, values, user=None, note=""):
    """Import finished work as the approved coding (import_codings --approved). Returns
    (adjudication, created, changes) with changes [(code, old value or None, new value)] for every
    final value written. Changes to an approved coding move its revision on (an open page is then
    stale) and are recorded under `user`; an adjudication in progress is supervisors' work and is
    refused, never closed by an import."""
    adjudication, created = Adjudication.objects.get_or_create(agreement=agreement, version=version)
    adjudication = Adjudication.objects.select_for_update().get(pk=adjudication.pk)
    if not created and adjudication.state == Adjudication.State.OPEN:
        raise ValidationError(
            _("%(agreement)s is in adjudication; finish it on its adjudication page") % {"agreement": agreement}
        )
    indicators = {i.code: i for i in version.indicators.all()}
    current = {f.indicator_id: f for f in adjudication.final_values.all()}
    changes = []
    with history_user(user):
        for code, value in values.items():
            final = current.get(indicators[code].pk)
            # Write only what changed: re-importing the same file adds no history and keeps decided_at.
            if final is not None and (final.value, final.rationale) == (value, note):
                continue
            FinalValue.objects.update_or_create(
                adjudication=adjudication,
                indicator=indicators[code],
                defaults={
                    "value": value,
                    "rationale": note,
                    "disagreement_type": DisagreementType.IMPORTED,
                    "decided_by": user,
                },
            )
            changes.append((code, final.value if final else None, value))
        # Migrated work is approved as it stands; indicators the source did not code stay missing.
        if created or changes:
            adjudication.state, adjudication.approved_at = Adjudication.State.APPROVED, timezone.now()
            adjudication.approved_by = user
            if not created:
                adjudication.revision += 1
            adjudication.save()
    return adjudication, created, changes
