"""Who a change is recorded under in the history (django-simple-history). Pages get the user from
the history middleware; a command or worker has no request, so a service that writes on behalf
of a named person wraps its writes in `history_user`."""

from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

from ..models.codings import WORKBENCH


@contextmanager
def history_user(user):
    """Every history record written inside (saves, creates, deletes, cascades) names `user`;
    with None the records keep whatever the surrounding request gives (nobody on the command line)."""
    if user is None:
        yield
        return
    context = HistoricalRecords.context
    missing = object()
    previous = getattr(context, "request", missing)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is missing:
            del context.request
        else:
            context.request = previous


def as_workbench(instance):
    """Mark the next save of `instance` as the workbench's own doing: its history record names no
    user (not the person whose request triggered it) and carries the reason WORKBENCH, which the
    readable history shows as "the workbench"."""
    instance._history_user = None
    instance._change_reason = WORKBENCH
    return instance
