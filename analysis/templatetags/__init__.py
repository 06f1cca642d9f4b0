"""Template filters of the analysis app. Presentation only: no queries, no rules."""
