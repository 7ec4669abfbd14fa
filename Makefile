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

.PHONY: help install run test lint format bench clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv and install the app with its test extra

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
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

clean: ## remove the venv, caches and the dev database
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache instance test-artifacts
