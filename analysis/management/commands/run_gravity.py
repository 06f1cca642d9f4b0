"""`manage.py run_gravity`: gravity specifications on a panel as a background job (or inline),
results as JSON. Thin: analysis.services.runs creates and executes the run."""

import json
import math
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.importers.errors import ImportFailed

from ...models import ModelRun
from ...pure.errors import SpecError
from ...pure.presets import PRESETS
from ...selectors.runs import panel_get, run_waiting_reason
from ...services.panels import panel_import_csv
from ...services.runs import MAX_NAME, model_run_execute, model_run_request
from ._specs import read_spec_file

# Waits longer than a day are a typo, not a plan (a run's own time limit is far shorter).
MAX_WAIT_SECONDS = 86_400


def seconds_check(value, *, option):
    """A wait in seconds: a finite number above 0 and at most MAX_WAIT_SECONDS; CommandError
    naming the option otherwise ("nan", "-5" and "1e999" all parse as floats)."""
    if not (math.isfinite(value) and 0 < value <= MAX_WAIT_SECONDS):
        raise CommandError(f"{option}: {value!r} is not a number of seconds above 0 and at most {MAX_WAIT_SECONDS}")


class Command(BaseCommand):
    help = "Run gravity specifications on a panel as a background job and print the results as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "--panel",
            required=True,
            help="a stored panel's id or hash prefix (6 characters or more), or a panel CSV file",
        )
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--spec", help="a JSON file with one specification or a list of them")
        group.add_argument("--preset", choices=sorted(PRESETS))
        parser.add_argument("--years", help="comma-separated years for the preset, e.g. 1986,1990,1994")
        parser.add_argument("--wait", action="store_true", help="wait for the worker and print the results")
        parser.add_argument("--inline", action="store_true", help="run in this process instead of a worker")
        parser.add_argument(
            "--timeout",
            type=float,
            default=1800,
            metavar="SECONDS",
            help=f"with --wait: stop waiting after this long (default 1800, at most {MAX_WAIT_SECONDS})",
        )
        parser.add_argument(
            "--wait-timeout",
            type=float,
            default=60,
            metavar="SECONDS",
            help="with --wait: stop (exit 1) once the run has waited this long on a queue no live "
            "worker consumes, or on an unreachable task queue (default 60, at most "
            f"{MAX_WAIT_SECONDS})",
        )

    def handle(self, *args, **options):
        for option in ("timeout", "wait_timeout"):  # before any row is written
            seconds_check(options[option], option=f"--{option.replace('_', '-')}")
        panel = self.panel(options["panel"])
        try:
            spec = read_spec_file(options["spec"]) if options["spec"] else None
            run = model_run_request(
                panel=panel,
                spec=spec,
                preset_name=options["preset"],
                years=options["years"],
                dispatch=not options["inline"],
                name=options["preset"] or Path(options["spec"]).stem[:MAX_NAME],
            )
        except SpecError as exc:
            raise CommandError(f"specification error: {exc}") from exc
        if options["inline"]:
            run = model_run_execute(run_id=run.pk)
        elif options["wait"]:
            run = self.wait(run, timeout=options["timeout"], wait_timeout=options["wait_timeout"])
        else:
            # The task was sent on commit, so with Redis down the run is FAILED by now: say so
            # (and exit 1), never the QUEUED it was created as.
            run.refresh_from_db()
            if run.status != ModelRun.Status.FAILED:
                self.stdout.write(json.dumps({"run": run.pk, "status": run.status}))
                return
            self.stdout.write(json.dumps({"run": run.pk, "status": run.status, "error": run.error}))
            raise CommandError(f"run {run.pk} failed: {run.error}")
        self.stdout.write(json.dumps(run_output(run), indent=2))
        if run.status == ModelRun.Status.FAILED:
            raise CommandError(run.error)

    def wait(self, run, *, timeout, wait_timeout):
        """Poll until the run ends. A run that has waited `wait_timeout` seconds in a row with no live
        worker on its queue (or with the task queue unreachable) stops the wait, saying why: it stays
        QUEUED, and a worker started later still fits it."""
        deadline, waiting_since = time.monotonic() + timeout, None
        while not run.finished and time.monotonic() < deadline:
            reason, now = run_waiting_reason(run), time.monotonic()
            waiting_since = None if reason is None else (waiting_since or now)
            if waiting_since is not None and now - waiting_since >= wait_timeout:
                raise CommandError(
                    f"run {run.pk} is still {run.status.lower()} after {wait_timeout:g} s: {reason} "
                    "(the run stays queued; a worker started later takes it)"
                )
            time.sleep(0.5)
            run.refresh_from_db()
        return run

    def panel(self, ref):
        path = Path(ref)
        if path.suffix.lower() == ".csv":
            try:
                panel, _ = panel_import_csv(path=path)
            except ImportFailed as exc:
                raise CommandError(str(exc)) from exc
            return panel
        panel = panel_get(ref, user=None)  # the operator of the command line sees every panel
        if panel is None:
            raise CommandError(f"no panel '{ref}' (give a stored panel id or hash, or a CSV file)")
        return panel


def run_output(run):
    first = run.results[0] if run.results else {}
    return {
        "run": run.pk,
        "status": run.status,
        "panel": run.panel.content_hash,
        "n_obs": first.get("n_obs"),
        "converged": first.get("converged"),
        "coefficients": first.get("coefficients", {}),
        "results": run.results,
        "error": run.error or None,
        "versions": run.versions,
    }
