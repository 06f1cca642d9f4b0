"""An API token for scripts: `manage.py issue_token USERNAME [--rotate]` prints it.

    curl -H "Authorization: Token $(manage.py issue_token coder_a)" http://127.0.0.1:8000/api/agreements/

One token per user; asking again prints the same one, --rotate replaces it (the old one stops
working at once). Reference coders (DESTA 2.1, the study) never log in, so they get none.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from ...roles import REFERENCE


class Command(BaseCommand):
    help = "Print the API token of USERNAME (made on first use); --rotate replaces it with a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="delete the user's token and issue a new one (scripts using the old one stop working)",
        )

    def handle(self, *args, username, rotate, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"no user named '{username}'") from None
        if user.groups.filter(name=REFERENCE).exists():
            raise CommandError(
                f"'{username}' is a reference coder: reference coders never log in, so they get no token"
            )
        if not user.is_active:
            raise CommandError(f"'{username}' is inactive: activate the account before issuing a token")
        with transaction.atomic():
            if rotate:
                replaced = Token.objects.filter(user=user).delete()[0]
                token, created = Token.objects.create(user=user), True
            else:
                replaced = 0
                token, created = Token.objects.get_or_create(user=user)
        if rotate:
            note = "new token; the old one no longer works" if replaced else "new token (there was none before)"
        else:
            note = "new token" if created else "existing token (--rotate replaces it)"
        self.stderr.write(f"{note} for {username}:")
        self.stdout.write(token.key)
