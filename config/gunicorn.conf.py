"""gunicorn settings for the workbench (`make serve`, deploy/workbench-web.service):
`gunicorn -c config/gunicorn.conf.py config.wsgi` with DJANGO_SETTINGS_MODULE=config.settings.production.

Every value comes from the environment (deploy/workbench.env.example):
WEB_BIND      where to listen, comma-separated (default 127.0.0.1:8000: behind a proxy on this machine)
WEB_WORKERS   worker processes (default 2 x cores + 1, at most 8: each holds pandas and pyfixest)
WEB_THREADS   threads per worker (default 1, the plain sync worker; more switches to gthread)
WEB_TIMEOUT   seconds a request may take before its worker is killed and restarted (default 60)
WEB_MAX_REQUESTS  a worker is replaced after this many requests, +-10 % (default 1000; 0 = never)
WEB_PRELOAD   1 (default) or 0, see preload_app below
WEB_CONTROL_SOCKET  path of gunicorn's control socket for `gunicornc` (default: none)
WEB_LOG_LEVEL gunicorn's own log level (default info)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-Proto gunicorn believes (gunicorn's own variable,
              default 127.0.0.1,::1: a TLS proxy on this machine is believed without more settings)
https://gunicorn.org/reference/settings/
"""

import os


def _int(name, default, low=0):
    value = os.environ.get(name, "").strip()
    try:
        number = int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None
    if number < low:
        raise SystemExit(f"{name} must be at least {low}, not {number}")
    return number


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (taskset, cpusets)
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "config.wsgi"
bind = [address.strip() for address in os.environ.get("WEB_BIND", "127.0.0.1:8000").split(",") if address.strip()]
# The usual 2 x cores + 1, capped: a worker that has served the analysis pages holds about 250 MB,
# and a lab has a few dozen users, not thousands.
workers = _int("WEB_WORKERS", min(2 * _cores() + 1, 8), low=1)
threads = _int("WEB_THREADS", 1, low=1)
timeout = _int("WEB_TIMEOUT", 60, low=1)  # exports and plots are the slowest pages; model runs are jobs
graceful_timeout = 30  # on stop or restart, requests in flight get this long to finish
keepalive = 5
max_requests = _int("WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10  # so the workers are not all replaced at once

# preload_app: load the application once in the master and fork the workers from it. We preload
# because (1) a configuration error (no SECRET_KEY, no ALLOWED_HOSTS) stops gunicorn at once with
# one message instead of workers failing to boot in a loop, and (2) the views import pandas,
# pyfixest and scikit-learn (about 3 s and 180 MB): when_ready below imports them once in the
# master, so the workers share those pages of memory and a worker replaced after max_requests
# answers its first request at once. Safe here because nothing holds a connection at import time
# (Django connects on the first query; the Celery app connects on the first send, and resets its
# pools after a fork), and when_ready closes any database connection all the same. The price: a
# HUP reload does not load new code; restart the service after an upgrade (systemctl restart).
preload_app = os.environ.get("WEB_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}

# Logs go to the journal (systemd) or the terminal: access log on stdout, errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
proc_name = "workbench-web"

# The workers' heartbeat files in memory, not on a disk that may stall under load.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# gunicorn 25+ opens a control socket by default at one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn),
# which a second gunicorn of the same user would take over: only where asked for.
_control_socket = os.environ.get("WEB_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True


def when_ready(server):
    """Master, before the first fork: import every view (and so pandas, pyfixest, ...) while the
    application is preloaded, then drop any database connection so no worker inherits it."""
    if not server.cfg.preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    len(get_resolver().url_patterns)  # imports the URL confs, and with them every view module
    connections.close_all()
