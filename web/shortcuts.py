"""Page helpers both apps share. Selectors answer None for what is absent or not visible to the
reader; a page turns that into a 404 here, as get_object_or_404 would for a model."""

from typing import TypeVar

from django.http import Http404

T = TypeVar("T")


def or_404(found: T | None, message: str = "") -> T:
    """`found` itself, or a 404 (saying `message`) when the selector found nothing."""
    if found is None:
        raise Http404(message)
    return found
