# Cartpath. `make demo` runs it with its sandbox; `make test` runs the whole suite.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help venv services demo test extension lint bench

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## Create .venv and install Cartpath with its dev tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

services: ## Start PostgreSQL and Redis if they are down; install Chromium if missing
	bash .ci/services.sh

demo: venv ## The app on :8000 and the sandbox on :8001, seeded (Ctrl-C stops both)
	$(BIN)/cartpath demo

test: venv services extension ## The suite on SQLite and PostgreSQL with real Redis, then lint
	$(BIN)/pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

extension: ## Shopify post-purchase extension: install from the lock file, unit tests, build
	cd extension/post-purchase && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run build

lint: venv ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: venv services ## Benchmarks, printed as ratios against a baseline in the same run
	$(BIN)/python -m bench
