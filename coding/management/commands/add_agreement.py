"""`manage.py add_agreement`: an agreement in neither DESTA nor ToTA (the study's
Turkey-Palestinian Authority FTA; treaties signed after 2017), so that its text can be imported
and coded. Thin: coding.services.agreements.agreement_create checks and writes (the supervisors'
form on the agreements page calls the same service).

    manage.py add_agreement --name "Turkey-Palestinian Authority" --parties TUR,PSE --signed 2004 --in-force 2005
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ...services.agreements import agreement_create, party_codes_from
from ._base import importing_user_or_error


class Command(BaseCommand):
    help = "Add an agreement that is in neither DESTA nor ToTA (refused when it exists already)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--name-zh", default="", help="its Chinese name, shown beside the English one")
        parser.add_argument("--parties", required=True, help="ISO 3166 alpha-3 codes, e.g. TUR,PSE")
        parser.add_argument("--signed", required=True, help="the year it was signed")
        parser.add_argument("--in-force", default=None, help="the year it entered into force (if it has)")
        parser.add_argument("--user", help="the supervisor the history records it under")

    def handle(self, *args, **options):
        user = importing_user_or_error(options["user"])
        try:
            with translation.override(None):  # a command speaks English, whatever a caller's thread had active
                agreement = agreement_create(
                    name=options["name"],
                    name_zh=options["name_zh"],
                    parties=party_codes_from(options["parties"]),
                    year_signed=options["signed"],
                    entry_into_force_year=options["in_force"],
                    user=user,
                )
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages) + "\nNothing was added.") from exc
        self.stdout.write(
            f"Added agreement {agreement.pk}: {agreement.name} ({' '.join(agreement.party_codes)}, "
            f"signed {agreement.year_signed}"
            + (f", in force {agreement.entry_into_force_year}" if agreement.entry_into_force_year else "")
            + "). Import its text with: manage.py import_text FILE --agreement "
            + str(agreement.pk)
        )
