"""Pages of agreements: the list, the treaty reader, links by reference, and text uploads.
Thin: read the request, call a selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jobs.dispatch import job_queue_unreachable
from jobs.progress import job_error_text
from jobs.selectors import job_status_payload, jobs_waiting_reason
from web.permissions import supervisor_required
from web.shortcuts import or_404

from ..importers.errors import ImportFailed
from ..roles import is_supervisor
from ..selectors import agreements as selectors
from ..services.text_jobs import text_import_request
from ..services.texts import NewVersionNotConfirmed


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
    """The treaty reader: the current text, or an older one with ?version=N (what evidence
    made on that version links to)."""
    agreement = or_404(selectors.agreement_get(pk, with_parties=True))
    try:
        version = selectors.text_version_get(agreement=agreement, number=request.GET.get("version"))
    except selectors.TextVersionNotFound as exc:
        raise Http404(_("This treaty has no text version %(n)s.") % {"n": request.GET.get("version")}) from exc
    reader = selectors.treaty_reader(agreement=agreement, query=request.GET.get("q", ""), version=version)
    supervisor = is_supervisor(request.user)
    text_imports = selectors.text_imports_recent(agreement, limit=5) if supervisor else []
    return render(
        request,
        "coding/agreement_detail.html",
        {
            "agreement": agreement,
            "text_versions": selectors.text_versions_of(agreement),
            "text_imports": text_imports,
            "queue_warning": jobs_waiting_reason(text_imports),  # a queued import no worker will take says so
            # Uploading over a treaty with codings asks for a confirmation (a new version).
            "codings_count": selectors.agreement_codings_count(agreement)
            if supervisor and agreement.current_text_id
            else 0,
            # A coder coding it blind sees her own coding's state only (coding/visibility.py decides).
            "coding_status": selectors.agreement_coding_status(agreement=agreement, user=request.user),
            **reader,
        },
    )


@login_required
def agreement_by_ref(request, ref):
    """Shareable links by DESTA/ToTA/WTO id: /coding/agreements/ref/desta:909/."""
    try:
        agreement = selectors.agreement_get_by_ref(ref)
    except selectors.AgreementRefError as exc:
        raise Http404(str(exc)) from exc
    return redirect(agreement)


@supervisor_required
@require_POST
def text_import_create(request, pk):
    agreement = or_404(selectors.agreement_get(pk))
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a .txt or .pdf file to import."))
        return redirect(agreement)
    try:
        job = text_import_request(
            agreement=agreement,
            uploaded_file=uploaded,
            user=request.user,
            new_version=request.POST.get("new_version") == "1",
            note=request.POST.get("note", ""),
        )
    except NewVersionNotConfirmed as exc:
        messages.error(
            request,
            ngettext(
                "This treaty has %(n)d coding: tick “import as a new version” to import the file. Nothing was imported.",
                "This treaty has %(n)d codings: tick “import as a new version” to import the file. Nothing was imported.",
                exc.codings,
            )
            % {"n": exc.codings},
        )
    except ImportFailed as exc:
        messages.error(request, str(exc))
    else:
        if job_queue_unreachable(job):  # Redis down: the job failed at once, nothing is being imported
            messages.error(
                request,
                _("The task queue is unreachable, so the text was not imported: %(error)s")
                % {"error": job_error_text(job)},
            )
        else:
            messages.info(request, _("The text is being imported; this page updates when it is done."))
    return redirect(agreement)


@supervisor_required
def text_import_status(request, job_id):
    job = or_404(selectors.text_import_get(job_id))
    return JsonResponse(job_status_payload(job, result=job.result))
