# One command each, from a fresh clone:
#   make setup  — production: .venv with Veille and its runtime dependencies only
#                 (add EXTRAS=postgres for PostgreSQL: make setup EXTRAS=postgres)
#   make demo   — set up and run the offline demo (no Slack workspace needed)
#   make test   — set up with the dev tools and run the whole suite on SQLite and on PostgreSQL
#   make bench  — every benchmark in bench/, one after the other (long: tens of minutes)
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?=
# One stamp per set of extras, so `make setup EXTRAS=postgres` after a plain setup installs them.
RUNTIME := $(VENV)/.installed-runtime$(if $(EXTRAS),-$(EXTRAS))
DEV := $(VENV)/.installed-dev
# Every bench in bench/: the modules that run as a program (the others are their shared code).
BENCHES := $(sort $(basename $(notdir $(shell grep -l __main__ bench/*.py))))

.PHONY: setup dev demo test lint bench

setup: $(RUNTIME)

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".$(if $(EXTRAS),[$(EXTRAS)])"
	touch $@

# The dev tools (pytest, ruff, ...) and the PostgreSQL driver the tests use: never in `make setup`.
dev: $(DEV)

$(DEV): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[dev,postgres]"
	touch $@

demo: setup
	$(VENV)/bin/veille demo

test: dev
	VENV=$(VENV) scripts/test.sh

lint: dev
	$(VENV)/bin/ruff check .

# Run as modules from the repository root: the benches import bench.common and tests.fakes.
bench: dev
	scripts/ensure-postgres.sh
	scripts/atproto/atproto-testnet.sh install
	for b in $(BENCHES); do $(PY) -m bench.$$b || exit 1; done
