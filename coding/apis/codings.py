"""Coding API: read what you may see (coding/visibility.py decides), save with a revision.
Thin: selectors read, the coding services write (409 when the revision is stale)."""

import re

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from web.api_errors import errors

from ..importers.codebook_yaml import VALUE_BOUNDS
from ..pure.ids import AGREEMENT_REF, MAX_DATABASE_ID
from ..selectors.codings import coding_as_payload, coding_visible_get, codings_listed
from ..services.codings import NOTE_MAX, coding_save, coding_submit
from ..services.evidence import MAX_EVIDENCE_PER_ANSWER, MAX_QUOTE_LENGTH

# Bounds of what reaches the database: 32-bit integer columns, the models' max_length, and caps on
# free text and list sizes (a coding has a handful of indicators and citations). Bounds a service
# also checks are the service's own constants, so the API and the service never disagree.
INT_MAX = MAX_DATABASE_ID
VALUE_MIN, VALUE_MAX = VALUE_BOUNDS  # the codebook importer's bounds for value codes
INDICATORS_MAX, CHAPTERS_MAX = 500, 500


class EvidenceInput(serializers.Serializer):
    article = serializers.CharField(max_length=40)
    start = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=INT_MAX)
    end = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=INT_MAX)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=MAX_QUOTE_LENGTH)


class AnswerInput(serializers.Serializer):
    value = serializers.IntegerField(required=False, allow_null=True, min_value=VALUE_MIN, max_value=VALUE_MAX)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)
    not_found = serializers.BooleanField(required=False)
    searched_chapters = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=CHAPTERS_MAX
    )
    # The service's bound, refused here first in the service's words (DRF's own message is generic).
    # many=True makes a ListSerializer, which takes max_length (the stubs type the child's arguments).
    evidence = EvidenceInput(
        many=True,
        required=False,
        max_length=MAX_EVIDENCE_PER_ANSWER,
        error_messages={  # type: ignore[call-arg]
            "max_length": _("at most {max_length} evidence items per answer")
        },
    )


class CodingSaveInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    answers = serializers.DictField(child=AnswerInput())

    def validate_answers(self, answers):
        if len(answers) > INDICATORS_MAX or any(len(code) > 80 for code in answers):
            raise serializers.ValidationError(f"at most {INDICATORS_MAX} indicator codes of at most 80 characters")
        return answers


class SubmitInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0, max_value=INT_MAX)


class CodingListApi(APIView):
    @extend_schema(
        operation_id="codings_list",
        parameters=[
            OpenApiParameter(
                "agreement", str, pattern=AGREEMENT_REF, description="an agreement: its id, desta:N, tota:N or wto:N"
            )
        ],
        responses={200: inline_serializer("CodingList", {"results": serializers.ListField()}), **errors(400, 404)},
    )
    def get(self, request):
        agreement = request.query_params.get("agreement")
        # Given, even empty: malformed is a 400; well-formed but unknown a 404 (AgreementRefError).
        if agreement is not None and not re.fullmatch(AGREEMENT_REF, agreement):
            return Response(
                {"detail": f"'{agreement[:50]}' is not an agreement reference (use an id, desta:N, tota:N or wto:N)"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        texts = {}  # article names per text version, read once for all codings on it
        return Response(
            {
                "results": [
                    coding_as_payload(c, texts=texts)
                    for c in codings_listed(request.user, agreement_ref=agreement, limit=500)
                ]
            }
        )


class VisibleCoding:
    def get_coding(self, request, pk):
        coding = coding_visible_get(request.user, pk)
        if coding is None:
            raise Http404("no such coding")  # or one the user may not see (blind coding)
        return coding


class CodingDetailApi(VisibleCoding, APIView):
    """GET a coding; PUT a draft with the revision it was loaded at (409 when stale)."""

    @extend_schema(responses={200: inline_serializer("Coding", {"id": serializers.IntegerField()}), **errors(404)})
    def get(self, request, pk):
        return Response(coding_as_payload(self.get_coding(request, pk)))

    @extend_schema(
        request=CodingSaveInput,
        responses={
            200: inline_serializer("CodingSaved", {"revision": serializers.IntegerField()}),
            **errors(400, 404, 409),
        },
    )
    def put(self, request, pk):
        coding = self.get_coding(request, pk)
        data = CodingSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        coding = coding_save(
            coding=coding,
            user=request.user,
            revision=data.validated_data["revision"],
            answers=data.validated_data["answers"],
        )
        return Response(coding_as_payload(coding, answers=coding.saved_answers))


class CodingSubmitApi(VisibleCoding, APIView):
    @extend_schema(
        request=SubmitInput,
        responses={
            200: inline_serializer("CodingSubmitted", {"state": serializers.CharField()}),
            **errors(400, 404, 409),
        },
    )
    def post(self, request, pk):
        coding = self.get_coding(request, pk)
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        coding = coding_submit(coding=coding, user=request.user, revision=data.validated_data["revision"])
        return Response(coding_as_payload(coding))
