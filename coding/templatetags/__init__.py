"""Template tags and filters of the coding app. Presentation only: no queries, no rules."""
