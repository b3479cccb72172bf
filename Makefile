# OneThing: `make run` starts the whole product; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
WORKERS ?= 2

.PHONY: help run test lint typecheck bench migrate seed clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime ## install what is needed, then start the whole product on the embedded default
	$(PY) -m bff.devserver

test: $(VENV)/.dev ## install what is needed, then run ruff, mypy, the import contracts and every test against real services
	scripts/ensure_services.sh
	scripts/ensure_chromium.sh
	scripts/ensure_pdf_tools.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/pytest -n $(WORKERS)

lint: $(VENV)/.dev ## ruff, mypy and the import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo

bench: $(VENV)/.dev ## benchmarks against PostgreSQL and Redis; prints ratios to a bare-Flask baseline
	scripts/ensure_services.sh
	$(PY) -m bench.run

migrate: $(VENV)/.runtime ## apply the Alembic migrations to DATABASE_URL (default SQLite under var/)
	$(PY) -m flask --app wsgi:app db-upgrade

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var
