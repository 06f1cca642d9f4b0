"""Shared behaviour of the import commands: bad input becomes a CommandError naming the file
(or the codebook reference), and nothing is written (the services are atomic)."""
from django.core.management.base import BaseCommand, CommandError

from ...importers.errors import ImportFailed
from ...models import CodebookVersion
from ...selectors import AgreementRefError, codebook_list, codebook_version_by_spec, parse_id


def codebook_version_or_error(spec) -> CodebookVersion:
    """The codebook version a CLI reference CODE[:VERSION] names, or a CommandError that lists
    the codebooks and versions there are."""
    code, _, number = str(spec).partition(":")
    try:
        if number and not parse_id(number):  # not a positive id: no such version
            raise CodebookVersion.DoesNotExist
        return codebook_version_by_spec(spec)
    except CodebookVersion.DoesNotExist:
        known = ", ".join(
            f"{codebook.code} ({', '.join(str(v.number) for v in sorted(codebook.versions.all(), key=lambda v: v.number))})"
            for codebook in codebook_list()
        )
        raise CommandError(
            f"codebook '{spec}' not found (use CODE or CODE:VERSION); known: {known or 'none, import one with import_codebook'}"
        ) from None


class ImportCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (ImportFailed, AgreementRefError) as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        except OSError as exc:  # a file the importer opened without naming it
            where = f"{exc.filename}: " if exc.filename else ""
            raise CommandError(f"{where}cannot read the file ({exc.strerror or exc})\nNothing was imported.") from exc
        except ValueError as exc:  # e.g. TextImportError from the plain-text reader
            raise CommandError(f"{exc}\nNothing was imported.") from exc
