"""The life of a coding (one coder's answers for one agreement under one codebook version): its
draft saved under optimistic concurrency, then submitted under the one submission rule, which
opens adjudication when every assigned coder is done. Assigning creates the coding
(services/assignments.py); adjudication decides and reopens (services/adjudication.py); carrying
it over to a new codebook version is services/recheck.py.

A save checks everything before it writes: values against the indicator, evidence against its
bounds and the coding's own text version (services/evidence.py); then it locks the row and checks
the revision (services/revisions.py: a stale save is refused, never silently overwritten), and
writes only what changed, with history (services/answers.py). Services: keyword-only and atomic."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..editing import coding_edit_refusal
from ..models import Coding, Indicator
from ..selectors.codings import coding_text_version
from .adjudication import adjudication_open_if_ready
from .answers import answers_plan, answers_write, history_user_for
from .evidence import EvidenceItem, cited_articles, evidence_clean, passages_check
from .revisions import CodingConflict, coding_lock, revision_advance, revision_claim, revision_is_current

# A save's payload: indicator code -> {value, note, not_found, searched_chapters, evidence}.
AnswersPayload = Mapping[str, Mapping[str, Any]]
# A coder's note on one answer: the bound the API, the coding import and the save share.
NOTE_MAX = 10_000


def _answer_clean(
    indicator: Indicator, payload: Mapping[str, Any], *, known_articles: set[str] | None
) -> tuple[int | None, list[EvidenceItem]]:
    """(value, evidence) of one indicator's answer; ValidationError keyed by the indicator's code."""
    note = payload.get("note")
    if note is not None and len(str(note)) > NOTE_MAX:
        raise ValidationError({indicator.code: _("a note has at most %(max)s characters") % {"max": f"{NOTE_MAX:,}"}})
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
                {
                    indicator.code: _("%(v)s is not an allowed value (%(allowed)s)")
                    % {"v": value, "allowed": ", ".join(map(str, indicator.values))}
                }
            )
    try:
        evidence = evidence_clean(payload.get("evidence"), known_articles=known_articles)
    except ValidationError as exc:
        raise ValidationError({indicator.code: exc.messages}) from exc
    return value, evidence


@transaction.atomic
def coding_save(*, coding: Coding, user: AbstractBaseUser, revision: int | str, answers: AnswersPayload) -> Coding:
    """Save a draft. `answers` maps indicator code -> {value, note, not_found, searched_chapters,
    evidence: [{article, start, end, quote}]}; indicators not named are left as they are.
    The write happens only if nobody saved since `revision`: the coding's row is locked and
    checked, so of two concurrent writers exactly one wins and the other gets CodingConflict.
    Only what differs is written, so an unchanged answer adds no history and a save that changes
    nothing writes nothing (the revision stays). A fixed number of queries, whatever the number
    of answers and evidence rows. Afterwards `coding.saved_answers` holds [(answer, [evidence])]
    as stored, in indicator order, for the caller to show without reading them again."""
    refusal = coding_edit_refusal(user, coding)  # only its assigned coder, only a draft (coding/editing.py)
    if refusal:
        raise ValidationError(refusal)
    indicators = {i.code: i for i in coding.version.indicators.all()}
    unknown = set(answers) - set(indicators)
    if unknown:
        raise ValidationError(_("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    # Cited articles are looked up in the coding's own text version, never the agreement's
    # latest: a new text imported meanwhile does not invalidate the coder's work.
    known_articles, lengths = cited_articles(answers, text_version=coding_text_version(coding))
    cleaned = {
        code: _answer_clean(indicators[code], payload, known_articles=known_articles)
        for code, payload in answers.items()
    }
    passages_check(cleaned, lengths=lengths)

    locked = coding_lock(coding)
    if locked.superseded:  # type: ignore[attr-defined]  # annotated by coding_lock's query
        raise ValidationError(_("This coding was carried over to a newer codebook version; continue in that coding."))
    if not revision_is_current(locked, revision):
        raise CodingConflict(
            _(
                "This coding was changed elsewhere (another tab or device) since you opened it. "
                "Reload to see the latest version; your unsaved answers are kept in this browser and "
                "the page offers to re-apply them."
            ),
            current_revision=locked.revision,
        )
    # Read under the lock: no other save of this coding can come between this read and the writes.
    plan = answers_plan(coding, indicators=indicators, cleaned=cleaned, answers=answers)
    coding.saved_answers = plan.result  # type: ignore[attr-defined]  # for the caller, not a field
    if plan:
        # The coding's record first: it starts the save's entry in the readable history.
        who = locked._history_user = history_user_for(user)  # type: ignore[attr-defined]  # django-simple-history reads it
        revision_advance(coding, locked)
        answers_write(plan, who=who)
    return coding


@transaction.atomic
def coding_submit(*, coding: Coding, user: AbstractBaseUser, revision: int | str) -> Coding:
    """Submit: every indicator must have a value. Opens adjudication when all coders are done."""
    refusal = coding_edit_refusal(user, coding, submitting=True)
    if refusal:
        raise ValidationError(refusal)
    missing = coding_missing_indicators(coding=coding)
    if missing:
        raise ValidationError(
            _("Answer every indicator before submitting; missing: %(codes)s") % {"codes": ", ".join(missing)}
        )
    if not revision_claim(coding, revision, state=Coding.State.SUBMITTED):
        raise CodingConflict(_("This coding was changed or submitted elsewhere since you opened it. Reload it."))
    adjudication_open_if_ready(agreement=coding.agreement, version=coding.version)
    return coding


def coding_missing_indicators(*, coding: Coding) -> list[str]:
    """The submission rule, one place for every path (page, API, import): the codes of the
    indicators `coding` leaves without a value. Submitting needs this to be empty."""
    answered = set(coding.answers.filter(value__isnull=False).values_list("indicator_id", flat=True))
    return [i.code for i in coding.version.indicators.all() if i.pk not in answered]
