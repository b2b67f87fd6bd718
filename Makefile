# Rapport — run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_SYSTEM_CERTS := 1
export UV_LINK_MODE := copy
# Compile .pyc at install: some machines set PYTHONDONTWRITEBYTECODE, which makes every start recompile.
export UV_COMPILE_BYTECODE := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MEMBERS := platform tenants plugins/sdk
MEMBER_PYPROJECTS := $(addsuffix /pyproject.toml,$(MEMBERS))
PY_PACKAGES := platform/src tenants/src plugins/sdk/src tests
# Test files run in this many processes (pytest-xdist, a file's tests together), each with its own
# PostgreSQL, Redis and mail/S3/DNS servers: most tests wait on other processes, so two fit two cores.
TEST_WORKERS ?= 2
WEB := frontend
WEB_INSTALLED := $(WEB)/node_modules/.installed
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(addprefix $(WEB)/,index.html package.json vite.config.ts tsconfig.json postcss.config.cjs)

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/uv-checked:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@test -x $(BIN)/python || uv venv --quiet --python python3 $(VENV)
	@touch $@

$(STAMP): requirements.lock pyproject.toml $(MEMBER_PYPROJECTS) | $(BIN)/uv-checked
	uv pip sync --quiet --python $(BIN)/python requirements.lock
	uv pip install --quiet --python $(BIN)/python --no-deps $(addprefix -e ,$(MEMBERS))
	@touch $@

.PHONY: install
install: $(STAMP) ## Install Python dependencies (pinned by requirements.lock) and system packages
	@infra/dev/system-packages.sh

$(WEB_INSTALLED): $(WEB)/package.json $(WEB)/package-lock.json
	@! grep -nE '"resolved"|registry\.' $(WEB)/package-lock.json || (echo "package-lock.json names a registry" >&2; exit 1)
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB)/dist/index.html: $(WEB_INSTALLED) $(WEB_SOURCES)
	cd $(WEB) && npm run --silent typecheck && npm test --silent && npm run --silent build
	@touch $@

.PHONY: frontend
frontend: $(WEB)/dist/index.html ## Build the web app: npm ci, typecheck, unit tests, vite build (when changed)

.PHONY: api-client
api-client: install $(WEB_INSTALLED) ## Regenerate the web app's API types from the OpenAPI document
	cd $(WEB) && npm run --silent api:generate

.PHONY: run
run: install frontend ## Run the whole product: embedded PostgreSQL + Redis, API, worker, scheduler, demo tenant
	$(BIN)/rapport dev

.PHONY: browser
browser: ## Install the distribution's Chromium for the browser tests (when missing)
	@infra/dev/system-packages.sh --browser

.PHONY: test
test: install frontend browser ## Run the whole test suite on throwaway PostgreSQL and Redis (TEST_WORKERS at once)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

.PHONY: lint
lint: install ## ruff lint and format check
	$(BIN)/ruff check $(PY_PACKAGES)
	$(BIN)/ruff format --check $(PY_PACKAGES)

.PHONY: fmt
fmt: install ## Format and autofix with ruff
	$(BIN)/ruff format $(PY_PACKAGES)
	$(BIN)/ruff check --fix $(PY_PACKAGES)

.PHONY: types
types: install ## mypy (strict) on our packages
	$(BIN)/mypy

.PHONY: contracts
contracts: install ## import-linter: dependencies point one way
	$(BIN)/lint-imports

.PHONY: check
check: lint types contracts test ## lint, types, import contracts, tests

.PHONY: bench
bench: install frontend browser ## Benchmarks under tests/bench (table on stdout, JSON in .bench/); ARGS=--large for big runs
	$(BIN)/python -m tests.bench $(ARGS)

.PHONY: lock
lock: | $(BIN)/uv-checked ## Refresh requirements.lock (hash-pinned, no registry URLs)
	uv lock
	uv export --frozen --all-packages --no-emit-workspace --no-header --output-file requirements.lock >/dev/null
	@! grep -nE 'https?://' requirements.lock || (echo "requirements.lock names a URL" >&2; exit 1)

.PHONY: clean
clean: ## Remove the virtualenv and caches (keeps .data/)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .bench
