"""Writes of codebooks: a YAML file becomes a new version, or nothing when its content is known.
Services: keyword-only and atomic; the parsing is the pure coding/importers/codebook_yaml.py."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from ..importers.codebook_yaml import content_hash_of_text, parse_codebook
from ..models import Codebook, CodebookVersion, Indicator


@dataclass
class CodebookImportResult:
    version: CodebookVersion
    created: bool
    hints_updated: bool = False


def _version_with_same_content(codebook, content_hash):
    existing = codebook.versions.filter(content_hash=content_hash).first()
    if existing:
        return existing
    # Versions stored before keyword hints left the hash carry the old hash: recompute it from
    # their source and adopt the current one, so re-importing them is still not a new version.
    for version in codebook.versions.order_by("number"):
        if content_hash_of_text(version.source_text) == content_hash:
            version.content_hash = content_hash
            version.save(update_fields=["content_hash"])
            return version
    return None


def _hints_update(version, parsed):
    """Give an existing version the file's keyword hints; True if any changed. A file without
    hints keeps the hints the version has (hints are a reading aid, not the instrument)."""
    if not parsed.has_hints:
        return False
    wanted = {ind.code: ind.keyword_hints for ind in parsed.indicators}
    changed = [i for i in version.indicators.all() if i.keyword_hints != wanted.get(i.code, [])]
    for indicator in changed:
        indicator.keyword_hints = wanted.get(indicator.code, [])
        indicator.save(update_fields=["keyword_hints"])
    if changed:
        # The stored source is the file the hints in use come from.
        version.source_name, version.source_text = parsed.source_name, parsed.source_text
        version.save(update_fields=["source_name", "source_text"])
    return bool(changed)


@transaction.atomic
def codebook_import(*, path) -> CodebookImportResult:
    """Load a codebook YAML. Same content as an existing version: no new version (only its
    keyword hints are updated in place when the file carries hints; see
    coding.importers.codebook_yaml). Changed content under the same code: a new version;
    codings stay bound to the version they used."""
    parsed = parse_codebook(path)
    codebook, _ = Codebook.objects.select_for_update().get_or_create(
        code=parsed.code, defaults={"title_en": parsed.title_en, "title_zh": parsed.title_zh}
    )
    existing = _version_with_same_content(codebook, parsed.content_hash)
    if existing:
        return CodebookImportResult(version=existing, created=False, hints_updated=_hints_update(existing, parsed))

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
