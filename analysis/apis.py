"""API for releases and model runs. Who may see a release, panel or run: analysis.selectors
(the rule is coding.visibility's); who may start or cancel runs: coding.permissions."""
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from coding.permissions import IsSupervisor

from .gravity import SpecError
from .models import DatasetRelease
from .presets import PRESETS, specs_from
from .selectors import panel_get, release_get, release_withheld_from, releases_for, run_get, runs_for, source_visible_to
from .services import MAX_NAME, model_run_cancel, model_run_create


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


ERROR = inline_serializer("Error", {"detail": serializers.CharField()})


class RunCreateInput(serializers.Serializer):
    panel = serializers.CharField(max_length=64, help_text="a stored panel's id or the start of its content hash")
    spec = serializers.JSONField(required=False, help_text="one specification (object) or a list of them")
    preset = serializers.ChoiceField(choices=sorted(PRESETS), required=False)
    years = serializers.ListField(child=serializers.IntegerField(min_value=1800, max_value=2200), required=False,
                                  max_length=300, help_text="years for a preset")
    name = serializers.CharField(max_length=MAX_NAME, required=False, allow_blank=True, default="")


class RunListApi(APIView):
    """Supervisors list runs and start new ones (specifications are checked by the formula
    grammar and the spec schema: a wrong one is a 400 naming the key or token)."""

    permission_classes = [IsSupervisor]

    @extend_schema(operation_id="runs_list", responses={200: inline_serializer("RunList", {"results": serializers.ListField()}),
                                                        403: ERROR})
    def get(self, request):
        return Response({"results": [run_payload(r) for r in runs_for(request.user, limit=200)]})

    @extend_schema(operation_id="runs_create", request=RunCreateInput,
                   responses={201: inline_serializer("RunCreated", {"run": serializers.IntegerField(),
                                                                     "status": serializers.CharField()}),
                              400: ERROR, 403: ERROR, 404: ERROR})
    def post(self, request):
        given = RunCreateInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        panel = panel_get(request.user, data["panel"])
        if panel is None:
            raise Http404("no such panel")
        try:
            specs = specs_from(spec=data.get("spec"), preset_name=data.get("preset"), years=data.get("years"))
            run = model_run_create(panel=panel, specs=specs, user=request.user, name=data["name"])
        except SpecError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"run": run.pk, "status": run.status}, status=status.HTTP_201_CREATED)


class RunDetailApi(APIView):
    @extend_schema(responses={200: inline_serializer("Run", {"run": serializers.IntegerField()}), 404: ERROR})
    def get(self, request, pk):
        run = run_get(request.user, pk)
        if run is None:
            raise Http404("no such run")  # or one the user may not see (blind coding)
        return Response(run_payload(run))


class RunCancelApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(request=None, responses={200: inline_serializer("RunCancelled", {"run": serializers.IntegerField(),
                                                                                     "status": serializers.CharField()}),
                                            403: ERROR, 404: ERROR})
    def post(self, request, pk):
        run = run_get(request.user, pk)
        if run is None:
            raise Http404("no such run")
        model_run_cancel(run=run)
        run.refresh_from_db()
        return Response({"run": run.pk, "status": run.status})
