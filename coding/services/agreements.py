"""Writes of agreements that come from neither DESTA nor ToTA (the study's Turkey-Palestinian
Authority FTA, texts after 2017): created by hand from the supervisors' form or
`manage.py add_agreement`, with the same checks on both paths, atomic, recorded in the history
under the person who made it. An agreement that is already there (the same name however typed,
or the same parties with a year in common: agreement_duplicate_of) is refused, naming it: a second
row would be coded, assigned and counted twice."""

import datetime
import re

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Agreement, AgreementParty
from ..pure.names import title_key
from .history import history_user

# The oldest trade agreements DESTA lists are from the late 1940s (GATT 1947); a treaty may be
# signed this year and enter into force the next.
FIRST_YEAR = 1940


def last_year():
    return datetime.date.today().year + 1


def party_codes_from(text):
    """ "TUR, PSE" or "TUR PSE" -> ["TUR", "PSE"] (as typed, upper-cased; checked by agreement_create)."""
    return [code.upper() for code in re.split(r"[\s,;]+", str(text or "").strip()) if code]


def _known_iso3(code):
    return bool(re.fullmatch(r"[A-Z]{3}", code)) and (
        pycountry.countries.get(alpha_3=code) is not None or pycountry.historic_countries.get(alpha_3=code) is not None
    )


def _year(value, label, *, required):
    """A year from FIRST_YEAR to next year, from an int or the text of a form or command line."""
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise ValidationError(_("%(field)s: a year is needed.") % {"field": label})
        return None
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValidationError(_("%(field)s: '%(value)s' is not a year.") % {"field": label, "value": text[:20]})
    year = int(text)
    if not FIRST_YEAR <= year <= last_year():
        raise ValidationError(
            _("%(field)s: %(year)s is outside %(first)s to %(last)s.")
            % {"field": label, "year": year, "first": FIRST_YEAR, "last": last_year()}
        )
    return year


def _checked(*, name, parties, year_signed, entry_into_force_year):
    """The cleaned fields, or ValidationError naming every field that is wrong."""
    errors = {}
    limit = Agreement._meta.get_field("name").max_length
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = _("name: an agreement needs a name.")
    elif len(name) > limit:
        errors["name"] = _("name: %(length)s characters long; at most %(limit)s are allowed.") % {
            "length": len(name),
            "limit": limit,
        }
    codes = [str(code).strip().upper() for code in parties]
    unknown = [code for code in codes if not _known_iso3(code)]
    if unknown:
        errors["parties"] = _("parties: %(codes)s is not an ISO 3166 alpha-3 country code.") % {
            "codes": ", ".join(repr(code[:10]) for code in unknown[:5])
        }
    elif len(set(codes)) < 2:
        errors["parties"] = _("parties: an agreement needs at least two different parties.")
    elif len(set(codes)) != len(codes):
        errors["parties"] = _("parties: a party is listed twice.")
    years = {}
    for field, value, label, required in (
        ("year_signed", year_signed, _("year signed"), True),
        ("entry_into_force_year", entry_into_force_year, _("year in force"), False),
    ):
        try:
            years[field] = _year(value, label, required=required)
        except ValidationError as exc:
            errors[field] = exc.messages[0]
    if (
        years.get("year_signed")
        and years.get("entry_into_force_year")
        and years["entry_into_force_year"] < years["year_signed"]
    ):
        errors["entry_into_force_year"] = _("year in force: %(in_force)s is before the year signed, %(signed)s.") % {
            "in_force": years["entry_into_force_year"],
            "signed": years["year_signed"],
        }
    if errors:
        raise ValidationError(errors)
    return name, sorted(set(codes)), years["year_signed"], years.get("entry_into_force_year")


# A treaty DESTA or the demo lists without its signing year (the study's Turkey-Palestinian
# Authority FTA: in force 2005, no year signed) is the same treaty as a new one of the same
# parties signed at most this many years before it entered into force.
SIGNED_TO_IN_FORCE_YEARS = 5


def _same_years(existing, *, year_signed, in_force):
    """Whether `existing` (the same parties) could be the treaty signed in `year_signed` and in
    force from `in_force`: the same signing year, or no signing year on record and its year in
    force within SIGNED_TO_IN_FORCE_YEARS after `year_signed` (or equal to `in_force`). Signing
    years are compared with signing years only: a follow-on treaty is often signed the year the
    first entered into force (ASEAN-Korea: goods signed 2006, in force 2007; services signed 2007),
    and two treaties may enter into force together."""
    if existing.year_signed is not None:
        return existing.year_signed == year_signed
    old_in_force = existing.entry_into_force_year
    if in_force is not None and old_in_force == in_force:
        return True
    return old_in_force is not None and year_signed <= old_in_force <= year_signed + SIGNED_TO_IN_FORCE_YEARS


def agreement_duplicate_of(*, name, parties, year_signed, entry_into_force_year=None):
    """The existing agreement a new one would repeat, or None: the same name as typed any other
    way (case, width, dashes, spaces: names.title_key), or the same set of parties signing in the
    same year or, for a treaty on record without its signing year, in force in the same year or
    within SIGNED_TO_IN_FORCE_YEARS after `year_signed`."""
    key = title_key(name)
    same_name = next(
        (a for a in Agreement.objects.only("pk", "name").order_by("pk").iterator() if title_key(a.name) == key), None
    )
    if same_name is not None:
        return Agreement.objects.get(pk=same_name.pk)
    wanted = set(parties)
    candidates = Agreement.objects.filter(parties__iso3__in=wanted).distinct().order_by("pk")
    return next(
        (
            agreement
            for agreement in candidates.prefetch_related("parties")
            if {party.iso3 for party in agreement.parties.all()} == wanted
            and _same_years(agreement, year_signed=year_signed, in_force=entry_into_force_year)
        ),
        None,
    )


def duplicate_message(existing):
    """Which treaty a new one repeats (id, name, parties, years) and what to do instead."""
    facts = {"name": existing.name, "parties": " ".join(existing.party_codes), "id": existing.pk}
    if existing.year_signed:
        which = _("This agreement exists already: %(name)s (%(parties)s, signed %(year)s, id %(id)s).") % dict(
            facts, year=existing.year_signed
        )
    else:
        which = _(
            "This agreement exists already: %(name)s (%(parties)s, signing year unknown, in force %(in_force)s, "
            "id %(id)s)."
        ) % dict(facts, in_force=existing.entry_into_force_year or "?")
    return (
        which
        + " "
        + _(
            "Use agreement %(id)s instead of adding it again: import its text on its page or with "
            "manage.py import_text FILE --agreement %(id)s."
        )
        % {"id": existing.pk}
    )


def agreement_create(*, name, parties, year_signed, entry_into_force_year=None, name_zh="", user=None):
    """Create an agreement from neither list with its parties. ValidationError (a message per
    field) for a bad name, ISO3 code or year, or when it repeats an existing agreement."""
    name, codes, year_signed, in_force = _checked(
        name=name, parties=parties, year_signed=year_signed, entry_into_force_year=entry_into_force_year
    )
    name_zh = (name_zh or "").strip() if isinstance(name_zh, str) else ""
    if len(name_zh) > Agreement._meta.get_field("name_zh").max_length:
        raise ValidationError(
            {
                "name_zh": _("Chinese name: at most %(limit)s characters are allowed.")
                % {"limit": Agreement._meta.get_field("name_zh").max_length}
            }
        )
    with transaction.atomic(), history_user(user):
        existing = agreement_duplicate_of(
            name=name, parties=codes, year_signed=year_signed, entry_into_force_year=in_force
        )
        if existing is not None:
            raise ValidationError({"name": duplicate_message(existing)})
        agreement = Agreement.objects.create(
            name=name,
            name_zh=name_zh,
            year_signed=year_signed,
            entry_into_force_year=in_force,
            membership=Agreement.Membership.BILATERAL if len(codes) == 2 else Agreement.Membership.PLURILATERAL,
        )
        AgreementParty.objects.bulk_create([AgreementParty(agreement=agreement, iso3=code) for code in codes])
    return agreement
