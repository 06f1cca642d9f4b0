"""The re-check queue after a codebook change: what the newest version changed, the codings made
under older wording, and carrying them over. Thin: the selector reads, the service writes."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from ..ids import parse_id
from ..models import Agreement, CodebookVersion
from ..permissions import supervisor_required
from ..selectors.recheck import recheck_queue
from ..services.recheck import codings_carry_over


@supervisor_required
def recheck(request):
    if request.method == "POST":
        version = get_object_or_404(CodebookVersion, pk=parse_id(request.POST.get("version", "")) or 0)
        agreement_id = request.POST.get("agreement", "")
        agreements = None
        if agreement_id:
            agreements = [get_object_or_404(Agreement, pk=parse_id(agreement_id) or 0)]
        try:
            created = codings_carry_over(version=version, user=request.user, agreements=agreements)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, ngettext("%(n)d coding carried over to %(v)s.", "%(n)d codings carried over to %(v)s.",
                                               len(created)) % {"n": len(created), "v": version})
        return redirect("coding:recheck")
    return render(request, "coding/recheck.html", {"queue": recheck_queue()})
