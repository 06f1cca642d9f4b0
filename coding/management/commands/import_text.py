from ._base import ImportCommand
from ...selectors import agreement_get_by_ref
from ...services import text_import_file


class Command(ImportCommand):
    help = "Import one treaty text (.txt or .pdf), split into chapters and articles by their headings."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--agreement", required=True, help="id, desta:N, tota:N or wto:N")

    def handle(self, *args, **options):
        agreement = agreement_get_by_ref(options["agreement"])
        result = text_import_file(agreement=agreement, path=options["path"])
        state = "imported" if result["changed"] else "unchanged"
        self.stdout.write(
            f"{agreement} ({agreement.pk}): text {state}, {result['chapters']} chapters, {result['articles']} articles"
        )
        if result["changed"] and result["articles"] == 1:
            self.stdout.write("No headings found: the text is one article; a supervisor can split it in the admin.")
