"""Reads of the double-coding workflow: queues, workspace, adjudication, history, coding matrices.
Reads only; a read that shows codings asks coding/visibility.py who may see them."""

from collections import defaultdict

import pandas as pd
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q

from ..models import Adjudication, Answer, Article, Assignment, Coding, DisagreementType, FinalValue
from ..models.codings import first_answer_expression
from ..roles import CODER, REFERENCE
from ..visibility import codings_visible_to, feedback_codings_for
from .agreements import agreement_get_by_ref, article_url, chapter_names, citation_labels, citation_rows


def coding_text_version(coding):
    """The text version a coding's evidence is read against: the one it was made on (a coding
    made before its agreement had any text reads the current text)."""
    return coding.text_version or coding.agreement.current_text


def evidence_url(coding, article_identifier):
    """The reader link of a cited article in the coding's own text version."""
    version = coding_text_version(coding)
    return article_url(
        agreement_id=coding.agreement_id, version=version.number if version else None, identifier=article_identifier
    )


def coding_visible_get(user, pk):
    """One coding `user` may see (coding/visibility.py decides: the workspace page and the API
    alike), with what a save checks and its payload shows (its text, its codebook); None otherwise."""
    return codings_visible_to(user).select_related("text_version", "version__codebook").filter(pk=pk).first()


def codings_listed(user, *, agreement_ref=None, limit=500):
    """The codings `user` may see, by id, at most `limit`; only those of one agreement when
    `agreement_ref` (an id, desta:N, tota:N or wto:N) is given (AgreementRefError: none matches)."""
    codings = codings_visible_to(user)
    if agreement_ref is not None:
        codings = codings.filter(agreement=agreement_get_by_ref(agreement_ref))
    return codings.select_related("agreement__current_text", "text_version", "version__codebook", "coder").order_by(
        "pk"
    )[:limit]


def coder_queue(user):
    """The coder's assigned codings with their state and progress (answered / indicators), the
    answers to re-check after a codebook change, and whether her feedback page is open (the
    adjudication is approved: coding/visibility.py decides). A draft carried over to a newer
    codebook version is left out: she works on its successor."""
    assigned = Exists(
        Assignment.objects.filter(coder=user, agreement=OuterRef("agreement"), version=OuterRef("version"))
    )
    superseded = Exists(Coding.objects.filter(carried_from=OuterRef("pk")))
    codings = list(
        Coding.objects.filter(assigned, coder=user)
        .exclude(superseded & Q(state=Coding.State.DRAFT))
        .select_related("agreement", "version__codebook")
        .annotate(
            answered=Count("answers", filter=Q(answers__value__isnull=False), distinct=True),
            n_indicators=Count("version__indicators", distinct=True),
            n_recheck=Count("answers", filter=Q(answers__recheck=True), distinct=True),
        )
        .order_by("state", "agreement__name")
    )
    with_feedback = set(feedback_codings_for(user).values_list("pk", flat=True))
    for coding in codings:
        coding.has_feedback = coding.pk in with_feedback
    return codings


def recheck_items_for(user):
    """The coder's answers flagged for re-checking after a codebook change: [(coding, [codes])]."""
    flagged = defaultdict(list)
    for coding_id, code in (
        Answer.objects.filter(coding__coder=user, recheck=True, coding__state=Coding.State.DRAFT)
        .order_by("coding_id", "indicator__position")
        .values_list("coding_id", "indicator__code")
    ):
        flagged[coding_id].append(code)
    codings = Coding.objects.filter(pk__in=list(flagged)).select_related(
        "agreement", "version__codebook", "carried_from__version"
    )
    return [(coding, flagged[coding.pk]) for coding in codings.order_by("agreement__name")]


def adjudication_queue():
    """Agreements whose assigned coders have all submitted and that are not yet approved."""
    return (
        Adjudication.objects.filter(state=Adjudication.State.OPEN)
        .select_related("agreement", "version__codebook")
        .annotate(
            decided=Count("final_values", distinct=True), n_indicators=Count("version__indicators", distinct=True)
        )
        .order_by("agreement__name")
    )


def adjudication_get(pk):
    """One adjudication with its agreement and codebook version, or None (supervisors' pages)."""
    return Adjudication.objects.select_related("agreement", "version__codebook").filter(pk=pk).first()


def adjudication_indicator(adjudication, code):
    """The indicator `code` of the adjudication's codebook version, or None."""
    return adjudication.version.indicators.filter(code=str(code)[:80]).first()


def disagreement_type_choices():
    """The reasons an adjudicator may give for a disagreement ((value, label)): not "agreed" nor
    "imported", which the workbench sets itself."""
    return [
        (value, label)
        for value, label in DisagreementType.choices
        if value in {"misread", "ambiguity", "clerical", "other"}
    ]


def adjudication_detail(*, adjudication):
    """Per indicator: every coder's value, evidence and note, and the final value if decided."""
    codings = list(
        Coding.objects.filter(
            agreement=adjudication.agreement,
            version=adjudication.version,
            coder__assignments__agreement=adjudication.agreement,
            coder__assignments__version=adjudication.version,
        )
        .select_related("coder", "text_version", "agreement__current_text")
        .distinct()
        .order_by("coder__username")
    )
    by_id = {c.pk: c for c in codings}
    by_version = {}
    for coding in codings:
        version = coding_text_version(coding)
        if version not in by_version:
            by_version[version] = text_labels(version)
    texts = {c.pk: by_version[coding_text_version(c)] for c in codings}
    answers = defaultdict(dict)
    for answer in Answer.objects.filter(coding__in=codings).prefetch_related("evidence"):
        labels, chapters = texts[answer.coding_id]
        for item in answer.evidence.all():
            item.url = evidence_url(by_id[answer.coding_id], item.article_identifier)
            item.label = labels.get(item.article_identifier, f"#{item.article_identifier}")
        answer.searched_chapter_names = [chapters.get(c, c) for c in answer.searched_chapters]
        answers[answer.indicator_id][answer.coding_id] = answer
    finals = {f.indicator_id: f for f in adjudication.final_values.all()}
    rows = []
    for indicator in adjudication.version.indicators.all():
        given = [answers[indicator.pk].get(c.pk) for c in codings]
        values = {a.value for a in given if a is not None}
        rows.append(
            {
                "indicator": indicator,
                "answers": list(zip(codings, given)),
                "agreed": len(values) == 1 and all(a is not None for a in given),
                "final": finals.get(indicator.pk),
            }
        )
    # The text the codings were made on, when they share one (the page's "Open the text").
    versions = {coding_text_version(c) for c in codings}
    return {"codings": codings, "rows": rows, "text_version": versions.pop() if len(versions) == 1 else None}


def text_labels(version):
    """(article labels, chapter names) of one text version: how evidence and "searched, not
    found" name what they refer to."""
    return citation_labels(version), chapter_names(version)


def reference_coders():
    return get_user_model().objects.filter(groups__name=REFERENCE).order_by("username")


def coders_active(*, ids=None):
    """Coders who can log in, by username (only those with database ids `ids`, when given)."""
    coders = get_user_model().objects.filter(groups__name=CODER, is_active=True).order_by("username")
    return coders.filter(pk__in=list(ids)) if ids is not None else coders


def coding_matrix(*, version, coders=None, agreements=None, include_drafts=False, first_answers=False):
    """Long table (agreement_id, coder, indicator, value) of the chosen coders' answers, plus the
    approved values as coder '__approved__'. Missing answers are simply absent (NaN when wide).
    `first_answers`: each answer as it was before a machine suggestion was shown (Answer.first_answer)."""
    answers = (
        Answer.objects.filter(coding__version=version)
        .annotate(counted=first_answer_expression() if first_answers else F("value"))
        .filter(counted__isnull=False)
    )
    if not include_drafts:
        answers = answers.filter(coding__state=Coding.State.SUBMITTED)
    if coders:
        answers = answers.filter(coding__coder__username__in=coders)
    if agreements is not None:
        answers = answers.filter(coding__agreement__in=agreements)
    frame = pd.DataFrame(
        list(answers.values_list("coding__agreement_id", "coding__coder__username", "indicator__code", "counted")),
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


def keyword_candidates(*, agreement, indicators, version=None):
    """indicator code -> identifiers of articles (of text `version`, else the current text)
    containing one of its keyword hints (case-insensitive substring, so "harmoni" finds
    harmonise/harmonization)."""
    hints = {i.code: [h.lower() for h in i.keyword_hints] for i in indicators if i.keyword_hints}
    if not hints:
        return {}
    result = {code: [] for code in hints}
    articles = Article.objects.filter(version=version) if version is not None else agreement.articles
    for identifier, text in articles.values_list("identifier", "text"):
        lowered = text.lower()
        for code, words in hints.items():
            if any(word in lowered for word in words):
                result[code].append(identifier)
    return result


def coding_workspace(*, coding):
    """Everything the coder workspace shows: the indicators with the coder's answers and evidence."""
    indicators = list(coding.version.indicators.all())
    answers = {a.indicator_id: a for a in coding.answers.prefetch_related("evidence")}
    # What she answered under the codebook version this coding was carried over from, for the
    # indicators flagged for re-checking (her own answers only).
    previous = {}
    if coding.carried_from_id and any(a.recheck for a in answers.values()):
        previous = {
            a.indicator.code: a
            for a in Answer.objects.filter(coding_id=coding.carried_from_id)
            .select_related("indicator")
            .prefetch_related("evidence")
        }
        labels = citation_labels(coding_text_version(coding))
        for answer in previous.values():
            answer.cited = [labels.get(e.article_identifier, f"#{e.article_identifier}") for e in answer.evidence.all()]
    items = []
    for indicator in indicators:
        answer = answers.get(indicator.pk)
        items.append(
            {
                "indicator": indicator,
                "answer": answer,
                "evidence": list(answer.evidence.all()) if answer else [],
                "recheck": bool(answer and answer.recheck),
                "previous": previous.get(indicator.code) if answer and answer.recheck else None,
            }
        )
    version = coding_text_version(coding)
    current = coding.agreement.current_text
    return {
        "items": items,
        "answered": sum(1 for a in answers.values() if a.value is not None),
        "candidates": keyword_candidates(agreement=coding.agreement, indicators=indicators, version=version)
        if version
        else {},
        # Shown above the text when a newer text exists: the coding stays on its own version.
        "newer_text": current if version and current and current.pk != version.pk else None,
        "carried_from": coding.carried_from.version if coding.carried_from_id else None,
    }


def _article_names(version):
    """({identifier: citation label}, {identifier: (number, heading)}) of one text version, from
    one read of its articles (what citation_labels reads)."""
    if version is None:
        return {}, {}
    rows = citation_rows(version)
    return (
        citation_labels(version, rows=rows),
        {identifier: (number, heading) for identifier, number, heading, _chapter in rows},
    )


def coding_as_payload(coding, *, texts=None, answers=None):
    """The coding as the JSON the workspace and the API exchange. `texts`, a dict the caller
    keeps across codings, saves reading the article names of one text version again; `answers`,
    [(answer, [evidence])] the caller holds already (a save's `coding.saved_answers`), saves
    reading them again."""
    if answers is None:
        answers = [
            (answer, list(answer.evidence.all()))
            for answer in coding.answers.select_related("indicator").prefetch_related("evidence")
        ]
    text_version = coding_text_version(coding)
    texts = {} if texts is None else texts
    key = text_version.pk if text_version else None
    if key not in texts:
        texts[key] = _article_names(text_version)
    labels, articles = texts[key]
    payload = {}
    for answer, evidence in answers:
        payload[answer.indicator.code] = {
            "value": answer.value,
            "note": answer.note,
            "not_found": answer.not_found,
            "searched_chapters": answer.searched_chapters,
            "recheck": answer.recheck,
            "evidence": [
                # `article` is the stable key; number, heading and label are what a reader cites.
                {
                    "article": e.article_identifier,
                    "start": e.start,
                    "end": e.end,
                    "quote": e.quote,
                    "number": articles.get(e.article_identifier, ("", ""))[0],
                    "heading": articles.get(e.article_identifier, ("", ""))[1],
                    "label": labels.get(e.article_identifier, f"#{e.article_identifier}"),
                    "url": evidence_url(coding, e.article_identifier),
                }
                for e in evidence
            ],
        }
    return {
        "id": coding.pk,
        "agreement": coding.agreement_id,
        # The treaty text the evidence cites (article identifiers and offsets are read in it).
        "text_version": text_version.number if text_version else None,
        "codebook": coding.version.codebook.code,
        "version": coding.version.number,
        "coder": coding.coder.username,
        "state": coding.state,
        "revision": coding.revision,
        "answers": payload,
    }
