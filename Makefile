# Two entry points: `make demo` and `make test`. Both create .venv when it
# is missing and (re)install the suite when pyproject.toml changed; `make test`
# also installs Debian's chromium for the browser tests when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# tests/browser drives Debian's Chromium; Playwright's own browser download is never used.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench sandbox lab voila clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	# The PyPI procountor client's own test suite ships only in its sdist; tests run it offline from here.
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: --dest $(VENV)/sdists procountor==2.4.0
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ops demo

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest

$(CHROMIUM):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Each benchmark prints its times beside a named peer's from the same run, and the ratio; all of them run,
# and make fails (naming the benchmarks whose goals were missed) when any goal is missed.
BENCHMARKS := pull_customers reconcile_customers run_notebook

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@missed=""; for b in $(BENCHMARKS); do echo "== $$b"; $(BIN)/python benchmarks/$$b.py || missed="$$missed $$b"; done; \
	if [ -n "$$missed" ]; then echo "make bench: goals missed in:$$missed" >&2; exit 1; fi; echo "make bench: every goal met"

sandbox: $(STAMP)
	$(BIN)/ops sandbox

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

voila: $(STAMP)
	$(BIN)/voila notebooks/20_reconcile.ipynb

clean:
	rm -rf $(VENV) build test-artifacts
