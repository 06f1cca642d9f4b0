"""Pages of the coding app, one module per subject. Thin: read the request, call a selector (reads)
or a service (writes), render; coding/urls.py maps them."""
