"""The web layer both apps share: what turns a request into a call and a domain answer into HTTP.

- api_errors.py: the API's error answers, documented once (drf-spectacular) and produced once (the
  DRF exception handler: domain errors to 400, 403, 404, 409), and the query-parameter check;
- permissions.py: `supervisor_required` (pages) and `IsSupervisor` (API);
- accounts.py: the API's authentication classes and what a locked-out login sees (django-axes);
- templatetags/source_labels.py: names of coders and sources of codes on both apps' pages.

It may import the coding app's roles, visibility and selectors (who is a supervisor, which
sources exist are the coding app's rules), never the analysis app; both apps import it, and only
from their pages, API and template tags (tests/test_layout.py)."""
