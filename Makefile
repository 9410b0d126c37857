# Everything a fresh machine with Python 3.11, git and make needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test bench lab check faults screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A regular (not editable) install: the engine's hot path is compiled by mypyc at install
# time (setup.py; plain Python where no C compiler is found), so every change under src/
# reinstalls. For a quick loop on the sources alone: PYTHONPATH=src .venv/bin/python -m pytest
# setuptools builds in ./build and reuses what it finds there: a module moved or deleted since
# the last build would still be installed, so every install starts from an empty build folder.
SOURCES := pyproject.toml setup.py $(shell find src -type f -not -path '*/__pycache__/*')
LAB_SOURCES := $(shell find lab -type f -not -path '*/__pycache__/*' -not -path '*/build/*')
LAB_STAMP := $(VENV)/.installed-lab

$(STAMP): $(SOURCES) | $(BIN)/python
	rm -rf build
	$(BIN)/python -m pip install --quiet .
	touch $@

# The test extras and the research lab (lab/: the backtest, fitting, the synthetic generator),
# which depends on liqterm and is never needed to run it.
$(TEST_STAMP): $(SOURCES) $(LAB_SOURCES) | $(BIN)/python
	rm -rf build lab/build
	$(BIN)/python -m pip install --quiet '.[test]' ./lab
	touch $(STAMP) $(LAB_STAMP) $@

$(LAB_STAMP): $(SOURCES) $(LAB_SOURCES) | $(BIN)/python
	rm -rf build lab/build
	$(BIN)/python -m pip install --quiet . ./lab
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/liqterm demo

# The whole suite on the installed (compiled) package, then the engine's and the pipeline's
# tests again on the plain-Python sources, which is what a machine without a C compiler runs.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q
	LIQTERM_EXPECT_PURE=1 PYTHONPATH=src $(BIN)/python -m pytest -q -p no:cacheprovider tests/engine tests/pipeline

# The test extra too: the TUI benchmark times Textual's own methods, of the pinned version.
bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

# The research lab beside the app: `liqterm backtest`, lab/scripts/fit_predictor.py.
lab: $(LAB_STAMP)

check: $(TEST_STAMP)
	$(BIN)/ruff check setup.py src lab tests benchmarks scripts
	$(BIN)/ruff format --check setup.py src lab tests benchmarks scripts
	$(MAKE) test

# The fault-injection suite in full (10,000 fuzz examples per parser, long outages) with its
# table of what was injected and what happened; `make test` runs the shortened form.
faults: $(TEST_STAMP)
	$(BIN)/python scripts/faults.py --full

# Drives the real app (offline demo, headless) and rewrites screenshots/*.svg; PNGs too when
# rsvg-convert (Debian librsvg2-bin) is installed.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist lab/build .pytest_cache
