# 梯次培育 tracker — developer commands. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 1
HOST ?= 127.0.0.1
export CULTIVATION_BASE_URL ?= http://$(HOST):$(PORT)

LOCK_VENV := .venv-lock
UV_VERSION := 0.13.9
# Resolved for every platform and Python >= 3.11 (markers keep the others' wheels out).
UV_COMPILE := $(LOCK_VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade)

.PHONY: help install run test lint format bench lock clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv: the locked versions (requirements-test.txt), the app editable

# Exactly the locked versions, each checked against its hash; then the app itself, editable, with
# no dependency resolution and no build isolation (setuptools is in the lock): nothing unpinned.
$(VENV)/.installed: pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

run: install ## migrate the SQLite database, load demo data, start web app + scheduler
	$(BIN)/cultivation db upgrade
	$(BIN)/cultivation seed
	$(BIN)/cultivation demo load
	@echo "梯次培育系统：http://$(HOST):$(PORT)/   （Ctrl+C 停止）"
	@trap 'kill $$scheduler 2>/dev/null' EXIT; \
	  $(BIN)/cultivation scheduler & scheduler=$$!; \
	  $(BIN)/cultivation serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install ## run the whole test suite (SQLite; PostgreSQL when CULTIVATION_TEST_DATABASE_URL is set)
	$(BIN)/pytest

lint: install ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy

format: install ## format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

SIZE ?= 10000
bench: install ## SIZE=N firms (default 10000): data set (reused), then one table of timings vs floors
	$(BIN)/python bench/run.py --size $(SIZE)

lock: ## renew requirements*.txt from pyproject.toml's ranges (UPGRADE=1: newest allowed versions)
	test -x $(LOCK_VENV)/bin/uv || ($(PYTHON) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install --quiet "uv==$(UV_VERSION)")
	$(UV_COMPILE) -o requirements.txt
	$(UV_COMPILE) --extra test -o requirements-test.txt

clean: ## remove the venvs, caches and the dev database
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache instance test-artifacts
