"""`manage.py` commands of the analysis app. Thin like the pages: read the options, call a
service (writes), a selector (reads) or the pure builders, print; bad input becomes a CommandError."""
