"""Request hygiene shared by every page and API endpoint."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    """A NUL byte (0x00) in a URL, query parameter or form field is never meaningful text, and
    PostgreSQL refuses it in any text comparison (SQLite accepts it): without this check the same
    request is a 500 on one backend and a silent no-match on the other. Answer 400 instead,
    naming the parameter."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return self.refuse(request, _("The address contains a NUL character."))
        sources = [request.GET]
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            sources.append(request.POST)
        for params in sources:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return self.refuse(
                        request,
                        _("Parameter “%(name)s” contains a NUL character.") % {"name": key.replace("\x00", "\\0")},
                    )
        return self.get_response(request)

    @staticmethod
    def refuse(request, message):
        """A 400 in the answer's own kind: JSON for the API (as its schema documents), text for pages."""
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message)
