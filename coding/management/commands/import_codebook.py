"""`manage.py import_codebook`: codebook YAML files, each a new version only when changed.
Thin: coding.services.codebooks does the work."""

from ...selectors.recheck import codebook_change_summary
from ...services import codebook_import
from ._base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import a codebook YAML file. Unchanged content: nothing happens; changed content: a new version, "
        "and what it changed per indicator is listed with the codings to re-check."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="codebook YAML file(s)")

    def handle(self, *args, **options):
        for path in options["paths"]:
            result = codebook_import(path=path)
            version = result.version
            state = (
                "imported as"
                if result.created
                else ("same content (keyword hints updated), already" if result.hints_updated else "unchanged, already")
            )
            self.stdout.write(
                f"{path}: {state} {version.codebook.code} version {version.number} "
                f"({version.indicators.count()} indicators)"
            )
            if result.created:  # per indicator: what changed, and what goes to the re-check queue
                for line in codebook_change_summary(version):
                    self.stdout.write(line)
