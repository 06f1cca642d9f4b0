"""The API's authentication classes and what a locked-out login sees (django-axes), both named in
config/settings/base.py (REST_FRAMEWORK, AXES_LOCKOUT_CALLABLE).

Lockouts: the login form and the admin get a page in the workbench's layout, the API a JSON 429
with Retry-After. DRF's basic auth would hand axes its own Request wrapper: axes would then mark
the wrapper (so its middleware never saw an API lockout) and read the body through DRF's parsers
(so a malformed body made the attempt go uncounted). LockoutAwareBasicAuthentication hands axes
the Django request instead, like the login form does.

Status codes: DRF takes the challenge of the *first* class; SessionAuthentication stays first
(a request without credentials is a 403, as it always was) but answers a wrong token or password
with a 401 and a challenge for the scheme the request tried.
"""

import math

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from drf_spectacular.authentication import BasicScheme, SessionScheme
from rest_framework import authentication


def lockout_seconds_left(request, credentials=None):
    """Seconds until this username + address may try again (at least 60: the lock is in minutes)."""
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    cooloff = settings.AXES_COOLOFF_TIME.total_seconds()
    last = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    left = cooloff if last is None else cooloff - (timezone.now() - last).total_seconds()
    return int(max(60, min(cooloff, math.ceil(left))))


def lockout_message(minutes):
    return ngettext(
        "Too many failed logins for this account from your address: try again in %(minutes)s minute.",
        "Too many failed logins for this account from your address: try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session auth; a failed Token or Basic login is a 401 naming that scheme."""

    def authenticate_header(self, request):
        scheme = authentication.get_authorization_header(request).split(b" ", 1)[0].lower()
        if scheme == authentication.TokenAuthentication.keyword.lower().encode():
            return authentication.TokenAuthentication().authenticate_header(request)
        if scheme == b"basic":
            return LockoutAwareBasicAuthentication().authenticate_header(request)
        return None  # no credentials: 403 (nothing to retry with)


class LockoutAwareBasicAuthentication(authentication.BasicAuthentication):
    """Basic auth checked against the Django request: a failure counts towards the lock, and a
    locked login is answered by axes' middleware with lockout_response (JSON 429) instead of 401."""

    def authenticate_credentials(self, userid, password, request=None):
        return super().authenticate_credentials(userid, password, getattr(request, "_request", request))


class WorkbenchSessionScheme(SessionScheme):
    """The OpenAPI schema describes these two as DRF's own (cookie and HTTP basic auth)."""

    target_class = "web.accounts.SessionAuthentication"


class LockoutAwareBasicScheme(BasicScheme):
    target_class = "web.accounts.LockoutAwareBasicAuthentication"


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page (status 429), or JSON for API paths."""
    seconds = lockout_seconds_left(request, credentials)
    minutes = math.ceil(seconds / 60)
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {"detail": lockout_message(minutes), "code": "locked_out"},
            status=429,
            headers={"Retry-After": str(seconds)},
        )
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
