# One command to start the service, one to run the tests. Both build the virtual environment
# from uv.lock first; the only things a fresh machine needs are Python 3.11+ and make.

PYTHON ?= python3
UV_VERSION ?= 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
CONFIG ?= schemabot.example.toml
PYTEST_ARGS ?=

.PHONY: run test lint format check bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	touch $@

run: $(VENV)/.synced
	$(VENV)/bin/schemabot serve --config $(CONFIG)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check app linters tests bench
	$(VENV)/bin/ruff format --check app linters tests bench
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix app linters tests bench
	$(VENV)/bin/ruff format app linters tests bench

bench: $(VENV)/.synced
	$(VENV)/bin/python bench/lint.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
