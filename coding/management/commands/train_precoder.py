"""`manage.py train_precoder`: learn the machine pre-coder from a reference coder's codings and
the treaty texts; prints the cross-validated agreement per indicator. Thin: the service trains."""

import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...selectors.agreement_lists import AgreementListError, agreement_ids_from_file
from ...services.precoder import PrecoderError, precoder_train
from ._base import codebook_version_or_error


def read_agreement_list(path, *, option, allow_empty=False):
    """Agreement ids from a file of agreements, one per line (an id, desta:N, tota:N, wto:N or a
    name; blank lines and # comments ignored), read by the one list parser the release form and
    `release_dataset --agreements` use too. CommandError naming the option, the file and the
    line: a file that cannot be read as UTF-8 text, or lines that name no single agreement."""
    try:
        return agreement_ids_from_file(path, allow_empty=allow_empty)
    except AgreementListError as exc:
        raise CommandError(f"{option} {exc}") from exc
    except ValidationError as exc:
        raise CommandError(f"{option} {' '.join(exc.messages)}") from exc


class Command(BaseCommand):
    help = (
        "Train the machine pre-coder on a reference coder's codings (5-fold cross-validated kappa and alpha, "
        "grouped by treaty text, with each indicator's abstention rate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        parser.add_argument("--reference", default="DESTA 2.1", help='the reference coder to learn from ("DESTA 2.1")')
        parser.add_argument("--exclude", help="file of agreements to leave out (held out), one reference per line")
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        exclude = (
            read_agreement_list(options["exclude"], option="--exclude", allow_empty=True) if options["exclude"] else []
        )
        if not 2 <= options["folds"] <= 20:
            raise CommandError("--folds must be between 2 and 20")

        def progress(n, total):
            sys.stderr.write(f"cross-validation: fold {n} of {total}\n")

        try:
            model = precoder_train(
                version=version,
                reference=options["reference"],
                exclude=exclude,
                folds=options["folds"],
                progress=progress,
            )
        except PrecoderError as exc:
            raise CommandError(f"{exc}\nNothing was stored.") from exc
        # Kappa, alpha and accuracy are on the items the model answered; beside them how often it
        # abstained and the kappa counting an abstention as a miss (issue 24).
        agreement_keys = ("n", "kappa", "alpha", "accuracy")
        abstention_keys = ("n_all", "abstention", "kappa_missed", "kappa_all", "threshold_mean")
        cv = {code: {k: row.get(k) for k in agreement_keys} for code, row in model.cross_validation.items()}
        abstention = {code: {k: row.get(k) for k in abstention_keys} for code, row in model.cross_validation.items()}
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "model": model.number,
                        "coder": model.coder_name,
                        "codebook": str(version),
                        "reference": model.reference,
                        "training_agreements": len(model.training_agreements),
                        "training_hash": model.training_hash,
                        "left_out": {k: len(v) for k, v in model.left_out.items()},
                        "packages": model.packages,
                        "seconds": model.seconds,
                        "file": model.file,
                        "cross_validation": cv,
                        "abstention": abstention,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"model {model.number} ({model.coder_name}) for {version}, trained on {len(model.training_agreements)} "
            f"agreements coded by {model.reference} in {model.seconds:.1f} s"
        )
        for reason, refs in model.left_out.items():
            self.stdout.write(f"left out ({reason}): {len(refs)}")
        self.stdout.write(f"training-set hash {model.training_hash}; file MEDIA_ROOT/{model.file}")
        self.stdout.write(f"{options['folds']}-fold cross-validated agreement with {model.reference}:")
        self.stdout.write("(on the answered items; abstained: no suggestion, below the indicator's threshold)")
        self.stdout.write(
            f"{'indicator':<16}{'n':>5}{'kappa':>8}{'alpha':>8}{'accuracy':>10}{'abstained':>11}{'kappa (miss)':>14}"
        )

        def fmt(value, width=8):
            return f"{value:{width}.3f}" if value is not None else f"{'—':>{width}}"

        for code, row in cv.items():
            extra = abstention[code]
            self.stdout.write(
                f"{code:<16}{row['n']:>5}{fmt(row['kappa'])}{fmt(row['alpha'])}{fmt(row['accuracy'], 10)}"
                f"{fmt(extra['abstention'], 11)}{fmt(extra['kappa_missed'], 14)}"
            )
        kappas = [row["kappa"] for row in cv.values() if row["kappa"] is not None]
        if kappas:
            self.stdout.write(f"mean kappa {sum(kappas) / len(kappas):.3f}")
