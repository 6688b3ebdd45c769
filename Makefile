# The two commands: `make lab` (set up + open the quickstart in JupyterLab) and `make test` (set up +
# the whole suite). Both are idempotent and install what a fresh machine lacks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
ROOT := $(shell id -u)
PYTEST_ARGS ?=

.PHONY: lab test setup js chromium postgresql lint format clean bench screenshots

setup: $(STAMPS)/install $(STAMPS)/js

$(STAMPS)/venv:
	@mkdir -p $(STAMPS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

# Editable install with the server and dev extras (the build hook also runs the npm build), then the
# agreement tests' cross-check references without their dependency pins (irrCAC pins scipy==1.12 and
# pandas<3; crowd-kit needs transformers only for text and learning modules the tests do not import).
$(STAMPS)/install: $(STAMPS)/venv pyproject.toml
	$(PY) -m pip install --quiet -e ".[server,dev]"
	$(PY) -m pip install --quiet --no-deps "irrCAC==0.4.4" "crowd-kit==1.4.2"
	@touch $@

$(STAMPS)/js: js/package.json js/build.mjs $(wildcard js/src/*)
	@command -v npm >/dev/null || { echo "npm is missing: run 'apt-get install -y nodejs npm' (as root)"; exit 1; }
	cd js && npm install --no-audit --no-fund --loglevel=error && npm run build
	@mkdir -p $(STAMPS) && touch $@

js: $(STAMPS)/js

chromium:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$(ROOT)" = "0" ]; then \
		echo "Installing Debian chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'"; exit 1; fi

# The reliability tests start a throwaway PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin).
postgresql:
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$(ROOT)" = "0" ]; then \
		echo "Installing Debian postgresql for the reliability tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "The PostgreSQL tests need Debian's postgresql: run 'sudo apt-get install -y postgresql'"; exit 1; fi

lab: setup
	$(VENV)/bin/jupyter lab notebooks/quickstart.ipynb --ip 127.0.0.1 $(if $(filter 0,$(ROOT)),--allow-root,)

test: setup chromium postgresql
	$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg $(PYTEST_ARGS)

# README screenshots in docs/, from real JupyterLab + Chromium + Label Studio (tools/screenshots.py).
screenshots: setup chromium
	$(PY) tools/screenshots.py

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff format ls_notebook tests benchmarks

bench: setup
	for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(STAMPS) ls_notebook/static js/node_modules
