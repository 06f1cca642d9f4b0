"""Shared behaviour of the import commands: bad input becomes a CommandError naming the file."""
from django.core.management.base import BaseCommand, CommandError

from ...importers.errors import ImportFailed
from ...selectors import AgreementRefError


class ImportCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (ImportFailed, AgreementRefError) as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        except ValueError as exc:  # e.g. TextImportError from the plain-text reader
            raise CommandError(f"{exc}\nNothing was imported.") from exc
