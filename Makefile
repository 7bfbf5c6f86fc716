# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app esp_registry
NPM_CACHE := .cache/npm
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.14.1

.PHONY: run worker serve test lint format vendor clean bench bench-certificates demo-reset

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@ $(VENV)/.installed

## make run: install, migrate, load demo data and serve on http://127.0.0.1:5000 (SQLite),
## with the worker beside it printing e-mails here (MAIL_BACKEND=smtp sends them); Ctrl-C stops both
run: $(VENV)/.installed
	$(FLASK) db upgrade
	$(FLASK) seed demo
	@export MAIL_BACKEND=$${MAIL_BACKEND:-console}; \
	$(BIN)/huey_consumer esp_registry.worker.huey --quiet & worker=$$!; \
	trap 'kill -INT $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	echo "Worker started (pid $$worker); e-mails: MAIL_BACKEND=$$MAIL_BACKEND"; \
	$(FLASK) run --host 127.0.0.1 --port 5000

## make demo-reset: the SQLite demo database afresh (demo dates relative to today again)
demo-reset: $(VENV)/.installed
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "demo-reset only resets the SQLite demo database in instance/ (DATABASE_URL is set)"; exit 1; fi
	rm -f instance/esp_registry.db instance/esp_registry.db-wal instance/esp_registry.db-shm
	$(FLASK) db upgrade
	$(FLASK) seed demo

## make worker: the worker alone (sends the outbox, lapses seat offers), e.g. beside `flask run`
worker: $(VENV)/.installed
	$(BIN)/huey_consumer esp_registry.worker.huey

# The pinned htmx and axe-core files the browser tests serve (never committed).
$(NPM_CACHE)/htmx.min.js:
	mkdir -p $(NPM_CACHE)/tmp
	cd $(NPM_CACHE)/tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null && tar xzf htmx.org-$(HTMX_VERSION).tgz
	cp $(NPM_CACHE)/tmp/package/dist/htmx.min.js $@
	rm -rf $(NPM_CACHE)/tmp

$(NPM_CACHE)/axe.min.js:
	mkdir -p $(NPM_CACHE)/tmp
	cd $(NPM_CACHE)/tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz
	cp $(NPM_CACHE)/tmp/package/axe.min.js $@
	rm -rf $(NPM_CACHE)/tmp

# Without npm the browser tests skip (or fail under REQUIRE_BROWSER=1).
vendor:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(NPM_CACHE)/htmx.min.js $(NPM_CACHE)/axe.min.js; \
	else echo "npm not found: browser tests will skip"; fi
	@$(MAKE) --no-print-directory $(OB3_SCHEMA)

# 1EdTech's Open Badges 3.0 credential JSON Schema, fetched from its published URL (never
# committed: 1EdTech's specification licence does not let us redistribute it). Without it
# the schema test skips (or fails under REQUIRE_OB3_SCHEMA=1).
OB3_SCHEMA := .cache/ob3/ob_v3p0_achievementcredential_schema.json
OB3_SCHEMA_URL := https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json
$(OB3_SCHEMA):
	@mkdir -p $(dir $@)
	@curl -fsSL --max-time 30 -o $@.tmp $(OB3_SCHEMA_URL) && mv $@.tmp $@ \
	|| { rm -f $@.tmp; echo "could not fetch the OB 3.0 JSON Schema: its test will skip"; }

## make test: install test extras and run the whole suite
test: $(VENV)/.installed-test vendor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(NPM_CACHE) .pytest_cache .ruff_cache

## make bench-certificates: one certificate and a 2,000-page bulk print vs raw WeasyPrint
bench-certificates: $(VENV)/.installed
	$(BIN)/python bench/certificates.py

## make bench: the national data set (50,000 members) on PostgreSQL, every page under load
## against a bare Flask floor, the registration rush, growth from one tenth (issue 13; ~10 min)
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| echo "wrk not installed: the bench loads pages with Python threads instead"
	$(BIN)/python -m bench.run
