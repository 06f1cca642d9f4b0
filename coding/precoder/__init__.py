"""The machine pre-coder, pure: features of a treaty text (features.py), the per-indicator
models with cross-validation (model.py) and the reliability diagram (plots.py). No Django here:
treaties come in as lists of TreatyArticle, labels as dicts, and results go out as plain data;
coding/services/precoder.py reads the database, stores models and suggestions."""
