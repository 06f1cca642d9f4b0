"""Pages of the analysis app, one module per subject: releases, comparisons, runs (common.py holds
their response helpers). Thin: read the request, call a selector (reads; who may see what is
coding/visibility.py's) or a service (writes), render; analysis/urls.py maps them."""
