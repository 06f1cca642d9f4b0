"""Pages of codebooks: the list and one version's indicators.
Thin: read the request, call a selector, render."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from ..selectors.codebooks import codebook_list as codebooks
from ..selectors.codebooks import codebook_page
from ..selectors.recheck import codebook_version_changes


@login_required
def codebook_list(request):
    return render(request, "coding/codebook_list.html", {"codebooks": codebooks()})


@login_required
def codebook_detail(request, code, number=None):
    page = codebook_page(code=code, number=number)
    if page is None:
        raise Http404(f"no codebook '{code}'" + (f" version {number}" if number else ""))
    # What this version changed against the one before, per indicator (question, values,
    # guidance), and so which indicators codings under that one re-check.
    return render(
        request, "coding/codebook_detail.html", {**page, "changes": codebook_version_changes(page["version"])}
    )
