"""Management commands of the coding app (see commands/)."""
