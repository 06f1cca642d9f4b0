# The workbench in two commands: `make up` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: venv runtime up test check bench messages serve

# Two stamps: `make up` needs only what a server runs (requirements.txt); `make test`,
# `make check` and `make bench` also the test, lint, type and benchmark tools
# (requirements-dev.txt, which includes the first).
runtime: $(VENV)/.runtime
venv: $(VENV)/.installed

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

messages: runtime
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore .venv -v 0; \
	else echo "note: GNU gettext (msgfmt) missing; using the committed .mo files"; fi

up: runtime messages
	$(PY) -m config.devservices up

# The production web server in the foreground (deploy/README.md runs the same under systemd):
# static files gathered, migrations applied, then gunicorn (config/gunicorn.conf.py). Settings
# come from the environment only (deploy/workbench.env.example); plain http needs the switches
# in config/settings/production.py.
PROD := DJANGO_SETTINGS_MODULE=config.settings.production
serve: runtime messages
	@test -n "$$SECRET_KEY" || { echo "make serve: SECRET_KEY is not set; e.g. export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), see deploy/workbench.env.example" >&2; exit 2; }
	@test -n "$$ALLOWED_HOSTS" || { echo "make serve: ALLOWED_HOSTS is not set; e.g. export ALLOWED_HOSTS=workbench.example.org, see deploy/workbench.env.example" >&2; exit 2; }
	$(PROD) $(PY) manage.py collectstatic --noinput
	$(PROD) $(PY) manage.py migrate --noinput
	exec env $(PROD) $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

test: venv messages
	$(PY) -m config.devservices test $(PYTEST_ARGS)

# Django's own checks, then lint, format and types (ruff and mypy are pinned in
# requirements-dev.txt and configured in pyproject.toml).
check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
