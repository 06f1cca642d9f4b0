"""Management commands of the analysis app (see commands/)."""
