from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from ..importers.codebook_yaml import parse_codebook
from ..models import Codebook, CodebookVersion, Indicator


@dataclass
class CodebookImportResult:
    version: CodebookVersion
    created: bool


@transaction.atomic
def codebook_import(*, path) -> CodebookImportResult:
    """Load a codebook YAML. Same content as an existing version: nothing changes. Changed
    content under the same code: a new version; codings stay bound to the version they used."""
    parsed = parse_codebook(path)
    codebook, _ = Codebook.objects.select_for_update().get_or_create(
        code=parsed.code, defaults={"title_en": parsed.title_en, "title_zh": parsed.title_zh}
    )
    existing = codebook.versions.filter(content_hash=parsed.content_hash).first()
    if existing:
        return CodebookImportResult(version=existing, created=False)

    number = (codebook.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = CodebookVersion.objects.create(
        codebook=codebook,
        number=number,
        label=parsed.label,
        title_en=parsed.title_en,
        title_zh=parsed.title_zh,
        content_hash=parsed.content_hash,
        source_name=parsed.source_name,
        source_text=parsed.source_text,
        depth_indicators=parsed.depth_indicators,
        depth_range=parsed.depth_range,
        tiers=parsed.tiers,
    )
    Indicator.objects.bulk_create(
        Indicator(
            version=version,
            code=ind.code,
            position=position,
            group=ind.group,
            level=ind.level,
            question_en=ind.question_en,
            question_zh=ind.question_zh,
            guidance_en=ind.guidance_en,
            guidance_zh=ind.guidance_zh,
            allowed_values=ind.allowed_values,
            keyword_hints=ind.keyword_hints,
        )
        for position, ind in enumerate(parsed.indicators)
    )
    codebook.title_en, codebook.title_zh = parsed.title_en, parsed.title_zh
    codebook.save(update_fields=["title_en", "title_zh"])
    return CodebookImportResult(version=version, created=True)
