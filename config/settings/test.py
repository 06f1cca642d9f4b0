"""Test settings: the database comes from DATABASE_URL (SQLite by default, PostgreSQL in CI)."""

import os

from .base import *  # noqa: F403 - a settings module extends the base settings wholesale
from .base import DATABASES

DEBUG = False
# A fixed key, the same in the test process and the Celery workers it starts.
SECRET_KEY = os.environ.get("SECRET_KEY") or "test-only-insecure-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so a real Celery worker process can open the same test database;
    # one per test process, so two runs on one machine never share (and clobber) it.
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}.test-{os.getpid()}"}
CELERY_TASK_ALWAYS_EAGER = False
# The pages' scripts and styles (static/) answer in tests without collectstatic, as under DEBUG.
WHITENOISE_USE_FINDERS = True
