# Guanxi: `make run` to set up and serve, `make test` to set up and run the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
GUANXI_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
GUANXI_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup install test test-sqlite test-postgres test-redis lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv installs the same pinned packages several times faster than pip (parallel
	# downloads); plain pip is the fallback when uv cannot be had.
	( $(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8 \
	  && $(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]" ) \
	|| ( $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e ".[test]" )
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/guanxi migrate --no-input
	$(BIN)/guanxi collectstatic --no-input --verbosity 0
	$(BIN)/guanxi setup_first_run

run: setup
	$(BIN)/guanxi serve

test: install
	bash scripts/run_tests.sh

lint: install
	$(BIN)/ruff check guanxi bench scripts
	$(BIN)/ruff format --check guanxi bench scripts

format: install
	$(BIN)/ruff format guanxi bench scripts
	$(BIN)/ruff check --fix guanxi bench scripts

messages: install
	cd guanxi && ../$(BIN)/guanxi makemessages -l zh_Hans -l en --no-obsolete --ignore 'static/*' --ignore conftest.py
	cd guanxi && ../$(BIN)/guanxi compilemessages

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var
