"""No Django here: plain data and DataFrames in, plain data out; tested on small inputs with known answers.

The maths of the analysis app, one module per subject: scoring (depth, tiers, the release
table), spec/ (the spec's schema and the fixest formula grammar), estimators/ (the registry, one
module per estimator), gravity (one fit: what the estimators share), panel_builder, merge_checks,
tables, plots, exports, formats (the output-format registry), compare, simulate, presets, bounds.
They import no django, rest_framework or celery, and nothing of coding/ or analysis/ outside this package (tests/test_layout.py checks the
first rule); what they need from the database or a translation catalogue is passed in."""
