"""Selectors: every read the analysis app makes (HackSoft's selectors layer), one module per
subject: releases, runs (and their panels), sensitivity, comparisons. They only read. Who may see what is
decided in coding/visibility.py; these map an object to its source and agreement ids and ask it.
Import from the module."""
