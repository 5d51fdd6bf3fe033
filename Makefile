# CityOps: `make demo` runs the demo, `make test` runs every check. Both are safe to repeat.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/cityops_ci
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lock chromium assets messages-compile messages messages-check lint typecheck \
        pytest-sqlite pytest-postgres serve worker bench wrk postgis clean fuzz nginx nats cluster cluster-down schemathesis-live

# ---------------------------------------------------------------- set-up
# Python packages come from the lock file (exact versions and hashes, requirements/dev.lock);
# CityOps itself is installed editable without resolving anything. `make lock` updates the locks.
$(STAMP): pyproject.toml requirements/dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Re-resolve the locks after a change of pyproject.toml: prod.lock (run time + set-up, for
# deployments) and dev.lock (that plus tests and linters). pip-tools runs in its own venv.
LOCK_OPTS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
             --no-emit-find-links --no-emit-trusted-host
lock:
	@test -x var/lockenv/bin/pip-compile || { $(PYTHON) -m venv var/lockenv && \
	  var/lockenv/bin/pip install --quiet pip-tools; }
	var/lockenv/bin/pip-compile $(LOCK_OPTS) --extra build -o requirements/prod.lock pyproject.toml
	var/lockenv/bin/pip-compile $(LOCK_OPTS) --extra build --extra dev -o requirements/dev.lock pyproject.toml

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(PY) scripts/vendor_assets.py var/vendor

messages-compile: $(STAMP)
	$(PY) scripts/messages.py compile

install: $(STAMP) assets messages-compile

# Browser for the Playwright tests: Debian's package (never `playwright install`, which
# downloads a browser build and cannot work on isolated networks); poppler-utils (pdftotext,
# pdftoppm) for the tests that read our PDFs as a reader does.
BROWSER_PKGS := chromium fonts-noto-cjk poppler-utils
chromium:
	@{ test -x /usr/bin/chromium && command -v pdftotext >/dev/null; } || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y --no-install-recommends $(BROWSER_PKGS) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y --no-install-recommends $(BROWSER_PKGS))); \
	  else sudo -n apt-get install -y --no-install-recommends $(BROWSER_PKGS); fi; } || true
	@test -x /usr/bin/chromium || echo "!!! Chromium is missing: the browser tests will be SKIPPED !!!"
	@command -v pdftotext >/dev/null || echo "!!! poppler-utils is missing: the PDF checks will be SKIPPED !!!"

# ---------------------------------------------------------------- demo
demo: export CITYOPS_DEBUG := 1
demo: export CITYOPS_HTTPS := 0
demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_setup --url http://$(HOST):$(PORT)/
	@echo "CityOps demo on http://$(HOST):$(PORT)/  (Ctrl-C stops the site, worker, scheduler, JT/T 808 gateway and fleet)"
	@$(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	  $(PY) manage.py run_scheduler & scheduler=$$!; \
	  $(PY) manage.py jt808_gateway & gateway=$$!; \
	  (sleep 3; exec $(PY) manage.py jt808_simulate) & fleet=$$!; \
	  trap 'kill $$worker $$scheduler $$gateway $$fleet 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT)

# ---------------------------------------------------------------- checks
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) scripts/check_imports.py
	$(PY) scripts/check_status_writes.py

typecheck: $(STAMP)
	$(BIN)/mypy cityops config

messages-check: $(STAMP)
	$(PY) scripts/messages.py fresh
	$(PY) scripts/messages.py check

# Both passes run on every core (pytest-xdist; each worker has its own test database).
PYTEST_WORKERS ?= auto
pytest-sqlite: install chromium
	env -u DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS)

pytest-postgres: install chromium
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS); \
	elif [ -n "$$CITYOPS_REQUIRE_PG" ]; then \
	  echo "PostgreSQL at $(PG_URL) is required (CITYOPS_REQUIRE_PG) but not reachable"; exit 1; \
	else \
	  echo "!!! PostgreSQL not reachable at $(PG_URL): the PostgreSQL run is SKIPPED !!!"; \
	fi

test: install lint typecheck messages-check pytest-sqlite pytest-postgres scoring-coverage

# The evaluation scoring core must keep 100 % branch coverage (issue 6).
scoring-coverage: install
	$(BIN)/pytest -q -p no:cacheprovider cityops/evaluations/tests/test_scoring.py \
	  --cov=cityops.evaluations.scoring.core --cov=cityops.evaluations.scoring.measures \
	  --cov=cityops.evaluations.scoring.schemes \
	  --cov=cityops.evaluations.scoring --cov-branch --cov-report=term-missing --cov-fail-under=100

# ---------------------------------------------------------------- production topology on loopback
# PostgreSQL primary + streaming replica, Redis, nginx, gunicorn app processes, workers,
# schedulers, NATS JetStream, the JT/T 808 gateway and consumers under var/cluster
# (scripts/cluster.py; docs/deployment.md). Not one of the README's
# two commands: a tool to try the production shape and break it (bench/faults.py).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends nginx-light || \
	    (apt-get update -qq && apt-get install -y --no-install-recommends nginx-light); \
	  else sudo -n apt-get install -y --no-install-recommends nginx-light; fi; }

# NATS JetStream for the JT/T 808 gateway and its consumers in the cluster (Debian's package).
nats:
	@command -v nats-server >/dev/null || test -x /usr/sbin/nats-server || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y --no-install-recommends nats-server || \
	    (apt-get update -qq && apt-get install -y --no-install-recommends nats-server); \
	  else sudo -n apt-get install -y --no-install-recommends nats-server; fi; }

cluster: install nginx nats
	$(PY) scripts/cluster.py up

cluster-down:
	$(PY) scripts/cluster.py down

# ---------------------------------------------------------------- developer tools
# Property tests with fresh random examples (the gate replays fixed ones: conftest.py).
fuzz: install
	CITYOPS_HYPOTHESIS=fuzz $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser" \
	  $$(grep -rl --include='test_*.py' 'from hypothesis' cityops)

# The REST API fuzzed live with every schemathesis check, as an operator and as the dispatcher
# (issue 14 item 12; ~20 minutes; not part of `make test`).
schemathesis-live: install
	scripts/schemathesis_live.sh

messages: $(STAMP)
	CITYOPS_DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete \
	  --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'bench/*'

serve: export CITYOPS_DEBUG := 1
serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: export CITYOPS_DEBUG := 1
worker: install
	$(PY) manage.py db_worker --queue-name '*'

# bench/api_gunicorn.py drives gunicorn with wrk (Debian's package), like the chromium target.
wrk:
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y --no-install-recommends wrk >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y --no-install-recommends wrk)); \
	  else sudo -n apt-get install -y --no-install-recommends wrk; fi; } || true
	@command -v wrk >/dev/null || echo "!!! wrk is missing: bench/api_gunicorn.py uses its Python driver !!!"

# bench/jt808_coverage.py --postgis compares our coverage with the same computation in PostGIS
# (Debian's package for the installed PostgreSQL 15; only for that bench: not part of
# `make test` or `make demo`, and nothing in CityOps needs the extension).
POSTGIS_PKG ?= postgresql-15-postgis-3
postgis:
	@test -f /usr/share/postgresql/15/extension/postgis.control || { command -v apt-get >/dev/null && \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y --no-install-recommends $(POSTGIS_PKG) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y --no-install-recommends $(POSTGIS_PKG))); \
	  else sudo -n apt-get install -y --no-install-recommends $(POSTGIS_PKG); fi; } || true
	@test -f /usr/share/postgresql/15/extension/postgis.control || \
	  echo "!!! PostGIS is missing: bench/jt808_coverage.py --postgis will be SKIPPED !!!"

bench: install wrk
	CITYOPS_DEBUG=1 $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules var/vendor var/static
