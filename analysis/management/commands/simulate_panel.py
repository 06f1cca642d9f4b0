from django.core.management.base import BaseCommand

from ...services import panel_store
from ...simulate import TRUE_BETA, simulate


class Command(BaseCommand):
    help = "Store a seeded, clearly synthetic structural gravity panel (true RTA effect 0.40) for demos."

    def add_arguments(self, parser):
        parser.add_argument("--countries", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, **options):
        frame = simulate(countries=options["countries"], seed=options["seed"])
        panel, created = panel_store(frame, name=f"SYNTHETIC demo panel (true RTA effect {TRUE_BETA})",
                                     source={"simulator": "analysis.simulate", "seed": options["seed"],
                                             "countries": options["countries"], "true_beta": TRUE_BETA}, synthetic=True)
        self.stdout.write(f"{'stored' if created else 'unchanged'} panel {panel.pk}: {panel.name}, {panel.n_rows} rows")
