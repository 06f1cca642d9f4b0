"""API requests per second with a token (`manage.py issue_token`) against HTTP basic auth, on
a real gunicorn server on loopback (one sync worker, DEBUG off, the real PBKDF2 password hasher,
login throttling on), same endpoint (/api/agreements/, the demo's 61 FTAs), same machine, one
run. Basic auth hashes the password on every request; a token is one indexed lookup.

Run: .venv/bin/python bench/bench_api_auth.py
"""

import os
import secrets
import socket
import time

from _django import setup
from _gunicorn import gunicorn_start, gunicorn_stop

setup()

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from rest_framework.authtoken.models import Token

from config.demo import DEMO_USERS, demo_agreements_create, demo_users_create

URL_PATH = "/api/agreements/?limit=20"
SECONDS = 8  # per kind of authentication


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
    )
    return gunicorn_start(port, env, "--workers", "1", "--worker-class", "sync")


def rate(session, url):
    """Requests per second over SECONDS (at least 5 requests), after one warm-up request."""
    assert session.get(url).status_code == 200
    count, started = 0, time.perf_counter()
    while True:
        response = session.get(url)
        assert response.status_code == 200, response.text[:200]
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= SECONDS and count >= 5:
            return count / elapsed, count


def main():
    hasher = get_hasher()
    demo_agreements_create()
    demo_users_create()
    username, password = DEMO_USERS[0][:2]
    key = Token.objects.get_or_create(user=get_user_model().objects.get(username=username))[0].key
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}{URL_PATH}"
    try:
        with requests.Session() as token_session, requests.Session() as basic_session:
            token_session.headers["Authorization"] = f"Token {key}"
            basic_session.auth = (username, password)
            token_rate, token_n = rate(token_session, url)
            basic_rate, basic_n = rate(basic_session, url)
    finally:
        gunicorn_stop(server)
    print(
        f"password hasher: {hasher.algorithm} ({getattr(hasher, 'iterations', '?')} iterations); "
        f"server: gunicorn, 1 sync worker, DEBUG={settings.DEBUG}; GET {URL_PATH}"
    )
    print(f"basic auth (baseline): {basic_rate:8.1f} requests/s ({basic_n} requests, {1000 / basic_rate:6.1f} ms each)")
    print(f"token:                 {token_rate:8.1f} requests/s ({token_n} requests, {1000 / token_rate:6.1f} ms each)")
    print(f"token / basic: {token_rate / basic_rate:5.1f}x")


if __name__ == "__main__":
    main()
