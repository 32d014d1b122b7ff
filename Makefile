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

.PHONY: run test lint bench venv messages update-messages check-messages new-language screenshots

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

# Every benchmark (several minutes: the 500-learner stampede runs twice); `make bench QUICK=1`
# runs each briefly (50 learners, short wrk runs) to check that the harness works.
QUICK ?=
bench: $(VENV)/.installed-dev
	@# wrk (the raw-throughput tool of `ratio`) is a Debian package, not a Python one: install it
	@# when missing and we may (root, apt-get); otherwise `ratio` says how and the rest runs.
	@if ! command -v wrk >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
		|| echo "could not install wrk: the ratio benchmark will be skipped"; fi
	@if [ -f bench/__main__.py ]; then BENCH_QUICK=$(QUICK) $(PY) -m bench; \
	else echo "bench/ has no benchmarks yet (bench/__main__.py)"; exit 1; fi

# Translations (docs/translating.md). One domain per catalogue folder: core (core/ and themes/)
# and each plugin's own (its folder's locale/, named after its .po files). babel.cfg says what is
# read; _l and lazy_gettext are the project's lazy spellings of gettext.
PYBABEL := $(VENV)/bin/pybabel
LOCALE_DIRS := core/locale $(wildcard plugins/*/locale) $(wildcard examples/*/*/locale)
# The language a translator starts with `make new-language LANGUAGE=xx`.
LANGUAGE ?=
define for_each_domain
	@set -e; for locale in $(LOCALE_DIRS); do \
		domain=$$(basename $$(ls $$locale/fr/LC_MESSAGES/*.po | head -n 1) .po); \
		if [ "$$locale" = core/locale ]; then sources="core themes"; else sources=$$(dirname $$locale); fi; \
		$(1); \
	done
endef

# Extract every domain's messages into LOCALE_DIR/DOMAIN.pot (not committed: made on demand).
messages: $(VENV)/.installed-dev
	$(call for_each_domain,$(PYBABEL) -q extract -F babel.cfg -k _l -k lazy_gettext \
		--sort-by-file --width 100 --project "Déclic $$domain" -o $$locale/$$domain.pot $$sources)

# Bring each language's .po in line with the .pot: new messages appear untranslated, gone ones
# are kept as obsolete (#~) for reference. Nothing to compile: .po files are read at start-up.
update-messages: messages
	$(call for_each_domain,for po in $$locale/*/LC_MESSAGES/$$domain.po; do \
		lang=$$(basename $$(dirname $$(dirname $$po))); \
		$(PYBABEL) -q update --no-fuzzy-matching --width 100 -D $$domain -l $$lang \
			-i $$locale/$$domain.pot -o $$po; \
	done)
	$(PY) -c "$$FILL_ENGLISH" $(wildcard $(addsuffix /en/LC_MESSAGES/*.po,$(LOCALE_DIRS)))

# English is the language of the code: update-messages copies each new English text into the
# English catalogues as its own translation (reword a page there without touching the code).
define FILL_ENGLISH
import sys
from babel.messages.pofile import read_po, write_po
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100)
endef
export FILL_ENGLISH

# Start a new language in every domain (then add it to LANGUAGE_NAMES in core/i18n.py).
new-language: messages
	@if [ -z "$(LANGUAGE)" ]; then echo "usage: make new-language LANGUAGE=xx"; exit 2; fi
	$(call for_each_domain,if [ ! -e $$locale/$(LANGUAGE)/LC_MESSAGES/$$domain.po ]; then \
		$(PYBABEL) -q init --width 100 -D $$domain -l $(LANGUAGE) \
			-i $$locale/$$domain.pot -o $$locale/$(LANGUAGE)/LC_MESSAGES/$$domain.po; fi)

# Fails listing every message without a translation, with a wrong placeholder or plural form.
check-messages: $(VENV)/.installed-dev
	$(PY) -m pytest -q -p no:randomly tests/core/test_i18n_catalogues.py

# Screenshots of the key screens on the demo content, in Chromium (docs/screenshots/, shown in the
# README): the same test as in the suite, writing its pictures there instead of a temporary folder.
screenshots: $(VENV)/.installed-dev
	DECLIC_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots DECLIC_REQUIRE_BROWSER=1 \
		$(PY) -m pytest -q -p no:randomly tests/e2e/test_screenshots.py
