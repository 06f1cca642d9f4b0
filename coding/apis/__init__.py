"""The coding app's JSON API (DRF views), one module per subject; the URLs are config/api_urls.py.
Thin like the pages: selectors read (codings only through coding/visibility.py), services write,
and no view catches an error: the domain errors below answer through web/api_errors.py's one
exception handler (a service's ValidationError is a 400 naming the field everywhere)."""

from web.api_errors import answer_with

from ..selectors.agreements import AgreementRefError, TextVersionNotFound
from ..services.revisions import CodingConflict

answer_with(404, AgreementRefError, TextVersionNotFound)  # an unknown reference or text version
answer_with(409, CodingConflict)  # a stale revision; the body carries the current one
