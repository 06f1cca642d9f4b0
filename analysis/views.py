"""Pages of the analysis app: releases, downloads, comparisons."""
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coding.models import CodebookVersion
from coding.selectors import parse_id
from coding.permissions import supervisor_required
from coding.selectors_codings import reference_coders

from . import exports, plots, scoring, tables
from .gravity import SpecError
from .models import DatasetRelease, ModelRun, Panel
from .presets import PRESETS, specs_from
from .selectors import (comparison_for, panels_for, release_export, release_withheld_from, releases_for, run_get, runs_for,
                        source_visible_to)
from .services import model_run_cancel, model_run_create, release_create


@login_required
def release_list(request):
    return render(request, "analysis/release_list.html", {
        "releases": releases_for(request.user),
        "versions": CodebookVersion.objects.select_related("codebook"),
        "sources": ["approved", *[u.username for u in reference_coders()]],
    })


@supervisor_required
def release_new(request):
    if request.method != "POST":
        return redirect("analysis:release_list")
    try:
        version = CodebookVersion.objects.get(pk=request.POST.get("version"))
        release, created = release_create(version=version, name=request.POST.get("name", "").strip() or version.codebook.code,
                                          source=request.POST.get("source") or "approved",
                                          method={"name": request.POST.get("method") or "additive"}, user=request.user)
    except (ValidationError, ValueError, CodebookVersion.DoesNotExist) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("analysis:release_list")
    if created:
        messages.success(request, _("Release %(n)s created.") % {"n": release.number})
    else:
        messages.info(request, _("Nothing changed since release %(n)s; no new release.") % {"n": release.number})
    return redirect(release)


def _visible_release(request, number):
    release = get_object_or_404(DatasetRelease.objects.select_related("version__codebook", "created_by"), number=number)
    if not source_visible_to(request.user, release.source):
        raise Http404("no such release")  # blind coding: do not even confirm it exists
    withheld = release_withheld_from(request.user, release)
    if withheld:
        raise PermissionDenied(ngettext(
            "Release %(number)s contains %(count)s agreement you are coding blind; it opens once that agreement is adjudicated.",
            "Release %(number)s contains %(count)s agreements you are coding blind; it opens once they are adjudicated.",
            withheld) % {"number": release.number, "count": withheld})
    return release


@login_required
def release_detail(request, number):
    release = _visible_release(request, number)
    depth = {r["agreement_id"]: r["depth"] for r in release.rows}
    import pandas as pd

    names = {r["agreement_id"]: r["name"] for r in release.rows}
    tiers = scoring.tier_table(pd.Series(depth, dtype=float), release.version.tiers, names=names) \
        if release.version.tiers and release.summary.get("tiers_apply", release.method.get("name", "additive") == "additive") else []
    return render(request, "analysis/release_detail.html", {
        "release": release, "tiers": tiers, "formats": sorted(exports.FORMATS), "shapes": ["agreement", "dyad"],
        "codes": [i.code for i in release.version.indicators.all()],
    })


@login_required
def release_download(request, number, shape, fmt):
    release = _visible_release(request, number)
    if fmt not in exports.FORMATS or shape not in exports.SHAPES:
        raise Http404("unknown format or shape")
    data, filename, content_type = release_export(release, fmt=fmt, shape=shape)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def release_histogram(request, number, fmt):
    release = _visible_release(request, number)
    data = plots.depth_histogram(release.summary.get("depth_counts", {}), title=str(release), fmt=fmt)
    return HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")


@login_required
def comparison(request):
    versions = CodebookVersion.objects.select_related("codebook")
    version = versions.filter(pk=request.GET.get("version")).first() or versions.filter(codebook__code="desta-tbt").order_by("-number").first()
    options = ["approved", *[u.username for u in reference_coders()],
               *[f"release:{n}" for n in DatasetRelease.objects.values_list("number", flat=True)]]
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    result = None
    if (a and not source_visible_to(request.user, a)) or (b and not source_visible_to(request.user, b)):
        raise PermissionDenied("blind coding: another coder's values are hidden until adjudication")
    options = [o for o in options if source_visible_to(request.user, o)]
    if version and a and b:
        try:
            result = comparison_for(request.user, a=a, b=b, version=version)
        except DatasetRelease.DoesNotExist as exc:
            raise Http404(str(exc)) from exc
    return render(request, "analysis/comparison.html", {"versions": versions, "version": version, "options": options,
                                                         "a": a, "b": b, "result": result})


# --- gravity runs ------------------------------------------------------------------------------

@supervisor_required
def run_list(request):
    """Supervisors start, list and compare runs; a bad specification answers 400 with the
    message and the form as it was sent."""
    status = 200
    if request.method == "POST":
        try:
            panel = Panel.objects.filter(pk=parse_id(request.POST.get("panel", ""))).first()
            if panel is None:
                raise SpecError(_("Choose a panel."))
            specs = specs_from(spec=request.POST.get("spec", ""), preset_name=request.POST.get("preset", ""),
                               years=request.POST.get("years", ""))
            run = model_run_create(panel=panel, specs=specs, user=request.user, name=request.POST.get("name", "").strip())
        except SpecError as exc:
            messages.error(request, _("Specification error: %(error)s") % {"error": exc})
            status = 400
        else:
            return redirect(run)
    return render(request, "analysis/run_list.html", {
        "runs": runs_for(request.user, limit=100), "panels": panels_for(request.user), "presets": sorted(PRESETS),
        "form": request.POST if status == 400 else {},
    }, status=status)


@login_required
def run_detail(request, pk):
    run = _visible_run(request, pk)
    table = tables.build(run.results, text=table_text()) if run.results and run.status == ModelRun.Status.DONE else None
    return render(request, "analysis/run_detail.html", {"run": run, "table": table,
                                                        "progress_message": progress_text(run.progress_message)})


def _visible_run(request, pk):
    run = run_get(request.user, pk)
    if run is None:
        raise Http404("no such run")
    return run


FITTING = re.compile(r"^(?P<index>\d+)/(?P<total>\d+): fitting (?P<estimator>\w+) on (?P<n>[\d,]+) observations$")


def progress_text(message):
    """The worker writes progress in English (it has no reader); show it in the reader's language."""
    fitting = FITTING.match(message or "")
    if fitting:
        return _("specification %(index)s of %(total)s: fitting %(estimator)s on %(n)s observations") % fitting.groupdict()
    known = {"loading the panel": _("loading the panel"), "done": _("done"), "cancelled": _("cancelled")}
    return known.get(message, message)


@login_required
def run_status(request, pk):
    run = _visible_run(request, pk)
    return JsonResponse({"id": run.pk, "status": run.status, "status_display": run.get_status_display(),
                         "progress": run.progress, "message": progress_text(run.progress_message), "error": run.error})


@supervisor_required
@require_POST
def run_cancel(request, pk):
    model_run_cancel(run=_visible_run(request, pk))
    return redirect("analysis:run_detail", pk=pk)


def _runs_from(request):
    """The finished runs named by ?runs=1,2 that the user may see, in the order given; runs the
    user may not see are left out exactly like runs that do not exist."""
    ids = [i for i in map(parse_id, request.GET.get("runs", "").split(",")[:50]) if i is not None]
    runs = {r.pk: r for r in runs_for(request.user, ids=ids, status=ModelRun.Status.DONE)}
    results, labels, provenance = [], [], []
    for run_id in ids:
        run = runs.get(run_id)
        if run is None:
            continue
        release = run.panel.release
        for result in run.results:
            results.append(result)
            labels.append(f"#{run.pk} {result.get('label') or run.name}".strip())
            provenance.append({"release": f"#{release.number} {release.name}" if release else "—", "panel": run.panel.content_hash})
    return results, labels, provenance


def table_text():
    """The regression table's footer labels in the active language (analysis.tables is Django-free;
    labels not given here, "N" and "iid", are the same in every language)."""
    return {"r2": _("R² / pseudo R²"), "estimator": _("Estimator"), "se": _("Standard errors"),
            "fe": _("FE: {fe}"), "yes": _("yes"), "clustered": _("clustered by {cluster}"), "robust": _("robust"),
            "release": _("Dataset release"), "panel": _("Panel (hash)")}


@login_required
def run_table(request, fmt):
    """One table of the results of one or more runs: /analysis/runs/table.tex?runs=3,4"""
    results, labels, provenance = _runs_from(request)
    if not results:
        raise Http404("no finished run given (?runs=1,2)")
    # Files for a paper keep English labels; the page speaks the reader's language.
    table = tables.build(results, labels, provenance=provenance, text=table_text() if fmt == "html" else None)
    if fmt == "html":
        return render(request, "analysis/run_table.html", {"table": table, "runs": request.GET.get("runs", "")})
    writers = {"tex": (tables.to_latex, "text/x-tex"), "md": (tables.to_markdown, "text/markdown"),
               "csv": (tables.to_csv, "text/csv")}
    if fmt not in writers:
        raise Http404("format: html, tex, md or csv")
    writer, content_type = writers[fmt]
    response = HttpResponse(writer(table), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gravity-{request.GET.get("runs", "").replace(",", "-")}.{fmt}"'
    return response


@login_required
def run_plot(request, fmt):
    results, labels, _provenance = _runs_from(request)
    if not results or fmt not in {"svg", "png"}:
        raise Http404("no finished run given, or format not svg/png")
    variables = [v for v in request.GET.get("variables", "").split(",") if v] or None
    data = plots.coefficient_plot(results, labels=labels, variables=variables, fmt=fmt)
    return HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")
