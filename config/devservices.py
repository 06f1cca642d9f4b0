"""Start the services the workbench needs, for `make up` and `make test`.

    python -m config.devservices up       # Redis, migrate, demo, Celery worker, web server
    python -m config.devservices test ... # the suite on SQLite, then on a throw-away PostgreSQL 15

Standard library only, so it runs before anything else is set up. Redis and PostgreSQL are real
servers on free loopback ports, in temporary directories, stopped on exit.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def redis_ping(port, timeout=0.5):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis_installed():
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if binary:
        return binary
    if not is_root():
        raise SystemExit(
            "Redis is not installed: run `sudo apt-get install -y redis-server` (or set REDIS_URL to a running server)."
        )
    print("Installing Redis: apt-get install -y redis-server ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True, env=env)
    return shutil.which("redis-server") or "/usr/bin/redis-server"


CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def ensure_cjk_font_installed():
    """A CJK font for plots labelled in Chinese (analysis/pure/plots.py finds it): installed from
    Debian when missing and root; otherwise a hint, since plots work without it (boxes for Chinese)."""
    if os.path.exists(CJK_FONT):
        return True
    if not is_root() or not shutil.which("apt-get"):
        print("No CJK font: Chinese plot labels show as boxes (sudo apt-get install -y fonts-wqy-microhei).")
        return False
    print("Installing a CJK font for plots: apt-get install -y fonts-wqy-microhei ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env)
    return subprocess.run(["apt-get", "install", "-y", "-qq", "fonts-wqy-microhei"], env=env).returncode == 0


@contextmanager
def redis_server(port=None):
    binary = ensure_redis_installed()
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not redis_ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Redis did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def postgres_bin(name):
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: ("/15/" not in p, p))
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise SystemExit(f"PostgreSQL's {name} was not found (apt-get install -y postgresql-15)")
    return found


def as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if is_root() else command


@contextmanager
def postgres_server():
    directory = tempfile.mkdtemp(prefix="workbench-pg-")
    data = os.path.join(directory, "data")
    port = free_port()
    if is_root():
        shutil.chown(directory, user="postgres", group="postgres")
    log = os.path.join(directory, "log")
    subprocess.run(
        as_postgres(
            [postgres_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started = subprocess.run(
        as_postgres([postgres_bin("pg_ctl"), "-D", data, "-o", options, "-l", log, "-w", "start"]),
        stdout=subprocess.DEVNULL,
    )
    if started.returncode != 0:
        print(Path(log).read_text()[-2000:] if os.path.exists(log) else "(no log)", file=sys.stderr)
        raise SystemExit("PostgreSQL did not start")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_postgres([postgres_bin("pg_ctl"), "-D", data, "-m", "fast", "-w", "stop"]), stdout=subprocess.DEVNULL
        )
        shutil.rmtree(directory, ignore_errors=True)


def run_pytest(args, env):
    started = time.monotonic()
    # Exit status 5 means "no tests collected" (e.g. a -k that matches nothing): not a failure.
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)
    return (0 if code == 5 else code), time.monotonic() - started


def start_pytest(args, env, log_path):
    """A pytest run in the background, its output in `log_path` (shown when it ends)."""
    log = open(log_path, "wb")  # noqa: SIM115 - closed by command_test when the run ends
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return process, log, time.monotonic()


def database_runs(args, wanted):
    """(name, pytest args) per database. The browser tests drive pages, which do not depend on the
    database: they run once, in the PostgreSQL run (the multi-user database)."""
    runs = []
    if "sqlite" in wanted:
        sqlite_args = list(args)
        if "postgres" in wanted and not any(arg == "-m" or arg.startswith("-m") for arg in args):
            sqlite_args = ["-m", "not browser", *sqlite_args]
        runs.append(("SQLite", sqlite_args))
    if "postgres" in wanted:
        runs.append(("PostgreSQL", list(args)))
    return runs


def command_test(args):
    """The suite on each database. With both, the two runs go side by side (TEST_PARALLEL=0: one
    after the other): each has its own Redis server and its own VAR_DIR (media, panels, keys), so
    neither run's workers can take the other's tasks or files, and the wall time is the longer run,
    not the sum."""
    wanted = os.environ.get("TEST_DATABASES", "sqlite,postgres").split(",")
    runs = database_runs(args, wanted)
    parallel = len(runs) > 1 and os.environ.get("TEST_PARALLEL", "1") != "0"
    results = []
    with ExitStack() as stack:
        envs = {}
        for name, _ in runs:
            redis_url = stack.enter_context(redis_server())
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="config.settings.test",
                REDIS_URL=redis_url,
                VAR_DIR=stack.enter_context(tempfile.TemporaryDirectory(prefix=f"workbench-{name.lower()}-")),
            )
            env.pop("DATABASE_URL", None)
            env.pop("STATIC_ROOT", None)
            if name == "PostgreSQL":
                env["DATABASE_URL"] = stack.enter_context(postgres_server())
            envs[name] = env
        if not parallel:
            for name, run_args in runs:
                print(f"\n== {name} ==", flush=True)
                results.append((name, *run_pytest(run_args, envs[name])))
        else:
            (first, first_args), (second, second_args) = runs
            log_path = Path(envs[first]["VAR_DIR"]) / "pytest.log"
            process, log, started = start_pytest(first_args, envs[first], log_path)
            print(f"\n== {second} (live; {first} runs beside it, its output follows) ==", flush=True)
            results.append((second, *run_pytest(second_args, envs[second])))
            code = process.wait()
            log.close()
            results.insert(0, (first, 0 if code == 5 else code, time.monotonic() - started))
            print(f"\n== {first} ==", flush=True)
            sys.stdout.write(log_path.read_text(encoding="utf-8", errors="replace"))
            sys.stdout.flush()
    print("\n== Summary ==")
    for name, code, seconds in results:
        print(f"  {name:<11} {'passed' if code == 0 else f'FAILED (exit {code})'} in {seconds:.0f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


def up_environment(environ):
    """The environment of `make up`'s processes: DEBUG off, as on a lab server, so a missing page
    is the workbench's own 404 page in the reader's language (never Django's debug page listing
    every URL pattern) and errors are its 403/500 pages. Static files then come from WhiteNoise
    (collectstatic into STATIC_ROOT first); the SECRET_KEY from the environment, else the random
    one kept in var/secret_key that the web server and the worker share (config/settings/base.py)."""
    return dict(environ, DEBUG="0")


def command_up(_args):
    # Ctrl-C must reach us even when started from a shell that ignores SIGINT in the background.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = up_environment(os.environ)
    ensure_cjk_font_installed()
    children = []
    stack = []

    def stop_all(*_):
        for _name, child in reversed(children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for _name, child in reversed(children):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        for context in reversed(stack):
            context.__exit__(None, None, None)

    if "REDIS_URL" in env and redis_ping(int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])):
        print(f"Using Redis at {env['REDIS_URL']}")
    else:
        context = redis_server(6379 if port_is_free(6379) else None)
        env["REDIS_URL"] = context.__enter__()
        stack.append(context)
        print(f"Redis started at {env['REDIS_URL']}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    try:
        subprocess.run([*manage, "migrate", "--noinput"], check=True, env=env, cwd=ROOT)
        if shutil.which("msgfmt"):
            subprocess.run([*manage, "compilemessages", "--ignore", ".venv", "-v", "0"], check=True, env=env, cwd=ROOT)
        subprocess.run([*manage, "load_demo"], check=True, env=env, cwd=ROOT)
        # WhiteNoise serves STATIC_ROOT (runserver serves static files only with DEBUG on).
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], check=True, env=env, cwd=ROOT)
        children.append(
            (
                "worker",
                subprocess.Popen(
                    # Both queues (config/settings/base.py: CELERY_TASK_ROUTES): imports on `default`, model fits on
                    # `estimation`; a lab adds estimation workers on other machines (README).
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "-l",
                        "info",
                        "--concurrency",
                        "2",
                        "-Q",
                        "default,estimation",
                    ],
                    env=env,
                    cwd=ROOT,
                    start_new_session=True,
                ),
            )
        )
        children.append(
            (
                "web server",
                subprocess.Popen(
                    [*manage, "runserver", "127.0.0.1:8000", "--noreload"], env=env, cwd=ROOT, start_new_session=True
                ),
            )
        )
    except (subprocess.CalledProcessError, KeyboardInterrupt):
        stop_all()
        raise SystemExit(1) from None
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(
        "\nWorkbench running at http://127.0.0.1:8000 — Ctrl-C stops the web server, the worker and Redis.\n",
        flush=True,
    )
    try:
        while True:
            for name, child in children:
                if child.poll() is not None:
                    print(f"The {name} stopped (exit {child.returncode}); stopping the rest.", file=sys.stderr)
                    stop_all()
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping ...")
        stop_all()
        return 0


def main(argv):
    commands = {"test": command_test, "up": command_up}
    if not argv or argv[0] not in commands:
        raise SystemExit(f"usage: python -m config.devservices {{{'|'.join(commands)}}} [pytest args]")
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
