"""Production serving end to end: a real gunicorn (config/gunicorn.conf.py) with
config.settings.production, its own migrated SQLite database and its own collectstatic output,
answering on a free loopback port. What `make serve` and deploy/workbench-web.service run."""

import gzip
import http.client
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR

# The suite runs twice, on SQLite and then on PostgreSQL; this server uses its own SQLite file
# either way, so the second run would test exactly the same thing again (and pay ~10 s for it).
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="uses its own SQLite database: already tested in the SQLite run",
)


def server_env(tmp):
    """A clean environment, as a systemd unit gives: nothing from the test settings leaks in."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": os.environ.get("HOME", str(tmp)),  # matplotlib's font cache, made once per user
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "serving-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",  # plain http on loopback
        "VAR_DIR": str(tmp / "var"),
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "WEB_BIND": "127.0.0.1:0",
        "WEB_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    if "MPLCONFIGDIR" in os.environ:
        env["MPLCONFIGDIR"] = os.environ["MPLCONFIGDIR"]
    return env


def wait_for(pattern, path, process, seconds):
    """The first match of `pattern` in the log file at `path`, waiting for gunicorn to write it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        match = re.search(pattern, path.read_text(errors="replace"))
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not log {pattern!r}:\n{path.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serving")
    env = server_env(tmp)
    # collectstatic, migrate and gunicorn's start (imports, ~5 s) overlap: WhiteNoise lists the
    # static files when the app loads, so gunicorn starts once collectstatic is done; nothing
    # touches the database before the first request, which waits for migrate. Checks are skipped
    # here (`make serve` runs them).
    collectstatic, migrate = (
        subprocess.Popen(
            [sys.executable, "manage.py", command, "--noinput", "--skip-checks", "-v", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for command in ("collectstatic", "migrate")
    )
    output, _ = collectstatic.communicate(timeout=120)
    if collectstatic.returncode:
        migrate.kill()
        pytest.fail(f"collectstatic failed:\n{output}")
    log, access = tmp / "gunicorn.err", tmp / "gunicorn.out"
    with open(log, "w") as err, open(access, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        port = int(wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)", log, process, 60).group(1))
        output, _ = migrate.communicate(timeout=120)
        assert migrate.returncode == 0, output
        wait_for(r"Booting worker with pid", log, process, 60)
        yield {"port": port, "access_log": access}
    finally:
        # The whole process group (master and workers), gracefully, then for sure.
        for sig, seconds in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=seconds)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def get(server, path, **headers):
    connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def static_paths(server):
    """Every static file the login pages reference. The workbench's own login page keeps its
    style inline; the admin's references its stylesheets."""
    paths = set()
    for page in ("/accounts/login/", "/admin/login/"):
        response, body = get(server, page)
        assert response.status == 200, page
        paths |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode()))
    return paths


def test_the_login_page_answers_with_html_and_secure_cookies(server):
    # Given gunicorn with production settings; when the login page is asked for
    response, body = get(server, "/accounts/login/")
    # then it answers, in the workbench's layout, with its CSRF cookie for https only
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert '<header class="top">' in body.decode() and 'name="password"' in body.decode()
    assert re.search(r"csrftoken=[^;]+;.*\bSecure\b", response.getheader("Set-Cookie") or "")
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_static_files_have_hashed_names_and_are_cached_for_ever(server):
    stylesheets = sorted(p for p in static_paths(server) if p.endswith(".css"))
    assert stylesheets, "no stylesheet referenced"
    for path in stylesheets:
        assert re.search(r"\.[0-9a-f]{12}\.css$", path), f"not a hashed manifest name: {path}"
        response, body = get(server, path)
        assert response.status == 200, path
        assert response.getheader("Content-Type").startswith("text/css")
        cache = response.getheader("Cache-Control")
        assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
        assert response.getheader("Content-Encoding") is None and body


def test_static_files_are_sent_compressed_to_who_accepts_gzip(server):
    path = "/static/admin/css/base.css"  # an unhashed name is served too, briefly cached
    response, plain = get(server, path)
    assert response.status == 200 and "immutable" not in response.getheader("Cache-Control")
    response, packed = get(server, path, **{"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert len(packed) < len(plain) and gzip.decompress(packed) == plain
    assert "Accept-Encoding" in response.getheader("Vary")


def test_a_missing_static_file_is_404(server):
    for path in ("/static/admin/css/no-such-file.css", "/static/admin/css/base.0123456789ab.css"):
        response, body = get(server, path)
        assert response.status == 404, path
        assert "<h1>Page not found</h1>" in body.decode()  # WhiteNoise let it through to the workbench


def test_debug_is_off_unknown_urls_get_the_workbench_404_page(server):
    response, body = get(server, "/no/such/page/")
    page = body.decode()
    assert response.status == 404
    assert "<h1>Page not found</h1>" in page and '<header class="top">' in page
    assert "URLconf" not in page and "DEBUG = True" not in page  # Django's technical 404


def test_the_access_log_goes_to_stdout(server):
    get(server, "/accounts/login/")
    deadline = time.monotonic() + 5
    while '"GET /accounts/login/ HTTP/1.1" 200' not in server["access_log"].read_text():
        assert time.monotonic() < deadline, server["access_log"].read_text()
        time.sleep(0.1)
