VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The development settings add the demo catalogue and the benchmark commands to production's.
DEV := DJANGO_SETTINGS_MODULE=config.settings.dev
HOST ?= 127.0.0.1
PORT ?= 8000
# Chart.js comes from the npm registry (pinned by package-lock.json) and is served as a local
# static file: only the built bundle is copied, into the git-ignored static/vendor/.
CHARTJS := static/vendor/chart.js/chart.umd.min.js

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

$(CHARTJS): package-lock.json
	npm ci --silent --no-audit --no-fund --ignore-scripts
	mkdir -p $(@D)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
		node_modules/chart.js/LICENSE.md $(@D)/

install: $(STAMP) $(CHARTJS) $(MO_FILES)
	DEBUG=true $(DEV) $(PY) manage.py migrate --noinput
	DEBUG=true $(DEV) $(PY) manage.py setup_roles >/dev/null

run: install
	DEBUG=true $(DEV) $(PY) manage.py load_demo --if-empty
	DEBUG=true $(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) $(CHARTJS) $(MO_FILES)
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
