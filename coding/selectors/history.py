"""The readable history of one agreement: one entry per save, with names instead of ids.

django-simple-history keeps one record per row written. A save of the workspace writes the
coding row (its revision moves on), then its answers and their evidence within milliseconds;
those records become one entry (the coding's record starts it, the others of the same coding and
person within SAVE_WINDOW join it; an adjudication and its final values likewise), showing for
each object only the difference
between before and after the save (evidence removed and cited again unchanged is no change).
Changes the workbench makes by itself (the adjudication opening when the last coder submits,
"coders agreed" final values) are recorded without a user and with the reason WORKBENCH
(services/history.py) and shown as "the workbench"; older records of such changes are
recognised by their content. Reads only; which codings a user may see comes from
coding/visibility.py."""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Adjudication,
    Answer,
    Assignment,
    Coding,
    DisagreementType,
    Evidence,
    FinalValue,
    SuggestionDisplay,
    TextVersion,
)
from ..models.codings import SUGGESTION_SHOWN, WORKBENCH
from ..roles import is_supervisor
from ..visibility import codings_visible_to
from .agreements import chapter_names, citation_labels
from .codings import coding_text_version, evidence_url

SAVE_WINDOW = timedelta(seconds=1)
# The fields a reader of each kind of record is shown (others are bookkeeping: ids, revisions,
# timestamps the entry itself carries, the parent the entry is grouped under).
SHOWN = {
    Coding: ["state", "text_version", "carried_from"],
    Answer: ["value", "not_found", "searched_chapters", "note", "recheck", "suggestion_shown_at", "first_value"],
    Adjudication: ["state", "approved_by", "reopen_reason"],
    FinalValue: ["value", "disagreement_type", "rationale"],
    Assignment: ["coder"],
    SuggestionDisplay: ["first"],  # when coders see machine suggestions (precoder)
}
TEXT_LIMIT = 160
# Fields declared without a verbose name (Django would show "approved by" in every language).
FIELD_LABELS = {
    (Adjudication, "approved_by"): gettext_lazy("approved by"),
    (Assignment, "coder"): gettext_lazy("coder"),
}


def _sources(user, agreement):
    coding_ids = list(codings_visible_to(user, agreement=agreement).values_list("pk", flat=True))
    answer_ids = list(Answer.history.filter(coding_id__in=coding_ids).values_list("id", flat=True).distinct())
    sources = [
        Coding.history.filter(id__in=coding_ids),
        Answer.history.filter(id__in=answer_ids).select_related("indicator"),
        Evidence.history.filter(answer_id__in=answer_ids),
    ]
    if is_supervisor(user):
        adjudication_ids = list(
            Adjudication.history.filter(agreement_id=agreement.pk).values_list("id", flat=True).distinct()
        )
        sources += [
            Assignment.history.filter(agreement_id=agreement.pk),
            Adjudication.history.filter(id__in=adjudication_ids),
            FinalValue.history.filter(adjudication_id__in=adjudication_ids).select_related("indicator"),
            SuggestionDisplay.history.filter(agreement_id=agreement.pk),
        ]
    return coding_ids, answer_ids, sources


def _automatic(record):
    """Whether the workbench made this change by itself (not the user the request names)."""
    if getattr(record, "history_change_reason", None) == WORKBENCH:
        return True
    # Records written before the reason was kept: the values the coders agreed on, which only
    # the workbench sets (a supervisor's decision has another type and names her).
    return (
        record.instance_type is FinalValue
        and record.disagreement_type == DisagreementType.AGREED
        and record.decided_by_id is None
    )


class _Names:
    """Ids in records turned into what a reader knows them by, each kind read once."""

    def __init__(self, records, codings):
        users = {
            getattr(r, f)
            for r in records
            for f in ("history_user_id", "approved_by_id", "coder_id", "decided_by_id")
            if getattr(r, f, None)
        }
        self.users = dict(get_user_model().objects.filter(pk__in=users).values_list("pk", "username"))
        versions = {r.text_version_id for r in records if getattr(r, "text_version_id", None)}
        self.text_versions = dict(TextVersion.objects.filter(pk__in=versions).values_list("pk", "number"))
        carried = {r.carried_from_id for r in records if getattr(r, "carried_from_id", None)}
        self.codings = {c.pk: c for c in Coding.objects.filter(pk__in=carried).select_related("version__codebook")}
        self.texts, by_version = {}, {}  # coding id -> (article labels, chapter names) of its text
        for coding in codings.values():
            version = coding_text_version(coding)
            if version not in by_version:
                by_version[version] = (citation_labels(version), chapter_names(version))
            self.texts[coding.pk] = by_version[version]

    def value(self, record, field, coding_id):
        raw = getattr(record, field.attname)
        if raw in (None, "", [], {}):
            return ""
        if field.attname in {"approved_by_id", "coder_id", "decided_by_id"}:
            return self.users.get(raw, f"#{raw}")
        if field.attname == "text_version_id":
            return str(self.text_versions.get(raw, "?"))
        if field.attname == "carried_from_id":
            coding = self.codings.get(raw)
            return str(coding.version) if coding else f"#{raw}"
        if field.name == "searched_chapters":
            names = self.texts.get(coding_id, ({}, {}))[1]
            return ", ".join(names.get(str(c), str(c)) for c in raw)
        if field.choices:
            return str(dict(field.flatchoices).get(raw, raw))
        if field.name == "suggestion_shown_at":  # the entry's own time says when
            return _("yes")
        if isinstance(raw, bool):
            return _("yes") if raw else _("no")
        return truncatechars(str(raw), TEXT_LIMIT)


def _field_parts(model, before, after, names, coding_id):
    parts = []
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name in SHOWN[model]:
        field = fields[name]
        old = names.value(before, field, coding_id) if before is not None else ""
        new = names.value(after, field, coding_id)
        if old == new or (before is None and getattr(after, field.attname) is False):
            continue  # unchanged, or a flag a new row simply does not have
        label = str(FIELD_LABELS.get((model, name), field.verbose_name))
        values = {"field": label, "before": old, "after": new}  # the columns of the CSV export
        if old and new:
            parts.append({"text": f"{label}: {old} → {new}", **values})
        elif new:
            parts.append({"text": f"{label}: {new}", **values})
        else:
            parts.append({"text": f"{label}: {old} → —", **values})
    return parts


def history_visible_to(user, *, agreement):
    """The audit trail of one agreement, newest first: one entry per save, {when, who,
    automatic, what, subject, lines: [{label, parts: [{text, link}]}], changes: [text]}.
    Coders see the history of what they may see (their own codings until adjudication)."""
    coding_ids, answer_ids, sources = _sources(user, agreement)
    records = [record for source in sources for record in source]  # record.instance_type: its model
    answer_coding = dict(Answer.history.filter(id__in=answer_ids).values_list("id", "coding_id").distinct())
    answer_code = {r.id: r.indicator.code for r in records if r.instance_type is Answer and r.indicator_id}
    codings = {
        c.pk: c
        for c in Coding.objects.filter(pk__in=coding_ids).select_related(
            "coder", "text_version", "agreement__current_text", "version__codebook"
        )
    }
    names = _Names(records, codings)

    # Each object's records in order, so a record's predecessor is found without a query.
    by_object = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_object[(record.instance_type, record.id)].append(record)
    previous = {}
    for chain in by_object.values():
        for before, after in zip([None] + chain[:-1], chain):
            previous[id(after)] = before

    def root(record):
        model = record.instance_type
        if model is Coding:
            return ("coding", record.id)
        if model is Answer:
            return ("coding", record.coding_id)
        if model is Evidence:
            return ("coding", answer_coding.get(record.answer_id))
        if model is Assignment:
            return ("assignment", record.agreement_id)
        if model is SuggestionDisplay:
            return ("display", record.id)
        return ("adjudication", record.id if model is Adjudication else record.adjudication_id)

    groups, open_groups = [], {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        automatic = _automatic(record)
        # A coder shown a machine suggestion is an entry of its own, never part of a save.
        shown = getattr(record, "history_change_reason", None) == SUGGESTION_SHOWN
        key = (root(record), "workbench" if automatic else record.history_user_id, shown)
        group = open_groups.get(key)
        # A save writes its coding (or adjudication) row first, then the rows under it: that row
        # starts the entry, the others join it while they come from the same save.
        anchor = record.instance_type in (Coding, Adjudication)
        if group is None or anchor or record.history_date - group["start"] > SAVE_WINDOW:
            group = {
                "key": key,
                "start": record.history_date,
                "records": [],
                "automatic": automatic,
                "user_id": record.history_user_id,
            }
            open_groups[key] = group
            groups.append(group)
        group["records"].append(record)
    entries = [_entry(group, previous, names, codings, answer_coding, answer_code) for group in groups]
    return sorted([e for e in entries if e["lines"]], key=lambda e: e["when"], reverse=True)


def _entry(group, previous, names, codings, answer_coding, answer_code):
    (kind, root_id), *_actor = group["key"]
    objects = {}
    for record in group["records"]:  # first and last record of each object within the save
        entry = objects.setdefault((record.instance_type, record.id), [record, record])
        entry[1] = record
    lines = defaultdict(list)  # label -> parts
    cited, removed = {}, {}
    for (model, _object_id), (first, last) in objects.items():
        before = None if first.history_type == "+" else previous.get(id(first))
        coding_id = root_id if kind == "coding" else None
        if model is Evidence:
            content = (last.answer_id, last.article_identifier, last.start, last.end, last.quote)
            if first.history_type == "+" and last.history_type != "-":
                cited[content] = last
            elif last.history_type == "-" and first.history_type != "+":
                removed[content] = last
            continue
        label = (
            answer_code.get(last.id, "") if model is Answer else (last.indicator.code if model is FinalValue else "")
        )
        if last.history_type == "-":
            lines[label].append({"text": _("deleted")})
            continue
        lines[label] += _field_parts(model, before, last, names, coding_id)
    for content in set(cited) & set(removed):  # removed and cited again unchanged: no change
        cited.pop(content), removed.pop(content)
    for items, verb in ((removed, _("removed")), (cited, _("cited"))):
        for (answer_id, article, _start, _end, quote), _record in items.items():
            coding = codings.get(answer_coding.get(answer_id))
            article_label = (
                names.texts.get(coding.pk, ({}, {}))[0].get(article, f"#{article}") if coding else f"#{article}"
            )
            text = f"{verb} {article_label}" + (f" “{truncatechars(quote, 80)}”" if quote else "")
            lines[answer_code.get(answer_id, "")].append(
                {"text": text, "link": evidence_url(coding, article) if coding else None}
            )
    ordered = [{"label": label, "parts": parts} for label, parts in lines.items() if parts]
    ordered.sort(key=lambda line: (line["label"] != "", line["label"]))
    if kind == "coding":
        coding = codings.get(root_id)
        subject = (
            f"{Coding._meta.verbose_name} · {coding.coder.get_username()} · {coding.version}"
            if coding
            else Coding._meta.verbose_name
        )
        what = Coding._meta.verbose_name
    else:
        model = {"adjudication": Adjudication, "display": SuggestionDisplay}.get(kind, Assignment)
        subject = what = model._meta.verbose_name
    return {
        "when": group["records"][-1].history_date,
        "who": _("the workbench") if group["automatic"] else names.users.get(group["user_id"], ""),
        "automatic": group["automatic"],
        "what": str(what),
        "subject": str(subject),
        "coder": coding.coder.get_username() if kind == "coding" and coding else "",  # marked when a reference source
        "lines": ordered,
        "changes": [part["text"] for line in ordered for part in line["parts"]],
    }


HISTORY_COLUMNS = ["when", "who", "automatic", "subject", "indicator", "field", "before", "after", "change"]


def history_csv_rows(events):
    """The entries of history_visible_to as CSV rows (header first), one row per change, for the
    history page's download; coding/pure/csv_safe.py writes them, so a note or quote is never a formula."""
    yield HISTORY_COLUMNS
    for event in events:
        for line in event["lines"]:
            for part in line["parts"]:
                yield [
                    event["when"].isoformat(),
                    event["who"],
                    event["automatic"],
                    event["subject"],
                    line["label"],
                    part.get("field", ""),
                    part.get("before", ""),
                    part.get("after", ""),
                    part["text"],
                ]
