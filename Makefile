# Youthline: `make run` serves the embedded default; `make test` runs the whole suite for real.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= youthline-demo
PG_PORT := 55432
REDIS_PORT := 56379
TEST_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:$(PG_PORT)/youthline \
	REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0 \
	YOUTHLINE_TEST_PG_PORT=$(PG_PORT) YOUTHLINE_TEST_REDIS_PORT=$(REDIS_PORT)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run install install-test install-load services lint test test-fast test-js loadtest loadtest-overload bench-crisis bench-dashboard crisis-eval messages screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(VENV)/.installed-load: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[load]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test
install-load: $(VENV)/.installed-load

## run: install, migrate, create the demo accounts and serve the embedded default (SQLite, in-memory layer, a job worker)
run: install
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py demo_accounts --password $(DEMO_PASSWORD)
	@echo
	@echo "Youthline is starting on http://$(HOST):$(PORT)/"
	@echo "  youth page:          http://$(HOST):$(PORT)/"
	@echo "  counselor console:   http://$(HOST):$(PORT)/console/    (counselor1 / $(DEMO_PASSWORD))"
	@echo "  supervisor console:  http://$(HOST):$(PORT)/supervisor/ (supervisor1 / $(DEMO_PASSWORD))"
	@echo "  Django admin:        http://$(HOST):$(PORT)/admin/      (admin1 / $(DEMO_PASSWORD))"
	@echo "  service centre:      http://$(HOST):$(PORT)/centre/     (centre1 / $(DEMO_PASSWORD))"
	@echo "  manager dashboard:   http://$(HOST):$(PORT)/manager/    (manager1 / $(DEMO_PASSWORD))"
	@echo "  empty dashboards? stop it and run \`make demo\` (90 days of demo data), then \`make run\` again"
	@echo
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 sh scripts/run_embedded.sh $(BIN)/python $(HOST):$(PORT)

## demo: demo data in the embedded default (after make run's migrate and demo accounts), for the dashboards:
##   90 days at 300 answered a day, under two minutes on SQLite (84 s measured; docs/demo-data.md);
##   options: make demo DEMO_ARGS="--days 365 --per-day 100 --seed 7"
DEMO_ARGS ?= --days 90 --per-day 300 --seed 12355
.PHONY: demo
demo: install
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py demo_accounts --password $(DEMO_PASSWORD)
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py generate_demo_data $(DEMO_ARGS)

## services: install and start PostgreSQL, Redis and Chromium for the tests
services:
	YOUTHLINE_TEST_PG_PORT=$(PG_PORT) YOUTHLINE_TEST_REDIS_PORT=$(REDIS_PORT) bash scripts/services.sh

## test: the whole suite against PostgreSQL, Redis, real Daphne processes and headless Chromium
test: install-test lint services
	node --test frontend/tests/
	cd tests/miniprogram && npm ci --no-audit --no-fund --loglevel=error && npx jest
	$(TEST_ENV) $(BIN)/python -m pytest -q

## lint: ruff (lint rules, then the format check) and mypy; all three run, and any finding fails (docs/development.md, "Checks")
lint: install-test
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check --output-format concise . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

## test-js: unit tests of the front-end modules with logic (node's built-in runner, no npm install)
test-js:
	node --test frontend/tests/

## loadtest: locust, headless, against local Daphne processes on PostgreSQL + Redis
##   (options: make loadtest LOAD_ARGS="--rate 300 --processes 2"; see loadtests/run.py --help)
loadtest: install-load services
	$(TEST_ENV) $(BIN)/python loadtests/run.py $(LOAD_ARGS)

## loadtest-overload: the load test at saturation, 1.5x and 3x: relayed rate, p99, refusals
loadtest-overload: install-load services
	$(TEST_ENV) $(BIN)/python loadtests/run.py --overload $(LOAD_ARGS)

## bench-crisis: detector throughput and latency, with and without normalization
bench-crisis: install
	$(BIN)/python bench/bench_crisis.py

## bench-dashboard: database queries per minute with 20 supervisor and 5 counselor tabs open in Chromium
##   (options: make bench-dashboard BENCH_ARGS="--activity --window 60 --repo /tmp/yl-before")
bench-dashboard: install-test services
	$(TEST_ENV) $(BIN)/python bench/bench_dashboard_queries.py $(BENCH_ARGS)

crisis-eval: install
	env -u DATABASE_URL -u REDIS_URL DJANGO_DEBUG=1 $(BIN)/python manage.py crisis_eval

## screenshots: every page at phone and desktop sizes, into docs/screenshots/ (needs a CJK font: fonts-wqy-microhei)
screenshots: install-test services
	@fc-list | grep -qi "wqy\|cjk" || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null)
	for script in scripts/screenshots*.py; do $(TEST_ENV) $(BIN)/python $$script || exit 1; done

## messages: recompile the translations after editing locale/*.po (needs gettext's msgfmt)
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans -l en

clean:
	rm -rf $(VENV) db.sqlite3 db.huey.sqlite3 var .pytest_cache
