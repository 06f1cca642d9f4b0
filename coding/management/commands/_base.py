"""Shared behaviour of the import commands: bad input becomes a CommandError naming the file
(or the codebook reference), and nothing is written (the services are atomic)."""

from django.core.management.base import BaseCommand, CommandError

from ...importers.errors import ImportFailed
from ...models import CodebookVersion
from ...pure.ids import parse_id
from ...roles import is_supervisor
from ...selectors.agreements import AgreementRefError
from ...selectors.codebooks import codebook_list, codebook_version_by_spec


def importing_user_or_error(username):
    """The person an import is recorded under (--user): an active supervisor or admin; None when
    not given. History names this user for every change the import makes."""
    if username is None:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not is_supervisor(user):
        raise CommandError(f"--user '{username}': no active supervisor or admin of that name")
    return user


def codebook_version_or_error(spec) -> CodebookVersion:
    """The codebook version a CLI reference CODE[:VERSION] names, or a CommandError that lists
    the codebooks and versions there are."""
    _code, _, number = str(spec).partition(":")
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
