"""The supervisors' form for an agreement in neither DESTA nor ToTA (the agreements page shows it;
this page answers it, and shows it again with the reasons when something is wrong). Thin:
coding.services.agreements.agreement_create checks and writes, as `manage.py add_agreement` does."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from web.permissions import supervisor_required

from ..services.agreements import FIRST_YEAR, agreement_create, last_year, party_codes_from

FIELDS = ("name", "name_zh", "parties", "year_signed", "entry_into_force_year")


@supervisor_required
def agreement_add(request):
    form = {field: request.POST.get(field, "")[:1000] for field in FIELDS} if request.method == "POST" else {}
    errors, status = [], 200
    if request.method == "POST":
        try:
            agreement = agreement_create(
                name=form["name"],
                name_zh=form["name_zh"],
                parties=party_codes_from(form["parties"]),
                year_signed=form["year_signed"],
                entry_into_force_year=form["entry_into_force_year"],
                user=request.user,
            )
        except ValidationError as exc:
            errors, status = exc.messages, 400
        else:
            messages.success(request, _("Agreement %(name)s added; import its text below.") % {"name": agreement.name})
            return redirect(agreement)
    return render(
        request,
        "coding/agreement_add.html",
        {"form": form, "errors": errors, "first_year": FIRST_YEAR, "last_year": last_year()},
        status=status,
    )
