"""Reads of panels and model runs, and whether a user may see them. Reads only: a panel built from
a release carries its treaties, so it is visible exactly when its release is (the rule is
coding/visibility.py's; releases.release_visible_to maps the release to it), and a run when its
panel is."""

from coding import visibility
from coding.pure.ids import MAX_DATABASE_ID, parse_id
from jobs.progress import job_error_text
from jobs.selectors import job_waiting_reason

from ..models import ModelRun, Panel, SpecFit
from ..pure.plausible_values import draw_of
from .releases import release_visible_to

# A run's status values (QUEUED, RUNNING, DONE, FAILED, CANCELLED), for pages and APIs, which
# import no models module.
RunStatus = ModelRun.Status


def panel_visible_to(user, panel, *, blind=None) -> bool:
    """A panel built from a release carries that release's treaties (its FTA and depth columns):
    whoever may not open the release may not see the panel, nor any run on it, its tables, plots,
    status or API rows. Panels not built from a release show no coded values."""
    if not user.is_authenticated:
        return False
    return panel.release is None or release_visible_to(user, panel.release, blind=blind)


def panels_for(user):
    blind = visibility.agreements_in_blind_coding(user)
    return [p for p in Panel.objects.select_related("release") if panel_visible_to(user, p, blind=blind)]


def panel_get(ref, *, user):
    """A stored panel by id or content-hash prefix (at least 6 hex characters), or None: the one
    lookup of the run page, the API and `run_gravity`. With `user`, only a panel that user may see
    (`user=None`: the command line, whose operator sees every panel)."""
    ref = str(ref).strip()
    panel = None
    if parse_id(ref) is not None:
        panel = Panel.objects.select_related("release").filter(pk=parse_id(ref)).first()
    if panel is None and len(ref) >= 6 and all(c in "0123456789abcdef" for c in ref):
        panel = Panel.objects.select_related("release").filter(content_hash__startswith=ref).first()
    if panel is None or (user is not None and not panel_visible_to(user, panel)):
        return None
    return panel


def runs_for(user, *, ids=None, status=None, limit=None):
    """Model runs `user` may see, newest first (or only `ids`, in any order), each with its panel
    and the panel's release loaded."""
    runs = ModelRun.objects.select_related("panel__release__version__codebook", "created_by")
    if ids is not None:
        runs = runs.filter(pk__in=list(ids))
    if status is not None:
        runs = runs.filter(status=status)
    if visibility.sees_everything(user):
        return list(runs[:limit] if limit else runs)
    blind = visibility.agreements_in_blind_coding(user)
    visible = [run for run in runs if panel_visible_to(user, run.panel, blind=blind)]
    return visible[:limit] if limit else visible


def run_get(user, pk):
    """One run `user` may see, or None: a run on a panel the user may not see does not exist for
    them (no 403 that would confirm it does)."""
    if not 0 <= pk <= MAX_DATABASE_ID:  # /analysis/runs/99999999999999999999/: no such run, not an overflow
        return None
    found = runs_for(user, ids=[pk])
    return found[0] if found else None


def run_fits(run):
    """The specifications of a fanned-out run with each one's own state, in order (none for a run
    fitted in one task): position, label, status, progress, message, error and worker."""
    if not run.fan_out:
        return []
    fits = (
        SpecFit.objects.filter(run=run)
        .order_by("position")
        .only(
            "position",
            "spec",
            "status",
            "progress",
            "progress_message",
            "progress_code",
            "progress_params",
            "error",
            "error_code",
            "error_params",
            "worker",
        )
    )
    return [
        {
            "position": fit.position + 1,
            "label": (fit.spec or {}).get("label") or (fit.spec or {}).get("formula", ""),
            # A plausible value of depth (depth_uncertainty): {"draw": m, "draws": M, "of": position}.
            "plausible_value": _draw_shown(fit.spec),
            "status": fit.status,
            "status_display": fit.get_status_display(),
            "progress": fit.progress,
            "message": fit.progress_message,
            "progress_code": fit.progress_code,
            "progress_params": fit.progress_params,
            "error": job_error_text(fit) or None,  # in the reader's language when stored as a Reason
            "worker": fit.worker,
        }
        for fit in fits
    ]


def _draw_shown(spec):
    draw = draw_of(spec)
    return None if draw is None else {"draw": draw["draw"], "draws": draw["draws"], "of": draw["of"] + 1}


def run_outcome(run):
    """What a run that ended without finishing (cancelled or failed) did and did not do:
    ({"finished": [{position, label, result}], "unfinished": [{position, label, status}]}), in
    specification order. A fanned-out run's finished specifications are its DONE children (a
    child that finished after the parent was cancelled is not counted: its row says cancelled);
    a run fitted in one task finishes its specifications in order, so its stored results are the
    first ones and the rest never finished. `status` is the SpecFit/ModelRun status value, or
    "NOT_STARTED" for a specification a failed one-task run never reached; `error` the reason of
    one that failed ("" for the others)."""

    def label(spec):
        spec = spec if isinstance(spec, dict) else {}
        return spec.get("label") or spec.get("formula", "")

    if run.fan_out:
        fits = list(
            SpecFit.objects.filter(run=run)
            .order_by("position")
            .only("position", "spec", "status", "result", "error", "error_code", "error_params")
        )
        # Plausible-value fits are no specifications of their own: their specification's result
        # combines them once all are done (services/plausible_values.py: results_combined).
        fits = [fit for fit in fits if draw_of(fit.spec) is None]
        finished = [
            {"position": fit.position + 1, "label": label(fit.spec), "result": fit.result}
            for fit in fits
            if fit.status == SpecFit.Status.DONE and fit.result is not None
        ]
        unfinished = [
            {"position": fit.position + 1, "label": label(fit.spec), "status": fit.status, "error": job_error_text(fit)}
            for fit in fits
            if not (fit.status == SpecFit.Status.DONE and fit.result is not None)
        ]
        return {"finished": finished, "unfinished": unfinished}
    results, specs = list(run.results or []), list(run.specs or [])
    finished = [
        {"position": index + 1, "label": label(specs[index] if index < len(specs) else result), "result": result}
        for index, result in enumerate(results)
    ]
    unfinished = [
        {
            "position": index + 1,
            "label": label(specs[index]),
            "status": run.status if index == len(results) or run.status != ModelRun.Status.FAILED else "NOT_STARTED",
            "error": job_error_text(run) if index == len(results) and run.status == ModelRun.Status.FAILED else "",
        }
        for index in range(len(results), len(specs))
    ]
    return {"finished": finished, "unfinished": unfinished}


def run_panel_facts(run, spec=None):
    """What a note beside the study's published column says of the data one of `run`'s results
    was fitted on (analysis/pure/published.py: PanelFacts): the panel's name, whether it is
    synthetic, and the years (the specification's own, else those the panel was built for)."""
    spec = spec if isinstance(spec, dict) else {}
    years = spec.get("years") or (run.panel.source or {}).get("years") or []
    return {"name": run.panel.name, "synthetic": run.panel.synthetic, "years": [int(y) for y in years]}


def run_waiting_reason(run):
    """Why `run` is not being fitted, in the reader's language, or None: it (or, in a fanned-out
    run that has started, a specification still QUEUED) waits on the `estimation` queue that no
    live worker consumes, or the task queue cannot be reached (jobs/selectors.py)."""
    if run.status == ModelRun.Status.QUEUED:
        return job_waiting_reason(run)
    if run.status == ModelRun.Status.RUNNING and run.fan_out:
        waiting = SpecFit.objects.filter(run=run, status=SpecFit.Status.QUEUED).first()
        return job_waiting_reason(waiting) if waiting is not None else None
    return None
