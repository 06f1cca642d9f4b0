"""Reads of codebooks and their versions (by code, number, or the CLI form CODE[:VERSION]).
Reads only."""

from ..models import Codebook, CodebookVersion
from ..pure.ids import MAX_DATABASE_ID


def codebook_list():
    return Codebook.objects.prefetch_related("versions").order_by("code")


def codebook_versions(*, with_indicators=False, newest_first=False):
    """Every codebook version with its codebook (and its indicators: `with_indicators`), by
    codebook code, then by number (the newest first: `newest_first`)."""
    versions = CodebookVersion.objects.select_related("codebook")
    if with_indicators:
        versions = versions.prefetch_related("indicators")
    return versions.order_by("codebook__code", "-number") if newest_first else versions


def codebook_version_by_id(pk) -> CodebookVersion | None:
    """The version with database id `pk` (None, an unknown or malformed id: None)."""
    return CodebookVersion.objects.select_related("codebook").filter(pk=pk).first() if pk is not None else None


def codebook_version_latest(code) -> CodebookVersion | None:
    return CodebookVersion.objects.select_related("codebook").filter(codebook__code=code).order_by("-number").first()


def codebook_page(*, code, number=None):
    """What a codebook's page shows: the codebook, the version asked for (the latest when
    `number` is None), every version, the version's indicators; None when either is absent."""
    if number and number > MAX_DATABASE_ID:  # /v99999999999/: no such version, not an overflow
        return None
    codebook = Codebook.objects.filter(code=code).first()
    version = (
        CodebookVersion.objects.filter(codebook=codebook, number=number).first()
        if number
        else codebook_version_latest(code)
    )
    if codebook is None or version is None:
        return None
    return {
        "codebook": codebook,
        "version": version,
        "versions": codebook.versions.order_by("-number"),
        "indicators": version.indicators.all(),
    }


def codebook_version_get(*, code, number=None) -> CodebookVersion:
    """'desta-tbt' (latest version) or a given version number."""
    qs = CodebookVersion.objects.filter(codebook__code=code)
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise CodebookVersion.DoesNotExist(f"no codebook '{code}'" + (f" version {number}" if number else ""))
    return version


def codebook_version_by_spec(spec) -> CodebookVersion:
    """CLI form CODE[:VERSION]."""
    code, _, number = str(spec).partition(":")
    return codebook_version_get(code=code, number=int(number) if number else None)
