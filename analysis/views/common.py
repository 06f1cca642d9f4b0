"""Response helpers the analysis pages share: images and file downloads, and the plots' labels in
the reader's language. Page layer: no reads, no writes."""

from django.http import HttpResponse
from django.utils.translation import gettext as _


def plot_text():
    """Axis labels of analysis.pure.plots in the active language (the module is Django-free)."""
    return {
        "depth": _("depth score"),
        "agreements": _("agreements"),
        "estimate": _("estimate with %(level)s interval") % {"level": "95%"},
    }


def image_response(data, fmt):
    """Plot bytes (analysis.pure.plots) as SVG or PNG."""
    return HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")


def attachment_response(data, *, content_type, filename):
    """A download the browser saves as `filename`."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
