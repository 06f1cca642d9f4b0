"""A gravity specification as data (pure, no Django): its schema (schema.py: every key by type
and bound, validate_specs), the formula grammar (grammar.py: text to tree, no eval) and the
parsed formula (tree.py). What each estimator adds lives in analysis/pure/estimators/."""
