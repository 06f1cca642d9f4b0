import json
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from ... import panel as builder
from ...exports import release_frame
from ...models import DatasetRelease
from ...selectors import release_get
from ...services import panel_store


class Command(BaseCommand):
    help = ("Build the pair-year panel from a dataset release and trade data: exports (UN Comtrade style: "
            "reporter, partner, year, commodity, value), GDP (World Bank WDI), CEPII distances, TBT notifications.")

    def add_arguments(self, parser):
        parser.add_argument("--release", required=True, help="release number or name (FTA and depth)")
        parser.add_argument("--exports", required=True)
        parser.add_argument("--gdp", required=True)
        parser.add_argument("--dist", required=True)
        parser.add_argument("--tbt", help="TBT notifications CSV (notifying_member, date_of_distribution)")
        parser.add_argument("--developed", help="comma-separated ISO3 codes of developed exporters")
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):
        try:
            release = release_get(options["release"])
        except DatasetRelease.DoesNotExist as exc:
            raise CommandError(f"no release '{options['release']}'") from exc
        codes = [i.code for i in release.version.indicators.all()]
        dyads = release_frame(release.rows, codes, shape="dyad")
        frames = {}
        for key in ("exports", "gdp", "dist", "tbt"):
            if options[key]:
                try:
                    frames[key] = pd.read_csv(options[key], dtype={"commodity": str} if key == "exports" else None)
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{options[key]}: {exc}") from exc
        developed = set(options["developed"].split(",")) if options["developed"] else builder.DEVELOPED
        try:
            frame = builder.build_panel(exports=frames["exports"], gdp=frames["gdp"], dist=frames["dist"], dyads=dyads,
                                        notifications=frames.get("tbt"), developed=developed)
        except builder.PanelInputError as exc:
            raise CommandError(str(exc)) from exc
        source = {k: Path(v).name for k, v in options.items() if k in frames and v}
        panel, created = panel_store(frame, name=options["name"] or f"panel from release {release.number}",
                                     source=source, release=release)
        self.stdout.write(f"{'stored' if created else 'unchanged'} panel {panel.pk} ({panel.n_rows} rows, sha256 {panel.content_hash[:12]})")
        self.stdout.write(json.dumps(builder.summary_table(frame), indent=1))
