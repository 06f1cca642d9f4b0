"""Writes of DESTA's list of treaties: agreement metadata, linked to ToTA texts of the same treaty.
Services: keyword-only and atomic; the parsing is the pure coding/importers/desta.py."""

from dataclasses import dataclass, field

from django.db import transaction

from ..importers.desta import read_desta_list
from ..models import Agreement
from ..selectors.agreements import agreement_link_index, link_candidate
from .texts import _set_parties


@dataclass
class DestaImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked_to_tota: int = 0
    unlinked: list = field(default_factory=list)
    skipped_by_type: dict = field(default_factory=dict)
    unknown_member_codes: set = field(default_factory=set)


@transaction.atomic
def agreements_import_desta_list(*, path) -> DestaImportResult:
    """DESTA's list of treaties as agreement metadata. A treaty already known by its DESTA number
    is updated; otherwise it is linked to a ToTA text with the same party set and entry-into-force
    year (DESTA has no WTO RTA id column), else created without text."""
    treaties, skipped, unknown = read_desta_list(path)
    result = DestaImportResult(skipped_by_type=skipped, unknown_member_codes=unknown)
    by_number = {a.desta_number: a for a in Agreement.objects.filter(desta_number__isnull=False)}
    tota_index = agreement_link_index(without="desta_number")
    for treaty in treaties:
        agreement = by_number.get(treaty.number)
        linked = False
        if agreement is None and treaty.entry_into_force_year:
            agreement = link_candidate(tota_index, treaty.parties, treaty.entry_into_force_year)
            if agreement is not None:
                # A text is linked to one DESTA entry only (the first: base treaties come first).
                tota_index[agreement.link_key].remove(agreement)
                linked = True
        created = agreement is None
        agreement = agreement or Agreement(name=treaty.name[:300])
        values = {
            "desta_number": treaty.number,
            "desta_entry_type": treaty.entry_type,
            "year_signed": treaty.year_signed,
            "membership": Agreement.Membership.BILATERAL if treaty.typememb == 1 else Agreement.Membership.PLURILATERAL,
        }
        if created or not agreement.tota_id:
            values.update(
                name=treaty.name[:300], region=treaty.region[:80], entry_into_force_year=treaty.entry_into_force_year
            )
        changed = [name for name, value in values.items() if getattr(agreement, name) != value]
        for name in changed:
            setattr(agreement, name, values[name])
        if created or changed:
            agreement.save()
        if not agreement.tota_id:
            _set_parties(agreement, treaty.parties)
        result.created += created
        result.updated += bool(changed) and not created
        result.unchanged += not created and not changed
        result.linked_to_tota += linked
        if not agreement.tota_id and not linked:
            result.unlinked.append(treaty)
    return result
