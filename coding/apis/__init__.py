"""The coding app's JSON API (DRF views), one module per subject; the URLs are config/api_urls.py.
Thin like the pages: selectors read (codings only through coding/visibility.py), services write."""
