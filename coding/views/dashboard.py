"""The supervisor dashboard: progress, agreement per indicator, accuracy, references compared.
Thin: every number comes from coding/selectors/dashboard.py."""

from django.shortcuts import render

from web.permissions import supervisor_required

from ..pure.ids import parse_id
from ..selectors.codebooks import codebook_version_by_id
from ..selectors.dashboard import answers_choice
from ..selectors.dashboard import supervisor_dashboard as dashboard


@supervisor_required
def supervisor_dashboard(request):
    # A malformed or unknown ?version= falls back to the default version (None).
    version = codebook_version_by_id(parse_id(request.GET.get("version", "")))
    # ?answers=final: agreement on the answers as saved, not as they were before a suggestion.
    answers = answers_choice(request.GET.get("answers"))
    return render(request, "coding/supervisor_dashboard.html", dashboard(version=version, answers=answers))
