"""`manage.py export_panel`: a stored pair-year panel to a file, for Stata (`ppmlhdfe`), R
(`fixest`) or any CSV reader. Thin: `panel_get` finds it (by id or hash prefix), the panel
selectors write it (analysis/pure/panel_exports.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...pure import formats
from ...selectors.panel_exports import panel_export
from ...selectors.runs import panel_get
from ...services.panels import PanelFileMissing


class Command(BaseCommand):
    help = (
        "Export a stored panel (its id or a content-hash prefix of at least 6 characters) as CSV, Stata .dta "
        "(every variable labelled) or Parquet (when pyarrow is installed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("panel")
        parser.add_argument("--format", required=True, choices=list(formats.PANELS))
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        out = Path(options["out"])
        if not out.parent.is_dir():  # checked before the panel is read: a typo costs nothing
            raise CommandError(f"--out: the directory {out.parent} does not exist")
        if out.is_dir():
            raise CommandError(f"--out: {out} is a directory; give a file name in it")
        panel = panel_get(options["panel"], user=None)
        if panel is None:
            raise CommandError(f"no panel '{options['panel']}' (give its id or at least 6 characters of its hash)")
        try:
            data, _name, _type = panel_export(panel, fmt=options["format"])
        except PanelFileMissing as exc:
            raise CommandError(str(exc)) from exc
        out.write_bytes(data)
        self.stdout.write(f"panel {panel.pk} ({panel.n_rows} rows) → {out} ({options['format']}, {len(data)} bytes)")
