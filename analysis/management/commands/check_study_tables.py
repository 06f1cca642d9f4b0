"""`manage.py check_study_tables`: the study's published tables against their own codes and
DESTA 2.1's. Thin: selectors read the codes, the pure analysis/pure/compare.py checks."""

import json

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand

from coding.pure.depth import additive
from coding.selectors.codebooks import codebook_version_get

from ...pure.compare import check_study_tables
from ...selectors.releases import agreement_facts, source_codes


class Command(BaseCommand):
    help = (
        "Check the study's published tables: totals recomputed from codes (Table 6), the number of FTAs "
        "claimed vs listed (Table 5), and Table 5 scores vs DESTA 2.1's codes recomputed the same way."
    )

    def add_arguments(self, parser):
        reference = settings.SHARED_DIR / "reference"
        parser.add_argument("--table5", default=str(reference / "paper_table5_depth_scores.csv"))
        parser.add_argument("--table6", default=str(reference / "paper_table6_china_codings.csv"))
        parser.add_argument("--claimed", type=int, default=62, help="number of FTAs the text claims (62)")
        parser.add_argument("--desta-coder", default="DESTA 2.1")
        parser.add_argument("--codebook", default="desta-tbt")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options):
        version = codebook_version_get(code=options["codebook"])
        indicators = version.depth_indicators
        table5, table6 = pd.read_csv(options["table5"], dtype={"desta_number": str}), pd.read_csv(options["table6"])
        codes = source_codes(version=version, source=options["desta_coder"])
        desta_depth = None
        if not codes.empty:
            numbers = {pk: facts["desta_number"] for pk, facts in agreement_facts(list(codes.index)).items()}
            depth = additive(codes, indicators)
            desta_depth = {numbers[i]: d for i, d in depth.items() if d == d}
        report = check_study_tables(
            table5, table6, depth_indicators=indicators, claimed_count=options["claimed"], desta_depth=desta_depth
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        for row in report["printed_total_differs"]:
            self.stdout.write(
                f"Table 6: {row['row']}: printed total {row['printed']:g}, its codes sum to {row['recomputed']:g}"
            )
        if report["count_mismatch"]:
            self.stdout.write(f"Table 5: the text claims {report['claimed']} FTAs, the table lists {report['listed']}")
        if "differs_from_desta" in report:
            self.stdout.write(
                f"Table 5 vs DESTA 2.1 (same formula): {report['same_as_desta']} equal, "
                f"{len(report['differs_from_desta'])} differ, {len(report['not_in_desta'])} not coded by DESTA"
            )
            for row in report["differs_from_desta"]:
                self.stdout.write(f"  {row['fta']:<34} study {row['study']:g}  DESTA {row['desta']:g}")
        else:
            self.stdout.write("DESTA 2.1 codes not imported: run import_desta_codings to compare.")
