# The workbench in two commands: `make up` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: venv runtime up test check bench messages

# Two stamps: `make up` needs only what a server runs (requirements.txt); `make test` and
# `make bench` also the test and benchmark tools (requirements-dev.txt, which includes the first).
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

test: venv messages
	$(PY) -m config.devservices test $(PYTEST_ARGS)

check: runtime
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
