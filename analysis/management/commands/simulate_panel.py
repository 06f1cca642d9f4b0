"""`manage.py simulate_panel`: store a seeded, clearly synthetic gravity panel for demos. Thin:
analysis/pure/simulate.py simulates, analysis.services.panels.panel_store stores."""

from django.core.management.base import BaseCommand

from ...pure.simulate import TRUE_BETA, simulate
from ...services.panels import panel_store


class Command(BaseCommand):
    help = "Store a seeded, clearly synthetic structural gravity panel (true RTA effect 0.40) for demos."

    def add_arguments(self, parser):
        parser.add_argument("--countries", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, **options):
        frame = simulate(countries=options["countries"], seed=options["seed"])
        panel, created = panel_store(
            frame,
            name=f"SYNTHETIC demo panel (true RTA effect {TRUE_BETA})",
            source={
                "simulator": "analysis.pure.simulate",
                "seed": options["seed"],
                "countries": options["countries"],
                "true_beta": TRUE_BETA,
            },
            synthetic=True,
        )
        self.stdout.write(f"{'stored' if created else 'unchanged'} panel {panel.pk}: {panel.name}, {panel.n_rows} rows")
