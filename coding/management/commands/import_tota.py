"""`manage.py import_tota`: ToTA treaty XML files or directories, with a progress bar.
Thin: coding.services.texts does the work, atomically."""

import sys
import time

from tqdm import tqdm

from ...importers.tota import expand_paths
from ...services import agreements_import_tota
from ._base import ImportCommand


class Command(ImportCommand):
    help = "Import ToTA treaty XML files (files or directories). Atomic and idempotent."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--no-progress", action="store_true", help="never show the progress bar")
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="import changed texts of agreements that have codings as new text versions "
            "(without it their current text is kept and they are listed)",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = len(expand_paths(options["paths"]))
        # The bar goes to stderr and only on a terminal, so logs and pipes stay clean.
        show = sys.stderr.isatty() and not options["no_progress"]
        bars = {
            "parse": tqdm(total=total, desc="parse", unit="file", disable=not show),
            "write": tqdm(total=total, desc="write", unit="file", disable=not show),
        }
        result = agreements_import_tota(
            paths=options["paths"],
            progress=lambda stage, _path: bars[stage].update(),
            new_version=options["new_version"],
        )
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            f"{result.files} files: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.linked_to_desta} linked to DESTA entries; "
            f"{result.new_versions} new text versions, "
            f"{result.articles_written} articles written in {time.perf_counter() - started:.1f} s"
        )
        if result.articles_numbered:
            self.stdout.write(
                f"{result.articles_numbered} articles of texts already imported got their number and "
                "heading (same text, same version)"
            )
        if result.held_back:
            listed = "; ".join(f"{a} ({a.pk}, tota:{a.tota_id}): {n} codings" for a, n in result.held_back)
            self.stderr.write(
                f"{len(result.held_back)} agreements with codings have a changed text that was NOT imported "
                f"(their current text is kept): {listed}. Run again with --new-version to import these texts "
                "as new versions; the codings stay on the version they were made on."
            )
