"""Thin views: read the request, call a selector or service, render."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from . import selectors
from .models import Agreement, Codebook


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
    return render(request, "coding/agreement_detail.html", {"agreement": agreement, **reader})


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
