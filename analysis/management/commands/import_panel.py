"""`manage.py import_panel`: a ready-made pair-year panel CSV, optionally with lags and leads.
Thin: analysis.services.panels stores it (the shifts are the pure panel_builder.add_lags)."""

from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from coding.importers.errors import ImportFailed

from ...pure import panel_builder as builder
from ...pure.bounds import BoundsError
from ...services.panels import panel_import_csv, panel_store


class Command(BaseCommand):
    help = (
        "Store a ready-made pair-year panel CSV (any columns; at least exporter, importer, year), optionally "
        "with lags and leads of any of its columns."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path")
        parser.add_argument("--name")
        parser.add_argument(
            "--lags",
            default="",
            help="VAR:K[,VAR:K]: add VAR_lagK, the value of year t-K for the same "
            "pair (missing when year t-K is not in the panel)",
        )
        parser.add_argument("--leads", default="", help="VAR:K[,VAR:K]: add VAR_leadK, the value of year t+K")

    def handle(self, *args, **options):
        try:
            if options["lags"] or options["leads"]:
                panel, created = self._with_shifts(options)
            else:
                panel, created = panel_import_csv(path=options["csv_path"], name=options["name"])
        except (ImportFailed, BoundsError) as exc:  # BoundsError: --name longer than the column
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{'stored' if created else 'unchanged'} panel {panel.pk}: {panel.name}, {panel.n_rows} rows, "
            f"sha256 {panel.content_hash[:12]}; columns: {', '.join(panel.columns)}"
        )

    def _with_shifts(self, options):
        path = Path(options["csv_path"])
        try:
            lags, leads = builder.parse_shifts(options["lags"]), builder.parse_shifts(options["leads"])
            frame = pd.read_csv(path)
        except builder.PanelInputError as exc:
            raise CommandError(str(exc)) from exc
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: cannot read the panel ({exc})") from exc
        missing = {"exporter", "importer", "year"} - set(frame.columns)
        if missing:
            raise CommandError(f"{path}: missing columns: {', '.join(sorted(missing))}")
        try:
            # Variables of the ready-made panel are taken as pair-level unless the study builder
            # knows them as member-level (ln_gdp_i, ln_tbt_j, ...).
            frame = builder.add_lags(frame, lags, leads)
        except builder.PanelInputError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        source = {"csv": path.name, "lags": [f"{v}:{k}" for v, k in lags], "leads": [f"{v}:{k}" for v, k in leads]}
        return panel_store(frame, name=options["name"] or path.stem, source=source)
