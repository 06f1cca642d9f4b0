"""`manage.py load_demo`: the demo of both apps (config/demo.py). It lives in the analysis app
because a command must live in an installed app and analysis may import coding, not the reverse."""

from django.core.management.base import BaseCommand

from config.demo import DEMO_USERS, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo: both codebooks, the study's 61 FTAs, demo users and their ToTA texts. "
        "Loading it again adds nothing (`make up` loads it at every start)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-texts", action="store_true", help="skip the ToTA texts")

    def handle(self, *args, **options):
        demo_load(log=self.stdout.write, with_texts=not options["no_texts"])
        self.stdout.write("Demo logins (username / password):")
        for username, password, role, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<11} {username} / {password}")
