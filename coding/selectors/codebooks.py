"""Reads of codebooks and their versions (by code, number, or the CLI form CODE[:VERSION]).
Reads only."""
from ..models import Codebook, CodebookVersion


def codebook_list():
    return Codebook.objects.prefetch_related("versions").order_by("code")


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
