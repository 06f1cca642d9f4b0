"""`manage.py import_codings`: codings from a long CSV (reference sources, finished work, and
explicitly a coder's drafts). Thin: coding.services.coding_import does the work, atomically."""

from ...services.coding_import import codings_import_csv
from ._base import ImportCommand, codebook_version_or_error, importing_user_or_error


class Command(ImportCommand):
    help = (
        "Import codings from CSV (columns agreement, coder, indicator, value, optional evidence "
        "(article ids separated by ;) and note). The coders are reference sources; a row for a "
        "person who logs in is refused unless --as-drafts. Atomic: a bad or refused row imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--codebook", required=True, help="CODE or CODE:VERSION (default: latest version)")
        parser.add_argument(
            "--reference",
            action="store_true",
            help="create coders the workbench does not know as reference sources (e.g. 'DESTA 2.1'); "
            "a new source's name may not look like a user's or another source's (ignoring case, "
            "width and look-alike letters), be a role word such as 'admin', or carry markup",
        )
        parser.add_argument(
            "--approved",
            action="store_true",
            help="also make the values each agreement's approved coding (prints what it changes; "
            "changing an approved agreement needs --user); new coders become reference sources",
        )
        parser.add_argument(
            "--as-drafts",
            action="store_true",
            help="put rows of coders who log in into their drafts (assigned, not submitted; needs --user)",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="the supervisor importing: the history records every change under this name",
        )

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        user = importing_user_or_error(options["user"])
        result = codings_import_csv(
            path=options["csv_path"],
            version=version,
            reference=options["reference"],
            approved=options["approved"],
            as_drafts=options["as_drafts"],
            user=user,
        )
        for line in result.changes + result.notes:
            self.stdout.write(line)
        self.stdout.write(
            f"{result.codings} reference codings, {result.drafts} drafts, {result.answers} answers "
            f"imported under {version}" + (f"; {result.approved} agreements approved" if options["approved"] else "")
        )
        if result.created_coders:
            self.stdout.write(f"New reference coders (cannot log in): {', '.join(result.created_coders)}")
