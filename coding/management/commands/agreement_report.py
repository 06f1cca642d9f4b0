"""`manage.py agreement_report`: inter-coder agreement per indicator as a table, CSV or JSON.
A command is thin like a page: it reads its options and calls the dashboard selectors."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from ...models import Agreement
from ...pure.agreement_intervals import DEFAULT_REPLICATES
from ...pure.csv_safe import SafeWriter
from ...selectors.agreement_uncertainty import scores_with_uncertainty, uncertainty_by_indicator
from ...selectors.agreements import AgreementRefError, agreement_get_by_ref
from ...selectors.dashboard import accuracy_by_coder, agreements_coded_by, coders_with_codings, pairwise_by_indicator
from ._base import codebook_version_or_error
from ._precoder_rows import precoder_report, write_precoder

COLUMNS = [
    "n_units",
    "n_coders",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "gwet_ac",
    "level",
]


def split_list(text):
    """Comma-separated names; quotes allowed so names may contain spaces or commas."""
    return [item.strip() for item in next(csv.reader([text], skipinitialspace=True)) if item.strip()] if text else None


SHORT = {
    "percent_agreement": "%agree",
    "cohen_kappa": "cohen",
    "fleiss_kappa": "fleiss",
    "krippendorff_alpha": "alpha",
    "gwet_ac": "gwet",
    "weighted_kappa": "kappa_w",
}


def interval_line(row):
    """'    alpha [lo, hi] / [lo, hi]  ...  P(alpha<.667)=p  min n=N' for the table."""

    def pair(values):
        return f"[{values[0]:.2f}, {values[1]:.2f}]" if values else "—"

    parts = [
        f"{SHORT.get(name, name)} {pair(s['ci'])}/{pair(s['bootstrap_ci'])}"
        for name, s in row["uncertainty"].items()
        if s
    ]
    below = row.get("p_alpha_below")
    if below:
        parts.extend(f"P(alpha<{k.lstrip('0')})={v:.2f}" for k, v in below.items())
    parts.append(f"min n={row['min_units']}")
    if row.get("n_analytic") not in (None, row["n_units"]):  # irrCAC's analytic n counts treaties coded once
        parts.append(f"analytic n={row['n_analytic']}")
    return "    " + "  ".join(parts)


class Command(BaseCommand):
    help = "Inter-coder agreement per indicator (percent, Cohen, Fleiss, Krippendorff, Gwet) over submitted codings."

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        parser.add_argument("--coders", help='comma-separated usernames, e.g. "the study","DESTA 2.1"')
        parser.add_argument("--agreements", help="comma-separated references (id, desta:N, tota:N, wto:N)")
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")
        parser.add_argument(
            "--detail",
            action="store_true",
            help="also every coder pair and each coder's accuracy against the approved coding (json)",
        )
        parser.add_argument(
            "--precoder",
            type=int,
            nargs="?",
            const=0,
            metavar="N",
            help="also the machine pre-coder (model N, default the newest) vs its reference and approved values",
        )
        parser.add_argument(
            "--replicates",
            type=int,
            default=DEFAULT_REPLICATES,
            help=f"bootstrap replicates over agreements behind each interval (default {DEFAULT_REPLICATES})",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (same seed, same intervals)")

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        agreements = None
        if options["agreements"]:
            try:
                agreements = [agreement_get_by_ref(r) for r in split_list(options["agreements"])]
            except AgreementRefError as exc:
                raise CommandError(str(exc)) from exc
            agreements = Agreement.objects.filter(pk__in=[a.pk for a in agreements])
        coders = split_list(options["coders"])
        note = None
        if coders:
            known = coders_with_codings(version=version)
            unknown = [c for c in coders if c not in known]
            if unknown:
                raise CommandError(
                    f"unknown coder(s) {', '.join(map(repr, unknown))}: no codings under {version}; "
                    f"coders with codings under this version: {', '.join(map(repr, known)) or '(none)'}"
                )
            if agreements is None:
                # As the supervisor dashboard: a unit coded by one chosen coder alone is left out.
                agreements = agreements_coded_by(version=version, coders=coders)
                note = "note: only the {n} agreements coded (submitted) by at least two of the chosen coders are used"
        if options["replicates"] < 1:
            raise CommandError(f"--replicates must be at least 1, not {options['replicates']}")
        spread = {"replicates": options["replicates"], "seed": options["seed"]}
        results = uncertainty_by_indicator(version=version, coders=coders, agreements=agreements, **spread)
        scores = scores_with_uncertainty(version=version, coders=coders, agreements=agreements, **spread)
        report = {
            "codebook": version.codebook.code,
            "version": version.number,
            "indicators": results,
            "scores": scores,
            "bootstrap": {**spread, "unit": "agreement", "interval": "percentile 95%"},
        }
        if agreements is not None:
            report["agreements"] = agreements.count()
            note = note and note.format(n=report["agreements"])
        if options["detail"]:
            report["pairs"] = pairwise_by_indicator(version=version, coders=coders, agreements=agreements)
            report["accuracy"] = accuracy_by_coder(
                version=version,
                coders=coders
                or sorted({c for per in report["pairs"].values() for p in per for c in (p["coder_a"], p["coder_b"])}),
            )
        machine = (
            precoder_report(version=version, number=options["precoder"]) if options["precoder"] is not None else None
        )
        if machine:
            report["precoder"] = machine
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        elif options["format"] == "csv":
            writer = SafeWriter(self.stdout)  # data, not formulas: coding/pure/csv_safe.py
            writer.writerow(["indicator", *COLUMNS, "warnings"])
            for code, row in results.items():
                writer.writerow([code, *[row[c] for c in COLUMNS], " | ".join(row["warnings"])])
            if note:  # last, so the header stays the first line; pandas skips it with comment="#"
                self.stdout.write(f"# {note}")
        else:
            self.stdout.write(
                f"{version.codebook.code} v{version.number}" + (f", coders: {', '.join(coders)}" if coders else "")
            )
            if note:
                self.stdout.write(note)
            header = f"{'indicator':<34}{'level':<9}{'n':>4}{'coders':>7}{'%agree':>8}{'cohen':>8}{'fleiss':>8}{'alpha':>8}{'gwet':>8}"
            self.stdout.write(header)

            def fmt(value):
                return f"{value:8.3f}" if isinstance(value, (int, float)) and value is not None else f"{'—':>8}"

            for code, row in [*results.items(), *scores.items()]:
                self.stdout.write(
                    f"{code:<34}{row['level']:<9}{row['n_units']:>4}{row['n_coders']:>7}"
                    + "".join(
                        fmt(row[c])
                        for c in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac")
                    )
                )
                self.stdout.write(interval_line(row))
                for warning in row["warnings"]:
                    self.stdout.write(f"    ! {warning}")
            self.stdout.write(
                f"95% intervals: analytic (Gwet, conditional on the coders) / bootstrap over agreements "
                f"({options['replicates']} replicates, seed {options['seed']})"
            )
        if machine and options["format"] != "json":
            write_precoder(self.stdout, machine, options["format"])
