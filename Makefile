# salesbridge: every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := $(shell cat .python-version)
PYTHON ?= python$(PYTHON_VERSION)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# pip prints one harmless line per package for this machine's extra (empty) indexes.
PIP_QUIET := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

$(VENV)/.installed: shared/requirements.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements/dev.txt $(PIP_QUIET)
	touch $@

$(SAM_VENV)/.installed: requirements/sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q -r requirements/sam.txt $(PIP_QUIET)
	touch $@

# Browser tests use Debian's chromium through Playwright (its own browser download cannot work
# offline). Installed here when missing and running as root (CI); otherwise it says how.
CHROMIUM ?= /usr/bin/chromium

chromium: ## Debian's chromium for the browser tests
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q --no-install-recommends chromium; \
	  else echo "the browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; fi

SALESFORCE_NODE := salesforce/node_modules/.installed
NETSUITE_NODE := netsuite/node_modules/.installed
CONSOLE_NODE := console/node_modules/.installed

$(SALESFORCE_NODE): salesforce/package.json salesforce/package-lock.json
	cd salesforce && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# axe-core, which the console's browser tests inject into each page (pinned in the lock file).
$(CONSOLE_NODE): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NETSUITE_NODE): netsuite/package.json netsuite/package-lock.json
	cd netsuite && npm ci --no-audit --no-fund --loglevel=error
	touch $@

.PHONY: help chromium install lint typecheck unit integration sandboxes devstack e2e template metadata suitescript pytest test demo local bench chaos clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: $(VENV)/.installed $(SAM_VENV)/.installed $(SALESFORCE_NODE) $(NETSUITE_NODE) $(CONSOLE_NODE) ## create the virtualenvs and install everything

lint: $(VENV)/.installed ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed ## mypy over the project's packages
	$(BIN)/mypy

unit: $(VENV)/.installed ## unit tests (no sockets)
	$(BIN)/pytest tests/unit -q

integration: $(VENV)/.installed ## integration tests against moto's server
	$(BIN)/pytest tests/integration -q

sandboxes: $(VENV)/.installed ## fidelity suites of the local Salesforce, NetSuite, Unleashed and Intacct
	$(BIN)/pytest tests/sandboxes -q

devstack: $(VENV)/.installed ## tests of the local stack itself
	$(BIN)/pytest tests/devstack -q

e2e: $(VENV)/.installed chromium $(CONSOLE_NODE) ## end-to-end tests through the local stack
	$(BIN)/pytest tests/e2e -q

template: $(VENV)/.installed $(SAM_VENV)/.installed ## sam validate --lint, cfn-lint and sam build
	$(SAM) validate --lint
	$(BIN)/cfn-lint template.yaml
	$(SAM) build --parallel

metadata: $(SALESFORCE_NODE) ## convert the Salesforce metadata with Salesforce's own library
	cd salesforce && node scripts/check-metadata.mjs

suitescript: $(VENV)/.installed $(NETSUITE_NODE) ## Jest tests of the NetSuite user event script
	cd netsuite && npx jest --ci

# moto keeps its state per process, so each local stack needs a process of its own:
# the tiers that start one run in separate pytest processes.
pytest: $(VENV)/.installed chromium $(CONSOLE_NODE) ## every Python test tier
	$(BIN)/pytest -q -n 2 --dist loadfile tests --ignore=tests/devstack --ignore=tests/e2e
	$(BIN)/pytest -q -n 2 --dist loadfile tests/devstack
	$(BIN)/pytest -q tests/e2e

test: lint typecheck template metadata suitescript pytest ## the whole suite: lint, types, template, metadata, SuiteScript, every test tier

demo: $(VENV)/.installed ## run the product end to end on the local stack and its sandboxes
	$(BIN)/python -m devstack demo

local: $(VENV)/.installed ## run the local stack in the foreground (Ctrl-C stops it)
	$(BIN)/python -m devstack run

bench: $(VENV)/.installed $(SAM_VENV)/.installed ## benchmarks: cold starts, artifact sizes, API economy
	$(SAM) build --parallel
	$(BIN)/python -m bench

chaos: $(VENV)/.installed ## reliability campaign through the local stack: faults, duplicates, reordering (seeded, a few minutes)
	$(BIN)/python -m bench chaos

clean: ## remove build output and virtualenvs
	rm -rf .aws-sam .bench .local $(VENV) $(SAM_VENV) salesforce/node_modules netsuite/node_modules console/node_modules .pytest_cache .mypy_cache .ruff_cache
