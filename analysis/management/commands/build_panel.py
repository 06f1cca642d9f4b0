"""`manage.py build_panel`: the pair-year panel from a dataset release and trade data. Thin: the
pure analysis/pure/panel_builder.py builds, analysis.services.panels.panel_store stores."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...models import DatasetRelease
from ...pure import merge_checks, panel_inputs
from ...pure import panel_builder as builder
from ...pure.bounds import BoundsError
from ...pure.exports import release_frame
from ...selectors.releases import release_get
from ...services.panels import panel_name_checked, panel_store


class Command(BaseCommand):
    help = (
        "Build the pair-year panel from a dataset release and trade data: exports (UN Comtrade style: "
        "reporter, partner, year, commodity, value), GDP (World Bank WDI, long or wide as downloaded), "
        "CEPII distances, TBT notifications."
    )

    def add_arguments(self, parser):
        parser.add_argument("--release", required=True, help="release number or name (FTA and depth)")
        parser.add_argument("--exports", required=True)
        parser.add_argument("--gdp", required=True, help=panel_inputs.WDI_FORMAT)
        parser.add_argument("--dist", required=True, help="CEPII GeoDist CSV (iso_o, iso_d, dist, distcap, ...)")
        parser.add_argument(
            "--dist-column",
            default=panel_inputs.DIST_COLUMN,
            help=f"distance column behind ln_dist (default {panel_inputs.DIST_COLUMN}: between the most populated "
            "cities; the study's Table 8 uses distcap, between capitals)",
        )
        parser.add_argument("--tbt", help="TBT notifications CSV (notifying_member, date_of_distribution)")
        parser.add_argument("--developed", help="comma-separated ISO3 codes of developed exporters")
        parser.add_argument(
            "--lags",
            default="",
            help="extra lags as VAR:K[,VAR:K] (K in years: the value of year t-K, missing when that "
            "year is not in the panel); the study's "
            + ", ".join(f"{v}:{k}" for v, k in builder.STUDY_LAGS)
            + " are always added",
        )
        parser.add_argument("--leads", default="", help="leads as VAR:K[,VAR:K] (the value of year t+K)")
        parser.add_argument(
            "--reported-only",
            action="store_true",
            help="keep only the reported flows (for OLS on logs); by default the panel is the full "
            "exporter x importer x year grid of the sample with 0 where no flow is reported "
            "(what PPML needs) and a column `reported`",
        )
        parser.add_argument("--domestic", action="store_true", help="keep domestic pairs (exporter == importer)")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="make the merge checks (changed or unknown country codes, duplicated keys, distances "
            "that differ by direction, missing GDP or distance) errors instead of warnings",
        )
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):
        try:  # the name before any file is read or written (the panel file is named by its hash)
            if options["name"]:
                panel_name_checked(options["name"], "--name")
        except BoundsError as exc:
            raise CommandError(str(exc)) from exc
        try:
            lags = list(builder.STUDY_LAGS) + [
                s for s in builder.parse_shifts(options["lags"]) if s not in builder.STUDY_LAGS
            ]
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
        for key in panel_inputs.INPUTS:
            if options[key]:
                try:
                    frames[key] = panel_inputs.read_input(key, options[key])
                except builder.PanelInputError as exc:
                    raise CommandError(str(exc)) from exc
        developed = set(options["developed"].split(",")) if options["developed"] else builder.DEVELOPED
        names = {k: Path(v).name for k, v in options.items() if k in frames and v}
        try:
            prepared = builder.prepare_inputs(
                exports=frames["exports"],
                gdp=frames["gdp"],
                dist=frames["dist"],
                notifications=frames.get("tbt"),
                developed=developed,
                dist_column=options["dist_column"],
                zeros=not options["reported_only"],
                domestic=options["domestic"],
                strict=options["strict"],
                names=names,
            )
            frame = builder.panel_from(prepared, dyads, lags=lags, leads=leads)
        except builder.PanelInputError as exc:
            raise CommandError(str(exc)) from exc
        source = dict(names)
        source.update(
            {
                "dist_column": options["dist_column"],
                "lags": [f"{v}:{k}" for v, k in lags],
                "leads": [f"{v}:{k}" for v, k in leads],
                "zeros": not options["reported_only"],
                "domestic": options["domestic"],
            }
        )
        panel, created = panel_store(
            frame, name=options["name"] or f"panel from release {release.number}", source=source, release=release
        )
        self.stdout.write(
            f"{'stored' if created else 'unchanged'} panel {panel.pk} ({panel.n_rows} rows, sha256 {panel.content_hash[:12]})"
        )
        summary = builder.panel_summary(frame, prepared)
        self.stdout.write(json.dumps(summary, indent=1))
        if prepared.zeros_added:
            self.stderr.write(
                f"{prepared.zeros_added} pair-years without a reported flow added as zeros "
                f"({summary['reported_rows']} reported)"
            )
        for line in merge_checks.describe(prepared.checks):
            self.stderr.write(f"warning: {line}")
        if summary["fta_unknown_depth"]:
            self.stderr.write(
                f"warning: {summary['fta_unknown_depth']} pair-years have an agreement in force with unknown "
                f"depth; their depth_fta is missing (pairs: {', '.join(summary['fta_unknown_depth_pairs'][:10])})"
            )
