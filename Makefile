# The two commands: `make lab` (set up + open the quickstart in JupyterLab) and `make test` (set up +
# the whole suite). Both are idempotent and install what a fresh machine lacks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
ROOT := $(shell id -u)
PYTEST_ARGS ?=

.PHONY: lab test setup js node chromium postgresql lint format clean bench screenshots

# Shell snippet: apt-get install $(1) when running as root; otherwise print the command and fail.
deb_install = if [ "$(ROOT)" = "0" ]; then echo "Installing Debian $(1)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else echo "Missing Debian packages: run 'sudo apt-get install -y $(1)'"; exit 1; fi

setup: $(STAMPS)/install $(STAMPS)/js

$(STAMPS)/venv:
	@mkdir -p $(STAMPS)
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { $(call deb_install,python3-venv); }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

# Editable install with the server and dev extras (the build hook also runs the npm build), then the
# agreement tests' cross-check references without their dependency pins (irrCAC pins scipy==1.12 and
# pandas<3; crowd-kit needs transformers only for text and learning modules the tests do not import).
$(STAMPS)/install: $(STAMPS)/venv pyproject.toml | node
	$(PY) -m pip install --quiet -e ".[server,dev]"
	$(PY) -m pip install --quiet --no-deps "irrCAC==0.4.4" "crowd-kit==1.4.2"
	@touch $@

$(STAMPS)/js: js/package.json js/build.mjs $(wildcard js/src/*) | node
	cd js && npm install --no-audit --no-fund --loglevel=error && npm run build
	@mkdir -p $(STAMPS) && touch $@

js: $(STAMPS)/js

# Node.js and npm build the widget frontends (esbuild), also inside pip's build hook.
node:
	@{ command -v npm && command -v node; } >/dev/null || { $(call deb_install,nodejs npm); }

chromium:
	@command -v chromium >/dev/null || { $(call deb_install,chromium); }

# The reliability tests start a throwaway PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin).
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { $(call deb_install,postgresql); }

# `make lab`: the default server's database is created once before JupyterLab opens (skipped when it
# exists), and JupyterLab reads the project's jupyter-config/ besides the user's own config (no
# "Jupyter news?" prompt; the user's settings are untouched). LAB_ARGS: more `jupyter lab` options.
LAB_ARGS ?=
lab: setup
	$(PY) tools/init_default_server.py
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(VENV)/bin/jupyter lab notebooks/quickstart.ipynb --ip 127.0.0.1 \
		$(if $(filter 0,$(ROOT)),--allow-root,) $(LAB_ARGS)

# Lint (ruff + the import-linter layer contracts) first: a broken layer fails before the long suite.
test: setup chromium postgresql
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg $(PYTEST_ARGS)

# README screenshots in docs/, from real JupyterLab + Chromium + Label Studio (tools/screenshots.py).
screenshots: setup chromium
	$(PY) tools/screenshots.py

# ruff, then the layer contracts of pyproject.toml's [tool.importlinter] (imports point down only).
lint: $(STAMPS)/install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format:
	$(VENV)/bin/ruff format ls_notebook tests benchmarks

bench: setup
	for f in benchmarks/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(STAMPS) ls_notebook/static js/node_modules
