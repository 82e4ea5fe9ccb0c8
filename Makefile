# bangfu — the two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test bench bench-deps setup deps db static lint typecheck migrations-check pytest browser-deps docs clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/bangfu: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# Front-end libraries (ECharts, htmx) from the npm registry, exactly as package-lock.json pins them;
# npm ci runs again only when the lock file is newer than the stamp it leaves in node_modules.
NODE_STAMP := node_modules/.package-lock.stamp

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(BIN)/bangfu $(NODE_STAMP)

db: deps
	$(BIN)/bangfu manage migrate --no-input
	$(BIN)/bangfu manage createcachetable

static: deps
	$(BIN)/bangfu manage collectstatic --no-input --verbosity 0

## make run: set everything up, load the demo data and serve on http://$(HOST):$(PORT)
run: db static
	$(BIN)/bangfu demo
	$(BIN)/bangfu serve --bind $(HOST):$(PORT)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: deps
	$(BIN)/mypy bangfu config

migrations-check: deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## make browser-deps: Debian's chromium and a Chinese font for the browser tests (never playwright install)
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	fi

pytest: deps browser-deps
	$(BIN)/pytest -n 2 -m "not browser"
	$(BIN)/pytest -m browser -p no:xdist

## make test: lint, type checks, the migration check and the whole test suite
test: lint typecheck migrations-check pytest

## make bench-deps: Debian's wrk, the load generator of the dashboard benchmark
bench-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; \
	fi

## make bench: the benchmarks in bench/, each printing its figures next to its target
bench: db bench-deps
	$(BIN)/python -m bench

## make docs: regenerate the CLI reference and the OpenAPI schema (tests check both are current)
docs: deps
	$(BIN)/bangfu manage docs
	$(BIN)/bangfu manage spectacular --lang en --file docs/api/openapi.yaml --validate

clean:
	rm -rf $(VENV) $(TOOLS) var/static node_modules
