"""Read API for codebooks: every version with its indicators.
Thin: a read-only list, nothing to decide."""
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from ..models import CodebookVersion
from ..serializers import CodebookVersionSerializer
from .errors import errors


class CodebookVersionListApi(generics.ListAPIView):
    serializer_class = CodebookVersionSerializer
    queryset = CodebookVersion.objects.select_related("codebook").prefetch_related("indicators")

    @extend_schema(responses={200: CodebookVersionSerializer(many=True), **errors(400)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
