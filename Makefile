# The two-command quick start: `make run` serves the demo, `make test` runs every check.
# Everything goes through .venv/bin/python, so a fresh clone needs only python3 and PyPI.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
DECLIC := $(VENV)/bin/declic
PORT ?= 8000
HOST ?= 127.0.0.1
DECLIC_DATA_DIR ?= var
# Two test processes on the 2-core machines this project targets; override with WORKERS=N.
WORKERS ?= auto

export PORT DECLIC_DATA_DIR

.PHONY: run test lint bench venv

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) -e .
	touch $@

# The example third-party plugin(s) in examples/ are installed too: their tests are in the suite.
EXAMPLES := $(dir $(wildcard examples/*/pyproject.toml))

$(VENV)/.installed-dev: pyproject.toml $(wildcard examples/*/pyproject.toml) | $(PY)
	$(PIP) -e '.[dev]' $(foreach example,$(EXAMPLES),-e ./$(example))
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

run: $(VENV)/.installed
	$(DECLIC) init
	@if [ ! -e "$(DECLIC_DATA_DIR)/demo-seeded" ]; then \
		$(DECLIC) demo --url "http://$(HOST):$(PORT)" && touch "$(DECLIC_DATA_DIR)/demo-seeded"; \
	else \
		echo "Demo already seeded (sign-in help: $(DECLIC) demo --url http://$(HOST):$(PORT))"; \
	fi
	$(DECLIC) run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy core

# The suite on SQLite, then again on PostgreSQL when DECLIC_TEST_POSTGRES_URL is set (browser
# tests run in the first pass only: they test the pages, not the database).
test: $(VENV)/.installed-dev
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q -n $(WORKERS)
	@if [ -n "$${DECLIC_TEST_POSTGRES_URL:-}" ]; then \
		echo "--- again on PostgreSQL ---"; \
		DECLIC_TEST_BACKEND=postgres $(PY) -m pytest -q -n $(WORKERS) -m "not browser"; \
	fi

bench: $(VENV)/.installed-dev
	@if [ -f bench/__main__.py ]; then $(PY) -m bench; \
	else echo "bench/ has no benchmarks yet (bench/__main__.py)"; exit 1; fi
