"""`manage.py precode`: the machine pre-coder's suggestions for agreements, printed and stored as
the codings of its machine coder, each with the sentence that supports it (for a 0: the chapters
searched). Thin: the service pre-codes the treaties it can read and lists the others with the
reason (exit 0 when something was pre-coded); --strict refuses the batch when any treaty cannot
be pre-coded, storing nothing."""

import json

from django.core.management.base import BaseCommand, CommandError

from ...models import Agreement
from ...selectors.precoder import PrecoderModelError, model_for
from ...services.precoder import PrecoderError, precodable_agreements, precode_batch
from ._base import codebook_version_or_error
from .train_precoder import read_agreement_list


class Command(BaseCommand):
    help = "Pre-code agreements with the machine pre-coder: suggested value, confidence and the supporting article."

    def add_arguments(self, parser):
        parser.add_argument("--codebook", required=True, help="CODE[:VERSION]")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--agreements", help="file of agreement references, one per line")
        which.add_argument("--all", action="store_true", help="every agreement with a text the pre-coder reads")
        parser.add_argument("--model", type=int, help="model number (default: the newest for the codebook)")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--no-store", action="store_true", help="print only; store no suggestion")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="refuse the whole batch (store nothing) when any treaty cannot be pre-coded",
        )

    def handle(self, *args, **options):
        version = codebook_version_or_error(options["codebook"])
        # The list is checked first: a file that cannot be read is named before any other work.
        listed = None if options["all"] else read_agreement_list(options["agreements"], option="--agreements")
        try:
            model = model_for(version=version, number=options["model"])
        except PrecoderModelError as exc:
            raise CommandError(f"{exc}\nNothing was stored.") from exc
        if options["all"]:
            candidates = (
                Agreement.objects.filter(current_text__isnull=False).select_related("current_text").order_by("pk")
            )
            agreements, skipped = precodable_agreements(candidates)
            if skipped:
                self.stderr.write(f"{len(skipped)} agreements left out, e.g. {skipped[0]}")
        else:
            agreements = Agreement.objects.filter(pk__in=listed).order_by("pk")
        try:
            result = precode_batch(
                version=version,
                agreements=agreements,
                model=model,
                store=not options["no_store"],
                strict=options["strict"],
            )
        except PrecoderError as exc:
            raise CommandError(str(exc)) from exc
        rows, refused = result["rows"], result["refused"]
        if refused:
            self.stderr.write(f"{len(refused)} agreements not pre-coded:")
            for item in refused:
                self.stderr.write(f"  {item['agreement']}: {item['reason']}")
        if not rows and refused:
            raise CommandError(f"none of the {len(refused)} agreements could be pre-coded; nothing was stored")
        if options["format"] == "json":
            keys = ("agreement", "indicator", "value", "confidence", "evidence", "chapters_searched")
            self.stdout.write(
                json.dumps([{k: row[k] for k in keys if k in row} for row in rows], indent=2, ensure_ascii=False)
            )
            return
        for row in rows:
            best = row["evidence"][0] if row["evidence"] else None
            if best:
                where = f"{best['number'] or best['article']} ({best['score']:.2f}): {best.get('sentence', '')[:80]}"
            else:
                where = "searched: " + "; ".join(row.get("chapters_searched", []))[:100]
            value = "—" if row["value"] is None else row["value"]
            self.stdout.write(
                f"{row['agreement']:<14}{row['indicator']:<16}{value:>3}{row['confidence']:>8.2f}  {where}"
            )
