"""`manage.py run_sensitivity`: the same gravity specifications on the panels of several sources of
codes, one column per source, as JSON. Thin: analysis.services.sensitivity builds (or reuses) the
releases and panels and creates the runs; analysis.selectors.sensitivity reads the results."""

import json
import time
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from coding.selectors.codebooks import codebook_version_by_spec

from ...pure import merge_checks, panel_inputs
from ...pure import panel_builder as builder
from ...pure.presets import PRESETS, specs_from
from ...selectors.sensitivity import sensitivity_output
from ...services.sensitivity import ERRORS, PanelOptions, sensitivity_run_create, sensitivity_run_execute
from ._specs import read_spec_file


class Command(BaseCommand):
    help = (
        "Fit the same gravity specifications on one release and panel per source of codes (e.g. approved, "
        "DESTA 2.1, the study, a coder), built from the same inputs, and print one column per source as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        parser.add_argument(
            "--sources", required=True, help='comma-separated, e.g. "approved,DESTA 2.1,the study,coder_a"'
        )
        parser.add_argument(
            "--exports", required=True, help="UN Comtrade-style CSV (reporter, partner, year, commodity, value)"
        )
        parser.add_argument("--gdp", required=True, help=panel_inputs.WDI_FORMAT)
        parser.add_argument("--dist", required=True, help="CEPII GeoDist CSV")
        parser.add_argument("--tbt", help="TBT notifications CSV (notifying_member, date_of_distribution)")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--spec", help="a JSON file with one specification or a list of them")
        group.add_argument("--preset", choices=sorted(PRESETS))
        parser.add_argument("--years", help="comma-separated years for the preset")
        parser.add_argument("--dist-column", default=panel_inputs.DIST_COLUMN)
        parser.add_argument("--lags", default="", help="extra lags VAR:K[,VAR:K] (the study's are always added)")
        parser.add_argument("--leads", default="")
        parser.add_argument("--reported-only", action="store_true", help="panels of reported flows only (no zeros)")
        parser.add_argument("--domestic", action="store_true", help="keep domestic pairs")
        parser.add_argument("--strict", action="store_true", help="merge-check findings are errors")
        parser.add_argument(
            "--no-common",
            dest="common",
            action="store_false",
            help="do not restrict every source to the treaties all sources code (common support is on by default)",
        )
        parser.add_argument("--name", default="")
        run = parser.add_mutually_exclusive_group()
        run.add_argument("--wait", action="store_true", help="wait for the worker and print the results")
        run.add_argument("--inline", action="store_true", help="fit in this process instead of a worker")
        parser.add_argument("--timeout", type=int, default=3600)

    def handle(self, *args, **options):
        try:
            version = codebook_version_by_spec(options["codebook"])
        except (ObjectDoesNotExist, ValueError) as exc:  # no such codebook or version, or a version that is no number
            raise CommandError(f"no codebook '{options['codebook']}' ({exc})") from exc
        try:
            specs = specs_from(
                spec=read_spec_file(options["spec"]) if options["spec"] else None,
                preset_name=options["preset"],
                years=options["years"],
            )
            lags = list(builder.STUDY_LAGS) + [
                s for s in builder.parse_shifts(options["lags"]) if s not in builder.STUDY_LAGS
            ]
            panel_options = PanelOptions(
                dist_column=options["dist_column"],
                zeros=not options["reported_only"],
                domestic=options["domestic"],
                strict=options["strict"],
                lags=tuple(lags),
                leads=tuple(builder.parse_shifts(options["leads"])),
            )
            sensitivity = sensitivity_run_create(
                version=version,
                sources=options["sources"].split(","),
                specs=specs,
                options=panel_options,
                files={kind: options[kind] for kind in panel_inputs.INPUTS},
                dispatch=not options["inline"],
                common=options["common"],
                name=options["name"] or options["preset"] or Path(options["spec"]).stem,
            )
        except ERRORS as exc:
            raise CommandError(" ".join(getattr(exc, "messages", None) or [str(exc)])) from exc
        if options["inline"]:
            sensitivity_run_execute(sensitivity=sensitivity)
        elif options["wait"]:
            deadline = time.monotonic() + options["timeout"]
            while time.monotonic() < deadline and not all(
                c.run.finished for c in sensitivity.columns.select_related("run")
            ):
                time.sleep(0.5)
        sensitivity.refresh_from_db()
        output = sensitivity_output(sensitivity)
        self.stdout.write(json.dumps(output, indent=2))
        for line in merge_checks.describe(sensitivity.checks or {}):
            self.stderr.write(f"warning: {line}")
        for column in output["columns"]:
            for line in column["warnings"]:
                self.stderr.write(f"warning: {column['source']}: {line}")
        if output["status"] == "FAILED":
            raise CommandError("; ".join(f"{c['source']}: {c['error']}" for c in output["columns"] if c["error"]))
