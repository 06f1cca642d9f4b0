"""Writes of assignments: who codes which agreement under which codebook version (double coding,
so at least two coders each), balanced by open work, and the stratified reliability sample a
supervisor assigns from. Services: keyword-only and atomic. Assigning a coder creates her empty
coding too, so the coding's life (services/codings.py) starts here."""

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Agreement, Assignment, CodebookVersion, Coding


def _assignments_validate(*, agreements: Sequence[Agreement], coders: Sequence[Any], per_agreement: int) -> None:
    """Double coding: every agreement goes to at least two different coders."""
    if not agreements:
        raise ValidationError(_("Choose at least one agreement."))
    distinct = len({coder.pk for coder in coders})
    if per_agreement < 2 or distinct < 2:
        raise ValidationError(_("Each agreement needs at least two coders."))
    if distinct < per_agreement:
        raise ValidationError(_("Choose at least %(n)d coders.") % {"n": per_agreement})


@transaction.atomic
def assignment_create(
    *, agreements: Iterable[Agreement], version: CodebookVersion, coders: Iterable[Any], assigned_by: User | None = None
) -> list[Assignment]:
    """Assign every agreement to every coder under `version` (double coding: at least two
    coders). Returns the assignments created; existing ones are kept, so assigning twice is
    harmless."""
    agreement_list, coder_list = list(agreements), list(coders)
    _assignments_validate(agreements=agreement_list, coders=coder_list, per_agreement=2)
    return _assign(agreements=agreement_list, version=version, coders=coder_list, assigned_by=assigned_by)


def _assign(
    *, agreements: Iterable[Agreement], version: CodebookVersion, coders: Iterable[Any], assigned_by: User | None
) -> list[Assignment]:
    created = []
    for agreement in agreements:
        for coder in coders:
            assignment, is_new = Assignment.objects.get_or_create(
                agreement=agreement, version=version, coder=coder, defaults={"assigned_by": assigned_by}
            )
            Coding.objects.get_or_create(agreement=agreement, version=version, coder=coder)
            if is_new:
                created.append(assignment)
    return created


def open_workload(coders: Iterable[Any]) -> dict[int, int]:
    """Assignments per coder that are not yet submitted."""
    coders = list(coders)
    counts = Counter(
        Coding.objects.filter(coder__in=coders, state=Coding.State.DRAFT).values_list("coder_id", flat=True)
    )
    return {coder.pk: counts.get(coder.pk, 0) for coder in coders}


@transaction.atomic
def assignment_balance(
    *,
    agreements: Iterable[Agreement],
    version: CodebookVersion,
    coders: Iterable[Any],
    per_agreement: int = 2,
    assigned_by: User | None = None,
) -> list[Assignment]:
    """Give each agreement to `per_agreement` coders, always the ones with the least open work
    (ties broken by username, so the result is reproducible)."""
    agreement_list, coder_list = list(agreements), list(coders)
    _assignments_validate(agreements=agreement_list, coders=coder_list, per_agreement=per_agreement)
    load = open_workload(coder_list)
    created = []
    for agreement in agreement_list:
        already = set(
            Assignment.objects.filter(agreement=agreement, version=version).values_list("coder_id", flat=True)
        )
        needed = per_agreement - len(already)
        candidates = sorted((c for c in coder_list if c.pk not in already), key=lambda c: (load[c.pk], c.username))
        chosen = candidates[: max(needed, 0)]
        # Topping up an agreement that already has coders may add just one: no two-coder check here.
        created += _assign(agreements=[agreement], version=version, coders=chosen, assigned_by=assigned_by)
        for coder in chosen:
            load[coder.pk] += 1
    return created


def _entry_into_force_year(agreement: Agreement) -> Hashable:
    return agreement.entry_into_force_year


def reliability_sample(
    agreements: Iterable[Agreement],
    *,
    size: int,
    stratum: Callable[[Agreement], Hashable] = _entry_into_force_year,
    seed: int = 0,
) -> list[Agreement]:
    """A stratified random sample: each stratum (e.g. entry-into-force year or region) gets a
    share proportional to its size, at least one when it has members; seeded, so reproducible."""
    agreements = list(agreements)
    if size >= len(agreements):
        return agreements
    groups: defaultdict[Hashable, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        groups[stratum(agreement)].append(agreement)
    rng = random.Random(seed)
    keys = sorted(groups, key=lambda k: (k is None, str(k)))
    quotas = {k: max(1, round(size * len(groups[k]) / len(agreements))) for k in keys}
    # Trim or top up the rounding so the sample has exactly `size` members.
    while sum(quotas.values()) > size:
        largest = max(keys, key=lambda k: (quotas[k], str(k)))
        quotas[largest] -= 1
    while sum(quotas.values()) < size:
        room = [k for k in keys if quotas[k] < len(groups[k])]
        quotas[max(room, key=lambda k: (len(groups[k]) - quotas[k], str(k)))] += 1
    sample = []
    for key in keys:
        members = sorted(groups[key], key=lambda a: a.pk)
        sample += rng.sample(members, quotas[key])
    return sorted(sample, key=lambda a: a.pk)
