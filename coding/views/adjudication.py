"""Adjudication pages: the queue of treaties every assigned coder has submitted, and resolving,
approving or reopening one. Thin: the selector reads, the adjudication services write."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from web.permissions import supervisor_required
from web.shortcuts import or_404

from ..pure.ids import parse_id
from ..selectors import codings as selectors
from ..selectors.dashboard import adjudication_agreement, answers_choice
from ..selectors.passages import adjudication_page
from ..services.adjudication import (
    AdjudicationConflict,
    adjudication_approve,
    adjudication_reopen,
    adjudication_resolve,
)


@supervisor_required
def adjudication_queue(request):
    return render(request, "coding/adjudication_queue.html", {"queue": selectors.adjudication_queue()})


@supervisor_required
def adjudication_detail(request, pk):
    adjudication = or_404(selectors.adjudication_get(pk))
    if request.method == "POST":
        action = request.POST.get("action")
        # The revision the page showed; a form without one is stale by definition (-1 matches none).
        revision = parse_id(request.POST.get("revision", ""))
        revision = -1 if revision is None else revision
        try:
            if action == "resolve":
                indicator = selectors.adjudication_indicator(adjudication, request.POST.get("indicator", ""))
                if indicator is None:
                    raise ValidationError(_("Choose an indicator of this codebook version."))
                adjudication_resolve(
                    adjudication=adjudication,
                    indicator=indicator,
                    value=request.POST.get("value"),
                    rationale=request.POST.get("rationale", ""),
                    disagreement_type=request.POST.get("disagreement_type", ""),
                    user=request.user,
                    revision=revision,
                )
                messages.success(request, _("Final value of %(code)s recorded.") % {"code": indicator.code})
            elif action == "approve":
                adjudication_approve(adjudication=adjudication, user=request.user, revision=revision)
                messages.success(request, _("Approved: the final values are now the approved coding."))
            elif action == "reopen":
                adjudication_reopen(
                    adjudication=adjudication,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                    revision=revision,
                )
                messages.success(request, _("Reopened."))
        except AdjudicationConflict as exc:
            messages.error(request, str(exc), extra_tags="conflict")
        except (ValidationError, ValueError, TypeError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        # The page's forms post to its own address, ?names=1 included: "Show coder names" stays on.
        keep_names = "1" in (request.GET.get("names"), request.POST.get("names"))
        return redirect(reverse("coding:adjudication_detail", kwargs={"pk": pk}) + ("?names=1" if keep_names else ""))
    show_names = request.GET.get("names") == "1"
    detail = adjudication_page(adjudication=adjudication, show_names=show_names)
    # ?answers=final: agreement on the answers as saved, not as they were before a suggestion.
    answers = answers_choice(request.GET.get("answers"))
    detail["answers_summary"] = adjudication_agreement(rows=detail["rows"], answers=answers)
    return render(
        request,
        "coding/adjudication_detail.html",
        {
            "adjudication": adjudication,
            "agreement": adjudication.agreement,
            "show_names": show_names,
            "disagreement_types": selectors.disagreement_type_choices(),
            **detail,
        },
    )
