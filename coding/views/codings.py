"""Pages of one coder's work: the queue, the workspace (treaty beside the codebook form), her
feedback after approval, and an agreement's audit trail. Thin: selectors for reads (blindness
lives in coding/visibility.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from web.permissions import supervisor_required
from web.shortcuts import or_404

from ..editing import coding_editable_by
from ..pure.csv_safe import rows_csv
from ..selectors.agreements import agreement_get, treaty_reader
from ..selectors.codings import (
    coder_queue,
    coding_as_payload,
    coding_text_version,
    coding_visible_get,
    coding_workspace,
    recheck_items_for,
)
from ..selectors.feedback import agreement_by_month, coding_feedback, feedback_coding_get, feedback_list
from ..selectors.history import history_csv_rows, history_visible_to


@login_required
def my_queue(request):
    codings = coder_queue(request.user)
    done = sum(1 for c in codings if c.state == "submitted")
    return render(
        request,
        "coding/queue.html",
        {
            "codings": codings,
            "done": done,
            "total": len(codings),
            "percent": round(100 * done / len(codings)) if codings else 0,
            "recheck": recheck_items_for(request.user),
            "has_feedback": any(c.has_feedback for c in codings),
        },
    )


@login_required
def workspace(request, pk):
    # The same rule as /api/codings/<id>/: her own coding, any coding of a treaty she coded once
    # it is approved (read only), every coding for supervisors; anything else is a 404.
    coding = or_404(coding_visible_get(request.user, pk))
    context = coding_workspace(coding=coding)
    # The text the coding was made on, whatever was imported since: its evidence cites this one.
    reader = treaty_reader(agreement=coding.agreement, version=coding_text_version(coding))
    return render(
        request,
        "coding/workspace.html",
        {
            "coding": coding,
            "agreement": coding.agreement,
            "editable": coding_editable_by(request.user, coding),
            "payload": coding_as_payload(coding),
            **context,
            **reader,
        },
    )


@supervisor_required
def agreement_history(request, pk):
    agreement = or_404(agreement_get(pk))
    events = history_visible_to(request.user, agreement=agreement)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            rows_csv(history_csv_rows(events)).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="agreement-{agreement.pk}-history.csv"'
        return response
    return render(request, "coding/history.html", {"agreement": agreement, "events": events})


@login_required
def coding_feedback_page(request, pk):
    """One approved coding: her answers beside the final values and the adjudicator's rationale.
    404 for anyone else's coding and before approval (coding/visibility.py decides)."""
    coding = feedback_coding_get(request.user, pk)
    if coding is None:
        raise Http404
    return render(
        request,
        "coding/feedback.html",
        {
            "coding": coding,
            "agreement": coding.agreement,
            **coding_feedback(coding=coding),
        },
    )


@login_required
def my_feedback(request):
    """Her agreement with the final values month by month, and her approved codings."""
    return render(
        request,
        "coding/my_feedback.html",
        {
            "codings": feedback_list(request.user),
            **agreement_by_month(request.user),
        },
    )
