"""Property-based test of the whole API against its own OpenAPI schema (schemathesis): for any
valid request, no server error and responses that match the schema; and blindness holds for the
API too (a coder never receives another coder's answers)."""
import base64
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from schemathesis.specs.openapi.checks import ignored_auth

from coding.models import Coding
from coding.services.codings import assignment_create, coding_save

# CI explores a fixed set of examples, so a red build is reproducible; set API_FUZZ_RANDOM=1 and a
# larger API_FUZZ_EXAMPLES to hunt for new failures locally (and add each one to the regression
# tests in tests/coding/test_desta_and_refs.py).
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = os.environ.get("API_FUZZ_RANDOM") != "1"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"coder_a:pw").decode()}


@pytest.fixture
def keep_test_connection():
    """Schemathesis calls the real WSGI application, which closes the database connection after
    each request; inside a test transaction that connection must stay open (Django's own test
    client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_api_never_fails_and_keeps_coders_blind(users, mini_version, treaty, keep_test_connection):
    assignment_create(agreements=[treaty], version=mini_version, coders=[users["coder"], users["coder_b"]])
    coding = Coding.objects.get(coder=users["coder_b"])
    coding_save(coding=coding, user=users["coder_b"], revision=0, answers={"wto": {"value": 1, "note": "B-ONLY"}})
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checked = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=DERANDOMIZE, deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call(headers=AUTH)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            assert "B-ONLY" not in response.text, (case.method, case.formatted_path)
            if response.status_code == 200 and case.method == "GET":
                # The request carries our own valid login, so the "ignored auth" check does not apply.
                case.validate_response(response, excluded_checks=[ignored_auth])

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "GET /api/codings/{id}/" in checked and "PUT /api/codings/{id}/" in checked
