"""Pages of sensitivity runs: does an estimate survive a change of coder? Supervisors start one
from a form (a codebook version, the sources of codes, the input files and the specifications);
its page shows one table with a column per source and one coefficient plot with a series per
source. Thin: selectors read (a sensitivity run is visible when all its runs are), the
sensitivity service writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coding.pure.ids import parse_id
from coding.selectors.codebooks import codebook_versions
from web.permissions import supervisor_required

from ..pure import formats, panel_inputs, plots, tables
from ..pure.common_support import MIN_TREATIES
from ..pure.presets import PRESETS, specs_from
from ..selectors.sensitivity import (
    sensitivity_columns,
    sensitivity_get,
    sensitivity_results,
    sensitivity_runs_for,
    sensitivity_sources,
    sensitivity_status,
    sensitivity_support,
)
from ..services.sensitivity import ERRORS, PanelOptions, sensitivity_run_create
from ..templatetags.analysis_labels import preset_label, source_label
from .common import attachment_response, image_response, plot_text
from .errors import spec_error_text
from .runs import table_text

DIST_COLUMNS = ("dist", "distcap", "distw", "distwces")


@supervisor_required
def sensitivity_list(request):
    """Start a sensitivity run (sources the user may not open are not offered), and list them."""
    versions = list(codebook_versions())
    status, form = 200, {}
    if request.method == "POST":
        form = request.POST
        try:
            sensitivity = _start(request, versions)
        except ERRORS as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [spec_error_text(exc)]))
            status = 400
        else:
            return redirect(sensitivity)
    return render(
        request,
        "analysis/sensitivity_list.html",
        {
            "runs": sensitivity_runs_for(request.user, limit=50),
            "versions": versions,
            "sources": sensitivity_sources(request.user),
            "presets": sorted(PRESETS),
            "dist_columns": DIST_COLUMNS,
            "form": form,
            "chosen": form.getlist("sources") if form else ["the study", "DESTA 2.1"],
        },
        status=status,
    )


def _start(request, versions):
    post = request.POST
    version = next((v for v in versions if v.pk == parse_id(post.get("version", ""))), None)
    if version is None:
        raise ValidationError(_("Choose a codebook version."))
    offered = set(sensitivity_sources(request.user, version=version))
    chosen = post.getlist("sources")
    if not chosen or any(source not in offered for source in chosen):
        raise ValidationError(_("Choose sources among those offered for this codebook version."))
    if post.get("dist_column", panel_inputs.DIST_COLUMN) not in DIST_COLUMNS:
        raise ValidationError(_("Unknown distance column."))
    specs = specs_from(spec=post.get("spec", ""), preset_name=post.get("preset", ""), years=post.get("years", ""))
    options = PanelOptions(
        dist_column=post.get("dist_column", panel_inputs.DIST_COLUMN),
        zeros=not post.get("reported_only"),
        domestic=bool(post.get("domestic")),
        strict=bool(post.get("strict")),
    )
    return sensitivity_run_create(
        version=version,
        sources=chosen,
        specs=specs,
        options=options,
        user=request.user,
        files={kind: request.FILES.get(kind) for kind in panel_inputs.INPUTS},
        name=post.get("name", "").strip(),
        common=bool(post.get("common")) or not post.get("common_shown"),  # on unless the form's box is cleared
    )


def _visible(request, pk):
    sensitivity = sensitivity_get(request.user, pk)
    if sensitivity is None:
        raise Http404("no such sensitivity run")
    return sensitivity


def _spec_index(request, sensitivity):
    raw = request.GET.get("spec", "0")
    index = 0 if raw == "0" else parse_id(raw)  # ?spec=N, counted from 0
    if index is None or index >= len(sensitivity.specs):
        raise Http404("no such specification")
    return index


@login_required
def sensitivity_detail(request, pk):
    sensitivity = _visible(request, pk)
    spec = _spec_index(request, sensitivity)
    state = sensitivity_status(sensitivity)
    results, labels, provenance = sensitivity_results(sensitivity, spec=spec)
    labels = [source_label(label) for label in labels]  # the page speaks the reader's language; files keep the names
    table = (
        tables.build(results, labels, provenance=provenance, text=table_text())
        if state["finished"] and results
        else None
    )
    return render(
        request,
        "analysis/sensitivity_detail.html",
        {
            "sensitivity": sensitivity,
            "state": state,
            "table": table,
            "spec": spec,
            "specs": [(i, preset_label(s.get("label")) or s.get("formula")) for i, s in enumerate(sensitivity.specs)],
            "checks": sensitivity.checks,
            "check_counts": sensitivity.checks.get("counts", {}),
            "columns": sensitivity_columns(sensitivity),
            "support": sensitivity_support(sensitivity),
            "min_treaties": MIN_TREATIES,
        },
    )


@login_required
def sensitivity_status_json(request, pk):
    return JsonResponse(sensitivity_status(_visible(request, pk)))


@login_required
def sensitivity_plot(request, pk, fmt):
    sensitivity = _visible(request, pk)
    results, labels, _provenance = sensitivity_results(sensitivity, spec=_spec_index(request, sensitivity))
    if not results or fmt not in {"svg", "png"}:
        raise Http404("no finished run yet, or format not svg/png")
    return image_response(
        plots.coefficient_plot(results, labels=[source_label(label) for label in labels], fmt=fmt, text=plot_text()),
        fmt,
    )


@login_required
def sensitivity_table(request, pk, fmt):
    """The table as a file for a paper (English labels): LaTeX, Markdown or CSV."""
    sensitivity = _visible(request, pk)
    spec = _spec_index(request, sensitivity)
    results, labels, provenance = sensitivity_results(sensitivity, spec=spec)
    if not results or fmt not in formats.TABLES:
        raise Http404("no finished run yet, or format not tex, md or csv")
    output = formats.TABLES[fmt]
    return attachment_response(
        output.write(tables.build(results, labels, provenance=provenance)),
        content_type=output.content_type,
        filename=f"sensitivity-{pk}-{spec + 1}.{output.extension}",
    )
