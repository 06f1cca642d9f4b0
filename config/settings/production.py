"""Production: DEBUG off, SECRET_KEY and ALLOWED_HOSTS required, HTTPS only (HSTS and redirect to
https), static files hashed and compressed for WhiteNoise. Everything else comes from the
environment as in base.py: DATABASE_URL, REDIS_URL, MEDIA_ROOT, STATIC_ROOT, PANEL_DIR, the Celery
time limits (deploy/workbench.env.example lists them all; `make serve` runs it under gunicorn).

`manage.py check --deploy --settings=config.settings.production` reports no issues with the
defaults. A TLS proxy on the web host needs nothing more: gunicorn believes its X-Forwarded-Proto
(config/gunicorn.conf.py). A lab whose proxy is elsewhere either tells Django which header the proxy
sets (SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", or "X-Forwarded-Proto: https"), or switches the
redirect and HSTS off here (SECURE_SSL_REDIRECT=0, SECURE_HSTS_SECONDS=0) and lets the proxy do
them; check --deploy then warns about what was switched off, as it should. Plain http (a trial on
a lab LAN, no TLS at all) also needs SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0, since browsers
keep secure-only cookies away from http pages and no one could log in.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 - a settings module extends the base settings wholesale
from .base import DATABASES, DEV_SECRET_KEY

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production needs a long random secret in the environment, e.g. "
        "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
# Django's own deploy check (security.W009) asks for at least 50 characters; a shorter key is
# refused rather than warned about, since a guessable key lets anyone forge a session.
SECRET_KEY_MIN_LENGTH = 50
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"SECRET_KEY is too short: {len(SECRET_KEY)} characters, production needs at least "
        f"{SECRET_KEY_MIN_LENGTH}, e.g. SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )

# No default here (base.py's localhost list would answer nobody else, or the wrong names).
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set: production needs the host names the site answers to, "
        "comma-separated, e.g. ALLOWED_HOSTS=workbench.example.org,10.0.0.5"
    )
# Origins a form may be posted from besides the site itself, e.g. "https://workbench.example.org:8443"
# when the TLS proxy listens on another port than the one it tells Django about.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {value!r}") from None


def env_switch(name, default):
    """A security switch: unset or empty keeps the default; a typo refuses to start rather than
    switching the protection off (base.env_bool reads anything unknown as off)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (on or off), not {os.environ[name].strip()!r}")


# `manage.py collectstatic` writes every file under a name with its content hash, plus a gzip
# copy, and WhiteNoise serves those with "Cache-Control: max-age=315360000, immutable" (and the
# gzip copy to browsers that accept it). {% static %} then needs the manifest: run collectstatic
# after every upgrade (`make serve` does). https://whitenoise.readthedocs.io/en/stable/django.html
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Secure-only cookies: the session and CSRF cookies never travel over plain http.
SESSION_COOKIE_SECURE = env_switch("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_switch("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_switch("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_switch("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only adds "preload" to the header; the domain enters browsers' lists only if submitted by hand.
SECURE_HSTS_PRELOAD = env_switch("SECURE_HSTS_PRELOAD", True)

# "X-Forwarded-Proto" or "X-Forwarded-Proto: https": trust that header, set by the TLS proxy, to
# say the request came over https. Only behind a proxy that always sets (or strips) it.
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    _name, _, _value = _proxy_header.partition(":")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip() or "https")

# Keep each process's database connection for CONN_MAX_AGE seconds (default 60) instead of opening
# one per request: with PostgreSQL that halves the server CPU of a coding save
# (bench/bench_coders_load.py). Health checks drop a connection the server closed. PostgreSQL's
# max_connections must exceed the web workers (x threads) plus every Celery process.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
