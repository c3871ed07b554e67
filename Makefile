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
# The report's chart images (matplotlib, drawn on the server) are set in Source Han Sans SC, from
# the npm registry too, so that no system font is assumed. It is not a static file: only the
# server reads it (reports/images.py), from the git-ignored vendor/fonts/.
CHART_FONT := vendor/fonts/SourceHanSansSC-Regular.otf

.PHONY: install run serve test test-browser coverage lint format messages

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
	mkdir -p static/vendor/chartjs-plugin-datalabels static/vendor/axe-core
	cp node_modules/chartjs-plugin-datalabels/dist/chartjs-plugin-datalabels.min.js \
		node_modules/chartjs-plugin-datalabels/LICENSE.md static/vendor/chartjs-plugin-datalabels/
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE static/vendor/axe-core/
	mkdir -p $(dir $(CHART_FONT))
	cp node_modules/node-source-han-sans-sc/SourceHanSansSC-Regular.otf \
		node_modules/node-source-han-sans-sc/LICENSE $(dir $(CHART_FONT))

install: $(STAMP) $(CHARTJS) $(MO_FILES)
	DEBUG=true $(DEV) $(PY) manage.py migrate --noinput
	DEBUG=true $(DEV) $(PY) manage.py setup_roles >/dev/null

# The background task worker (large exports) runs beside the server and stops with it; without
# its autoreloader, whose child process would outlive the kill (restart `make run` after changing
# task code).
run: install
	DEBUG=true $(DEV) $(PY) manage.py load_demo --if-empty
	DEBUG=true $(DEV) $(PY) manage.py db_worker --queue-name default --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production settings on this machine, over plain HTTP on loopback: DEBUG off, static files
# collected (hashed, compressed) and served by whitenoise, gunicorn as in deploy/. The secret
# key is generated once into the git-ignored var/secret_key; the HTTPS redirect and secure
# cookies are off because nothing terminates TLS here (a real deployment keeps them on).
SERVE_DATABASE_URL ?= sqlite:///$(CURDIR)/db.sqlite3
SERVE_ENV := DJANGO_SETTINGS_MODULE=config.settings.base DEBUG=false \
	SECRET_KEY_FILE=$(CURDIR)/var/secret_key DATABASE_URL=$(SERVE_DATABASE_URL) \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

var/secret_key:
	mkdir -p $(@D)
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: $(STAMP) $(CHARTJS) $(MO_FILES) var/secret_key
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py setup_roles >/dev/null
	$(SERVE_ENV) $(PY) manage.py db_worker --queue-name default & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(SERVE_ENV) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers $${GUNICORN_WORKERS:-2} config.wsgi

# `make test` runs the whole suite, browser tests included; they skip, saying so, where Chromium
# is missing (REQUIRE_BROWSER=1, as in CI, makes them fail instead). The tests run in parallel,
# one pytest-xdist worker per core, each on a test database of its own; PYTEST_WORKERS=0 runs
# them in this process. `make test-browser` runs the browser tests alone. A browser test
# module runs on one worker (`--dist loadgroup`, tests/browser/conftest.py), which starts one
# Chromium for it. Python keeps its compiled modules (and pytest its rewritten test modules) in
# the git-ignored __pycache__/ even where the environment says not to (PYTHONDONTWRITEBYTECODE):
# otherwise every worker and every Python process a test starts compiles the project again.
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup
test: $(STAMP) $(CHARTJS) $(MO_FILES)
	$(PYTEST) $(PYTEST_ARGS)

test-browser: $(STAMP) $(CHARTJS) $(MO_FILES)
	$(PYTEST) -m browser $(PYTEST_ARGS)

# The share of the product's lines the whole suite runs (coverage.py, through pytest-cov; the
# figures are in docs/benchmarks.md, "Test suite").
coverage: $(STAMP) $(CHARTJS) $(MO_FILES)
	$(PYTEST) --cov=catalogue --cov=reports --cov=config --cov-report=term $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the English catalogue from the source (msgids are the Chinese strings).
messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=staticfiles --no-obsolete --no-wrap --add-location=file
