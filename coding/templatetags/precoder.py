"""The machine pre-coder's pieces on pages that are not its own (agreement page, workspace,
adjudication), as inclusion tags, so those pages' views stay as they are. Reads go through
coding/selectors/precoder.py; the workspace fetches its suggestions from an endpoint that asks
coding/visibility.py."""

from django import template

from ..models import PrecodeJob, PrecoderModel
from ..roles import is_supervisor
from ..selectors.precoder import suggestion_display_first, suggestions_for_adjudication

register = template.Library()


@register.inclusion_tag("coding/_precoder_panel.html", takes_context=True)
def precoder_panel(context, agreement):
    """Supervisors: pre-code this treaty (a job, with progress) and choose when coders see
    suggestions. Nothing for anyone else."""
    user = context["request"].user
    if not is_supervisor(user):
        return {"show": False}
    recent = PrecodeJob.objects.select_related("model").order_by("-created_at")[:50]
    return {
        "show": True,
        "agreement": agreement,
        "request": context["request"],
        "model": PrecoderModel.objects.select_related("version__codebook").order_by("-number").first(),
        "jobs": [job for job in recent if agreement.pk in job.agreement_ids][:3],
        "first": suggestion_display_first(agreement),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("coding/_workspace_suggestions.html")
def workspace_suggestions(coding):
    return {"coding": coding}


@register.inclusion_tag("coding/_adjudication_suggestions.html")
def adjudication_suggestions(adjudication):
    return {"suggestions": suggestions_for_adjudication(adjudication=adjudication)}
