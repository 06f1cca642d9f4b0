"""Read API for codebooks: every version with its indicators.
Thin: a read-only list, nothing to decide."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from web.api_errors import errors

from ..selectors.codebooks import codebook_versions
from ..serializers import CodebookVersionSerializer


class CodebookVersionListApi(generics.ListAPIView):
    serializer_class = CodebookVersionSerializer

    @extend_schema(responses={200: CodebookVersionSerializer(many=True), **errors(400)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return codebook_versions(with_indicators=True)
