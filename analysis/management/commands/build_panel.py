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
            "reporter, partner, year, commodity, value), GDP (World Bank WDI, long or wide as downloaded), "
            "CEPII distances, TBT notifications.")

    def add_arguments(self, parser):
        parser.add_argument("--release", required=True, help="release number or name (FTA and depth)")
        parser.add_argument("--exports", required=True)
        parser.add_argument("--gdp", required=True, help=builder.WDI_FORMAT)
        parser.add_argument("--dist", required=True, help="CEPII GeoDist CSV (iso_o, iso_d, dist, distcap, ...)")
        parser.add_argument("--dist-column", default=builder.DIST_COLUMN,
                            help=f"distance column behind ln_dist (default {builder.DIST_COLUMN}: between the most populated "
                                 "cities; the study's Table 8 uses distcap, between capitals)")
        parser.add_argument("--tbt", help="TBT notifications CSV (notifying_member, date_of_distribution)")
        parser.add_argument("--developed", help="comma-separated ISO3 codes of developed exporters")
        parser.add_argument("--lags", default="",
                            help="extra lags as VAR:K[,VAR:K] (K in years: the value of year t-K, missing when that "
                                 "year is not in the panel); the study's "
                                 + ", ".join(f"{v}:{k}" for v, k in builder.STUDY_LAGS) + " are always added")
        parser.add_argument("--leads", default="", help="leads as VAR:K[,VAR:K] (the value of year t+K)")
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):
        try:
            lags = list(builder.STUDY_LAGS) + [s for s in builder.parse_shifts(options["lags"]) if s not in builder.STUDY_LAGS]
            leads = builder.parse_shifts(options["leads"])
        except builder.PanelInputError as exc:
            raise CommandError(str(exc)) from exc
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
                    if key == "gdp":
                        frames[key] = builder.read_gdp_csv(options[key])
                    else:
                        frames[key] = pd.read_csv(options[key], dtype={"commodity": str} if key == "exports" else None)
                except builder.PanelInputError as exc:
                    raise CommandError(str(exc)) from exc
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{options[key]}: {exc}") from exc
        developed = set(options["developed"].split(",")) if options["developed"] else builder.DEVELOPED
        try:
            frame = builder.build_panel(exports=frames["exports"], gdp=frames["gdp"], dist=frames["dist"], dyads=dyads,
                                        notifications=frames.get("tbt"), developed=developed, lags=lags, leads=leads,
                                        dist_column=options["dist_column"])
        except builder.PanelInputError as exc:
            raise CommandError(str(exc)) from exc
        source = {k: Path(v).name for k, v in options.items() if k in frames and v}
        source.update({"dist_column": options["dist_column"], "lags": [f"{v}:{k}" for v, k in lags],
                       "leads": [f"{v}:{k}" for v, k in leads]})
        panel, created = panel_store(frame, name=options["name"] or f"panel from release {release.number}",
                                     source=source, release=release)
        self.stdout.write(f"{'stored' if created else 'unchanged'} panel {panel.pk} ({panel.n_rows} rows, sha256 {panel.content_hash[:12]})")
        summary = builder.panel_summary(frame)
        self.stdout.write(json.dumps(summary, indent=1))
        if summary["fta_unknown_depth"]:
            self.stderr.write(f"warning: {summary['fta_unknown_depth']} pair-years have an agreement in force with unknown "
                              f"depth; their depth_fta is missing (pairs: {', '.join(summary['fta_unknown_depth_pairs'][:10])})")
