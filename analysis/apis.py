"""Read API for releases and model runs (blindness applies: see selectors.source_visible_to)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import DatasetRelease, ModelRun
from .selectors import release_get, release_withheld_from, releases_for, source_visible_to


def release_payload(release, *, rows=False):
    payload = {"number": release.number, "name": release.name, "codebook": release.version.codebook.code,
               "version": release.version.number, "source": release.source, "method": release.method,
               "content_hash": release.content_hash, "created_at": release.created_at, "summary": release.summary,
               "citation": release.citation}
    if rows:
        payload["rows"] = release.rows
    return payload


class ReleaseListApi(APIView):
    @extend_schema(operation_id="releases_list", responses=inline_serializer("ReleaseList", {"results": serializers.ListField()}))
    def get(self, request):
        return Response({"results": [release_payload(r) for r, withheld in releases_for(request.user) if not withheld]})


class ReleaseDetailApi(APIView):
    """`ref`: the release's number or name."""

    @extend_schema(responses=inline_serializer("Release", {"number": serializers.IntegerField()}))
    def get(self, request, ref):
        try:
            release = release_get(ref)
        except DatasetRelease.DoesNotExist as exc:
            raise Http404("no such release") from exc
        if not source_visible_to(request.user, release.source) or release_withheld_from(request.user, release):
            raise Http404("no such release")  # blind coding (see selectors.release_withheld_from)
        return Response(release_payload(release, rows=True))


def run_payload(run):
    return {"run": run.pk, "name": run.name, "status": run.status, "progress": run.progress,
            "panel": run.panel.content_hash, "specs": run.specs, "results": run.results, "error": run.error or None,
            "versions": run.versions, "created_at": run.created_at, "finished_at": run.finished_at}


class RunListApi(APIView):
    @extend_schema(operation_id="runs_list", responses=inline_serializer("RunList", {"results": serializers.ListField()}))
    def get(self, request):
        return Response({"results": [run_payload(r) for r in ModelRun.objects.select_related("panel")[:200]]})


class RunDetailApi(APIView):
    @extend_schema(responses=inline_serializer("Run", {"run": serializers.IntegerField()}))
    def get(self, request, pk):
        run = ModelRun.objects.select_related("panel").filter(pk=pk).first()
        if run is None:
            raise Http404("no such run")
        return Response(run_payload(run))
