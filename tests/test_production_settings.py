"""Production posture: DEBUG off unless asked for, SECRET_KEY and ALLOWED_HOSTS handling, a clean
`check --deploy`, the HTTPS switches, static files, and the 403/404/500 pages in both languages.
Serving through gunicorn is tests/test_production_serving.py."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path
from django.utils.translation import ngettext

import config.urls

ROOT = settings.BASE_DIR
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def run(args, tmp_path, **env):
    """A fresh interpreter with a clean environment: no DEBUG, SECRET_KEY or settings module
    unless given here; var/ in tmp_path so nothing touches the project's own files."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "VAR_DIR": str(tmp_path / "var"),
    }
    clean.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


NAMES = [
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({{name: getattr(settings, name) for name in {!r}}}, default=str))"
)


def settings_of(tmp_path, module="config.settings.base", names=NAMES, **env):
    """The settings a fresh process sees, as a dict."""
    completed = run(["-c", PRINT_SETTINGS.format(names)], tmp_path, DJANGO_SETTINGS_MODULE=module, **env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def strong_key():
    return secrets.token_urlsafe(50)


# -- DEBUG and SECRET_KEY ---------------------------------------------------------------------


def test_debug_is_off_unless_asked_for(tmp_path):
    assert settings_of(tmp_path)["DEBUG"] is False
    debug = settings_of(tmp_path, DEBUG="1")
    assert debug["DEBUG"] is True and debug["SECRET_KEY"] == "dev-only-insecure-key-change-me"  # development fallback
    assert settings_of(tmp_path, DEBUG="0")["DEBUG"] is False
    assert settings_of(tmp_path, DEBUG="yes")["DEBUG"] is True
    assert settings.DEBUG is False  # and the tests themselves run without it


def test_base_without_debug_or_secret_key_uses_one_random_local_key(tmp_path):
    """The Celery worker, management commands and a bare `gunicorn config.wsgi` use base settings:
    without SECRET_KEY they share a random key made once in var/secret_key (never the public
    development key), so sessions survive restarts."""
    first = settings_of(tmp_path)["SECRET_KEY"]
    second = settings_of(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 50 and first != "dev-only-insecure-key-change-me"
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert settings_of(tmp_path, SECRET_KEY="from-the-environment")["SECRET_KEY"] == "from-the-environment"


def test_make_up_runs_the_demo_with_debug_off_and_collected_static_files(monkeypatch):
    """`make up` (devservices up) passes DEBUG=0 to migrate, the demo, the worker and runserver, so
    errors are the workbench's own pages (tests/test_own_error_pages.py), and collects the static
    files WhiteNoise then serves before it starts the web server."""
    import signal

    from config import devservices

    ran, started = [], []

    def fake_run(command, **kwargs):
        ran.append((command, kwargs["env"]))
        return subprocess.CompletedProcess(command, 0)

    def fake_popen(command, **kwargs):
        started.append((command, kwargs["env"]))
        raise subprocess.CalledProcessError(1, command)  # stop at the first long-running process

    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.setattr(devservices, "redis_ping", lambda *a, **k: True)
    monkeypatch.setattr(devservices, "ensure_cjk_font_installed", lambda: True)
    monkeypatch.setattr(devservices.subprocess, "run", fake_run)
    monkeypatch.setattr(devservices.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(signal, "signal", lambda *a: None)
    with pytest.raises(SystemExit):
        devservices.command_up([])
    steps = [command[2] for command, _ in ran if command[1].endswith("manage.py")]
    assert steps[0] == "migrate" and steps[-2:] == ["load_demo", "collectstatic"]
    assert started and all(env["DEBUG"] == "0" for _, env in ran + started)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    for env in ({}, {"SECRET_KEY": ""}, {"SECRET_KEY": "dev-only-insecure-key-change-me"}):
        completed = run(["manage.py", "check", "--settings=config.settings.production"], tmp_path, **env)
        assert completed.returncode != 0
        last = completed.stderr.strip().splitlines()[-1]
        assert last.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set: "), last
        assert "KeyError" not in completed.stderr


def test_production_refuses_a_secret_key_shorter_than_50_characters(tmp_path):
    short = "k" * 49
    completed = run(
        ["manage.py", "check", "--settings=config.settings.production"],
        tmp_path,
        SECRET_KEY=short,
        ALLOWED_HOSTS="workbench.example.org",
    )
    assert completed.returncode != 0
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is too short: "
        "49 characters, production needs at least 50"
    ), last
    assert short not in completed.stderr  # the secret itself is never printed
    completed = run(
        ["manage.py", "check", "--settings=config.settings.production"],
        tmp_path,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="workbench.example.org",
    )
    assert completed.returncode == 0, completed.stderr


# -- check --deploy and the HTTPS switches ----------------------------------------------------


def test_check_deploy_is_clean_with_the_defaults(tmp_path):
    completed = run(
        ["manage.py", "check", "--deploy", "--settings=config.settings.production"],
        tmp_path,
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="workbench.example.org",
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "System check identified no issues (0 silenced).", completed.stdout
    assert "WARNINGS" not in completed.stderr and "security." not in completed.stderr
    values = settings_of(
        tmp_path,
        "config.settings.production",
        SECRET_KEY=strong_key(),
        DEBUG="1",
        ALLOWED_HOSTS="workbench.example.org",
    )
    assert values["DEBUG"] is False  # even with DEBUG=1 in the environment
    assert {name: values[name] for name in NAMES[2:]} == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_lab_behind_a_tls_proxy_can_switch_redirect_and_hsts_off(tmp_path):
    env = {
        "SECRET_KEY": strong_key(),
        "ALLOWED_HOSTS": "workbench.example.org",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    completed = run(["manage.py", "check", "--deploy", "--settings=config.settings.production"], tmp_path, **env)
    assert completed.returncode == 0
    output = completed.stdout + completed.stderr
    # Django says what was switched off (documented behaviour), and nothing else.
    assert "security.W004" in output and "security.W008" in output
    assert "identified 2 issues" in output
    values = settings_of(tmp_path, "config.settings.production", **env, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert (values["SECURE_SSL_REDIRECT"], values["SECURE_HSTS_SECONDS"]) == (False, 0)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    values = settings_of(
        tmp_path,
        "config.settings.production",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="a.example.org",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Ssl: on",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SSL", "on"]


def test_production_names_a_bad_hsts_value(tmp_path):
    completed = run(
        ["manage.py", "check", "--settings=config.settings.production"],
        tmp_path,
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="workbench.example.org",
        SECURE_HSTS_SECONDS="a year",
    )
    assert completed.returncode != 0
    assert "SECURE_HSTS_SECONDS must be a whole number of seconds, not 'a year'" in completed.stderr


def test_a_mistyped_switch_refuses_to_start_and_an_empty_one_keeps_the_default(tmp_path):
    """An env file line `SECURE_SSL_REDIRECT=ture` must not switch the protection off."""
    completed = run(
        ["manage.py", "check", "--settings=config.settings.production"],
        tmp_path,
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="workbench.example.org",
        SECURE_SSL_REDIRECT="ture",
    )
    assert completed.returncode != 0
    assert completed.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECURE_SSL_REDIRECT must be 1 or 0 (on or off), not 'ture'"
    )
    values = settings_of(
        tmp_path,
        "config.settings.production",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="workbench.example.org",
        SECURE_SSL_REDIRECT="",
        SECURE_HSTS_PRELOAD=" ",
    )
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_PRELOAD"] is True


def test_plain_http_on_a_lab_lan_needs_four_switches_and_check_deploy_names_them(tmp_path):
    """Browsers keep secure-only cookies from http pages, so plain http also switches those off."""
    env = {
        "SECRET_KEY": strong_key(),
        "ALLOWED_HOSTS": "10.0.0.5",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    completed = run(
        ["manage.py", "check", "--deploy", "--tag", "security", "--settings=config.settings.production"],
        tmp_path,
        **env,
    )  # the security checks only: the full check is the clean-defaults test's
    assert completed.returncode == 0
    output = completed.stdout + completed.stderr
    assert all(code in output for code in ("security.W004", "security.W008", "security.W012", "security.W016"))
    assert "identified 4 issues" in output
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]
    assert settings_of(tmp_path, "config.settings.production", names, **env) == dict.fromkeys(names, False)
    defaults = settings_of(tmp_path, "config.settings.production", names, SECRET_KEY=strong_key(), ALLOWED_HOSTS="a")
    assert defaults == dict.fromkeys(names, True)


# -- ALLOWED_HOSTS and static files -----------------------------------------------------------


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    for hosts in (None, "", " , "):
        env = {"SECRET_KEY": strong_key()} | ({} if hosts is None else {"ALLOWED_HOSTS": hosts})
        completed = run(["manage.py", "check", "--settings=config.settings.production"], tmp_path, **env)
        assert completed.returncode != 0
        last = completed.stderr.strip().splitlines()[-1]
        assert last.startswith("django.core.exceptions.ImproperlyConfigured: ALLOWED_HOSTS is not set: "), last
    names = ["ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"]
    values = settings_of(
        tmp_path,
        "config.settings.production",
        names,
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS=" workbench.example.org, 10.0.0.5 ,",
        CSRF_TRUSTED_ORIGINS="https://workbench.example.org:8443",
    )
    assert values == {
        "ALLOWED_HOSTS": ["workbench.example.org", "10.0.0.5"],
        "CSRF_TRUSTED_ORIGINS": ["https://workbench.example.org:8443"],
    }


def test_static_files_hashed_in_production_and_plain_elsewhere(tmp_path):
    """WhiteNoise serves STATIC_ROOT right after the security middleware; only production needs
    collectstatic's manifest, so tests and DEBUG runs work without it."""
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    names = ["STORAGES", "STATIC_ROOT", "MEDIA_ROOT"]
    base = settings_of(tmp_path, names=names)
    assert base["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert base["STATIC_ROOT"] == str(tmp_path / "var" / "static")
    production = settings_of(
        tmp_path,
        "config.settings.production",
        names,
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="a.example.org",
        STATIC_ROOT="/srv/workbench/static",
        MEDIA_ROOT="/srv/workbench/media",
    )
    assert production["STORAGES"] == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    assert (production["STATIC_ROOT"], production["MEDIA_ROOT"]) == ("/srv/workbench/static", "/srv/workbench/media")


# -- error pages ------------------------------------------------------------------------------

BLIND_MESSAGE = (
    "Release %(number)s contains %(count)s agreement you are coding blind; it opens once that "
    "agreement is adjudicated.",
    "Release %(number)s contains %(count)s agreements you are coding blind; it opens once they are adjudicated.",
)


def denied_with_reason(request):
    # As analysis.views does: the message is translated when raised, in the reader's language.
    raise PermissionDenied(ngettext(*BLIND_MESSAGE, 1) % {"number": 3, "count": 1})


def denied(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/denied-reason/", denied_with_reason),
    path("test-errors/denied/", denied),
    path("test-errors/broken/", broken),
    *config.urls.urlpatterns,
]


def page(client, url, status, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    body = response.content.decode()
    assert '<header class="top">' in body and 'class="brand"' in body  # the workbench's top bar
    return body


@pytest.mark.urls("tests.test_production_settings")
@pytest.mark.django_db
def test_403_page_shows_the_reason_in_both_languages(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="coder_a", role="coder"))
    body = page(client, "/test-errors/denied-reason/", 403)
    assert "<h1>Access denied</h1>" in body and "FTA coding workbench" in body
    assert "Release 3 contains 1 agreement you are coding blind; it opens once that agreement is adjudicated." in body
    assert "coder_a" in body  # the top bar still knows who is logged in
    body = page(client, "/test-errors/denied-reason/", 403, **ZH)
    assert "<h1>无权访问</h1>" in body and "自贸协定编码工作台" in body
    assert "发布 3 包含 1 个您正在盲编码的协定" in body
    body = page(client, "/test-errors/denied/", 403)
    assert "Your account may not open this page." in body
    assert "您的账户无权打开此页面。" in page(client, "/test-errors/denied/", 403, **ZH)


@pytest.mark.urls("tests.test_production_settings")
@pytest.mark.django_db
def test_404_page_in_both_languages(client):
    body = page(client, "/no/such/page/", 404)
    assert "<h1>Page not found</h1>" in body and "There is nothing at <code>/no/such/page/</code>." in body
    assert 'id="language-form"' in body
    client.cookies["django_language"] = "zh-hans"  # what the language switcher sets
    body = page(client, "/no/such/page/", 404)
    assert "<h1>页面不存在</h1>" in body and "<code>/no/such/page/</code> 处没有内容。" in body
    assert "自贸协定编码工作台" in body


@pytest.mark.urls("tests.test_production_settings")
@pytest.mark.django_db
def test_500_page_renders_without_a_request_in_both_languages():
    client = Client(raise_request_exception=False)
    body = page(client, "/test-errors/broken/", 500)
    assert "<h1>Server error</h1>" in body and "FTA coding workbench" in body
    assert "a bug" not in body and "Traceback" not in body
    body = page(client, "/test-errors/broken/", 500, **ZH)
    assert "<h1>服务器错误</h1>" in body and "自贸协定编码工作台" in body
