"""`manage.py import_desta_codings`: DESTA 2.1's TBT variables as the reference coder 'DESTA 2.1'.
Thin: coding.services.coding_import does the work, atomically."""

from ...services.coding_import import desta_codings_import
from ._base import ImportCommand, codebook_version_or_error, importing_user_or_error


class Command(ImportCommand):
    help = "Import DESTA 2.1's TBT variables as the reference coder 'DESTA 2.1' for every linked agreement."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="desta_tbt_02_01.csv (or desta_version_02_01.csv)")
        parser.add_argument("--codebook", default="desta-tbt")
        parser.add_argument("--name", default="DESTA 2.1", help="name of the reference coder")
        parser.add_argument("--user", metavar="USERNAME", help="the supervisor importing, for the history")

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        result = desta_codings_import(
            path=options["csv_path"],
            version=version,
            name=options["name"],
            user=importing_user_or_error(options["user"]),
        )
        self.stdout.write(
            f"{result['linked']} agreements coded by '{options['name']}' under {version} "
            f"({result['answers']} answers); {len(result['unlinked'])} DESTA rows have no agreement here "
            "(import_desta_treaties first)."
        )
