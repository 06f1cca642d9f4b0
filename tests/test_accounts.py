"""Accounts: password rules, login throttling (django-axes) on the login form, the admin and the
API, and API tokens (`issue_token`)."""

import base64
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F

from coding.roles import REFERENCE
from tests.factories import UserFactory

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
LIMIT = 10


# -- password rules ---------------------------------------------------------------------------


def validation_codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {error.code for error in exc.error_list}
    return set()


@pytest.mark.django_db
def test_password_validators_refuse_weak_passwords():
    assert [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert validation_codes("12345678") == {"password_too_common", "password_entirely_numeric"}
    assert "password_too_short" in validation_codes("tr4de!")
    assert validation_codes("password") == {"password_too_common"}
    user = UserFactory.build(username="wanglihua", email="wanglihua@example.org")
    assert validation_codes("wanglihua1", user) == {"password_too_similar"}
    assert validation_codes("gravity-ppml-hdfe-2016", user) == set()


@pytest.mark.django_db
def test_demo_users_still_log_in_with_their_passwords(client):
    """The demo passwords are set with set_password (no validators run), so the rules above do not
    lock the demo out; nothing in the project validates them."""
    from config.demo import DEMO_USERS, demo_users_create

    demo_users_create()
    for username, password, _, _ in DEMO_USERS:
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302 and response["Location"] == "/coding/agreements/", username
        client.post("/accounts/logout/")


# -- login throttling -------------------------------------------------------------------------


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def logged_in(client):
    return SESSION_KEY in client.session


@pytest.fixture
def coder(db):
    return UserFactory(username="coder_a", role="coder")


@pytest.mark.django_db
def test_login_form_locks_username_and_address_after_ten_failures(client, coder):
    assert settings.AXES_FAILURE_LIMIT == LIMIT and settings.AXES_ENABLED
    for attempt in range(1, LIMIT):
        response = client.post("/accounts/login/", {"username": "coder_a", "password": f"wrong{attempt}"})
        assert response.status_code == 200, attempt
        assert "Your username and password didn't match" in response.content.decode()
    response = client.post("/accounts/login/", {"username": "coder_a", "password": "wrong10"})
    assert response.status_code == 429  # the tenth failure already says so
    response = client.post("/accounts/login/", {"username": "coder_a", "password": "pw"})
    body = response.content.decode()
    assert response.status_code == 429 and not logged_in(client)
    assert 'class="brand"' in body and "FTA coding workbench" in body  # the workbench's layout
    assert "Too many failed logins" in body
    assert (
        "After 10 failed attempts, logins as this user from your address are paused. Try again in 15 minutes." in body
    )
    assert client.get("/coding/agreements/").status_code == 302  # still not logged in

    # The same page in Chinese.
    body = client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}, **ZH).content.decode()
    assert "自贸协定编码工作台" in body and "登录失败次数过多" in body and "15 分钟后再试" in body

    # The lock holds this username from this address only.
    other_address = client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 302
    client.post("/accounts/logout/")
    UserFactory(username="coder_b", role="coder")
    assert client.post("/accounts/login/", {"username": "coder_b", "password": "pw"}).status_code == 302


@pytest.mark.django_db
def test_lock_ends_after_the_cool_off_and_with_axes_reset(client, coder):
    for attempt in range(LIMIT):
        client.post("/accounts/login/", {"username": "coder_a", "password": f"wrong{attempt}"})
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 429
    # Failed attempts during the lock do not extend it: 15 minutes after the tenth failure, in.
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1, seconds=5))
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 302
    client.post("/accounts/logout/")

    for attempt in range(LIMIT):
        client.post("/accounts/login/", {"username": "coder_a", "password": f"wrong{attempt}"})
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 429
    call_command("axes_reset", stdout=StringIO())
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, coder):
    for round_ in range(2):
        for _attempt in range(LIMIT - 1):
            assert client.post("/accounts/login/", {"username": "coder_a", "password": "nope"}).status_code == 200
        assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 302, round_
        client.post("/accounts/logout/")


@pytest.mark.django_db
def test_admin_login_is_throttled_too(client):
    UserFactory(username="supervisor", role="supervisor")
    for attempt in range(LIMIT):
        client.post("/admin/login/", {"username": "supervisor", "password": f"wrong{attempt}", "next": "/admin/"})
    response = client.post("/admin/login/", {"username": "supervisor", "password": "pw", "next": "/admin/"})
    assert response.status_code == 429 and not logged_in(client)
    assert "Too many failed logins" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_api_basic_auth_is_throttled_with_a_json_429(client, coder):
    assert client.get("/api/agreements/", **basic("coder_a", "pw")).status_code == 200
    for attempt in range(1, LIMIT):
        response = client.get("/api/agreements/", **basic("coder_a", f"wrong{attempt}"))
        assert response.status_code == 401 and response["WWW-Authenticate"] == 'Basic realm="api"', attempt
    assert client.get("/api/agreements/", **basic("coder_a", "wrong10")).status_code == 429
    response = client.get("/api/agreements/", **basic("coder_a", "pw"))
    assert response.status_code == 429 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == (
        "Too many failed logins for this account from your address: try again in 15 minutes."
    )
    assert 840 <= int(response["Retry-After"]) <= 900
    response = client.get("/api/agreements/", **basic("coder_a", "pw"), **ZH)
    assert response.status_code == 429 and "15 分钟后再试" in response.json()["detail"]
    # The form shares the lock: it is the same username from the same address.
    assert client.post("/accounts/login/", {"username": "coder_a", "password": "pw"}).status_code == 429
    # Another address is not locked.
    assert client.get("/api/agreements/", **basic("coder_a", "pw"), REMOTE_ADDR="10.9.9.9").status_code == 200


@pytest.mark.django_db
def test_api_failures_count_whatever_the_request_body(client, coder):
    """A malformed body must not make a wrong password go uncounted (DRF would parse it first)."""
    for attempt in range(LIMIT):
        response = client.generic(
            "PUT",
            "/api/codings/999999/",
            "{not json",
            content_type="application/json",
            **basic("coder_a", f"wrong{attempt}"),
        )
        assert response.status_code in {401, 429}, attempt
    response = client.generic(
        "PUT", "/api/codings/999999/", "{not json", content_type="application/json", **basic("coder_a", "pw")
    )
    assert response.status_code == 429 and response.json()["code"] == "locked_out"


@pytest.mark.django_db
def test_force_login_and_basic_auth_successes_leave_no_attempts(client, coder):
    """What the rest of the suite relies on: force_login bypasses axes, successful basic auth
    records nothing, so no test can lock another out."""
    client.force_login(coder)
    assert client.get("/api/agreements/").status_code == 200
    client.logout()
    for _ in range(LIMIT + 2):
        assert client.get("/api/agreements/", **basic("coder_a", "pw")).status_code == 200
    assert AccessAttempt.objects.count() == 0


# -- API tokens -------------------------------------------------------------------------------


def issue_token(*args):
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def token(key):
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.mark.django_db
def test_issue_token_and_use_it(client, coder):
    key = issue_token("coder_a")
    assert len(key) == 40
    assert issue_token("coder_a") == key  # asking again prints the same token
    response = client.get("/api/agreements/", **token(key))
    assert response.status_code == 200 and "results" in response.json()
    wrong = client.get("/api/agreements/", **token("0" * 40))
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Token")
    assert client.get("/api/agreements/").status_code == 403  # no credentials at all: as before tokens

    new = issue_token("coder_a", "--rotate")
    assert new != key and len(new) == 40
    assert client.get("/api/agreements/", **token(key)).status_code == 401
    assert client.get("/api/agreements/", **token(new)).status_code == 200
    # A token is not a login: the session stays anonymous.
    assert client.get("/coding/agreements/").status_code == 302


@pytest.mark.django_db
def test_issue_token_refuses_unknown_reference_and_inactive_users(coder):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        issue_token("nobody")
    reference = UserFactory(username="DESTA 2.1")
    reference.groups.add(Group.objects.get_or_create(name=REFERENCE)[0])
    with pytest.raises(CommandError, match="reference coder"):
        issue_token("DESTA 2.1")
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        issue_token("gone")


@pytest.mark.django_db
def test_issue_token_from_the_command_line_prints_only_the_token(coder, capfd):
    """Scripts do TOKEN=$(manage.py issue_token coder_a): the token alone on stdout."""
    call_command("issue_token", "coder_a")
    out, err = capfd.readouterr()
    assert len(out.strip()) == 40 and "\n" not in out.strip()
    assert "coder_a" in err
