"""`manage.py export_dataset`: one export of a dataset release to a file. Thin: the release
selectors read and render it (analysis/pure/exports.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...models import DatasetRelease
from ...pure import formats
from ...selectors.releases import release_evidence_export, release_export, release_get


class Command(BaseCommand):
    help = (
        "Export a dataset release (its number or name) as CSV, XLSX, Stata .dta or JSON. Excel and JSON carry "
        "the evidence behind the codes; CSV and Stata get it as a companion file beside --out "
        "(name-evidence.csv / .dta)."
    )

    def add_arguments(self, parser):
        parser.add_argument("release")
        parser.add_argument("--format", required=True, choices=list(formats.DATASETS))
        parser.add_argument("--shape", default="agreement", choices=["agreement", "dyad"])
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        folder = Path(options["out"]).parent  # checked before the release is read: a typo costs nothing
        if not folder.is_dir():
            raise CommandError(f"--out: the directory {folder} does not exist")
        if Path(options["out"]).is_dir():
            raise CommandError(f"--out: {options['out']} is a directory; give a file name in it")
        try:
            release = release_get(options["release"])
        except DatasetRelease.DoesNotExist as exc:
            raise CommandError(f"no release '{options['release']}'") from exc
        data, _name, _type = release_export(release, fmt=options["format"], shape=options["shape"])
        out = Path(options["out"])
        out.write_bytes(data)
        self.stdout.write(
            f"release {release.number} → {out} ({options['format']}, {options['shape']}, {len(data)} bytes)"
        )
        if options["format"] in formats.EVIDENCE:
            evidence, _name, _type = release_evidence_export(release, fmt=options["format"])
            companion = out.with_name(f"{out.stem}-evidence{out.suffix or '.' + options['format']}")
            companion.write_bytes(evidence)
            self.stdout.write(f"evidence → {companion} ({len(evidence)} bytes)")
