"""Settings shared by every environment; everything that differs comes from the environment.

Environment variables: DATABASE_URL (default SQLite file in var/), REDIS_URL, SECRET_KEY, DEBUG,
ALLOWED_HOSTS, TOTA_DIR. See https://docs.djangoproject.com/en/5.2/ref/settings/

DEBUG is off unless DEBUG=1, and `make up` runs with it off too (config/devservices.py:
up_environment sets DEBUG=0: pages show the workbench's own 404/403/500, WhiteNoise serves the
collected static files); DEBUG=1 is for a developer's own runserver. Without SECRET_KEY: with
DEBUG on, a fixed development key; with DEBUG off, a random key made once and kept in
var/secret_key, so the web server, the Celery worker and management commands on this machine
share it and sessions survive restarts. config.settings.production never falls back: it
refuses to start without SECRET_KEY.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# ../shared beside the project root holds the codebooks, the study's tables and public data.
SHARED_DIR = Path(os.environ.get("SHARED_DIR", BASE_DIR.parent / "shared"))
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEV_SECRET_KEY = "dev-only-insecure-key-change-me"


def local_secret_key(path):
    """A random key kept in `path` (created once, readable by its owner only). Several processes
    may start at once: the first to link its file in place wins and the others read that one."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()
    except OSError:  # read-only checkout: a key for this process only (sessions end with it)
        return secrets.token_urlsafe(50)


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or (
    DEV_SECRET_KEY if DEBUG else local_secret_key(VAR_DIR / "secret_key")
)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: /api/docs/ works offline
    "csp",
    "simple_history",
    "axes",
    "jobs",  # background jobs of both apps (abstract models only: no tables of its own)
    "coding",
    "analysis",
    "web",  # the web layer both apps share (its template tags)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, before anything else does work
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY)
    "config.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coding.context_processors.roles",
            ],
        },
    },
]

# SQLite is the embedded default; PostgreSQL is used by setting DATABASE_URL=postgres://...
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        # Seconds a process keeps its database connection between requests (0: a new one each time).
        # A new PostgreSQL connection costs ~17 ms of server CPU: the production settings keep them
        # for 60 s (bench/bench_coders_load.py); the default stays 0 for tests and `make up`.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker, importer) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair waits AXES_COOLOFF_TIME (login form, admin and API basic auth alike;
# failed attempts during the wait do not extend it). `manage.py axes_reset` lifts every lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "web.accounts.lockout_response"  # page in the layout; JSON for /api/
AXES_VERBOSE = False  # no start-up banner in every command's output; failures are still logged
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "coding:agreement_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# `manage.py collectstatic` gathers the static files into STATIC_ROOT, and WhiteNoise serves them
# from there (hashed names, compressed, cached for ever: config.settings.production). Without
# collectstatic, tests work all the same and DEBUG runs serve from the apps.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the pages' scripts (static/js), beside templates/
STATICFILES_FINDERS = [  # Django's two, the apps' one without Redoc (config/staticfiles.py)
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "config.staticfiles.WorkbenchAppDirectoriesFinder",
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
if "STATIC_ROOT" not in os.environ:
    # Empty until collectstatic; made here like var/ so WhiteNoise does not warn "No directory at"
    # in every test. A STATIC_ROOT set in the environment is left to collectstatic.
    try:
        STATIC_ROOT.mkdir(exist_ok=True)
    except OSError:  # read-only checkout
        pass

REST_FRAMEWORK = {
    # DRF's classes, adjusted in web/accounts.py: no credentials is a 403 as before,
    # a wrong token or password a 401; basic auth answers 429 while axes holds the login locked.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "web.accounts.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "web.accounts.LockoutAwareBasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.BoundedLimitOffsetPagination",
    # The API takes JSON bodies only (what its schema documents: a form cannot carry the nested answers).
    # ... nested at most 32 levels, numbers finite: a 400 naming the limit, never a RecursionError (config/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["config.parsers.BoundedJSONParser"],
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Domain errors to 400 (naming the field), 404 and 409 (with the current revision), in one place.
    "EXCEPTION_HANDLER": "web.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FTA coding workbench API",
    "VERSION": "1.0.0",
    # The schema documents what is refused: no NUL in any string (config/api_schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api_schema.strings_without_nul"],
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}},  # config/converters.py
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN: /api/docs/ works offline
    # and passes the Content-Security-Policy below. Schema and docs need a login (config/urls.py).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the page asks no outside host for anything.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Content-Security-Policy (django-csp 4): scripts only from this server's own files, never inline
# (every page's script is a file in static/js; data reaches it through json_script or data-
# attributes), so an injected <script> or on*= attribute does not run. style-src allows inline
# styles: the templates' <style> blocks and style attributes, and Swagger UI's, set layout only,
# and CSS cannot run code. img-src allows data: for Swagger UI's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],  # like X-Frame-Options: DENY
    },
}

# Celery: Redis is the broker and result backend. https://docs.celeryq.dev/en/stable/django/
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# A job always ends (jobs/lifecycle.py, docs: https://docs.celeryq.dev/en/stable/userguide/configuration.html):
# a task is acknowledged when it ends, and delivered again when its worker process dies
# (the job is then taken over, or failed with the reason).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Two queues, so a long sweep of model fits never delays an import: estimation (every task of the
# analysis app: model runs and each specification of a fanned-out run) and default (text imports,
# pre-coding, anything else). `make up` starts one worker on both; a lab adds machines with
# `celery -A config worker -Q estimation` (README, "Running on several machines"). A worker
# started with `-Q default` never takes a model fit.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"analysis.tasks.*": {"queue": "estimation"}}
WORKBENCH_QUEUES = ("default", "estimation")  # every queue the sweeper looks into for lost tasks
# A run of several specifications is one parent row whose specifications are fitted as child
# tasks (analysis/services/fanout.py), so several estimation workers share one sweep.
RUN_FAN_OUT = env_bool("RUN_FAN_OUT", True)
# Time limits of every task, in seconds: the soft one ends the job FAILED "time limit of N s
# exceeded"; the hard one kills the worker process (the sweeper then fails the job). Per task:
# CELERY_TASK_ANNOTATIONS = {"analysis.tasks.run_model_task": {"soft_time_limit": 600, "time_limit": 660}}.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", 3600))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", CELERY_TASK_SOFT_TIME_LIMIT + 60))
# Redis hands an unacknowledged task to another worker after this long: longer than any task may run.
# Fail fast (issue 19): a page that sends a task learns within about 2 s that Redis is down (the job
# then ends FAILED "could not reach the task queue") instead of blocking ~19 s in Celery's default
# retries (the result backend alone retried 20 times, 1 s apart). Connecting gives up after 2 s, a
# publish is tried twice, the result backend reconnects once. Workers still wait for a restarted
# Redis (broker_connection_retry and broker_connection_max_retries keep their defaults); socket_timeout
# stays above the 1 s a worker's BRPOP polls. Keys: https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(3600, CELERY_TASK_TIME_LIMIT + 600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
# Every worker writes which queues it consumes to Redis every WORKER_HEARTBEAT_SECONDS (config/celery.py,
# jobs/workers.py); a job waiting on a queue with no live worker says so (page, API, --wait).
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", 5))
# Liveness of jobs (jobs/lifecycle.py, jobs/sweeper.py; set here only), in seconds: a running job's
# heartbeat interval; its owner counts as gone after JOB_OWNER_TIMEOUT without one (or at once when
# its process is gone on the sweeper's machine); a job is started at most JOB_MAX_ATTEMPTS times;
# every worker sweeps every JOB_SWEEP_SECONDS; a QUEUED job whose task is not in the queue after
# JOB_QUEUED_LOST_AFTER is sent again, at most JOB_MAX_RESENDS times.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", 10))
JOB_OWNER_TIMEOUT = float(os.environ.get("JOB_OWNER_TIMEOUT", 45))
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", 2))
JOB_SWEEP_SECONDS = float(os.environ.get("JOB_SWEEP_SECONDS", 15))
JOB_QUEUED_LOST_AFTER = float(os.environ.get("JOB_QUEUED_LOST_AFTER", 120))
JOB_MAX_RESENDS = int(os.environ.get("JOB_MAX_RESENDS", 3))
# Called by every sweep after the jobs themselves (jobs/sweeper.py): fanned-out runs whose
# children have all ended are ended too, should the last child have died before it could.
# The pre-coder retrains in a job after PRECODER_RETRAIN_EVERY approvals since its newest model
# (coding/services/precoder_training.py; 0: only when a supervisor asks).
JOB_SWEEP_HOOKS = [
    "analysis.services.fanout.fanned_out_runs_settle",
    "coding.services.precoder_training.precoder_retrain_when_due",
]
PRECODER_RETRAIN_EVERY = int(os.environ.get("PRECODER_RETRAIN_EVERY", 20))
PRECODER_RETRAIN_FOLDS = int(os.environ.get("PRECODER_RETRAIN_FOLDS", 5))  # cross-validation of a retraining

# Where the demo loader looks for ToTA XML files (see coding/management/commands/load_demo.py).
TOTA_DIR = os.environ.get("TOTA_DIR", "")
TOTA_REMOTE_BASE = "https://raw.githubusercontent.com/mappingtreaties/tota/master/xml/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Uploaded treaty texts wait here until a worker imports them.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Stored panels (pickles named by their content hash), read by every estimation worker: on several
# machines a directory on shared storage (NFS) mounted on the web host and every worker machine
# (README, "Running on several machines"). Panel rows keep the file name only, so each machine may
# mount it at its own path. Unset: MEDIA_ROOT/panels (analysis/services/panels.py: panel_dir).
PANEL_DIR = os.environ.get("PANEL_DIR", "").strip() or None
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest treaty text (.txt or .pdf) an import reads; a larger file is refused before it is read.
TEXT_MAX_BYTES = int(os.environ.get("TEXT_MAX_BYTES", 20 * 1024 * 1024))
