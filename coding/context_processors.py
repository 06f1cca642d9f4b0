"""Template context for every page: the signed-in user's role. Reads only."""

from .roles import ROLE_LABELS, is_supervisor, user_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    role = user_role(user)
    return {
        "user_role": ROLE_LABELS.get(role, role),
        "user_is_supervisor": is_supervisor(user),
    }  # the role's name, translated
