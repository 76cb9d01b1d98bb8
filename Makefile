# Greenwave — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
UV_VERSION := 0.13.9
PG_URL ?= postgres://postgres@127.0.0.1:5432/greenwave
# pytest-xdist workers for the unit and integration stages (one per core of these machines);
# each worker has a database of its own (test_<name>_gw0, …). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
STATIC_VENDOR := src/greenwave/static/vendor

.PHONY: help install system-deps demo run test lint typecheck migrations-check deploy-check bench \
	pytest-sqlite pytest-postgres pytest-postgres-browser messages clean

help:
	@echo "make demo   — install, migrate, load demo data, start web + worker on http://127.0.0.1:8000"
	@echo "make test   — lint, types, migrations, deploy check, tests on SQLite and PostgreSQL, browser"
	@echo "make install | make messages | make clean"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(PY)
	$(BIN)/pip install -q "uv==$(UV_VERSION)"

install: $(BIN)/uv ## idempotent: venv, Python and npm dependencies, messages, static
	$(BIN)/uv pip install -q --python $(PY) -r requirements/lock.txt
	$(BIN)/uv pip install -q --python $(PY) --no-deps -e .
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	bash scripts/copy_vendor.sh frontend/node_modules $(STATIC_VENDOR)
	mkdir -p var
	cd src/greenwave && ../../$(PY) ../../manage.py compilemessages -v 0
	SECRET_KEY=collectstatic $(MANAGE) collectstatic --noinput -v 0

system-deps: ## Debian packages the tests need (we are root on these machines)
	@command -v chromium >/dev/null && command -v msgfmt >/dev/null && command -v soffice >/dev/null \
		&& command -v pdftoppm >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium gettext libreoffice-writer-nogui fonts-liberation poppler-utils; }

demo: system-deps install
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) seed_demo
	bash scripts/demo.sh

run:
	bash scripts/demo.sh

messages: ## refresh the Russian catalogs after adding strings
	cd src/greenwave && for app in */locale; do \
		(cd $${app%/locale} && ../../../$(PY) ../../../manage.py makemessages -l ru --no-obsolete --no-location -v 0); \
	done
	cd src/greenwave && ../../$(PY) ../../manage.py compilemessages -v 0

lint:
	$(BIN)/ruff check src $(wildcard bench) manage.py
	$(BIN)/ruff format --check src $(wildcard bench) manage.py
	@# the import contracts of pyproject.toml [tool.importlinter]; src/ first, as for pytest
	PYTHONPATH=src $(BIN)/lint-imports --no-cache --no-logo
	@# no function over 80 lines but the debt in scripts/function_length_allowlist.txt
	$(PY) scripts/check_function_length.py
	@# no cross-app import inside a function but the debt in scripts/inner_imports_allowlist.txt
	$(PY) scripts/check_inner_imports.py

typecheck:
	$(BIN)/mypy src/greenwave src/feeldmn
	@# the benchmarks too: a renamed function they call fails here, not in a bench run
	MYPYPATH=bench $(BIN)/mypy bench

migrations-check:
	$(MANAGE) makemigrations --check --dry-run

deploy-check:
	DJANGO_SETTINGS_MODULE=greenwave.config.settings.prod \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=greenwave.example.com \
	$(MANAGE) check --deploy --fail-level WARNING
	@# the production build: collectstatic with the manifest storage of settings.prod
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	DJANGO_SETTINGS_MODULE=greenwave.config.settings.prod SECRET_KEY=collectstatic \
	ALLOWED_HOSTS=greenwave.example.com STATIC_ROOT="$$tmp" \
	$(MANAGE) collectstatic --noinput -v 0

# The browser journeys run in one process on each database (a browser and a live server per
# process: two on two cores make their timings race); the rest is spread over the workers.
pytest-sqlite:
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not browser"
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -m browser

pytest-postgres:
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not browser"

# The browser journeys on PostgreSQL, in a process of their own (live server threads and
# flushed databases, apart from the connections the unit tests leave behind).
pytest-postgres-browser:
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -m browser

test: system-deps install lint typecheck migrations-check deploy-check pytest-sqlite pytest-postgres \
	pytest-postgres-browser

bench: install ## ratio benchmarks (QUICK=1 for a one-minute run); see bench/README.md
	$(PY) bench/run.py $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) frontend/node_modules $(STATIC_VENDOR) var/static
