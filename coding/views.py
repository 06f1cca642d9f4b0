"""Thin views: read the request, call a selector or service, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .importers.errors import ImportFailed
from .models import Agreement, Codebook, TextImport
from .permissions import supervisor_required
from .roles import is_supervisor
from .services.text_jobs import text_import_request


@login_required
def agreement_list(request):
    filters = {key: request.GET.get(key, "").strip() for key in ("party", "year", "has_text", "q")}
    agreements = selectors.agreement_list(
        party=filters["party"], year=filters["year"], has_text=filters["has_text"], query=filters["q"]
    )
    page = Paginator(agreements, 50).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "coding/agreement_list.html",
        {
            "page": page,
            "filters": filters,
            "parties": selectors.party_choices(),
            "querystring": query_without_page.urlencode(),
        },
    )


@login_required
def agreement_detail(request, pk):
    agreement = get_object_or_404(Agreement.objects.prefetch_related("parties"), pk=pk)
    reader = selectors.treaty_reader(agreement=agreement, query=request.GET.get("q", ""))
    from .selectors_codings import agreement_coding_status

    text_imports = agreement.text_imports.all()[:5] if is_supervisor(request.user) else []
    return render(request, "coding/agreement_detail.html", {
        "agreement": agreement, "text_imports": text_imports,
        "coding_status": agreement_coding_status(agreement=agreement, user=request.user), **reader,
    })


@login_required
def agreement_by_ref(request, ref):
    """Shareable links by DESTA/ToTA/WTO id: /coding/agreements/ref/desta:909/."""
    try:
        agreement = selectors.agreement_get_by_ref(ref)
    except selectors.AgreementRefError as exc:
        raise Http404(str(exc)) from exc
    return redirect(agreement)


@login_required
def codebook_list(request):
    return render(request, "coding/codebook_list.html", {"codebooks": selectors.codebook_list()})


@login_required
def codebook_detail(request, code, number=None):
    codebook = get_object_or_404(Codebook, code=code)
    try:
        version = selectors.codebook_version_get(code=code, number=number)
    except Exception as exc:  # noqa: BLE001 - any miss is a 404 for the reader
        raise Http404(str(exc)) from exc
    return render(
        request,
        "coding/codebook_detail.html",
        {
            "codebook": codebook,
            "version": version,
            "versions": codebook.versions.order_by("-number"),
            "indicators": version.indicators.all(),
        },
    )


@supervisor_required
@require_POST
def text_import_create(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a .txt or .pdf file to import."))
        return redirect(agreement)
    try:
        text_import_request(agreement=agreement, uploaded_file=uploaded, user=request.user)
    except ImportFailed as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("The text is being imported; this page updates when it is done."))
    return redirect(agreement)


@supervisor_required
def text_import_status(request, job_id):
    job = get_object_or_404(TextImport, pk=job_id)
    return JsonResponse(
        {"id": job.pk, "status": job.status, "status_display": job.get_status_display(), "error": job.error, "result": job.result}
    )
