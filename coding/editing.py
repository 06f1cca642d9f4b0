"""Who may change a coding, decided once for the workspace page, the API and the services: only
its assigned coder, and only while it is a draft (supervisors read every coding but edit none;
adjudication records final values of its own). Who may *see* a coding is coding/visibility.py's
question."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from .models import Coding


def coding_edit_refusal(
    user: AbstractBaseUser | AnonymousUser, coding: Coding, *, submitting: bool = False
) -> str | None:
    """Why `user` may not change `coding`, in the reader's language, or None when they may.
    `submitting`: the last change of a draft; a coding that is no longer a draft is then a stale
    revision for the caller to refuse (409), not a refusal here."""
    if coding.coder_id != user.pk:
        return (
            _("Only the assigned coder can submit this coding.")
            if submitting
            else _("Only the assigned coder can edit this coding.")
        )
    if not submitting and coding.state != Coding.State.DRAFT:
        return _("This coding has been submitted and can no longer be edited.")
    return None


def coding_editable_by(user: AbstractBaseUser | AnonymousUser, coding: Coding) -> bool:
    """Whether the workspace offers `user` the form (the save would be accepted)."""
    return coding_edit_refusal(user, coding) is None
