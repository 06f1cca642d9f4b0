"""The project's error handlers (config/urls.py): an address under /api/ that matches no endpoint
answers JSON like the rest of the API (its schema documents JSON 404s); pages keep 404.html."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("There is no such address in the API.")}, status=404)
    return defaults.page_not_found(request, exception)
