"""Pages of gravity runs: start and list (supervisors), detail and status, cancel, and the
regression table and coefficient plot of finished runs. Thin: selectors read (a run is visible
when its panel is; the rule is coding/visibility.py's), the run services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coding.pure.ids import parse_id
from jobs.progress import job_error_text, job_progress_text, progress_text
from jobs.selectors import bar_state, job_status_payload
from web.permissions import supervisor_required

from ..pure import formats, plots, tables
from ..pure.errors import SpecError
from ..pure.estimators import table_labels
from ..pure.presets import PRESETS
from ..selectors.panel_exports import panel_export
from ..selectors.runs import (
    RunStatus,
    panel_get,
    panels_for,
    run_fits,
    run_get,
    run_outcome,
    run_panel_facts,
    run_waiting_reason,
    runs_for,
)
from ..services.runs import model_run_cancel, model_run_request
from ..templatetags.analysis_labels import preset_label, table_in_reader_language
from .common import attachment_response, image_response, plot_text
from .errors import spec_error_text
from .run_tables import beside_published, failed_run_table, run_facts


@supervisor_required
def run_list(request):
    """Supervisors start, list and compare runs; a bad specification answers 400 with the
    message and the form as it was sent."""
    status = 200
    if request.method == "POST":
        try:
            panel = panel_get(request.POST.get("panel", ""), user=request.user)
            if panel is None:
                raise SpecError(_("Choose a panel."))
            run = model_run_request(
                panel=panel,
                spec=request.POST.get("spec", ""),
                preset_name=request.POST.get("preset", ""),
                years=request.POST.get("years", ""),
                user=request.user,
                name=request.POST.get("name", "").strip(),
            )
        except SpecError as exc:
            messages.error(request, _("Specification error: %(error)s") % {"error": spec_error_text(exc)})
            status = 400
        else:
            return redirect(run)
    runs = runs_for(request.user, limit=100)
    for run in runs:
        run.bar = bar_state(run.status, run.progress)
    return render(
        request,
        "analysis/run_list.html",
        {
            "runs": runs,
            "panels": panels_for(request.user),
            "presets": sorted(PRESETS),
            "form": request.POST if status == 400 else {},
        },
        status=status,
    )


@login_required
def run_detail(request, pk):
    run = _visible_run(request, pk)
    done = run.status == RunStatus.DONE
    table = tables.build(run.results, _result_labels(run.results), text=table_text()) if run.results and done else None
    if table:  # the study's published column beside each study preset's
        table = beside_published(table, run.results, run_facts(run, len(run.results)), text=table_text())
    return render(
        request,
        "analysis/run_detail.html",
        {
            "run": run,
            "table": table,
            "fits": _fits_shown(run),
            "bar": bar_state(run.status, run.progress),
            "progress_message": job_progress_text(run),
            "run_error": job_error_text(run),
            "queue_warning": run_waiting_reason(run),
            "partial": _partial_results(run) if run.finished and not done else None,
            # a failed run: its table with each unfinished specification marked, and its downloads
            "failed_table": failed_run_table(run, text=table_text()) if run.finished and not done else None,
            "table_formats": list(formats.TABLES.values()),
            "panel_formats": list(formats.PANELS.values()),
        },
    )


def _result_labels(results):
    """Column labels of a run's own table: each specification's label in the reader's language."""
    return [preset_label(r.get("label")) or f"({i + 1})" for i, r in enumerate(results)]


def _partial_results(run):
    """A cancelled or failed run: the table of the specifications that finished (marked partial
    on the page; no plot or download, which stay for finished runs) and those that did not."""
    outcome = run_outcome(run)
    finished = outcome["finished"]
    statuses = {**dict(RunStatus.choices), "NOT_STARTED": _("not started")}
    labels = [
        f"({item['position']}) {preset_label(item['label'])}" if item["label"] else f"({item['position']})"
        for item in finished
    ]
    return {
        "table": tables.build([item["result"] for item in finished], labels, text=table_text()) if finished else None,
        "finished": finished,
        "total": len(run.specs or []),
        "unfinished": [
            dict(item, label=preset_label(item["label"]), status_display=statuses.get(item["status"], item["status"]))
            for item in outcome["unfinished"]
        ],
    }


def _fits_shown(run):
    """The specifications of a fanned-out run, their labels and messages in the reader's language."""
    return [
        dict(
            fit,
            label=preset_label(fit["label"]),
            message=progress_text(fit["progress_code"], fit["progress_params"], fit["message"]),
            bar=bar_state(fit["status"], fit["progress"]),
        )
        for fit in run_fits(run)
    ]


def _visible_run(request, pk):
    run = run_get(request.user, pk)
    if run is None:
        raise Http404("no such run")
    return run


@login_required
def run_status(request, pk):
    run = _visible_run(request, pk)
    return JsonResponse(
        job_status_payload(run, waiting_reason=run_waiting_reason(run), specifications=_fits_shown(run))
    )


@supervisor_required
@require_POST
def run_cancel(request, pk):
    model_run_cancel(run=_visible_run(request, pk))
    return redirect("analysis:run_detail", pk=pk)


def _runs_from(request, *, reader_labels=False):
    """The finished runs named by ?runs=1,2 that the user may see, in the order given; runs the
    user may not see are left out exactly like runs that do not exist. `reader_labels`: preset
    labels in the reader's language (pages and plots; files for a paper keep the English)."""
    ids = [i for i in map(parse_id, request.GET.get("runs", "").split(",")[:50]) if i is not None]
    runs = {r.pk: r for r in runs_for(request.user, ids=ids, status=RunStatus.DONE)}
    results, labels, provenance = [], [], []
    for run_id in ids:
        run = runs.get(run_id)
        if run is None:
            continue
        release = run.panel.release
        specs = list(run.specs or [])
        for index, result in enumerate(run.results):
            results.append(result)
            label = result.get("label")
            labels.append(f"#{run.pk} {(preset_label(label) if reader_labels else label) or run.name}".strip())
            provenance.append(
                {
                    "release": f"#{release.number} {release.name}" if release else "—",
                    "panel": run.panel.content_hash,
                    "facts": run_panel_facts(run, specs[index] if index < len(specs) else None),
                }
            )
    return results, labels, provenance


def table_text():
    """The regression table's labels in the active language (analysis.pure.tables is Django-free;
    labels not given here, "N" and "iid", are the same in every language), with those each
    estimator and option declares in its own module (marked there, translated here)."""
    return {
        **{key: _(english) for key, english in table_labels().items()},
        "r2": _("R² / pseudo R²"),
        "estimator": _("Estimator"),
        "se": _("Standard errors"),
        "fe": _("FE: {fe}"),
        "yes": _("yes"),
        "clustered": _("clustered by {cluster}"),
        "robust": _("robust"),
        "release": _("Dataset release"),
        "panel": _("Panel (hash)"),
        "converged": _("Converged"),
        "no_iterations": _("no ({n} iterations)"),
        "collinear": _("Dropped as collinear"),
        "plausible": _("{term}: combined over plausible values of depth (SE) [FMI]"),
    }


@login_required
def run_table(request, fmt):
    """One table of the results of one or more runs: /analysis/runs/table.tex?runs=3,4"""
    # LaTeX, Markdown and CSV are files for a paper, in English; the page, Word and Excel speak
    # the reader's language (labels, footer and the variables' names).
    reader = fmt == "html" or fmt in formats.READER_LANGUAGE_TABLES
    results, labels, provenance = _runs_from(request, reader_labels=reader)
    if not results:
        raise Http404("no finished run given (?runs=1,2)")
    table = tables.build(results, labels, provenance=provenance, text=table_text() if reader else None)
    facts = [item["facts"] for item in provenance]
    table = beside_published(table, results, facts, text=table_text() if reader else None)
    if reader:
        table_in_reader_language(table)
    if fmt == "html":
        return render(request, "analysis/run_table.html", {"table": table, "runs": request.GET.get("runs", "")})
    if fmt not in formats.TABLES:
        raise Http404(f"format: html, {', '.join(formats.TABLES)}")
    output = formats.TABLES[fmt]
    filename = f"gravity-{request.GET.get('runs', '').replace(',', '-')}.{output.extension}"
    return attachment_response(output.write(table), content_type=output.content_type, filename=filename)


@login_required
def run_plot(request, fmt):
    results, labels, _provenance = _runs_from(request, reader_labels=True)
    if not results or fmt not in {"svg", "png"}:
        raise Http404("no finished run given, or format not svg/png")
    variables = [v for v in request.GET.get("variables", "").split(",") if v] or None
    return image_response(
        plots.coefficient_plot(results, labels=labels, variables=variables, fmt=fmt, text=plot_text()), fmt
    )


@login_required
def panel_download(request, pk, fmt):
    """A stored panel as CSV, Stata or Parquet: /analysis/panels/3.dta. Visible exactly when the
    run page of a run on it would be (a panel from a release the reader may not open is absent)."""
    panel = panel_get(pk, user=request.user)
    if panel is None or fmt not in formats.PANELS:
        raise Http404(f"no such panel, or format not one of {', '.join(formats.PANELS)}")
    data, filename, content_type = panel_export(panel, fmt=fmt)
    return attachment_response(data, content_type=content_type, filename=filename)
