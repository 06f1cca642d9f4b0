"""Model-run API: supervisors list, start and cancel runs (web.permissions); anyone signed in
reads a run they may see (a run is visible when its panel is: analysis.selectors.runs). Thin:
selectors read, the run services write; a bad specification is a 400 naming the key or token.
With the task queue unreachable a new run fails at once and the answer is a 503 carrying the run,
its FAILED status and the reason; a run's detail says in `waiting_reason` why a QUEUED run waits."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.dispatch import job_queue_unreachable
from web.api_errors import errors
from web.permissions import IsSupervisor

from ..pure import bounds
from ..pure.presets import PRESETS
from ..selectors.runs import panel_get, run_fits, run_get, run_waiting_reason, runs_for
from ..services.runs import MAX_NAME, model_run_cancel, model_run_request


def run_payload(run):
    return {
        "run": run.pk,
        "name": run.name,
        "status": run.status,
        "progress": run.progress,
        "panel": run.panel.content_hash,
        "specs": run.specs,
        "results": run.results,
        "error": run.error or None,
        "versions": run.versions,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


class RunCreateInput(serializers.Serializer):
    panel = serializers.CharField(max_length=64, help_text="a stored panel's id or the start of its content hash")
    spec = serializers.JSONField(required=False, help_text="one specification (object) or a list of them")
    preset = serializers.ChoiceField(choices=sorted(PRESETS), required=False)
    years = serializers.ListField(
        child=serializers.IntegerField(min_value=bounds.MIN_YEAR, max_value=bounds.MAX_YEAR),
        required=False,
        max_length=300,
        help_text="years for a preset",
    )
    name = serializers.CharField(max_length=MAX_NAME, required=False, allow_blank=True, default="")


class RunListApi(APIView):
    """Supervisors list runs and start new ones (specifications are checked by the formula
    grammar and the spec schema: a wrong one is a 400 naming the key or token)."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        operation_id="runs_list",
        responses={200: inline_serializer("RunList", {"results": serializers.ListField()}), **errors()},
    )
    def get(self, request):
        return Response({"results": [run_payload(r) for r in runs_for(request.user, limit=200)]})

    @extend_schema(
        operation_id="runs_create",
        request=RunCreateInput,
        responses={
            201: inline_serializer(
                "RunCreated", {"run": serializers.IntegerField(), "status": serializers.CharField()}
            ),
            503: OpenApiResponse(
                inline_serializer(
                    "RunNotQueued",
                    {
                        "run": serializers.IntegerField(),
                        "status": serializers.CharField(),
                        "detail": serializers.CharField(),
                    },
                ),
                description=(
                    "The task queue (Redis) is unreachable: the run was created and has FAILED "
                    "with the reason in `detail`; start Redis and post again."
                ),
            ),
            **errors(400, 404),
        },
    )
    def post(self, request):
        given = RunCreateInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        panel = panel_get(data["panel"], user=request.user)
        if panel is None:
            raise Http404("no such panel")
        # A wrong specification is a SpecError: a 400 naming the key or token (apis/__init__.py).
        run = model_run_request(
            panel=panel,
            spec=data.get("spec"),
            preset_name=data.get("preset"),
            years=data.get("years"),
            user=request.user,
            name=data["name"],
        )
        # The task is sent on commit, done by now: with Redis down the run is FAILED already. A 503
        # (the run exists, FAILED, with the reason), not a 201 for a run that will never start.
        run.refresh_from_db(fields=["status", "error"])
        if job_queue_unreachable(run):
            return Response(
                {"run": run.pk, "status": run.status, "detail": run.error}, status=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response({"run": run.pk, "status": run.status}, status=status.HTTP_201_CREATED)


class RunDetailApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "Run",
                {
                    "run": serializers.IntegerField(),
                    "waiting_reason": serializers.CharField(
                        allow_null=True,
                        help_text=(
                            "why a QUEUED run waits: no live worker consumes its queue, or the task queue is unreachable"
                        ),
                    ),
                },
            ),
            **errors(404),
        }
    )
    def get(self, request, pk):
        run = run_get(request.user, pk)
        if run is None:
            raise Http404("no such run")  # or one the user may not see (blind coding)
        # A fanned-out run: each specification's own status and progress (one row each). A QUEUED
        # run no live worker will take says why (waiting_reason; null otherwise).
        return Response(
            {**run_payload(run), "waiting_reason": run_waiting_reason(run), "specifications": run_fits(run)}
        )


class RunCancelApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "RunCancelled", {"run": serializers.IntegerField(), "status": serializers.CharField()}
            ),
            **errors(404),
        },
    )
    def post(self, request, pk):
        run = run_get(request.user, pk)
        if run is None:
            raise Http404("no such run")
        model_run_cancel(run=run)
        run.refresh_from_db()
        return Response({"run": run.pk, "status": run.status})
