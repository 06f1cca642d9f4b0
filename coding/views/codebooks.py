"""Pages of codebooks: the list and one version's indicators.
Thin: read the request, call a selector, render."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from ..models import Codebook
from ..selectors.codebooks import codebook_list as codebooks, codebook_version_get
from ..selectors.recheck import codebook_version_changes


@login_required
def codebook_list(request):
    return render(request, "coding/codebook_list.html", {"codebooks": codebooks()})


@login_required
def codebook_detail(request, code, number=None):
    codebook = get_object_or_404(Codebook, code=code)
    try:
        version = codebook_version_get(code=code, number=number)
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
            # What this version changed against the one before, per indicator (question, values,
            # guidance), and so which indicators codings under that one re-check.
            "changes": codebook_version_changes(version),
        },
    )
