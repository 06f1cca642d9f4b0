"""The analysis app's JSON API (DRF views), one module per subject: releases, runs; the URLs are
config/api_urls.py. Thin like the pages: selectors read (who may see what is coding/visibility.py's),
services write, and no view catches an error: a bad specification (SpecError, naming the key or
token) is a 400 through web/api_errors.py's one exception handler."""

from web.api_errors import answer_with

from ..pure.errors import SpecError

answer_with(400, SpecError)
