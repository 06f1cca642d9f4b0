from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...models import DatasetRelease
from ...selectors import release_export, release_get


class Command(BaseCommand):
    help = "Export a dataset release (its number or name) as CSV, XLSX, Stata .dta or JSON."

    def add_arguments(self, parser):
        parser.add_argument("release")
        parser.add_argument("--format", required=True, choices=["csv", "xlsx", "dta", "json"])
        parser.add_argument("--shape", default="agreement", choices=["agreement", "dyad"])
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        try:
            release = release_get(options["release"])
        except DatasetRelease.DoesNotExist as exc:
            raise CommandError(f"no release '{options['release']}'") from exc
        data, _name, _type = release_export(release, fmt=options["format"], shape=options["shape"])
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"release {release.number} → {options['out']} ({options['format']}, {options['shape']}, {len(data)} bytes)")
