"""Pages of the analysis app: releases, downloads, comparisons."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from coding.models import CodebookVersion
from coding.selectors_codings import reference_coders
from coding.views_codings import supervisor_required

from . import exports, plots, scoring
from .compare import compare_sources
from .models import DatasetRelease
from .selectors import release_export, source_frame
from .services import release_create


@login_required
def release_list(request):
    return render(request, "analysis/release_list.html", {
        "releases": DatasetRelease.objects.select_related("version__codebook", "created_by"),
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


@login_required
def release_detail(request, number):
    release = get_object_or_404(DatasetRelease.objects.select_related("version__codebook", "created_by"), number=number)
    depth = {r["agreement_id"]: r["depth"] for r in release.rows}
    import pandas as pd

    names = {r["agreement_id"]: r["name"] for r in release.rows}
    tiers = scoring.tier_table(pd.Series(depth, dtype=float), release.version.tiers, names=names) if release.version.tiers else []
    return render(request, "analysis/release_detail.html", {
        "release": release, "tiers": tiers, "formats": sorted(exports.FORMATS), "shapes": ["agreement", "dyad"],
        "codes": [i.code for i in release.version.indicators.all()],
    })


@login_required
def release_download(request, number, shape, fmt):
    release = get_object_or_404(DatasetRelease.objects.select_related("version__codebook", "created_by"), number=number)
    if fmt not in exports.FORMATS or shape not in exports.SHAPES:
        raise Http404("unknown format or shape")
    data, filename, content_type = release_export(release, fmt=fmt, shape=shape)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def release_histogram(request, number, fmt):
    release = get_object_or_404(DatasetRelease, number=number)
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
    if version and a and b:
        try:
            frame_a, _va = source_frame(a, version=version)
            frame_b, _vb = source_frame(b, version=version)
        except DatasetRelease.DoesNotExist as exc:
            raise Http404(str(exc)) from exc
        from coding.models import Agreement

        names = dict(Agreement.objects.filter(pk__in=list(frame_a.index.union(frame_b.index))).values_list("pk", "name"))
        levels = {i.code: (i.level, i.values) for i in version.indicators.all()}
        result = compare_sources(frame_a, frame_b, levels=levels, depth_indicators=version.depth_indicators, names=names,
                                 labels=("a", "b"))
    return render(request, "analysis/comparison.html", {"versions": versions, "version": version, "options": options,
                                                         "a": a, "b": b, "result": result})
