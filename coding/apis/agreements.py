"""Read API for agreements and their texts, addressed by id or reference (desta:N, tota:N, wto:N).
Thin: reads go through coding/selectors/agreements.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from web.api_errors import errors, query_params

from ..pure.ids import MAX_DATABASE_ID
from ..selectors import agreements as selectors
from ..serializers import AgreementSerializer, ArticleSerializer


class AgreementFilter(serializers.Serializer):
    party = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="a party's ISO3 code, e.g. CHN"
    )
    year = serializers.IntegerField(
        required=False, min_value=1800, max_value=2200, help_text="year of entry into force"
    )
    has_text = serializers.ChoiceField(choices=["yes", "no"], required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="words of the name")


class AgreementListApi(generics.ListAPIView):
    serializer_class = AgreementSerializer

    @extend_schema(parameters=[AgreementFilter], responses={200: AgreementSerializer(many=True), **errors(400)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        given = query_params(AgreementFilter, self.request)
        return selectors.agreement_list(
            party=given.get("party", ""),
            year=str(given.get("year", "")),
            has_text=given.get("has_text", ""),
            query=given.get("q", ""),
        )


class AgreementRefMixin:
    def get_agreement(self):
        return selectors.agreement_get_by_ref(self.kwargs["ref"])  # AgreementRefError: a 404 (apis/__init__.py)


class AgreementDetailApi(AgreementRefMixin, generics.RetrieveAPIView):
    """`ref` is the workbench id or desta:N, tota:N, wto:N."""

    serializer_class = AgreementSerializer

    @extend_schema(responses={200: AgreementSerializer, **errors(404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return self.get_agreement()


class ArticleFilter(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DATABASE_ID,
        help_text="text version number; default: the current text",
    )


class AgreementArticlesApi(AgreementRefMixin, generics.ListAPIView):
    """The articles of the current text, or of text version `version` (what a coding's
    `text_version` names)."""

    serializer_class = ArticleSerializer

    @extend_schema(parameters=[ArticleFilter], responses={200: ArticleSerializer(many=True), **errors(400, 404)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no `ref`
            return selectors.text_articles(None)
        number = query_params(ArticleFilter, self.request).get("version")
        # An unknown version number is a 404 (TextVersionNotFound, apis/__init__.py).
        self.text_version = selectors.text_version_get(agreement=self.get_agreement(), number=number)
        return selectors.text_articles(self.text_version)

    def get_serializer_context(self):
        # Citation labels are unique within a text version: read them once for the whole list.
        context = super().get_serializer_context()
        if getattr(self, "text_version", None) is not None:
            context["labels"] = selectors.citation_labels(self.text_version)
        return context
