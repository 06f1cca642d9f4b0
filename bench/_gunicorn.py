"""A gunicorn server for benchmarks that measure the web server (bench_api_auth, bench_coders_load):
started on loopback, waited for until the login page answers, stopped with its whole session."""

import os
import signal
import subprocess
import sys
import time

from _django import ROOT


def gunicorn_start(port, env, *options):
    """gunicorn serving config.wsgi on 127.0.0.1:`port` with `env` and the command-line `options`."""
    import requests

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            *options,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited: {process.stderr.read()[-2000:]}")
        try:
            requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    gunicorn_stop(process)
    raise SystemExit("gunicorn did not start within 30 s")


def gunicorn_stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
