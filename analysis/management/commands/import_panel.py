from django.core.management.base import BaseCommand, CommandError

from coding.importers.errors import ImportFailed

from ...services import panel_import_csv


class Command(BaseCommand):
    help = "Store a ready-made pair-year panel CSV (any columns; at least exporter, importer, year)."

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--name")

    def handle(self, *args, **options):
        try:
            panel, created = panel_import_csv(path=options["csv_path"], name=options["name"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{'stored' if created else 'unchanged'} panel {panel.pk}: {panel.name}, {panel.n_rows} rows, "
                          f"sha256 {panel.content_hash[:12]}; columns: {', '.join(panel.columns)}")
