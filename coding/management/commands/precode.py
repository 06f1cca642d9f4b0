"""`manage.py precode`: the machine pre-coder's suggestions for agreements, printed and stored as
the codings of its machine coder. Thin: the service checks every treaty first and stores all or
nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from ...models import Agreement
from ...selectors.precoder import PrecoderModelError, model_for, precodable
from ...services.precoder import PrecoderError, precode
from ._base import codebook_version_or_error
from .train_precoder import read_agreement_list


class Command(BaseCommand):
    help = "Pre-code agreements with the machine pre-coder: suggested value, confidence and the supporting article."

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--agreements", help="file of agreement references, one per line")
        which.add_argument("--all", action="store_true", help="every agreement with a text in the model's language")
        parser.add_argument("--model", type=int, help="model number (default: the newest for the codebook)")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--no-store", action="store_true", help="print only; store no suggestion")

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        try:
            model = model_for(version=version, number=options["model"])
        except PrecoderModelError as exc:
            raise CommandError(f"{exc}\nNothing was stored.") from exc
        if options["all"]:
            candidates = (
                Agreement.objects.filter(current_text__isnull=False).select_related("current_text").order_by("pk")
            )
            agreements, skipped = precodable(candidates, language=model.language)
            if skipped:
                self.stderr.write(f"{len(skipped)} agreements left out, e.g. {skipped[0]}")
        else:
            agreements = Agreement.objects.filter(pk__in=read_agreement_list(options["agreements"])).order_by("pk")
        try:
            rows = precode(version=version, agreements=agreements, model=model, store=not options["no_store"])
        except PrecoderError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    [
                        {k: row[k] for k in ("agreement", "indicator", "value", "confidence", "evidence")}
                        for row in rows
                    ],
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return
        for row in rows:
            best = row["evidence"][0] if row["evidence"] else None
            where = f"{best['number'] or best['article']} ({best['score']:.2f})" if best else "—"
            self.stdout.write(
                f"{row['agreement']:<14}{row['indicator']:<16}{row['value']:>3}{row['confidence']:>8.2f}  {where}"
            )
