# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app esp_registry
NPM_CACHE := .cache/npm
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.14.1

.PHONY: run worker serve test lint format vendor clean bench bench-certificates

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
