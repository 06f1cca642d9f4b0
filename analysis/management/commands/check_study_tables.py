"""`manage.py check_study_tables`: the study's published tables against their own codes and
DESTA 2.1's. Thin: selectors read the codes, the pure analysis/pure/compare.py checks."""

import json

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

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
        parser.add_argument("--replicates", type=int, default=2000, help="bootstrap replicates (100-20000)")
        parser.add_argument("--seed", type=int, default=0)

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
        if not 100 <= options["replicates"] <= 20000:
            raise CommandError(f"--replicates must be from 100 to 20000, got {options['replicates']}")
        report = check_study_tables(
            table5,
            table6,
            depth_indicators=indicators,
            claimed_count=options["claimed"],
            desta_depth=desta_depth,
            tiers=version.tiers,
            replicates=options["replicates"],
            seed=options["seed"],
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
            for line in agreement_lines(report["agreement"]):
                self.stdout.write(line)
        else:
            self.stdout.write("DESTA 2.1 codes not imported: run import_desta_codings to compare.")


def _interval(spread, name):
    """ "0.726 [0.60, 0.86] / bootstrap [0.57, 0.83]", or why it is not estimable."""
    value, interval = spread["estimates"].get(name), spread["uncertainty"].get(name)
    if value is None or interval is None:
        return f"not estimable ({spread['not_estimable'].get(name, 'no value')})"
    lo, hi = interval["ci"]
    blo, bhi = interval["bootstrap_ci"]
    return f"{value:.3f} [{lo:.2f}, {hi:.2f}] / bootstrap [{blo:.2f}, {bhi:.2f}]"


def agreement_lines(agreement):
    """The depth score's and the tier's agreement between Table 5 and DESTA 2.1, as agreement_report
    prints a score: analytic 95% interval, then the percentile bootstrap over treaties."""
    depth = agreement["depth"]
    within = depth.get("within_one")
    lines = [
        f"Agreement on the depth score, {depth['n_units']} FTAs in both (95% analytic / bootstrap over treaties,"
        f" {depth['replicates']} replicates, seed {depth['seed']}):",
        f"  exact agreement   {_interval(depth, 'percent_agreement')}",
        f"  within +-1        {'not estimable' if within is None else f'{within:.3f}'}",
        f"  interval alpha    {_interval(depth, 'krippendorff_alpha')}",
        f"  quadratic kappa   {_interval(depth, 'weighted_kappa')}",
    ]
    below = depth.get("p_alpha_below") or {}
    if below:
        lines.append("  P(alpha < .667) = {:.2f}, P(alpha < .800) = {:.2f}".format(below["0.667"], below["0.800"]))
    if "tier" in agreement:
        tier = agreement["tier"]
        lines.append(f"Agreement on the tier, {tier['n_units']} FTAs with a tier in both:")
        lines.append(f"  ordinal alpha     {_interval(tier, 'krippendorff_alpha')}")
        lines.append(f"  exact agreement   {_interval(tier, 'percent_agreement')}")
    return lines
