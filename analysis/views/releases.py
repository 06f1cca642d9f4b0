"""Pages of dataset releases: list and create, detail (with the tier table stored in the
release), downloads and the depth histogram. Thin: selectors read (who may see a release is
coding/visibility.py's), release_create writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coding.pure.ids import parse_id
from coding.selectors.agreement_lists import agreement_ids_from_lines
from coding.selectors.codebooks import codebook_version_by_id, codebook_versions
from coding.selectors.codings import reference_coders
from web.permissions import supervisor_required

from ..pure import bounds, exports, formats, irt_plots, plots
from ..pure.errors import SpecError
from ..selectors.release_reliability import release_agreement_table
from ..selectors.releases import (
    depth_codes,
    release_by_number,
    release_evidence,
    release_evidence_export,
    release_export,
    release_indicators,
    release_report,
    release_tier_table,
    release_withheld_from,
    releases_for,
    source_visible_to,
)
from ..services.releases import release_create
from .common import attachment_response, image_response, plot_text
from .errors import spec_error_text


@login_required
def release_list(request):
    versions = list(codebook_versions(with_indicators=True))
    weight_codes = list(dict.fromkeys(code for version in versions for code in depth_codes(version)))
    return render(
        request,
        "analysis/release_list.html",
        {
            "releases": releases_for(request.user),
            "versions": versions,
            "weight_codes": weight_codes,
            "max_weight": bounds.MAX_WEIGHT,
            "sources": ["approved", *[u.username for u in reference_coders()]],
        },
    )


def _method_from(request, version):
    """The scoring method the form asks for; for "weighted", one weight per depth indicator of
    the chosen version from its field weight-CODE (1 when left empty), each a finite number from
    0 to bounds.MAX_WEIGHT (BoundsError naming the indicator otherwise)."""
    name = request.POST.get("method") or "additive"
    calibrate_with = [source.strip()[:150] for source in request.POST.getlist("calibrate_with")[:20] if source.strip()]
    if name == "irt" and calibrate_with:  # items fitted on these sources' codings too (the service checks them)
        return {"name": name, "calibrate_with": calibrate_with}
    if name != "weighted":
        return {"name": name}
    weights = {}
    for code in depth_codes(version):
        text = request.POST.get(f"weight-{code}", "").strip()[:40] or "1"
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(
                _("Weight of %(code)s: '%(value)s' is not a number.") % {"code": code, "value": text}
            ) from None
        weights[code] = bounds.weight(number, f"weight {code}")
    if not any(weights.values()):
        raise ValidationError(_("At least one weight must be above 0."))
    return {"name": "weighted", "weights": weights}


@supervisor_required
def release_new(request):
    if request.method != "POST":
        return redirect("analysis:release_list")
    version = codebook_version_by_id(parse_id(request.POST.get("version", "")))
    if version is None:
        messages.error(request, _("Choose a codebook version."))
        return redirect("analysis:release_list")
    try:
        listed = request.POST.get("agreements", "")
        release, created = release_create(
            version=version,
            name=request.POST.get("name", "").strip() or version.codebook.code,
            source=request.POST.get("source") or "approved",
            method=_method_from(request, version),
            user=request.user,
            agreements=agreement_ids_from_lines(listed.splitlines(), source=_("agreements"))
            if listed.strip()
            else None,
            strict=bool(request.POST.get("strict")),
        )
    except SpecError as exc:  # a weight out of bounds (analysis/pure/bounds.py)
        messages.error(request, spec_error_text(exc))
        return redirect("analysis:release_list")
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [_scoring_error(exc)]))
        return redirect("analysis:release_list")
    if created:
        messages.success(request, _("Release %(n)s created.") % {"n": release.number})
    else:
        messages.info(request, _("Nothing changed since release %(n)s; no new release.") % {"n": release.number})
    return redirect(release)


def _scoring_error(exc):
    """The pure scoring module's reasons (English, it has no reader) in the reader's language."""
    text = str(exc)
    if text.startswith("the first principal component needs"):
        return _("The first principal component needs at least 3 complete agreements and 2 varying indicators.")
    if text.startswith("method must be one of"):
        return _("Choose a scoring method: additive, weighted, first principal component or latent depth.")
    return text


def _visible_release(request, number):
    release = release_by_number(number)
    if release is None:
        raise Http404("no such release")
    if not source_visible_to(request.user, release.source):
        raise Http404("no such release")  # blind coding: do not even confirm it exists
    withheld = release_withheld_from(request.user, release)
    if withheld:
        raise PermissionDenied(
            ngettext(
                "Release %(number)s contains %(count)s agreement you are coding blind; it opens once that agreement is adjudicated.",
                "Release %(number)s contains %(count)s agreements you are coding blind; it opens once they are adjudicated.",
                withheld,
            )
            % {"number": release.number, "count": withheld}
        )
    return release


@login_required
def release_detail(request, number):
    release = _visible_release(request, number)
    return render(
        request,
        "analysis/release_detail.html",
        {
            "release": release,
            "tiers": release_tier_table(release),
            "formats": sorted(formats.DATASETS),
            "shapes": ["agreement", "dyad"],
            "codes": [i["code"] for i in release_indicators(release)],
            "evidence_kept": release_evidence(release) is not None,
            "agreement_table": release_agreement_table(release),
        },
    )


@login_required
def release_download(request, number, shape, fmt):
    release = _visible_release(request, number)
    if fmt not in formats.DATASETS or shape not in exports.SHAPES:
        raise Http404("unknown format or shape")
    data, filename, content_type = release_export(release, fmt=fmt, shape=shape)
    return attachment_response(data, content_type=content_type, filename=filename)


@login_required
def release_evidence_download(request, number, fmt):
    """The evidence file beside the CSV and Stata downloads (Excel and JSON carry it inside)."""
    release = _visible_release(request, number)
    if fmt not in formats.EVIDENCE:
        raise Http404("the evidence file is .csv or .dta")
    data, filename, content_type = release_evidence_export(release, fmt=fmt)
    return attachment_response(data, content_type=content_type, filename=filename)


@login_required
def release_report_page(request, number):
    """The printable coding report: per agreement, each indicator's value and the evidence behind it."""
    release = _visible_release(request, number)
    return render(
        request,
        "analysis/release_report.html",
        {
            "release": release,
            "report": release_report(release),
            "evidence_kept": release_evidence(release) is not None,
        },
    )


@login_required
def release_histogram(request, number, fmt):
    release = _visible_release(request, number)
    return image_response(
        plots.depth_histogram(release.summary.get("depth_counts", {}), title=str(release), fmt=fmt, text=plot_text()),
        fmt,
    )


@login_required
def release_irt_curves(request, number, fmt):
    """An IRT release's item characteristic curves and test information curve (404 for any other)."""
    release = _visible_release(request, number)
    latent = (release.summary or {}).get("irt")
    if not latent or fmt not in ("svg", "png"):
        raise Http404("not a latent-depth release, or not .svg/.png")
    text = {
        "depth": _("latent depth (standard deviations)"),
        "characteristic": _("expected code / highest code"),
        "curves": _("item characteristic curves"),
        "information": _("test information"),
        "standard_error": _("standard error of depth"),
    }
    scores = [row["depth"] for row in release.rows if row.get("depth") is not None]
    return image_response(irt_plots.irt_curves_plot(latent, title=str(release), scores=scores, fmt=fmt, text=text), fmt)
