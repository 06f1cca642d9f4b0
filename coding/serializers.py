"""DRF serializers of the read API: agreements, articles, codebook versions. Output only: writes
go through coding/services (the coding API validates its input with its own serializers)."""

from rest_framework import serializers

from .models import Agreement, Article, CodebookVersion, Indicator


class AgreementSerializer(serializers.ModelSerializer):
    parties = serializers.SerializerMethodField()
    references = serializers.ListField(child=serializers.CharField(), read_only=True)
    text_version = serializers.IntegerField(
        source="current_text.number",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="number of the current text version (null: no text yet)",
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "name",
            "name_zh",
            "parties",
            "date_signed",
            "year_signed",
            "date_into_force",
            "entry_into_force_year",
            "membership",
            "desta_number",
            "wto_rta_id",
            "tota_id",
            "language",
            "references",
            "text_version",
        ]

    def get_parties(self, obj) -> list[str]:
        return [p.iso3 for p in obj.parties.all()]


class ArticleSerializer(serializers.ModelSerializer):
    identifier = serializers.CharField(help_text="the stable key evidence cites (ToTA's article_identifier)")
    number = serializers.CharField(
        help_text='the treaty\'s own article number, e.g. "4.3" for ARTICLE 4.3 (empty: none)'
    )
    heading = serializers.CharField(help_text="the article's own heading (empty: none)")
    # The stubs see Field.label here; DRF's metaclass takes declared fields out of the class.
    label = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text='how evidence cites it: "Art. 4.3 Customs Procedures", unique in this text version'
    )
    chapter = serializers.CharField(source="chapter.identifier")
    chapter_name = serializers.CharField(source="chapter.name")
    text_version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Article
        fields = [
            "identifier",
            "number",
            "heading",
            "label",
            "chapter",
            "chapter_name",
            "position",
            "text",
            "text_version",
        ]

    def get_label(self, obj) -> str:
        labels = self.context.get("labels") or {}
        return labels.get(obj.identifier) or obj.label


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "position",
            "group",
            "level",
            "question_en",
            "question_zh",
            "guidance_en",
            "guidance_zh",
            "allowed_values",
            "keyword_hints",
        ]


class CodebookVersionSerializer(serializers.ModelSerializer):
    codebook = serializers.CharField(source="codebook.code")
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = CodebookVersion
        fields = [
            "codebook",
            "number",
            "label",
            "title_en",
            "title_zh",
            "content_hash",
            "depth_indicators",
            "depth_range",
            "tiers",
            "imported_at",
            "indicators",
        ]
