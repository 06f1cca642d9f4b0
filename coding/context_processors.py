from .roles import is_supervisor, user_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"user_role": user_role(user), "user_is_supervisor": is_supervisor(user)}
