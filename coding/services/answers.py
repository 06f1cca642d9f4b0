"""A draft's answers and evidence written with their history, only what changed (coding_save in
codings.py locks the coding and moves its revision first). Every change is audited as a save()
or delete() of each row would be (django-simple-history), in a fixed number of queries: an
unchanged answer writes nothing, citing a passage adds one row, removing one deletes one."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Answer, Evidence

ANSWER_FIELDS = ["value", "note", "not_found", "searched_chapters", "recheck"]


def _evidence_changes(rows, wanted):
    """(rows to delete, items to add) that turn `rows` (in id order) into `wanted`: the rows that
    already read as the start of `wanted` stay, so citing one more passage adds one row, removing
    one deletes one, and unchanged evidence writes nothing."""
    stale, matched = [], 0
    for row in rows:
        item = wanted[matched] if matched < len(wanted) else None
        if item is not None and (row.article_identifier, row.start, row.end, row.quote) == (
            item["article_identifier"],
            item["start"],
            item["end"],
            item["quote"],
        ):
            matched += 1
        else:
            stale.append(row)
    return stale, wanted[matched:]


def history_user_for(user):
    """Whom the history names: the request's user (or history_user()'s), as django-simple-history
    names it for a save(), else the user saving."""
    request_user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return request_user if request_user is not None and request_user.is_authenticated else user


def _evidence_delete(rows, *, who):
    """Delete evidence rows with the history record ("-") a delete() of each would write, in two
    queries whatever their number."""
    History = Evidence.history.model
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(
                history_date=now,
                history_type="-",
                history_user=who,
                **{f.attname: getattr(row, f.attname) for f in History.tracked_fields},
            )
            for row in rows
        ]
    )
    # Nothing refers to an evidence row and its history is written above: one DELETE without
    # the per-row signals loses nothing.
    Evidence.objects.filter(pk__in=[row.pk for row in rows])._raw_delete(Evidence.objects.db)


@dataclass
class SavePlan:
    """What a save writes: only what differs from the stored answers and evidence."""

    created: list = field(default_factory=list)  # new answers
    changed: list = field(default_factory=list)  # answers with a new value, note, ...
    stale: list = field(default_factory=list)  # evidence rows to delete
    cited: list = field(default_factory=list)  # new Evidence rows
    result: list = field(default_factory=list)  # [(answer, [evidence])] as stored after the save

    def __bool__(self):
        return bool(self.created or self.changed or self.stale or self.cited)


def answers_plan(coding, *, indicators, cleaned, answers):
    """The save's SavePlan against the stored answers and evidence (read in two queries)."""
    current = {a.indicator_id: a for a in Answer.objects.filter(coding=coding)}
    stored = defaultdict(list)  # answer id -> its evidence rows, in order
    for row in Evidence.objects.filter(answer__coding=coding):
        stored[row.answer_id].append(row)
    by_pk = {indicator.pk: indicator for indicator in indicators.values()}
    plan, named = SavePlan(), set()
    for code, (value, evidence) in cleaned.items():
        payload, answer = answers[code], current.get(indicators[code].pk)
        fields = {
            "value": value,
            "note": str(payload.get("note") or ""),
            "not_found": bool(payload.get("not_found")),
            "searched_chapters": [str(c) for c in payload.get("searched_chapters") or []],
            # An answer flagged for re-checking (codebook change) stays flagged until it has a value again.
            "recheck": bool(answer and answer.recheck) and value is None,
        }
        if answer is None:
            answer = Answer(coding=coding, indicator=indicators[code], **fields)
            plan.created.append(answer)
        elif any(getattr(answer, name) != new for name, new in fields.items()):
            for name, new in fields.items():
                setattr(answer, name, new)
            plan.changed.append(answer)
        rows = stored[answer.pk] if answer.pk else []
        remove, add = _evidence_changes(rows, evidence)
        new_rows = [Evidence(answer=answer, **item) for item in add]
        plan.stale += remove
        plan.cited += new_rows
        plan.result.append((answer, [row for row in rows if row not in remove] + new_rows))
        named.add(indicators[code].pk)
    plan.result += [(answer, stored[answer.pk]) for answer in current.values() if answer.indicator_id not in named]
    for answer, _rows in plan.result:
        if answer.indicator_id in by_pk:
            answer.indicator = by_pk[answer.indicator_id]
    plan.result.sort(key=lambda item: (item[0].indicator.position, item[0].indicator_id))
    return plan


def _answers_update(changed, *, who):
    """One UPDATE for the changed answers and one INSERT of their history records ("~")."""
    if len(changed) > 1:
        bulk_update_with_history(changed, Answer, ANSWER_FIELDS, default_user=who, default_change_reason=None)
        return
    # The usual autosave changes one answer: a plain UPDATE costs a fraction of bulk_update's CASE.
    answer = changed[0]
    Answer.objects.filter(pk=answer.pk).update(**{name: getattr(answer, name) for name in ANSWER_FIELDS})
    Answer.history.bulk_history_create(changed, update=True, default_user=who, default_change_reason=None)


def answers_write(plan, *, who):
    """Write `plan` (inside the caller's transaction); the history records name `who`."""
    if plan.created and connection.features.can_return_rows_from_bulk_insert:
        bulk_create_with_history(plan.created, Answer, default_user=who, default_change_reason=None)
    elif plan.created:  # their evidence needs their ids, which this database's bulk insert does not return
        for answer in plan.created:
            answer._history_user = who
            answer.save()
    if plan.changed:
        _answers_update(plan.changed, who=who)
    if plan.stale:
        _evidence_delete(plan.stale, who=who)
    if plan.cited:
        bulk_create_with_history(plan.cited, Evidence, default_user=who, default_change_reason=None)
