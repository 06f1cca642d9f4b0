"""Production: DEBUG off, SECRET_KEY required, HTTPS only (HSTS and redirect to https).

`manage.py check --deploy --settings=config.settings.production` reports no issues with the
defaults. A lab whose TLS ends at a reverse proxy either tells Django which header the proxy sets
(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", or "X-Forwarded-Proto: https"), or switches the
redirect and HSTS off here (SECURE_SSL_REDIRECT=0, SECURE_HSTS_SECONDS=0) and lets the proxy do
them; check --deploy then warns about what was switched off, as it should.
"""
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DEV_SECRET_KEY, env_bool

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: production needs a long random secret in the environment, e.g. "
        "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, not {value!r}") from None


SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only adds "preload" to the header; the domain enters browsers' lists only if submitted by hand.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# "X-Forwarded-Proto" or "X-Forwarded-Proto: https": trust that header, set by the TLS proxy, to
# say the request came over https. Only behind a proxy that always sets (or strips) it.
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    _name, _, _value = _proxy_header.partition(":")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip() or "https")
