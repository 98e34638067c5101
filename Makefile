# videophone — set-up is two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The browser tests' JavaScript tools (axe-core), exactly as package-lock.json pins them.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: install run run-sip test check lint format screenshots clean

# Dependencies within constraints.txt: the versions CI last passed with (an unpinned fresh install
# once picked up a release whose new type hints failed `make check`).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the accessibility tests will skip (apt-get install nodejs npm)"; fi

install: $(STAMP) $(NODE_STAMP)

## Start the service in demo mode (asked for: it is off by default) on its embedded defaults (SQLite
## under ./var, in-process bus) with a demo operator, and the built-in payment gateway on its own port
## (stopped when the service stops).
run: export VIDEOPHONE_DEMO = true
run: $(STAMP)
	$(BIN)/videophone demo
	$(BIN)/videophone gateway & gateway=$$!; \
	trap 'kill $$gateway 2>/dev/null' EXIT INT TERM; \
	$(BIN)/videophone serve

## The service with its SIP side for development (issue 16): rtpengine, Kamailio and the gateway on
## loopback; phones register at 127.0.0.1:5060 (needs: apt-get install kamailio kamailio-utils-modules
## kamailio-extra-modules rtpengine-daemon).  Demo mode, like `make run`.
run-sip: export VIDEOPHONE_DEMO = true
run-sip: $(STAMP)
	$(BIN)/videophone demo
	@mkdir -p var; [ -s var/sip-edge-secret ] || (umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_hex(24))' > var/sip-edge-secret)
	export VIDEOPHONE_SIP_EDGE_SECRET=$$(cat var/sip-edge-secret) VIDEOPHONE_SIP_GATEWAY_LISTEN=127.0.0.1:5070 \
	  VIDEOPHONE_SIP_SERVICE_URL=http://127.0.0.1:8000 VIDEOPHONE_SIP_EDGE_RPC_URL=http://127.0.0.1:5071/RPC; \
	$(BIN)/videophone gateway & gateway=$$!; \
	$(BIN)/videophone sip-media run & media=$$!; \
	$(BIN)/videophone sip-edge run & edge=$$!; \
	trap 'kill $$gateway $$media $$edge 2>/dev/null' EXIT INT TERM; \
	$(BIN)/videophone serve

## Run the whole test suite (PostgreSQL tests run when VIDEOPHONE_TEST_POSTGRES_URL is set).
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

## Static checks: ruff (lint + format), mypy --strict, the import contracts (domain/ is pure).
check: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests scripts bench
	$(BIN)/ruff check --fix src tests scripts bench

## Fuzz the HTTP API against its own OpenAPI document: schemathesis as nobody, a subscriber and an
## administrator against a real `videophone serve` (a few minutes; figures at the end; see scripts/fuzz_api.py).
## CI fuzzes with a fixed seed, so that a run is reproducible and a submission is judged by its own
## change; `make fuzz FUZZ_SEED=` (empty) draws a new one, printed for replay.
FUZZ_SEED ?= 20261206
.PHONY: fuzz
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_api.py $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

## Regenerate the README screenshots from the running app.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache

.PHONY: bench-signaling
## Signaling benchmark against a real `videophone serve` (SQLite; see docs/performance.md).
bench-signaling: $(STAMP)
	$(BIN)/python bench/signaling/run.py

.PHONY: bench-sip
## SIP benchmark: phones through Kamailio, the gateway and rtpengine in a loopback-only namespace (root; see docs/performance.md).
bench-sip: $(STAMP)
	$(BIN)/python bench/sip/run.py

.PHONY: bench-billing
## Billing benchmark: rating and the bill run, 100,000 subscribers / 1,000,000 calls (SQLite; see docs/performance.md).
bench-billing: $(STAMP)
	$(BIN)/python bench/billing/run.py
