# One command each, from a fresh clone:
#   make demo   — set up and run the offline demo (no Slack workspace needed)
#   make test   — set up and run the whole test suite on SQLite and on PostgreSQL
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test lint bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: setup
	$(VENV)/bin/veille demo

test: setup
	VENV=$(VENV) scripts/test.sh

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	for b in bench/*.py; do $(PY) $$b || exit 1; done
