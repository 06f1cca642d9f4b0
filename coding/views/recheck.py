"""The re-check queue after a codebook change: what the newest version changed, the codings made
under older wording, and carrying them over. Thin: the selector reads, the service writes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from web.permissions import supervisor_required
from web.shortcuts import or_404

from ..pure.ids import parse_id
from ..selectors.agreements import agreement_get
from ..selectors.codebooks import codebook_version_by_id
from ..selectors.recheck import recheck_queue
from ..services.recheck import codings_carry_over


@supervisor_required
def recheck(request):
    if request.method == "POST":
        version = or_404(codebook_version_by_id(parse_id(request.POST.get("version", ""))))
        agreement_id = request.POST.get("agreement", "")
        agreements = None
        if agreement_id:
            agreements = [or_404(agreement_get(parse_id(agreement_id)))]
        try:
            created = codings_carry_over(version=version, user=request.user, agreements=agreements)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext("%(n)d coding carried over to %(v)s.", "%(n)d codings carried over to %(v)s.", len(created))
                % {"n": len(created), "v": version},
            )
        return redirect("coding:recheck")
    return render(request, "coding/recheck.html", {"queue": recheck_queue()})
