"""`manage.py import_desta_treaties`: DESTA's list of treaties as agreement metadata.
Thin: coding.services.desta does the work, atomically."""

from ...services import agreements_import_desta_list
from ._base import ImportCommand


class Command(ImportCommand):
    help = "Import DESTA's list of treaties as agreement metadata and link it to ToTA texts."

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--show-unlinked", action="store_true", help="list every treaty without a text")

    def handle(self, *args, **options):
        result = agreements_import_desta_list(path=options["csv_path"])
        skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped_by_type.items())) or "none"
        self.stdout.write(
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged; "
            f"{result.linked_to_tota} newly linked to ToTA texts. Skipped entry types: {skipped}."
        )
        if result.unknown_member_codes:
            codes = ", ".join(sorted(result.unknown_member_codes))
            self.stdout.write(f"Member codes with no ISO3 equivalent (left out): {codes}")
        self.stdout.write(
            f"Could not link {len(result.unlinked)} treaties to a text (by party set and entry-into-force year)."
        )
        shown = result.unlinked if options["show_unlinked"] else result.unlinked[:20]
        for treaty in shown:
            self.stdout.write(
                f"  desta:{treaty.number}  {treaty.name} ({treaty.entry_into_force_year or 'not in force'})"
            )
        if len(shown) < len(result.unlinked):
            self.stdout.write(f"  ... {len(result.unlinked) - len(shown)} more (--show-unlinked lists all)")
