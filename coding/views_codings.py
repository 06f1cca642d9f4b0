"""Pages of the double-coding workflow: queue, workspace, assignment, adjudication, history,
dashboards. Thin: selectors for reads (blindness lives there), services for writes."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import selectors, selectors_codings, visibility
from .permissions import supervisor_required
from .models import Adjudication, Agreement, CodebookVersion, DisagreementType
from .roles import CODER, is_supervisor
from .services.adjudication import adjudication_approve, adjudication_reopen, adjudication_resolve
from .services.codings import assignment_balance, assignment_create, reliability_sample


@login_required
def my_queue(request):
    codings = selectors_codings.coder_queue(request.user)
    done = sum(1 for c in codings if c.state == "submitted")
    return render(request, "coding/queue.html", {
        "codings": codings, "done": done, "total": len(codings),
        "percent": round(100 * done / len(codings)) if codings else 0,
    })


@login_required
def workspace(request, pk):
    coding = get_object_or_404(visibility.codings_visible_to(request.user), pk=pk)
    if coding.coder_id != request.user.pk and not is_supervisor(request.user):
        raise PermissionDenied
    context = selectors_codings.coding_workspace(coding=coding)
    reader = selectors.treaty_reader(agreement=coding.agreement)
    return render(request, "coding/workspace.html", {
        "coding": coding,
        "agreement": coding.agreement,
        "editable": coding.coder_id == request.user.pk and coding.state == "draft",
        "payload": selectors_codings.coding_as_payload(coding),

        **context,
        **reader,
    })


def _form_number(data, name, *, default, minimum, label):
    """A whole number typed into the form (ASCII digits, at least `minimum`); `default` when
    empty; a ValidationError naming the field otherwise, never a 500."""
    text = (data.get(name) or "").strip()
    if not text:
        return default
    number = selectors.parse_id(text)
    if number is None or number < minimum:
        raise ValidationError(_("“%(field)s” must be a whole number of at least %(min)d.") % {"field": label, "min": minimum})
    return number


def _form_ids(data, name):
    return [number for number in map(selectors.parse_id, data.getlist(name)) if number is not None]


@supervisor_required
def assign(request):
    User = get_user_model()
    coders = User.objects.filter(groups__name=CODER, is_active=True).order_by("username")
    versions = CodebookVersion.objects.select_related("codebook").order_by("codebook__code", "-number")
    filters = {key: request.GET.get(key, "").strip() for key in ("party", "year", "has_text", "q")}
    agreements = selectors.agreement_list(party=filters["party"], year=filters["year"], has_text=filters["has_text"], query=filters["q"])
    if request.method == "POST":
        try:
            version = versions.filter(pk=selectors.parse_id(request.POST.get("version", ""))).first()
            if version is None:
                raise ValidationError(_("Choose a codebook version."))
            chosen_coders = list(coders.filter(pk__in=_form_ids(request.POST, "coders")))
            chosen = Agreement.objects.filter(pk__in=_form_ids(request.POST, "agreements"))
            sample_size = _form_number(request.POST, "sample_size", default=None, minimum=1, label=_("sample size"))
            if sample_size:
                stratum = (lambda a: a.region or "?") if request.POST.get("stratum") == "region" else (lambda a: a.entry_into_force_year)
                seed = _form_number(request.POST, "seed", default=0, minimum=0, label=_("random seed"))
                chosen = reliability_sample(agreements, size=sample_size, stratum=stratum, seed=seed)
            if request.POST.get("mode") == "balanced":
                per_agreement = _form_number(request.POST, "per_agreement", default=2, minimum=2, label=_("Coders per agreement"))
                created = assignment_balance(agreements=chosen, version=version, coders=chosen_coders,
                                             per_agreement=per_agreement, assigned_by=request.user)
            else:
                created = assignment_create(agreements=chosen, version=version, coders=chosen_coders, assigned_by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)d assignments created.") % {"n": len(created)})
            return redirect("coding:supervisor_dashboard")
    return render(request, "coding/assign.html", {
        "coders": coders, "versions": versions, "agreements": agreements[:500], "n_agreements": agreements.count(),
        "filters": filters, "parties": selectors.party_choices(),
    })


@supervisor_required
def adjudication_queue(request):
    return render(request, "coding/adjudication_queue.html", {"queue": selectors_codings.adjudication_queue()})


@supervisor_required
def adjudication_detail(request, pk):
    adjudication = get_object_or_404(Adjudication.objects.select_related("agreement", "version__codebook"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "resolve":
                indicator = adjudication.version.indicators.filter(code=request.POST.get("indicator", "")).first()
                if indicator is None:
                    raise ValidationError(_("Choose an indicator of this codebook version."))
                adjudication_resolve(adjudication=adjudication, indicator=indicator, value=request.POST.get("value"),
                                     rationale=request.POST.get("rationale", ""),
                                     disagreement_type=request.POST.get("disagreement_type", ""), user=request.user)
                messages.success(request, _("Final value of %(code)s recorded.") % {"code": indicator.code})
            elif action == "approve":
                adjudication_approve(adjudication=adjudication, user=request.user)
                messages.success(request, _("Approved: the final values are now the approved coding."))
            elif action == "reopen":
                adjudication_reopen(adjudication=adjudication, user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Reopened."))
        except (ValidationError, ValueError, TypeError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("coding:adjudication_detail", pk=pk)
    detail = selectors_codings.adjudication_detail(adjudication=adjudication)
    return render(request, "coding/adjudication_detail.html", {
        "adjudication": adjudication, "agreement": adjudication.agreement,
        "show_names": request.GET.get("names") == "1",
        "disagreement_types": [(v, l) for v, l in DisagreementType.choices if v in {"misread", "ambiguity", "clerical", "other"}],
        **detail,
    })


@supervisor_required
def agreement_history(request, pk):
    agreement = get_object_or_404(Agreement, pk=pk)
    events = selectors_codings.history_visible_to(request.user, agreement=agreement)
    return render(request, "coding/history.html", {"agreement": agreement, "events": events})


@supervisor_required
def supervisor_dashboard(request):
    from .selectors_dashboard import supervisor_dashboard as dashboard

    # A malformed or unknown ?version= falls back to the default version (None).
    version_id = selectors.parse_id(request.GET.get("version", ""))
    version = CodebookVersion.objects.filter(pk=version_id).first() if version_id is not None else None
    return render(request, "coding/supervisor_dashboard.html", dashboard(version=version))
