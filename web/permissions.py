"""Who may do what, for pages (a decorator) and the API (a DRF permission), in both apps: both
ask coding.roles.is_supervisor (roles are groups the coding app defines), so a page and its API
never disagree. Who may *see* a treaty's codes is coding/visibility.py's question."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from coding.roles import is_supervisor


def supervisor_required(view):
    """Pages for supervisors and admins: anonymous users go to the login page, others get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class IsSupervisor(BasePermission):
    """API operations for supervisors and admins (anonymous: 401/403 from authentication)."""

    message = "Only supervisors and admins may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and is_supervisor(request.user))
