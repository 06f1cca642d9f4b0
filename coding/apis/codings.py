"""Coding API: read what you may see (coding/visibility.py decides), save with a revision.
Thin: selectors read, the coding services write (409 when the revision is stale)."""
import re

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..ids import AGREEMENT_REF, MAX_DATABASE_ID
from ..selectors.agreements import AgreementRefError, agreement_get_by_ref
from ..selectors.codings import coding_as_payload
from ..services.codings import CodingConflict, coding_save, coding_submit
from ..visibility import codings_visible_to
from .errors import errors

# Bounds of what reaches the database: 32-bit integer columns, the models' max_length, and caps on
# free text and list sizes (a coding has a handful of indicators and citations).
INT_MAX = MAX_DATABASE_ID
VALUE_MIN, VALUE_MAX = -9999, 9999  # the codebook importer's bounds for value codes
TEXT_MAX, INDICATORS_MAX, EVIDENCE_MAX, CHAPTERS_MAX = 10_000, 500, 100, 500


class EvidenceInput(serializers.Serializer):
    article = serializers.CharField(max_length=40)
    start = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=INT_MAX)
    end = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=INT_MAX)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class AnswerInput(serializers.Serializer):
    value = serializers.IntegerField(required=False, allow_null=True, min_value=VALUE_MIN, max_value=VALUE_MAX)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    not_found = serializers.BooleanField(required=False)
    searched_chapters = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                              max_length=CHAPTERS_MAX)
    evidence = EvidenceInput(many=True, required=False, max_length=EVIDENCE_MAX)


class CodingSaveInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    answers = serializers.DictField(child=AnswerInput())

    def validate_answers(self, answers):
        if len(answers) > INDICATORS_MAX or any(len(code) > 80 for code in answers):
            raise serializers.ValidationError(f"at most {INDICATORS_MAX} indicator codes of at most 80 characters")
        return answers


class SubmitInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0, max_value=INT_MAX)


def _error_payload(exc):
    if hasattr(exc, "message_dict"):
        return {"detail": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), "errors": exc.message_dict}
    return {"detail": " ".join(exc.messages)}


class CodingListApi(APIView):
    @extend_schema(operation_id="codings_list",
                   parameters=[OpenApiParameter("agreement", str, pattern=AGREEMENT_REF,
                                                description="an agreement: its id, desta:N, tota:N or wto:N")],
                   responses={200: inline_serializer("CodingList", {"results": serializers.ListField()}), **errors(400, 404)})
    def get(self, request):
        codings = codings_visible_to(request.user)
        agreement = request.query_params.get("agreement")
        if agreement is not None:  # given, even empty
            if not re.fullmatch(AGREEMENT_REF, agreement):  # malformed: 400; well-formed but unknown: 404
                return Response({"detail": f"'{agreement[:50]}' is not an agreement reference (use an id, desta:N, tota:N "
                                           "or wto:N)"}, status=status.HTTP_400_BAD_REQUEST)
            try:
                codings = codings.filter(agreement=agreement_get_by_ref(agreement))
            except AgreementRefError as exc:
                return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        codings = codings.select_related("agreement__current_text", "text_version", "version__codebook", "coder")
        texts = {}  # article names per text version, read once for all codings on it
        return Response({"results": [coding_as_payload(c, texts=texts) for c in codings.order_by("pk")[:500]]})


class CodingDetailApi(APIView):
    """GET a coding; PUT a draft with the revision it was loaded at (409 when stale)."""

    def get_coding(self, request, pk):
        # Read with what the save checks and the answer shows (its text, its codebook's code).
        return get_object_or_404(codings_visible_to(request.user).select_related("text_version", "version__codebook"), pk=pk)

    @extend_schema(responses={200: inline_serializer("Coding", {"id": serializers.IntegerField()}), **errors(404)})
    def get(self, request, pk):
        return Response(coding_as_payload(self.get_coding(request, pk)))

    @extend_schema(request=CodingSaveInput, responses={200: inline_serializer("CodingSaved", {"revision": serializers.IntegerField()}),
                                                       **errors(400, 404, 409)})
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
        return Response(coding_as_payload(coding, answers=coding.saved_answers))


class CodingSubmitApi(APIView):
    @extend_schema(request=SubmitInput, responses={200: inline_serializer("CodingSubmitted", {"state": serializers.CharField()}),
                                                   **errors(400, 404, 409)})
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
