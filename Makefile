# The workbench in two commands: `make up` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: venv up test check bench messages

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

messages: venv
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore .venv -v 0; \
	else echo "note: GNU gettext (msgfmt) missing; using the committed .mo files"; fi

up: venv messages
	$(PY) -m config.devservices up

test: venv messages
	$(PY) -m config.devservices test $(PYTEST_ARGS)

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: venv
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done
