"""No Django here: plain data and DataFrames in, plain data out; tested on small inputs with known answers.

The maths of the analysis app, one module per subject: scoring (depth, tiers, the release
table), formula (the fixest formula grammar), gravity (the pyfixest wrapper), panel_builder, merge_checks,
tables, plots, exports, compare, simulate, presets. They import no django, rest_framework or
celery, and nothing of coding/ or analysis/ outside this package (tests/test_layout.py checks the
first rule); what they need from the database or a translation catalogue is passed in."""
