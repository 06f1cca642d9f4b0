"""Feedback for a coder once a treaty is approved: her answers beside the final values with the
adjudicator's rationale, and how often her answers were the final value, month by month.
Reads only; which codings qualify is coding/visibility.py's `feedback_codings_for`."""

from collections import defaultdict

from django.utils import timezone

from ..models import Answer, FinalValue
from ..visibility import feedback_codings_for
from .codings import coding_text_version, evidence_url, text_labels

CHART_WIDTH, BAR_HEIGHT, BAR_GAP = 360, 22, 8


def feedback_coding_get(user, pk):
    """The coding `pk` if `user` may see its feedback, else None (the page answers 404)."""
    return feedback_codings_for(user).select_related("text_version", "agreement__current_text").filter(pk=pk).first()


def coding_feedback(*, coding):
    """Per indicator: her value (with label), evidence, note and "searched, not found" chapters;
    the final value, its disagreement type, the rationale and who decided; and whether they match."""
    labels, chapters = text_labels(coding_text_version(coding))
    answers = {a.indicator_id: a for a in coding.answers.prefetch_related("evidence")}
    finals = {
        f.indicator_id: f
        for f in FinalValue.objects.filter(
            adjudication__agreement=coding.agreement, adjudication__version=coding.version
        ).select_related("decided_by")
    }
    rows = []
    for indicator in coding.version.indicators.all():
        answer, final = answers.get(indicator.pk), finals.get(indicator.pk)
        value_labels = dict(indicator.value_labels())
        evidence = (
            [
                {
                    "label": labels.get(e.article_identifier, f"#{e.article_identifier}"),
                    "quote": e.quote,
                    "url": evidence_url(coding, e.article_identifier),
                }
                for e in answer.evidence.all()
            ]
            if answer
            else []
        )
        mine = answer.value if answer else None
        rows.append(
            {
                "indicator": indicator,
                "value": mine,
                "value_label": value_labels.get(mine, ""),
                "evidence": evidence,
                "note": answer.note if answer else "",
                "not_found": bool(answer and answer.not_found),
                "searched": [chapters.get(c, c) for c in answer.searched_chapters] if answer else [],
                "final": final,
                "final_label": value_labels.get(final.value, "") if final else "",
                "match": final is not None and mine is not None and mine == final.value,
            }
        )
    compared = [r for r in rows if r["final"] is not None and r["value"] is not None]
    return {"rows": rows, "matches": sum(r["match"] for r in compared), "compared": len(compared)}


def agreement_by_month(user):
    """Month by month (the month she submitted each coding): how many of her answers had a final
    value, how many were equal to it, and the share; with bars for an inline SVG chart. Only her
    own codings with feedback (approved adjudications)."""
    codings = list(feedback_codings_for(user).filter(coder=user))
    months = {c.pk: timezone.localdate(c.submitted_at or c.updated_at).replace(day=1) for c in codings}
    finals = {
        (agreement, version, indicator): value
        for agreement, version, indicator, value in FinalValue.objects.filter(
            adjudication__agreement__in={c.agreement_id for c in codings},
            adjudication__version__in={c.version_id for c in codings},
        ).values_list("adjudication__agreement_id", "adjudication__version_id", "indicator_id", "value")
    }
    counts = defaultdict(lambda: [0, 0])
    for coding_id, agreement, version, indicator, value in Answer.objects.filter(
        coding__in=codings, value__isnull=False
    ).values_list("coding_id", "coding__agreement_id", "coding__version_id", "indicator_id", "value"):
        final = finals.get((agreement, version, indicator))
        if final is None:
            continue
        tally = counts[months[coding_id]]
        tally[0] += 1
        tally[1] += value == final
    rows = []
    for index, month in enumerate(sorted(counts)):
        n, equal = counts[month]
        share = equal / n if n else None
        rows.append(
            {
                "month": month,
                "answers": n,
                "equal": equal,
                "share": share,
                "y": index * (BAR_HEIGHT + BAR_GAP),
                "width": round((share or 0) * CHART_WIDTH),
            }
        )
    return {
        "months": rows,
        "chart_height": max(len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        "chart_width": CHART_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def feedback_list(user):
    """The codings `user` has feedback for, newest submission first."""
    return list(feedback_codings_for(user).filter(coder=user).order_by("-submitted_at", "agreement__name"))
