VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format messages

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $(STAMP)

# Compiled catalogues are built here, never committed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

$(MO_FILES): %.mo: %.po
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv

install: $(STAMP)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py setup_roles >/dev/null
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv >/dev/null 2>&1 || true

run: install
	DEBUG=true $(PY) manage.py load_demo --if-empty
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(MO_FILES)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the English catalogue from the source (msgids are the Chinese strings).
messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=staticfiles --no-obsolete --no-wrap --add-location=file
