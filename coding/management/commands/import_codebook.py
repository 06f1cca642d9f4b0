from ._base import ImportCommand
from ...services import codebook_import


class Command(ImportCommand):
    help = "Import a codebook YAML file. Unchanged content: nothing happens; changed content: a new version."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="codebook YAML file(s)")

    def handle(self, *args, **options):
        for path in options["paths"]:
            result = codebook_import(path=path)
            version = result.version
            state = "imported as" if result.created else (
                "same content (keyword hints updated), already" if result.hints_updated else "unchanged, already")
            self.stdout.write(
                f"{path}: {state} {version.codebook.code} version {version.number} "
                f"({version.indicators.count()} indicators)"
            )
