"""`manage.py import_text`: one treaty text (.txt or .pdf) for one agreement, split by its headings.
Thin: coding.services.texts does the work, atomically. A different text is the agreement's next
text version; over a treaty that has codings only with --new-version."""

from django.core.management.base import CommandError

from ...selectors.agreements import agreement_get_by_ref
from ...services import text_import_file
from ...services.texts import NewVersionNotConfirmed
from ._base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import one treaty text (.txt or .pdf), split into chapters and articles by their headings. The file is "
        "judged by its content: a Word document, image or archive is refused whatever its name."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--agreement", required=True, help="id, desta:N, tota:N or wto:N")
        parser.add_argument(
            "--new-version",
            action="store_true",
            help="the treaty has codings: import a different text as its next version anyway "
            "(codings stay on the version they were made on)",
        )
        parser.add_argument("--note", default="", help="what changed, kept with the text version")

    def handle(self, *args, **options):
        agreement = agreement_get_by_ref(options["agreement"])
        try:
            result = text_import_file(
                agreement=agreement, path=options["path"], new_version=options["new_version"], note=options["note"]
            )
        except NewVersionNotConfirmed as exc:
            raise CommandError(
                f"{agreement} ({agreement.pk}) has {exc.codings} coding{'s' if exc.codings != 1 else ''} and "
                f"{options['path']} is a different text. Run again with --new-version to import it as a new "
                "text version (the codings stay on the version they were made on).\nNothing was imported."
            ) from exc
        state = (
            f"imported as version {result['version']}"
            if result["changed"]
            else f"unchanged (version {result['version']})"
        )
        self.stdout.write(
            f"{agreement} ({agreement.pk}): text {state}, {result['chapters']} chapters, {result['articles']} articles"
        )
        if result["changed"] and result["articles"] == 1:
            self.stdout.write("No headings found: the text is one article; a supervisor can split it in the admin.")
