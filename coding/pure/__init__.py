"""The coding app's pure modules: no Django, no database, no Celery (tests/test_layout.py checks).
Reliability statistics, highlight spans, codebook change summaries, CSV-injection guards, names and
typed-id parsing live here so they can be tested and reused without a configured project."""
