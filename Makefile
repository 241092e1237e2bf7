# One obvious command for each job. The environment lives in .venv and is made on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: site test check serve lint browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

site: $(STAMP)  ## create the environment, validate the data and build the site into site/
	$(BIN)/atlas check
	$(BIN)/atlas build

check: $(STAMP)  ## validate every record and citations.bib
	$(BIN)/atlas check

serve: $(STAMP)  ## serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/atlas serve

lint: $(STAMP)
	$(BIN)/ruff check atlas tests scripts

browser:  ## Debian's Chromium for the browser tests (installed when missing and we are root)
	@test -x $(CHROMIUM) || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	  || { echo "The browser tests need Debian's chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; }

test: $(STAMP) browser  ## the whole test suite: lint, unit, end-to-end and browser tests
	$(BIN)/ruff check atlas tests scripts
	$(BIN)/pytest -q

clean:
	rm -rf site .pytest_cache .ruff_cache
