# Two commands do everything on a fresh machine (Python 3.11+, Node 20+, make):
#   make run   - set up, then run the whole walk-through headless against the sandbox
#   make test  - set up, then every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1

.PHONY: setup run test lint notebooks jupyter clean

setup: $(STAMP)

# Re-installs only when pyproject.toml changes, so repeat runs start at once.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

run: setup
	$(PY) -m lab walkthrough

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .

notebooks: setup
	$(PY) -m lab walkthrough --in-place

jupyter: setup
	$(VENV)/bin/jupyter lab notebooks/

clean:
	-$(PY) -m lab sandbox stop
	rm -rf cdk.out .lab results .pytest_cache
