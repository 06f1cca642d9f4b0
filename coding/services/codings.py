"""Writes of the double-coding workflow: assign, save (optimistic concurrency), submit.
Services: keyword-only and atomic; a stale save is refused, never silently overwritten."""
import random
import re
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Article, Assignment, Coding
from ..selectors.codings import coding_text_version
from .adjudication import adjudication_open_if_ready
from .answers import answers_plan, answers_write, history_user_for


class CodingConflict(Exception):
    """Someone saved this coding since the client loaded it (optimistic concurrency)."""


def _locked(coding):
    """The coding's row, locked: a concurrent writer waits, then sees the new revision, so of two
    writers that loaded the same revision exactly one wins. `superseded`: carried over to a newer
    codebook version (read in the same query)."""
    superseded = Exists(Coding.objects.filter(carried_from=OuterRef("pk")))
    return Coding.objects.select_for_update().annotate(superseded=superseded).get(pk=coding.pk)


def _is_current(locked, revision):
    return locked.revision == int(revision) and locked.state == Coding.State.DRAFT


def _next_revision(coding, locked, *, state=None):
    """Move the locked row to the next revision. Saving (not update()) keeps history: this record
    comes first and starts the save's entry in the readable history (selectors/history.py)."""
    locked.revision += 1
    if state:
        locked.state = state
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["revision", "state", "submitted_at", "updated_at"])
    coding.revision, coding.state, coding.submitted_at = locked.revision, locked.state, locked.submitted_at


def _claim_revision(coding, revision, *, state=None):
    locked = _locked(coding)
    if not _is_current(locked, revision):
        return False
    _next_revision(coding, locked, state=state)
    return True


def _assignments_validate(*, agreements, coders, per_agreement):
    """Double coding: every agreement goes to at least two different coders."""
    if not agreements:
        raise ValidationError(_("Choose at least one agreement."))
    distinct = len({coder.pk for coder in coders})
    if per_agreement < 2 or distinct < 2:
        raise ValidationError(_("Each agreement needs at least two coders."))
    if distinct < per_agreement:
        raise ValidationError(_("Choose at least %(n)d coders.") % {"n": per_agreement})


@transaction.atomic
def assignment_create(*, agreements, version, coders, assigned_by=None):
    """Assign every agreement to every coder under `version` (double coding: at least two
    coders). Returns the assignments created; existing ones are kept, so assigning twice is
    harmless."""
    agreements, coders = list(agreements), list(coders)
    _assignments_validate(agreements=agreements, coders=coders, per_agreement=2)
    return _assign(agreements=agreements, version=version, coders=coders, assigned_by=assigned_by)


def _assign(*, agreements, version, coders, assigned_by):
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


def open_workload(coders):
    """Assignments per coder that are not yet submitted."""
    counts = Counter(
        Coding.objects.filter(coder__in=coders, state=Coding.State.DRAFT).values_list("coder_id", flat=True)
    )
    return {coder.pk: counts.get(coder.pk, 0) for coder in coders}


@transaction.atomic
def assignment_balance(*, agreements, version, coders, per_agreement=2, assigned_by=None):
    """Give each agreement to `per_agreement` coders, always the ones with the least open work
    (ties broken by username, so the result is reproducible)."""
    agreements, coders = list(agreements), list(coders)
    _assignments_validate(agreements=agreements, coders=coders, per_agreement=per_agreement)
    load = open_workload(coders)
    created = []
    for agreement in agreements:
        already = set(Assignment.objects.filter(agreement=agreement, version=version).values_list("coder_id", flat=True))
        needed = per_agreement - len(already)
        candidates = sorted((c for c in coders if c.pk not in already), key=lambda c: (load[c.pk], c.username))
        chosen = candidates[: max(needed, 0)]
        # Topping up an agreement that already has coders may add just one: no two-coder check here.
        created += _assign(agreements=[agreement], version=version, coders=chosen, assigned_by=assigned_by)
        for coder in chosen:
            load[coder.pk] += 1
    return created


def reliability_sample(agreements, *, size, stratum=lambda a: a.entry_into_force_year, seed=0):
    """A stratified random sample: each stratum (e.g. entry-into-force year or region) gets a
    share proportional to its size, at least one when it has members; seeded, so reproducible."""
    agreements = list(agreements)
    if size >= len(agreements):
        return agreements
    groups = defaultdict(list)
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


# Bounds on evidence, so a bad client gets a message and the database never an absurd value.
MAX_EVIDENCE_PER_ANSWER = 50
MAX_QUOTE_LENGTH = 10_000


def _offset(value, *, where, name):
    """An int, or a string of digits (with an optional minus: the range check names it)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value.strip()):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValidationError(_("%(where)s: %(field)s must be a whole number") % {"where": where, "field": name})


def _validate_evidence(items, *, known_articles):
    """Cleaned evidence items; raises ValidationError (message without the indicator) naming the item and field."""
    items = list(items or [])
    if len(items) > MAX_EVIDENCE_PER_ANSWER:
        raise ValidationError(_("at most %(max)d evidence items per answer (%(n)d given)") % {
            "max": MAX_EVIDENCE_PER_ANSWER, "n": len(items)})
    evidence = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError(_("evidence %(n)d is not an object with an article") % {"n": n})
        where = _("evidence %(n)d") % {"n": n}
        article = str(item.get("article") or "").strip()
        if known_articles is not None and article not in known_articles:
            raise ValidationError(_("article '%(a)s' is not in this treaty") % {"a": article})
        start, end = item.get("start"), item.get("end")
        if (start is None) != (end is None):
            raise ValidationError(_("%(where)s: give both start and end of a passage, or neither") % {"where": where})
        if start is not None:
            start, end = _offset(start, where=where, name="start"), _offset(end, where=where, name="end")
            if end < start:
                raise ValidationError(_("%(where)s: a passage needs a start before its end (start %(start)d, end %(end)d)")
                                      % {"where": where, "start": start, "end": end})
        quote = str(item.get("quote") or "")
        if len(quote) > MAX_QUOTE_LENGTH:
            raise ValidationError(_("%(where)s: quote is longer than %(max)d characters") % {"where": where, "max": MAX_QUOTE_LENGTH})
        evidence.append({"article_identifier": article, "start": start, "end": end, "quote": quote})
    return evidence


def _utf16_length(text):
    # The workspace measures passages in the browser, where a string's length counts UTF-16
    # code units: a character outside the BMP counts twice.
    return len(text.encode("utf-16-le")) // 2


def _cited_articles(answers, *, text_version):
    """(known, lengths) for the articles the answers cite, in one query: `known`, the cited
    identifiers that exist in `text_version` (None when it has no articles: a treaty without
    text, where any article may be named); `lengths`, their texts' lengths in UTF-16 units."""
    cited = {str(item.get("article") or "").strip() for payload in answers.values()
             for item in (payload.get("evidence") or []) if isinstance(item, dict)}
    if text_version is None:
        return None, {}
    if not cited:
        return set(), {}
    lengths = {identifier: _utf16_length(text) for identifier, text in
               Article.objects.filter(version=text_version, identifier__in=cited).values_list("identifier", "text")}
    if not lengths and not Article.objects.filter(version=text_version).exists():
        return None, {}
    return set(lengths), lengths


def _check_offsets(cleaned, *, lengths):
    """Every passage lies inside its article's text (in the coding's text version)."""
    for code, (_value, evidence) in cleaned.items():
        for n, item in enumerate(evidence, start=1):
            if item["start"] is None:
                continue
            length = lengths.get(item["article_identifier"])
            if length is None:  # a treaty without text: an article may be named, no passage placed
                raise ValidationError({code: _("article '%(a)s' is not in this treaty") % {"a": item["article_identifier"]}})
            for name in ("start", "end"):
                if not 0 <= item[name] <= length:
                    raise ValidationError({code: _(
                        "evidence %(n)d: %(field)s must be between 0 and %(length)d, the length of article %(a)s"
                    ) % {"n": n, "field": name, "length": length, "a": item["article_identifier"]}})


def _validate_answer(indicator, payload, *, known_articles):
    value = payload.get("value")
    if value in ("", None):
        value = None
    else:
        try:
            value = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({indicator.code: _("'%(v)s' is not a number") % {"v": value}}) from exc
        if value not in indicator.values:
            raise ValidationError(
                {indicator.code: _("%(v)s is not an allowed value (%(allowed)s)") % {
                    "v": value, "allowed": ", ".join(map(str, indicator.values))}}
            )
    try:
        evidence = _validate_evidence(payload.get("evidence"), known_articles=known_articles)
    except ValidationError as exc:
        raise ValidationError({indicator.code: exc.messages}) from exc
    return value, evidence


@transaction.atomic
def coding_save(*, coding, user, revision, answers):
    """Save a draft. `answers` maps indicator code -> {value, note, not_found, searched_chapters,
    evidence: [{article, start, end, quote}]}; indicators not named are left as they are.
    The write happens only if nobody saved since `revision`: the coding's row is locked and
    checked, so of two concurrent writers exactly one wins and the other gets CodingConflict.
    Only what differs is written, so an unchanged answer adds no history and a save that changes
    nothing writes nothing (the revision stays). A fixed number of queries, whatever the number
    of answers and evidence rows. Afterwards `coding.saved_answers` holds [(answer, [evidence])]
    as stored, in indicator order, for the caller to show without reading them again."""
    if coding.coder_id != user.pk:
        raise ValidationError(_("Only the assigned coder can edit this coding."))
    if coding.state != Coding.State.DRAFT:
        raise ValidationError(_("This coding has been submitted and can no longer be edited."))
    indicators = {i.code: i for i in coding.version.indicators.all()}
    unknown = set(answers) - set(indicators)
    if unknown:
        raise ValidationError(_("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    # Cited articles are looked up in the coding's own text version, never the agreement's
    # latest: a new text imported meanwhile does not invalidate the coder's work.
    known_articles, lengths = _cited_articles(answers, text_version=coding_text_version(coding))
    cleaned = {code: _validate_answer(indicators[code], payload, known_articles=known_articles)
               for code, payload in answers.items()}
    _check_offsets(cleaned, lengths=lengths)

    locked = _locked(coding)
    if locked.superseded:
        raise ValidationError(_("This coding was carried over to a newer codebook version; continue in that coding."))
    if not _is_current(locked, revision):
        raise CodingConflict(
            _("This coding was changed elsewhere (another tab or device) since you opened it. "
              "Reload to see the latest version; your unsaved answers are kept in this browser and "
              "the page offers to re-apply them.")
        )
    # Read under the lock: no other save of this coding can come between this read and the writes.
    plan = answers_plan(coding, indicators=indicators, cleaned=cleaned, answers=answers)
    coding.saved_answers = plan.result
    if plan:
        # The coding's record first: it starts the save's entry in the readable history.
        who = locked._history_user = history_user_for(user)
        _next_revision(coding, locked)
        answers_write(plan, who=who)
    return coding


@transaction.atomic
def coding_submit(*, coding, user, revision):
    """Submit: every indicator must have a value. Opens adjudication when all coders are done."""
    if coding.coder_id != user.pk:
        raise ValidationError(_("Only the assigned coder can submit this coding."))
    missing = coding_missing_indicators(coding=coding)
    if missing:
        raise ValidationError(_("Answer every indicator before submitting; missing: %(codes)s") % {"codes": ", ".join(missing)})
    if not _claim_revision(coding, revision, state=Coding.State.SUBMITTED):
        raise CodingConflict(_("This coding was changed or submitted elsewhere since you opened it. Reload it."))
    adjudication_open_if_ready(agreement=coding.agreement, version=coding.version)
    return coding


def _inactive_user_get_or_create(name, *, group):
    """A user who cannot log in (inactive, no usable password) when new; in `group` either way."""
    from django.contrib.auth.models import Group

    User = get_user_model()
    user, created = User.objects.get_or_create(username=name[:150], defaults={"first_name": name[:150], "is_active": False})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def reference_coder_get_or_create(name):
    """A reference source such as "DESTA 2.1" as a user who cannot log in."""
    from ..roles import REFERENCE

    return _inactive_user_get_or_create(name, group=REFERENCE)


def imported_coder_create(name):
    """A coder known only from imported codings (e.g. finished work migrated from a
    spreadsheet): an ordinary coder who cannot log in until an administrator activates the
    account and sets a password. Not a reference source."""
    from ..roles import CODER

    return _inactive_user_get_or_create(name, group=CODER)


def coding_missing_indicators(*, coding):
    """The submission rule, one place for every path (page, API, import): the codes of the
    indicators `coding` leaves without a value. Submitting needs this to be empty."""
    answered = set(coding.answers.filter(value__isnull=False).values_list("indicator_id", flat=True))
    return [i.code for i in coding.version.indicators.all() if i.pk not in answered]
