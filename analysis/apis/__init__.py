"""The analysis app's JSON API (DRF views), one module per subject: releases, runs; the URLs are
config/api_urls.py. Thin like the pages: selectors read (who may see what is coding/visibility.py's),
services write."""
