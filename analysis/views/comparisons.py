"""The comparison page: two sources of codes side by side for one codebook version. Thin: the
selectors read and decide nothing about blindness themselves (coding/visibility.py does). Every
query parameter is checked first: a malformed one is a 400 naming it, never a 500."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coding.pure.ids import parse_id
from coding.selectors.codebooks import codebook_version_by_id, codebook_version_latest, codebook_versions

from ..selectors.comparisons import comparison_for, comparison_options, release_closed_to
from ..selectors.releases import ReleaseNotFound, source_visible_to

# A source is "approved", a username (150 characters at most) or "release:" and a release's
# number or name (200): anything longer names nothing.
MAX_SOURCE = 210


@login_required
def comparison(request):
    versions = codebook_versions()
    version_id = request.GET.get("version", "").strip()
    if version_id and parse_id(version_id) is None:
        return HttpResponseBadRequest(_("Parameter “%(name)s”: expected a codebook version id.") % {"name": "version"})
    version = (codebook_version_by_id(parse_id(version_id)) if version_id else None) or codebook_version_latest(
        "desta-tbt"
    )
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    for name, value in (("a", a), ("b", b)):
        if len(value) > MAX_SOURCE:
            return HttpResponseBadRequest(
                _("Parameter “%(name)s”: at most %(limit)s characters.") % {"name": name, "limit": MAX_SOURCE}
            )
    result = None
    if (a and not source_visible_to(request.user, a)) or (b and not source_visible_to(request.user, b)):
        raise PermissionDenied("blind coding: another coder's values are hidden until adjudication")
    for source in (a, b):
        closed = release_closed_to(request.user, source) if source else None
        if closed:  # the release page's 403, word for word: a release is never shown with rows cut out
            release, withheld = closed
            raise PermissionDenied(
                ngettext(
                    "Release %(number)s contains %(count)s agreement you are coding blind; it opens once that agreement is adjudicated.",
                    "Release %(number)s contains %(count)s agreements you are coding blind; it opens once they are adjudicated.",
                    withheld,
                )
                % {"number": release.number, "count": withheld}
            )
    options = comparison_options(request.user)
    if version and a and b:
        try:
            result = comparison_for(request.user, a=a, b=b, version=version)
        except ReleaseNotFound as exc:
            raise Http404(str(exc)) from exc
    return render(
        request,
        "analysis/comparison.html",
        {"versions": versions, "version": version, "options": options, "a": a, "b": b, "result": result},
    )
