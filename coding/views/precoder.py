"""Pages of the machine pre-coder: the measurement page (models, honest figures, reliability
diagram, pre-coding many treaties), pre-coding one treaty from its page, job status, the
per-treaty suggestion display, and the suggestions a coder may see beside her coding. Thin:
selectors read, services write; who sees which suggestion is coding/visibility.py's question."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs.selectors import job_status_payload
from web.permissions import supervisor_required
from web.shortcuts import or_404

from .. import visibility
from ..precoder.model import reliability_bins
from ..precoder.plots import reliability_diagram
from ..pure.ids import parse_id
from ..selectors.agreements import AgreementRefError, agreement_get, agreement_get_by_ref, agreements_with_text
from ..selectors.codings import coding_visible_get
from ..selectors.precoder import (
    PrecoderModelError,
    precode_job_get,
    precode_jobs_recent,
    precoder_measurement,
    precoder_model_get,
    precoder_models,
)
from ..services.precode_jobs import precode_job_request
from ..services.precoder import PrecoderError, suggestion_display_set, suggestions_show

MAX_REFS = 1000


def _model(request):
    number = parse_id(request.GET.get("model", "") or request.POST.get("model", ""))
    model = precoder_model_get(number)
    if number and model is None:
        raise Http404(_("No pre-coder model %(n)s.") % {"n": number})
    return model


@supervisor_required
def precoder_page(request):
    model = _model(request)
    if request.method == "POST" and model is not None:
        try:
            if request.POST.get("all") == "1":
                agreements = agreements_with_text()
            else:
                refs = [
                    r.strip() for r in request.POST.get("agreements", "").replace(",", "\n").splitlines() if r.strip()
                ]
                if len(refs) > MAX_REFS:
                    raise ValidationError(_("At most %(n)d agreements at a time.") % {"n": MAX_REFS})
                agreements = [agreement_get_by_ref(ref) for ref in refs]
            job = precode_job_request(version=model.version, model=model, agreements=agreements, user=request.user)
        except (AgreementRefError, PrecoderError, PrecoderModelError, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.info(request, _("Pre-coding %(n)d treaties in the background.") % {"n": len(job.agreement_ids)})
        return redirect(f"{request.path}?model={model.number}")
    context = {"models": precoder_models(), "model": model, "jobs": precode_jobs_recent(limit=10)}
    if model is not None:
        measurement = context["measurement"] = precoder_measurement(model=model)
        results = measurement["results"]
        context["rows"] = [
            {"code": code, "cells": [results[name][code] for name in ("cross_validation", "reference", "approved")]}
            for code in measurement["indicators"]
        ]
    return render(request, "coding/precoder.html", context)


@supervisor_required
def precoder_diagram(request, number, fmt):
    if fmt not in {"svg", "png"}:
        raise Http404(_("Diagrams come as svg or png."))
    model = or_404(precoder_model_get(number) if number else None)  # /precoder/0.svg: no model 0
    points = precoder_measurement(model=model)["points"]
    labels = {
        "cross_validation": _("cross-validated"),
        "reference": _("held out, against %(ref)s") % {"ref": model.reference},
        "approved": _("against adjudicated values"),
    }
    series = [(labels[name], reliability_bins(points[name])) for name in ("cross_validation", "reference", "approved")]
    image = reliability_diagram(
        series,
        fmt=fmt,
        title=_("Machine (model %(n)d): confidence against accuracy") % {"n": number},
        text={
            "confidence": _("confidence of the suggestion"),
            "accuracy": _("share correct"),
            "perfect": _("perfectly calibrated"),
        },
    )
    return HttpResponse(image, content_type="image/svg+xml" if fmt == "svg" else "image/png")


@supervisor_required
@require_POST
def precode_create(request, pk):
    agreement = or_404(agreement_get(pk))
    try:
        model = _model(request)
        if model is None:
            raise PrecoderError(_("No pre-coder model has been trained yet (manage.py train_precoder)."))
        precode_job_request(version=model.version, model=model, agreements=[agreement], user=request.user)
    except (PrecoderError, PrecoderModelError) as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("The treaty is being pre-coded; this page updates when it is done."))
    return redirect(agreement)


@supervisor_required
def precode_status(request, job_id):
    job = or_404(precode_job_get(job_id))
    return JsonResponse(job_status_payload(job, result=job.result))


@supervisor_required
@require_POST
def suggestion_display(request, pk):
    agreement = or_404(agreement_get(pk))
    first = request.POST.get("first") == "1"
    suggestion_display_set(agreement=agreement, first=first, user=request.user)
    messages.success(
        request,
        _("Coders of this treaty now see machine suggestions before they answer.")
        if first
        else _("Coders of this treaty now see a machine suggestion only after they answer."),
    )
    return redirect(agreement)


@login_required
def coding_suggestions(request, pk):
    """JSON {indicator code: {value, confidence, article, url, text}} of the suggestions the user
    may see beside this coding (none for an indicator she has not answered, unless shown before).
    A GET that writes: showing a suggestion to the coder is what the record is about."""
    coding = or_404(coding_visible_get(request.user, pk))
    if coding.coder_id != request.user.pk and not visibility.sees_everything(request.user):
        raise PermissionDenied
    rows = suggestions_show(coding=coding, user=request.user)
    for row in rows.values():
        where = row["number"] or (f"#{row['article']}" if row["article"] else "—")
        if row.get("chapters_searched"):  # a 0: nothing cited, where the machine looked
            where = _("searched, not found: %(chapters)s") % {"chapters": "; ".join(row["chapters_searched"])}
        row["text"] = _("machine suggested %(value)s (confidence %(confidence).2f, %(article)s)") % {
            "value": row["value"],
            "confidence": row["confidence"],
            "article": where,
        }
    return JsonResponse({"suggestions": rows})
