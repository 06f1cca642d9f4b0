"""Template tags the pages of both apps load."""
