"""Selectors: every read the coding app makes (HackSoft's selectors layer), one module per subject.
They only read; codings are shown only through coding/visibility.py. Import from the module."""
