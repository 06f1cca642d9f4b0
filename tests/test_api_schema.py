"""Property-based test of the whole API against its own OpenAPI schema (schemathesis), with all
its checks: for valid and for invalid requests, no server error, every status code, content type,
header and body as documented, invalid input refused; and blindness holds for the API too (a
coder never receives another coder's answers)."""

import base64
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from coding.models import Coding
from coding.services.assignments import assignment_create
from coding.services.codings import coding_save

# CI explores a fixed set of examples, so a red build is reproducible; set API_FUZZ_RANDOM=1 and a
# larger API_FUZZ_EXAMPLES to hunt for new failures locally (and add each one to the regression
# tests in tests/coding/test_desta_and_refs.py).
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = os.environ.get("API_FUZZ_RANDOM") != "1"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"coder_a:pw").decode()}
# Operations whose input is checked against what is stored, which no schema can say: a coding's
# answers against its codebook version and text (indicator codes, allowed values, cited
# articles; "answer every indicator" before a submit), a run's formula against its panel's
# columns. A request of the right shape may get a 400 there, saying why.
DEPENDS_ON_STORED_DATA = {"PUT /api/codings/{id}/", "POST /api/codings/{id}/submit/", "POST /api/runs/"}


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

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=AUTH)  # the schema needs a login
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    checked = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=DERANDOMIZE,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case):
                response = case.call(headers=AUTH)
                assert "B-ONLY" not in response.text, (case.method, case.formatted_path)
                # Every check (no server error, status code, content type, headers and body as
                # documented, invalid data refused, ...), except "ignored auth": the request carries
                # our own valid login, which the API rightly accepts.
                excluded = [ignored_auth]
                if f"{case.method} {case.path}" in DEPENDS_ON_STORED_DATA and response.status_code == 400:
                    # Valid in shape, refused for what is stored (see DEPENDS_ON_STORED_DATA).
                    excluded.append(positive_data_acceptance)
                    assert response.json(), response.text  # `detail`, or each field named with its problem
                case.validate_response(response, headers=AUTH, excluded_checks=excluded)

            try:
                check()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, operation  # an operation without inputs has no invalid ones
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "GET /api/codings/{id}/" in checked and "PUT /api/codings/{id}/" in checked


@pytest.mark.django_db
def test_query_parameters_are_checked_as_documented(client_for, users, treaty):
    client = client_for(users["coder"])
    # `?year=null` is not a year: a 400 naming the parameter, not every agreement
    response = client.get("/api/agreements/", {"year": "null"})
    assert response.status_code == 400 and "year" in response.json()
    assert client.get("/api/agreements/", {"has_text": "maybe"}).status_code == 400
    assert client.get("/api/agreements/", {"year": "2010"}).json()["count"] == 1
    assert client.get("/api/agreements/", {"limit": "abc"}).json() == {"limit": ["a whole number from 1"]}
    assert client.get("/api/agreements/", {"offset": "-1"}).status_code == 400
    assert client.get("/api/agreements/", {"limit": "5000"}).status_code == 200  # cut to 1000
    assert client.get("/api/agreements/1/articles/", {"version": "x"}).status_code == 400
    assert client.get("/api/codings/", {"agreement": "nonsense"}).status_code == 400
    assert client.get("/api/codings/", {"agreement": "tota:999"}).status_code == 404
    # addresses that match nothing answer JSON like the rest of the API, huge ids included
    for path in ("/api/codings/99999999999999999999/", "/api/runs/2147483648/", "/api/nothing/"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path
        assert response.json()["detail"]


@pytest.mark.django_db
def test_every_operation_documents_its_error_answers(client_for, users):
    schema = client_for(users["coder"]).get("/api/schema/", {"format": "json"}).json()
    responses = {
        f"{method.upper()} {path}": set(op["responses"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if path != "/api/schema/"
    }
    assert all({"401", "403", "429"} <= codes for codes in responses.values()), responses
    assert {"400", "404", "409"} <= responses["PUT /api/codings/{id}/"]
    assert {"400", "404", "409"} <= responses["POST /api/codings/{id}/submit/"]
    assert {"400", "404"} <= responses["POST /api/runs/"] and "400" in responses["GET /api/agreements/"]
    assert "404" in responses["GET /api/agreements/{ref}/"] and "404" in responses["GET /api/runs/{id}/"]
