"""Read API for agreements, texts and codebooks. Agreements are addressed by id or reference."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from . import selectors
from .models import Article, CodebookVersion
from .serializers import AgreementSerializer, ArticleSerializer, CodebookVersionSerializer


class AgreementListApi(generics.ListAPIView):
    serializer_class = AgreementSerializer

    @extend_schema(parameters=[OpenApiParameter("party", str), OpenApiParameter("year", int),
                               OpenApiParameter("has_text", str, enum=["yes", "no"]), OpenApiParameter("q", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.agreement_list(
            party=params.get("party", ""), year=params.get("year", ""),
            has_text=params.get("has_text", ""), query=params.get("q", ""),
        )


class AgreementRefMixin:
    def get_agreement(self):
        try:
            return selectors.agreement_get_by_ref(self.kwargs["ref"])
        except selectors.AgreementRefError as exc:
            raise Http404(str(exc)) from exc


class AgreementDetailApi(AgreementRefMixin, generics.RetrieveAPIView):
    """`ref` is the workbench id or desta:N, tota:N, wto:N."""

    serializer_class = AgreementSerializer

    def get_object(self):
        return self.get_agreement()


class AgreementArticlesApi(AgreementRefMixin, generics.ListAPIView):
    serializer_class = ArticleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no `ref`
            return Article.objects.none()
        return Article.objects.filter(agreement=self.get_agreement()).select_related("chapter")


class CodebookVersionListApi(generics.ListAPIView):
    serializer_class = CodebookVersionSerializer
    queryset = CodebookVersion.objects.select_related("codebook").prefetch_related("indicators")
