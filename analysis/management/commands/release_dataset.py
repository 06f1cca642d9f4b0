"""`manage.py release_dataset`: release the codings of a codebook version. Thin:
analysis.services.releases.release_create does the work."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from coding.pure import inclusion_rules
from coding.pure.agreement_list import AgreementListError, read_list_file
from coding.selectors.agreement_lists import agreement_ids_from_lines
from coding.selectors.codebooks import codebook_version_by_spec

from ...pure import bounds
from ...services.releases import release_create


class Command(BaseCommand):
    help = "Release the codings of one codebook version as an immutable, numbered dataset."

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--source", default="approved", help="'approved' (default) or a coder's name, e.g. 'DESTA 2.1'"
        )
        parser.add_argument("--method", default="additive", choices=["additive", "weighted", "pca", "irt"])
        parser.add_argument("--weights", help='JSON, e.g. {"tbt_harmon": 2}')
        parser.add_argument(
            "--agreements",
            metavar="FILE",
            help="release only these agreements: one per line, a workbench id, desta:N (tota:N, wto:N) or a name",
        )
        parser.add_argument(
            "--calibrate-with",
            metavar="SOURCES",
            help="with --method irt: fit the item parameters also on these sources' codings (comma-separated, "
            "e.g. 'DESTA 2.1,the study'); only the release's own agreements are scored",
        )
        parser.add_argument(
            "--strict", action="store_true", help="refuse when agreements break the codebook's sample (inclusion) rules"
        )

    def handle(self, *args, **options):
        try:
            version = codebook_version_by_spec(options["codebook"])
            method = {"name": options["method"]}
            if options["weights"]:
                method["weights"] = bounds.json_loads(options["weights"], "--weights")  # finite numbers only
            if options["calibrate_with"]:
                method["calibrate_with"] = [s.strip() for s in options["calibrate_with"].split(",") if s.strip()]
            agreements = None
            if options["agreements"]:
                agreements = agreement_ids_from_lines(_lines(options["agreements"]), source=options["agreements"])
            release, created = release_create(
                version=version,
                name=options["name"],
                source=options["source"],
                method=method,
                agreements=agreements,
                strict=options["strict"],
            )
        except json.JSONDecodeError as exc:
            raise CommandError(f"--weights: not JSON ({exc})") from exc
        except (ValidationError, ValueError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        except Exception as exc:  # unknown codebook
            if exc.__class__.__name__ == "DoesNotExist":
                raise CommandError(str(exc)) from exc
            raise
        state = "released" if created else "unchanged since"
        self.stdout.write(
            f"{state} release {release.number} “{release.name}”: {release.summary['n_agreements']} agreements, "
            f"sha256 {release.content_hash}"
        )
        latent = (release.summary or {}).get("irt")
        if latent:  # --method irt: the fit behind the scores, and what it rests on
            self.stdout.write(
                f"latent depth (EAP, posterior SD as depth_se): {latent['n_treaties']} "
                f"{'codings' if latent.get('calibration') else 'treaties'}, "
                f"{latent['n_answers']} answers, log-likelihood {latent['log_likelihood']:.3f}, "
                f"converged {latent['converged']}, slope {latent['slope']:.3f} (SE {latent['slope_se'] or float('nan'):.3f}), "
                f"marginal reliability {latent['marginal_reliability']:.3f}; tiers from the additive score"
            )
            calibration = latent.get("calibration")
            if calibration:
                counted = ", ".join(f"{source} {n}" for source, n in sorted(calibration["codings"].items()))
                self.stdout.write(
                    f"items calibrated on {calibration['release_codings']} codings of the release and {counted}; "
                    f"{release.summary['n_agreements']} agreements scored"
                )
            for warning in release.summary.get("warnings", []):
                self.stdout.write(f"warning: {warning}")
        restricted = release.summary.get("restricted_to")
        if restricted and restricted["not_coded"]:
            self.stderr.write(
                f"warning: {len(restricted['not_coded'])} of the {restricted['n_listed']} agreements listed have no "
                f"codes by {release.source}: ids {', '.join(map(str, restricted['not_coded']))}"
            )
        for breach in release.summary.get("inclusion", {}).get("breaches", []):
            self.stderr.write(f"warning: breaks the sample rules: {inclusion_rules.describe(breach)}")


def _lines(path):
    """The list file's lines, read by the one list parser (coding/pure/agreement_list.py)."""
    try:
        return read_list_file(path)
    except AgreementListError as exc:  # names the file, and the line of a bad byte
        raise CommandError(f"--agreements {exc}") from exc
