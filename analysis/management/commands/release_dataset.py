"""`manage.py release_dataset`: release the codings of a codebook version. Thin:
analysis.services.releases.release_create does the work."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

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
        parser.add_argument("--method", default="additive", choices=["additive", "weighted", "pca"])
        parser.add_argument("--weights", help='JSON, e.g. {"tbt_harmon": 2}')

    def handle(self, *args, **options):
        try:
            version = codebook_version_by_spec(options["codebook"])
            method = {"name": options["method"]}
            if options["weights"]:
                method["weights"] = bounds.json_loads(options["weights"], "--weights")  # finite numbers only
            release, created = release_create(
                version=version, name=options["name"], source=options["source"], method=method
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
