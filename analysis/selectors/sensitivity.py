"""Reads of sensitivity runs (one ModelRun per source of codes), and whether a user may see them.
Reads only. A sensitivity run shows every one of its runs side by side, so it is visible exactly
when all of them are (analysis.selectors.runs decides for each run; the rule is
coding/visibility.py's) and all the releases its columns name are."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from coding import visibility
from coding.models import Coding
from coding.roles import REFERENCE
from jobs.progress import job_error_text
from jobs.selectors import status_payload

from ..models import ModelRun, SensitivityColumn, SensitivityRun
from ..pure import common_support
from .releases import release_visible_to
from .runs import run_waiting_reason, runs_for

ORDER = [ModelRun.Status.FAILED, ModelRun.Status.CANCELLED, ModelRun.Status.RUNNING, ModelRun.Status.QUEUED]


def _with_columns():
    columns = SensitivityColumn.objects.select_related("release", "panel", "run").order_by("position")
    return SensitivityRun.objects.select_related("version__codebook", "created_by").prefetch_related(
        Prefetch("columns", queryset=columns)
    )


def _visible(user, sensitivity, visible_run_ids, blind):
    columns = list(sensitivity.columns.all())
    return bool(columns) and all(
        c.run_id in visible_run_ids and release_visible_to(user, c.release, blind=blind) for c in columns
    )


def sensitivity_runs_for(user, *, limit=None):
    """Sensitivity runs `user` may see, newest first."""
    if not user.is_authenticated:
        return []
    if visibility.sees_everything(user):
        return list(_with_columns()[:limit] if limit else _with_columns())
    runs = list(_with_columns())
    visible_ids = {r.pk for r in runs_for(user)}
    blind = visibility.agreements_in_blind_coding(user)
    found = [s for s in runs if _visible(user, s, visible_ids, blind)]
    return found[:limit] if limit else found


def sensitivity_get(user, pk):
    """One sensitivity run `user` may see, or None (also when one of its runs is hidden from the
    user: it then does not exist for them, as a hidden run does not)."""
    sensitivity = _with_columns().filter(pk=pk).first()
    if sensitivity is None or not user.is_authenticated:
        return None
    run_ids = [c.run_id for c in sensitivity.columns.all()]
    visible_ids = {r.pk for r in runs_for(user, ids=run_ids)}
    blind = visibility.agreements_in_blind_coding(user)
    return sensitivity if _visible(user, sensitivity, visible_ids, blind) else None


def sensitivity_sources(user, *, version=None):
    """The sources of codes a sensitivity run may compare, as offered to `user`: the approved
    codings, every reference coder (DESTA 2.1, the study) and the human coders who submitted
    codings (under `version` if given); only those `user` may open
    (coding.visibility.source_visible_to)."""
    coders = Coding.objects.filter(state=Coding.State.SUBMITTED)
    if version is not None:
        coders = coders.filter(version=version)
    names = sorted(
        set(coders.values_list("coder__username", flat=True))
        | set(get_user_model().objects.filter(groups__name=REFERENCE).values_list("username", flat=True))
    )
    return [s for s in [visibility.APPROVED_SOURCE, *names] if visibility.source_visible_to(user, s)]


def sensitivity_columns(sensitivity):
    """The columns of a sensitivity run in order, each with its release, panel and run."""
    return list(sensitivity.columns.all())


def sensitivity_status(sensitivity):
    """The status of the whole from its runs, in the one job-status shape (jobs.selectors
    status_payload) its page and its status JSON share: FAILED or CANCELLED if any run is, else
    RUNNING or QUEUED while one is, else DONE; progress the mean of the runs'; the message counts
    the runs done; the error names each failed run's source and reason, and why a run waits, in
    the reader's language. Plus `finished` and each column's run (`columns`)."""
    columns = sensitivity_columns(sensitivity)
    runs = [c.run for c in columns]
    statuses = {run.status for run in runs}
    status = next((s for s in ORDER if s in statuses), ModelRun.Status.DONE)
    progress = round(sum(run.progress for run in runs) / len(runs)) if runs else 0
    done = sum(run.status == ModelRun.Status.DONE for run in runs)
    failed = [c for c in columns if c.run.status == ModelRun.Status.FAILED]
    return status_payload(
        pk=sensitivity.pk,
        status=str(status),
        progress=progress,
        message=_("%(done)s of %(total)s runs done") % {"done": done, "total": len(runs)},
        error="; ".join(f"{c.source}: {job_error_text(c.run)}" for c in failed),
        waiting_reason=_waiting_reason(runs),
        finished=all(run.finished for run in runs),
        columns=[
            {
                "source": c.source,
                "run": c.run_id,
                "status": c.run.status,
                "status_display": c.run.get_status_display(),
                "progress": c.run.progress,
                "error": job_error_text(c.run),
            }
            for c in columns
        ],
    )


def _waiting_reason(runs):
    """Why the sensitivity run waits, asked once per poll (each ask reads the workers from
    Redis): every column's run goes to the same queue, so the first queued run (else the first
    running fanned-out one, whose specifications may wait) says it for all."""
    waiting = next((run for run in runs if run.status == ModelRun.Status.QUEUED), None) or next(
        (run for run in runs if run.status == ModelRun.Status.RUNNING and run.fan_out), None
    )
    return run_waiting_reason(waiting) if waiting is not None else None


def sensitivity_results(sensitivity, *, spec=0):
    """(results, labels, provenance) of specification number `spec` across the columns whose
    run is done: one result per source, for analysis.pure.tables and plots."""
    results, labels, provenance = [], [], []
    for column in sensitivity.columns.all():
        if column.run.status != ModelRun.Status.DONE or spec >= len(column.run.results):
            continue
        results.append(column.run.results[spec])
        labels.append(column.source)
        provenance.append(
            {"release": f"#{column.release.number} {column.release.name}", "panel": column.panel.content_hash}
        )
    return results, labels, provenance


def sensitivity_output(sensitivity):
    """What run_sensitivity prints: the run, then one column per source with its release, panel,
    and the first specification's N and coefficients (all specifications under "results")."""
    status = sensitivity_status(sensitivity)
    columns = []
    for column in sensitivity.columns.all():
        results = column.run.results or []
        first = results[0] if results else {}
        columns.append(
            {
                "source": column.source,
                "release": column.release.number,
                "panel": column.panel.content_hash,
                "model_run": column.run_id,
                "status": column.run.status,
                "n_obs": first.get("n_obs"),
                "coefficients": first.get("coefficients", {}),
                "results": [
                    {"label": r.get("label"), "n_obs": r.get("n_obs"), "coefficients": r.get("coefficients", {})}
                    for r in results
                ],
                "build": column.build,
                "left_out": column.build.get("left_out"),
                "support": column.build.get("support", []),
                "warnings": [w for w in map(common_support.describe, column.build.get("support", [])) if w],
                "error": column.run.error or None,
            }
        )
    return {
        "run": sensitivity.pk,
        "status": status["status"],
        "codebook": str(sensitivity.version),
        "common_support": sensitivity.inputs.get("common_support"),
        "checks": sensitivity.checks.get("counts", {}),
        "columns": columns,
    }


def sensitivity_support(sensitivity):
    """The page's table of support: common support as asked and applied, and one row per
    treaty-level regressor with, per column (source), its treaties and pair-years with FTA = 1
    ({"n_treaties", "n_pair_years", "few"}; None when the column has no such regressor)."""
    columns = list(sensitivity.columns.all())
    names = list(dict.fromkeys(s["regressor"] for c in columns for s in c.build.get("support", [])))
    by_column = [{s["regressor"]: s for s in c.build.get("support", [])} for c in columns]
    return {
        "common": sensitivity.inputs.get("common_support") or {},
        "left_out": [(c.source, c.build.get("left_out")) for c in columns],
        "rows": [(name, [found.get(name) for found in by_column]) for name in names],
        "few": [(c.source, s) for c in columns for s in c.build.get("support", []) if s.get("few")],
    }
