# One entry point for everything: every target that needs the venv depends on `install`,
# so on a fresh machine `make test` (or `make test-dags`) alone is enough.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
INSTALL_STAMP := $(VENV)/.install-stamp

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export PIPENV_IGNORE_VIRTUALENVS := 1
# The Pipfile's [[source]] reads its URL from here: pip's own default index.
export PYPI_INDEX_URL ?= $(shell python3 -c 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)')

# Local `airflow` commands use the repo's own ignored home, never ~/airflow.
AIRFLOW_LOCAL_ENV := AIRFLOW_HOME=$(CURDIR)/.airflow AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/workflows \
	AIRFLOW__CORE__LOAD_EXAMPLES=False

PYTEST_ARGS ?=
# make test runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

.PHONY: help install lock test test-dags lint format serve airflow docs docs-check docs-tables clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

install: $(INSTALL_STAMP) ## Create .venv from Pipfile.lock (only when the lock changed)

$(INSTALL_STAMP): Pipfile.lock pyproject.toml
	@python3 -m pipenv --version >/dev/null 2>&1 || python3 -m pip install --quiet pipenv
	python3 -m pipenv sync --dev
	@touch $@

lock: ## Re-resolve Pipfile into Pipfile.lock (see docs/development.md: upgrading dependencies)
	@python3 -m pipenv --version >/dev/null 2>&1 || python3 -m pip install --quiet pipenv
	python3 -m pipenv lock

test: install ## The whole fast suite (unit, property, contract, end-to-end in-process)
	$(PY) -m pytest tests --ignore=tests/e2e --ignore=tests/docker -q -n $(PYTEST_WORKERS) \
		--dist worksteal --durations=15 $(PYTEST_ARGS)

# SHARD=i/N runs slice i of N into build/shard-i/ (join them: harness merge build/shard-*/).
SHARD ?=
SHARD_DIR = build/shard-$(firstword $(subst /, ,$(SHARD)))
TEST_DAGS_OUT = $(if $(SHARD),--shard $(SHARD) --results $(SHARD_DIR) --junit $(SHARD_DIR)/test-dags.xml \
	--html $(SHARD_DIR)/test-dags.html,--junit build/test-dags.xml --html build/test-dags.html)

test-dags: install ## Every DAG in workflows/ against the embedded fake ECS on every core (SHARD=i/N: a slice)
	PYTHONPATH=$(CURDIR) PYTEST_ADDOPTS="$(PYTEST_ARGS)" $(VENV)/bin/harness run $(TEST_DAGS_OUT)

lint: install docs-check ## ruff (with the banned-API rule), the import-layer contracts and the strict docs build
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=$(CURDIR) $(VENV)/bin/lint-imports

format: install ## Fix what ruff can fix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

serve: install ## Run fakeecs on http://127.0.0.1:5090 (manual clock: ARGS="--clock scaled:60")
	$(VENV)/bin/fakeecs serve $(ARGS)

airflow: install ## Run an airflow command offline with AIRFLOW_HOME=.airflow, e.g. make airflow ARGS="dags list"
	$(AIRFLOW_LOCAL_ENV) $(VENV)/bin/airflow $(ARGS)

# mkdocs-material prints a banner about its successor on every build unless told not to.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs

# No --quiet: mkdocs 1.6 then hides the warnings that --strict turns into a failure, and exits 0.
docs: install ## Build the documentation site into build/site (strict: a broken link or page fails)
	$(MKDOCS) build --strict

docs-check: install ## The strict docs build into a temporary folder (run by make lint)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && $(MKDOCS) build --strict --site-dir "$$tmp"

docs-tables: install ## Regenerate the generated reference tables (fakeecs operations and control API, harness scenarios)
	$(PY) -m fakeecs.docs docs/reference
	$(PY) -m harness.docs docs/reference/harness-scenarios.md

clean: ## Remove the venv, caches, build output and the local Airflow home
	rm -rf $(VENV) build .airflow .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

-include mk/*.mk
