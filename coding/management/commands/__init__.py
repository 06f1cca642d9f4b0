"""`manage.py` commands of the coding app. Thin like the pages: read the options, call a service
(writes) or a selector (reads), print; bad input becomes a CommandError (_base.py)."""
