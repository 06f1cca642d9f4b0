"""Reads of the double-coding workflow. Who may see which codings is decided in
coding/visibility.py; every read here that shows codings goes through it."""
from collections import defaultdict

import pandas as pd
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from .models import Adjudication, Answer, Assignment, Coding, FinalValue
from .roles import REFERENCE, is_supervisor
from .visibility import codings_visible_to


SKIP_IN_HISTORY = {"id", "updated_at", "decided_at", "revision"}


def history_visible_to(user, *, agreement):
    """Audit trail of one agreement, newest first, as rows {when, who, what, object, action,
    changes}. Coders see the history of what they may see (their own rows until adjudication)."""
    from .models import Evidence

    coding_ids = list(codings_visible_to(user, agreement=agreement).values_list("pk", flat=True))
    answer_ids = list(Answer.history.filter(coding_id__in=coding_ids).values_list("id", flat=True).distinct())
    sources = [
        Coding.history.filter(id__in=coding_ids),
        Answer.history.filter(id__in=answer_ids).select_related("indicator"),
        Evidence.history.filter(answer_id__in=answer_ids),
    ]
    if is_supervisor(user):
        adjudication_ids = list(Adjudication.history.filter(agreement_id=agreement.pk).values_list("id", flat=True).distinct())
        sources += [
            Assignment.history.filter(agreement_id=agreement.pk).select_related("coder"),
            Adjudication.history.filter(id__in=adjudication_ids),
            FinalValue.history.filter(adjudication_id__in=adjudication_ids).select_related("indicator"),
        ]
    rows = []
    for source in sources:
        for record in source.select_related("history_user"):
            changes = []
            previous = record.prev_record
            if previous is None:  # creation: show what it was created with
                changes = [
                    f"{field.name}: {getattr(record, field.attname)}"
                    for field in record.instance._meta.concrete_fields
                    if not field.is_relation and field.name not in SKIP_IN_HISTORY
                    and getattr(record, field.attname) not in (None, "", [], {})
                ]
            else:
                delta = record.diff_against(previous)
                changes = [f"{c.field}: {c.old} → {c.new}" for c in delta.changes if c.field not in SKIP_IN_HISTORY]
            rows.append({
                "when": record.history_date,
                "who": record.history_user.get_username() if record.history_user else "",
                "what": record.instance._meta.verbose_name,
                "object": str(record.instance),
                "action": record.get_history_type_display(),
                "changes": changes,
            })
    return sorted(rows, key=lambda r: r["when"], reverse=True)


def coder_queue(user):
    """The coder's assigned codings with their state and progress (answered / indicators)."""
    assigned = Exists(Assignment.objects.filter(coder=user, agreement=OuterRef("agreement"), version=OuterRef("version")))
    return list(
        Coding.objects.filter(assigned, coder=user)
        .select_related("agreement", "version__codebook")
        .annotate(
            answered=Count("answers", filter=Q(answers__value__isnull=False), distinct=True),
            n_indicators=Count("version__indicators", distinct=True),
        )
        .order_by("state", "agreement__name")
    )


def adjudication_queue():
    """Agreements whose assigned coders have all submitted and that are not yet approved."""
    return (
        Adjudication.objects.filter(state=Adjudication.State.OPEN)
        .select_related("agreement", "version__codebook")
        .annotate(decided=Count("final_values", distinct=True), n_indicators=Count("version__indicators", distinct=True))
        .order_by("agreement__name")
    )


def adjudication_detail(*, adjudication):
    """Per indicator: every coder's value, evidence and note, and the final value if decided."""
    codings = list(
        Coding.objects.filter(
            agreement=adjudication.agreement, version=adjudication.version,
            coder__assignments__agreement=adjudication.agreement, coder__assignments__version=adjudication.version,
        ).select_related("coder").distinct().order_by("coder__username")
    )
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(coding__in=codings).prefetch_related("evidence"):
        answers[answer.indicator_id][answer.coding_id] = answer
    finals = {f.indicator_id: f for f in adjudication.final_values.all()}
    rows = []
    for indicator in adjudication.version.indicators.all():
        given = [answers[indicator.pk].get(c.pk) for c in codings]
        values = {a.value for a in given if a is not None}
        rows.append({
            "indicator": indicator,
            "answers": list(zip(codings, given)),
            "agreed": len(values) == 1 and all(a is not None for a in given),
            "final": finals.get(indicator.pk),
        })
    return {"codings": codings, "rows": rows}


def reference_coders():
    return get_user_model().objects.filter(groups__name=REFERENCE).order_by("username")


def coding_matrix(*, version, coders=None, agreements=None, include_drafts=False):
    """Long table (agreement_id, coder, indicator, value) of the chosen coders' answers, plus the
    approved values as coder '__approved__'. Missing answers are simply absent (NaN when wide)."""
    answers = Answer.objects.filter(coding__version=version, value__isnull=False)
    if not include_drafts:
        answers = answers.filter(coding__state=Coding.State.SUBMITTED)
    if coders:
        answers = answers.filter(coding__coder__username__in=coders)
    if agreements is not None:
        answers = answers.filter(coding__agreement__in=agreements)
    frame = pd.DataFrame(
        list(answers.values_list("coding__agreement_id", "coding__coder__username", "indicator__code", "value")),
        columns=["agreement_id", "coder", "indicator", "value"],
    )
    finals = FinalValue.objects.filter(adjudication__version=version, adjudication__state=Adjudication.State.APPROVED)
    if agreements is not None:
        finals = finals.filter(adjudication__agreement__in=agreements)
    approved = pd.DataFrame(
        list(finals.values_list("adjudication__agreement_id", "indicator__code", "value")),
        columns=["agreement_id", "indicator", "value"],
    ).assign(coder="__approved__")
    return frame, approved


def keyword_candidates(*, agreement, indicators):
    """indicator code -> identifiers of articles containing one of its keyword hints (case-
    insensitive substring, so "harmoni" finds harmonise/harmonization)."""
    hints = {i.code: [h.lower() for h in i.keyword_hints] for i in indicators if i.keyword_hints}
    if not hints:
        return {}
    result = {code: [] for code in hints}
    for identifier, text in agreement.articles.values_list("identifier", "text"):
        lowered = text.lower()
        for code, words in hints.items():
            if any(word in lowered for word in words):
                result[code].append(identifier)
    return result


def coding_workspace(*, coding):
    """Everything the coder workspace shows: the indicators with the coder's answers and evidence."""
    indicators = list(coding.version.indicators.all())
    answers = {a.indicator_id: a for a in coding.answers.prefetch_related("evidence")}
    items = []
    for indicator in indicators:
        answer = answers.get(indicator.pk)
        items.append({
            "indicator": indicator,
            "answer": answer,
            "evidence": list(answer.evidence.all()) if answer else [],
        })
    return {
        "items": items,
        "answered": sum(1 for a in answers.values() if a.value is not None),
        "candidates": keyword_candidates(agreement=coding.agreement, indicators=indicators),
    }


def coding_as_payload(coding):
    """The coding as the JSON the workspace and the API exchange."""
    answers = {}
    for answer in coding.answers.select_related("indicator").prefetch_related("evidence"):
        answers[answer.indicator.code] = {
            "value": answer.value,
            "note": answer.note,
            "not_found": answer.not_found,
            "searched_chapters": answer.searched_chapters,
            "evidence": [
                {"article": e.article_identifier, "start": e.start, "end": e.end, "quote": e.quote}
                for e in answer.evidence.all()
            ],
        }
    return {
        "id": coding.pk,
        "agreement": coding.agreement_id,
        "codebook": coding.version.codebook.code,
        "version": coding.version.number,
        "coder": coding.coder.username,
        "state": coding.state,
        "revision": coding.revision,
        "answers": answers,
    }


def agreement_coding_status(*, agreement, user):
    """Per codebook version this agreement is assigned under: its state (in coding with n of m
    submitted, in adjudication, approved), the user's own coding, and the adjudication (for
    supervisors). Only counts are shown, never other coders' answers."""
    versions = {}
    for assignment in Assignment.objects.filter(agreement=agreement).select_related("version__codebook"):
        versions.setdefault(assignment.version_id, {"version": assignment.version, "coders": 0})["coders"] += 1
    rows = []
    for version_id, item in versions.items():
        codings = Coding.objects.filter(agreement=agreement, version_id=version_id)
        submitted = codings.filter(state=Coding.State.SUBMITTED, coder__assignments__agreement=agreement,
                                   coder__assignments__version_id=version_id).distinct().count()
        adjudication = Adjudication.objects.filter(agreement=agreement, version_id=version_id).first()
        if adjudication and adjudication.state == Adjudication.State.APPROVED:
            state = "approved"
        elif adjudication:
            state = "open"
        else:
            state = "coding"
        rows.append({
            "version": item["version"], "state": state, "submitted": submitted, "coders": item["coders"],
            "own": codings.filter(coder=user).first() if user.is_authenticated else None,
            "adjudication": adjudication if is_supervisor(user) else None,
        })
    return rows
