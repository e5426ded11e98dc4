# Two commands: `make demo` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HUB_HOST ?= 127.0.0.1
export HUB_PORT ?= 8000

.PHONY: demo test lint typecheck unit integration bench plans-baseline neo4j schema clean console chromium

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

## demo: seed ~2,000 customers into the embedded engine and serve http://$HUB_HOST:$HUB_PORT/graphql and /console
demo: $(STAMP)
	@$(MAKE) --no-print-directory console || echo "warning: /console is not built (see above); serving the API without it" >&2
	$(BIN)/hub demo

## test: lint, type-check, unit + integration (both engines; starts a local Neo4j unless HUB_TEST_NEO4J_URI is set)
# pytest runs on TEST_WORKERS pytest-xdist workers (one a core is the point: CI has two);
# --dist loadgroup sends every [neo4j] test to one worker and its Neo4j, and spreads the
# rest, one test at a time, over all workers (tests/README.md). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: lint typecheck console chromium
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

## console: build the browser console (npm ci, then esbuild) into console/dist, served at /console
CONSOLE_SOURCES := console/package.json console/package-lock.json console/build.mjs \
	$(wildcard console/src/*.* console/src/views/*.js)
console: console/dist/index.html
console/dist/index.html: $(CONSOLE_SOURCES)
	@command -v npm >/dev/null || { echo "make console: npm is not on PATH; the console needs Node.js 18+ and npm to build (apt-get install nodejs npm)" >&2; exit 1; }
	cd console && npm ci --no-audit --no-fund --ignore-scripts && node build.mjs

## chromium: Debian's Chromium for the console's browser tests (apt-get, as root); they are skipped only when it cannot be installed
chromium:
	@command -v chromium >/dev/null || \
	  { echo "installing Debian's chromium for the console's browser tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	    echo "warning: could not install Debian's chromium: the console's browser tests (tests/e2e/test_console.py) will be skipped" >&2; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP) console chromium
	$(BIN)/pytest tests/integration tests/e2e

## bench: every benchmark; figures in bench/results/*.json
bench: $(STAMP)
	$(BIN)/python -m bench

## plans-baseline: re-measure bench/baseline/plans.json (database hits per operation on Neo4j), on purpose
plans-baseline: $(STAMP)
	$(BIN)/python -m bench.plans --update

## neo4j: run a local Neo4j (Maven artifacts on the JVM) in the foreground
neo4j:
	scripts/neo4j-dev

## schema: rewrite schema.graphql from the code
schema: $(STAMP)
	$(BIN)/hub schema > schema.graphql

clean:
	rm -rf $(VENV) .hub .pytest_cache .mypy_cache .ruff_cache scripts/neo4j-server/target \
	  console/node_modules console/dist tests/artifacts
