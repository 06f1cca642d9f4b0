from ._base import ImportCommand, codebook_version_or_error
from ...services.coding_import import codings_import_csv


class Command(ImportCommand):
    help = ("Import codings from CSV (columns agreement, coder, indicator, value, optional evidence "
            "(article ids separated by ;) and note). Atomic: a bad row imports nothing.")

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--codebook", required=True, help="CODE or CODE:VERSION (default: latest version)")
        parser.add_argument("--reference", action="store_true", help="coders are reference sources (e.g. 'DESTA 2.1')")
        parser.add_argument("--approved", action="store_true", help="also make the values each agreement's approved coding")

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        stats = codings_import_csv(path=options["csv_path"], version=version, reference=options["reference"],
                                   approved=options["approved"])
        self.stdout.write(f"{stats['codings']} codings, {stats['answers']} answers imported under {version}"
                          + (f"; {stats['approved']} agreements approved" if options["approved"] else ""))
        if stats["created_coders"]:
            self.stdout.write(f"New coders created (cannot log in): {', '.join(stats['created_coders'])}")
