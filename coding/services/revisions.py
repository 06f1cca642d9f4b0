"""Optimistic concurrency of a coding: every write to a draft names the revision the writer loaded;
the coding's row is locked and checked, so of two writers who loaded the same revision exactly one
wins and the other gets CodingConflict (never a silent overwrite). Used inside the callers'
transactions (services/codings.py)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..models import Coding


class CodingConflict(Exception):
    """Someone saved this coding since the client loaded it (optimistic concurrency).
    `current_revision`: the revision it is at now, when known (the API's 409 gives it)."""

    def __init__(self, message: str, *, current_revision: int | None = None) -> None:
        super().__init__(message)
        self.current_revision = current_revision


def coding_lock(coding: Coding) -> Coding:
    """The coding's row, locked: a concurrent writer waits, then sees the new revision, so of two
    writers that loaded the same revision exactly one wins. `superseded`: carried over to a newer
    codebook version (read in the same query)."""
    superseded = Exists(Coding.objects.filter(carried_from=OuterRef("pk")))
    locked: Coding = Coding.objects.select_for_update().annotate(superseded=superseded).get(pk=coding.pk)
    return locked


def revision_is_current(locked: Coding, revision: int | str) -> bool:
    """Whether the locked draft is still at the `revision` the writer loaded."""
    return locked.revision == int(revision) and locked.state == Coding.State.DRAFT


def revision_advance(coding: Coding, locked: Coding, *, state: str | None = None) -> None:
    """Move the locked row to the next revision (and `state`, stamping submitted_at). Saving (not
    update()) keeps history: this record comes first and starts the save's entry in the readable
    history (selectors/history.py). `coding`, the caller's object, is brought up to date."""
    locked.revision += 1
    if state:
        locked.state = state
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["revision", "state", "submitted_at", "updated_at"])
    coding.revision, coding.state, coding.submitted_at = locked.revision, locked.state, locked.submitted_at


def revision_claim(coding: Coding, revision: int | str, *, state: str | None = None) -> bool:
    """Lock, check and advance in one step; False (nothing written) when the draft moved on."""
    locked = coding_lock(coding)
    if not revision_is_current(locked, revision):
        return False
    revision_advance(coding, locked, state=state)
    return True
