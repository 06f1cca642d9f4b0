import sys
import time

from tqdm import tqdm

from ._base import ImportCommand
from ...importers.tota import expand_paths
from ...services import agreements_import_tota


class Command(ImportCommand):
    help = "Import ToTA treaty XML files (files or directories). Atomic and idempotent."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--no-progress", action="store_true", help="never show the progress bar")

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = len(expand_paths(options["paths"]))
        # The bar goes to stderr and only on a terminal, so logs and pipes stay clean.
        show = sys.stderr.isatty() and not options["no_progress"]
        bars = {
            "parse": tqdm(total=total, desc="parse", unit="file", disable=not show),
            "write": tqdm(total=total, desc="write", unit="file", disable=not show),
        }
        result = agreements_import_tota(paths=options["paths"], progress=lambda stage, _path: bars[stage].update())
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            f"{result.files} files: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.linked_to_desta} linked to DESTA entries; "
            f"{result.articles_written} articles written in {time.perf_counter() - started:.1f} s"
        )
