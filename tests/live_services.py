"""Real services for integration tests: a Redis server and a Celery worker process that share
the test database with the test process."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection


def test_database_url():
    """A DATABASE_URL that points a separate process at the test database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def redis_url():
    """REDIS_URL from the environment (make test starts a private server), else start one."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    try:
        from config.devservices import redis_server
    except ImportError:  # pragma: no cover - devservices is part of the project
        redis_server = None
    if redis_server is None or shutil.which("redis-server") is None:
        pytest.skip("no REDIS_URL and no redis-server on PATH: run the suite with `make test`")
    with redis_server() as url:
        yield url


@contextmanager
def celery_worker(broker_url, *, concurrency=1, queues=("default", "estimation"), pool="solo", env=None):
    """A real worker on the test database, consuming both queues unless `queues` says otherwise
    (as `make up` starts it). pool="prefork" runs tasks in pool processes (which a test may
    kill); `env` adds settings, e.g. {"JOB_SWEEP_SECONDS": "1"}. It stores and reads files where
    the test process does (MEDIA_ROOT, and PANEL_DIR when set), unless `env` says otherwise."""
    files = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    if getattr(settings, "PANEL_DIR", None):
        files["PANEL_DIR"] = str(settings.PANEL_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **files,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        f"--pool={pool}",
        "-l",
        "warning",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if queues:
        command += ["-Q", ",".join(queues)]
    # Its output goes to a file, not a pipe nobody reads: a chatty worker never blocks on a full pipe.
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115 - the worker writes it after we return
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    process.log_path = log.name
    log.close()
    try:
        yield process
    finally:
        stop_worker(process)
        os.unlink(process.log_path)


def stop_worker(process, sig=signal.SIGTERM):
    """Stop the worker and every process of its session (pool processes, estimators); a worker a
    test already killed is only waited for."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def worker_output(process):
    path = getattr(process, "log_path", None)
    if path and os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-20_000:]
    return process.stdout.read() if process.stdout else ""


def wait_for(predicate, *, timeout=60, interval=0.2, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process is not None and process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{worker_output(process)}")
        time.sleep(interval)
    return False
