"""The assignment page: supervisors assign treaties by hand, balanced by workload, or as a
stratified random reliability sample. Thin: the form is read here, the services decide."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.selectors import job_status_payload
from web.permissions import supervisor_required
from web.shortcuts import or_404

from ..pure.ids import is_ascii_number, parse_id
from ..selectors.agreements import agreement_list, agreements_by_ids, party_choices
from ..selectors.assignable import assignable_agreements
from ..selectors.codebooks import codebook_version_by_id, codebook_versions
from ..selectors.codings import coders_active
from ..selectors.dashboard import double_coding_plan
from ..selectors.precoder_training import learning_panel, training_job_get
from ..services.assignments import assignment_balance, assignment_create, reliability_sample
from ..services.precoder_training import precoder_retrain_request

FORM_NUMBER_MAX = 100_000  # more agreements, coders or seeds than any study has


def _form_number(data, name, *, default, minimum, label, maximum=FORM_NUMBER_MAX):
    """A whole number typed into the form (ASCII digits, from `minimum` to `maximum`); `default`
    when empty; a ValidationError naming the field and saying what is wrong otherwise, never a 500."""
    text = (data.get(name) or "").strip()
    if not text:
        return default
    digits = text.removeprefix("-")
    if not is_ascii_number(digits):
        raise ValidationError(
            _("“%(field)s” must be a whole number, not “%(value)s”.") % {"field": label, "value": text[:20]}
        )
    number = (int(digits) if len(digits) <= 12 else maximum + 1) * (-1 if text.startswith("-") else 1)
    if not minimum <= number <= maximum:
        raise ValidationError(
            _("“%(field)s” must be from %(min)s to %(max)s.")
            % {"field": label, "min": f"{minimum:,}", "max": f"{maximum:,}"}
        )
    return number


def _form_ids(data, name):
    return [number for number in map(parse_id, data.getlist(name)) if number is not None]


@supervisor_required
def assign(request):
    coders = coders_active()
    versions = codebook_versions(newest_first=True)
    filters = {key: request.GET.get(key, "").strip() for key in ("party", "year", "has_text", "q")}
    agreements = agreement_list(
        party=filters["party"], year=filters["year"], has_text=filters["has_text"], query=filters["q"]
    )
    if request.method == "POST" and request.POST.get("action") == "retrain":
        version = codebook_version_by_id(parse_id(request.POST.get("version", "")))
        if version is None:
            messages.error(request, _("Choose a codebook version."))
        else:
            job = precoder_retrain_request(version=version, user=request.user)
            messages.success(request, _("The pre-coder retrains in the background (job %(id)s).") % {"id": job.pk})
        return redirect(f"{request.path}?plan_version={version.pk if version else ''}&order=uncertainty")
    if request.method == "POST":
        try:
            version = codebook_version_by_id(parse_id(request.POST.get("version", "")))
            if version is None:
                raise ValidationError(_("Choose a codebook version."))
            chosen_coders = list(coders_active(ids=_form_ids(request.POST, "coders")))
            chosen = agreements_by_ids(_form_ids(request.POST, "agreements"))
            sample_size = _form_number(request.POST, "sample_size", default=None, minimum=1, label=_("sample size"))
            if sample_size:
                stratum = (
                    (lambda a: a.region or "?")
                    if request.POST.get("stratum") == "region"
                    else (lambda a: a.entry_into_force_year)
                )
                seed = _form_number(request.POST, "seed", default=0, minimum=0, label=_("random seed"))
                chosen = reliability_sample(agreements, size=sample_size, stratum=stratum, seed=seed)
            if request.POST.get("mode") == "balanced":
                per_agreement = _form_number(
                    request.POST, "per_agreement", default=2, minimum=2, label=_("Coders per agreement")
                )
                created = assignment_balance(
                    agreements=chosen,
                    version=version,
                    coders=chosen_coders,
                    per_agreement=per_agreement,
                    assigned_by=request.user,
                )
            else:
                created = assignment_create(
                    agreements=chosen, version=version, coders=chosen_coders, assigned_by=request.user
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext("%(n)d assignment created.", "%(n)d assignments created.", len(created)) % {"n": len(created)},
            )
            return redirect("coding:supervisor_dashboard")
    # The double-coding planner reads the version chosen above the list (?plan_version=), else the newest.
    plan_version = codebook_version_by_id(parse_id(request.GET.get("plan_version", ""))) or (
        versions[0] if versions else None
    )
    # Most to learn first: the newest training job's uncertainty per unassigned treaty.
    order = "uncertainty" if request.GET.get("order") == "uncertainty" and plan_version else "name"
    shown, n_agreements = assignable_agreements(agreements, version=plan_version, by_uncertainty=order == "uncertainty")
    learning = learning_panel(version=plan_version)
    training = learning and (learning["active"] or learning["latest"])
    return render(
        request,
        "coding/assign.html",
        {
            "coders": coders,
            "versions": versions,
            "agreements": shown,
            "order": order,
            "learning": learning,
            # the newest retraining: its bar while it works (polled by static/js/base.js like every
            # job's), its reason in the reader's language when it failed
            "training": job_status_payload(training) if training else None,
            "n_agreements": n_agreements,
            "filters": filters,
            "parties": party_choices(),
            "plan": double_coding_plan(version=plan_version),
        },
    )


@supervisor_required
def precoder_training_status(request, job_id):
    """A retraining job's status (the one job-status payload), polled by the assignment page."""
    return JsonResponse(job_status_payload(or_404(training_job_get(job_id))))
