from rest_framework import serializers

from .models import Agreement, Article, CodebookVersion, Indicator


class AgreementSerializer(serializers.ModelSerializer):
    parties = serializers.SerializerMethodField()
    references = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id", "name", "name_zh", "parties", "date_signed", "year_signed", "date_into_force",
            "entry_into_force_year", "membership", "desta_number", "wto_rta_id", "tota_id", "language",
            "references",
        ]

    def get_parties(self, obj) -> list[str]:
        return [p.iso3 for p in obj.parties.all()]


class ArticleSerializer(serializers.ModelSerializer):
    chapter = serializers.CharField(source="chapter.identifier")
    chapter_name = serializers.CharField(source="chapter.name")

    class Meta:
        model = Article
        fields = ["identifier", "heading", "chapter", "chapter_name", "position", "text"]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "position", "group", "level", "question_en", "question_zh", "guidance_en",
                  "guidance_zh", "allowed_values", "keyword_hints"]


class CodebookVersionSerializer(serializers.ModelSerializer):
    codebook = serializers.CharField(source="codebook.code")
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = CodebookVersion
        fields = ["codebook", "number", "label", "title_en", "title_zh", "content_hash", "depth_indicators",
                  "depth_range", "tiers", "imported_at", "indicators"]
