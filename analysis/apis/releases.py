"""Release API: list and read dataset releases. Thin: selectors read; a release whose source the
user may not see, or that holds agreements the user codes blind, does not exist for them (the
rule is coding/visibility.py's)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from web.api_errors import errors

from ..selectors.releases import release_visible_get, releases_for


def release_payload(release, *, rows=False):
    payload = {
        "number": release.number,
        "name": release.name,
        "codebook": release.version.codebook.code,
        "version": release.version.number,
        "source": release.source,
        "method": release.method,
        "content_hash": release.content_hash,
        "created_at": release.created_at,
        "summary": release.summary,
        "citation": release.citation,
    }
    if rows:
        payload["rows"] = release.rows
    return payload


class ReleaseListApi(APIView):
    @extend_schema(
        operation_id="releases_list",
        responses={200: inline_serializer("ReleaseList", {"results": serializers.ListField()}), **errors()},
    )
    def get(self, request):
        return Response({"results": [release_payload(r) for r, withheld in releases_for(request.user) if not withheld]})


class ReleaseDetailApi(APIView):
    """`ref`: the release's number or name."""

    @extend_schema(responses={200: inline_serializer("Release", {"number": serializers.IntegerField()}), **errors(404)})
    def get(self, request, ref):
        release = release_visible_get(request.user, ref)
        if release is None:
            raise Http404("no such release")  # or one the user may not open (blind coding)
        return Response(release_payload(release, rows=True))
