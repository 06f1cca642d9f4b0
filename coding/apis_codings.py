"""Coding API: read what you may see (selectors enforce blindness), save with a revision."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors_codings import coding_as_payload
from .visibility import codings_visible_to
from .services.codings import CodingConflict, coding_save, coding_submit


class EvidenceInput(serializers.Serializer):
    article = serializers.CharField(max_length=40)
    start = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    end = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    quote = serializers.CharField(required=False, allow_blank=True)


class AnswerInput(serializers.Serializer):
    value = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    not_found = serializers.BooleanField(required=False)
    searched_chapters = serializers.ListField(child=serializers.CharField(), required=False)
    evidence = EvidenceInput(many=True, required=False)


class CodingSaveInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    answers = serializers.DictField(child=AnswerInput())


class SubmitInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)


def _error_payload(exc):
    if hasattr(exc, "message_dict"):
        return {"detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), "errors": exc.message_dict}
    return {"detail": " ".join(exc.messages)}


class CodingListApi(APIView):
    @extend_schema(operation_id="codings_list", parameters=[OpenApiParameter("agreement", str)],
                   responses=inline_serializer("CodingList", {"results": serializers.ListField()}))
    def get(self, request):
        codings = codings_visible_to(request.user)
        agreement = request.query_params.get("agreement")
        if agreement:
            from .selectors import AgreementRefError, agreement_get_by_ref

            try:
                codings = codings.filter(agreement=agreement_get_by_ref(agreement))
            except AgreementRefError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"results": [coding_as_payload(c) for c in codings.order_by("pk")[:500]]})


class CodingDetailApi(APIView):
    """GET a coding; PUT a draft with the revision it was loaded at (409 when stale)."""

    def get_coding(self, request, pk):
        return get_object_or_404(codings_visible_to(request.user), pk=pk)

    @extend_schema(responses=inline_serializer("Coding", {"id": serializers.IntegerField()}))
    def get(self, request, pk):
        return Response(coding_as_payload(self.get_coding(request, pk)))

    @extend_schema(request=CodingSaveInput, responses=inline_serializer("CodingSaved", {"revision": serializers.IntegerField()}))
    def put(self, request, pk):
        coding = self.get_coding(request, pk)
        data = CodingSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            coding = coding_save(coding=coding, user=request.user, revision=data.validated_data["revision"],
                                 answers=data.validated_data["answers"])
        except CodingConflict as exc:
            current = type(coding).objects.get(pk=coding.pk)
            return Response({"detail": str(exc), "current_revision": current.revision}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            return Response(_error_payload(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(coding_as_payload(coding))


class CodingSubmitApi(APIView):
    @extend_schema(request=SubmitInput, responses=inline_serializer("CodingSubmitted", {"state": serializers.CharField()}))
    def post(self, request, pk):
        coding = get_object_or_404(codings_visible_to(request.user), pk=pk)
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            coding = coding_submit(coding=coding, user=request.user, revision=data.validated_data["revision"])
        except CodingConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            return Response(_error_payload(exc), status=status.HTTP_400_BAD_REQUEST)
        return Response(coding_as_payload(coding))
