# Portevoix — the two commands: `make run` (platform + demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Parallel test workers (pytest-xdist); `make test WORKERS=0` runs in one process.
WORKERS ?= auto

.PHONY: install run test test-fast lint format bench messages clean peers

$(VENV)/.installed: pyproject.toml scripts/system_packages.sh
	@bash scripts/system_packages.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end packages from the npm registry, exactly as package-lock.json pins them (axe-core
# for the browser tests' accessibility checks). No install scripts run. Reruns when the
# lockfile changes. Without npm the step is skipped outside CI (the accessibility tests then
# skip too); in CI a missing npm fails the install.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --include=dev --loglevel=error && touch $@; \
	elif [ -n "$$CI" ]; then echo "npm is required in CI (package-lock.json)"; exit 1; \
	else echo "npm not found: front-end packages (axe-core) not installed"; fi

install: $(VENV)/.installed node_modules/.installed

# Start the platform with demo data on SQLite: web server (granian) + background worker + click ingester
# + listening stream worker.
run: install
	@bash scripts/run.sh

test: install
	$(VENV)/bin/pytest -n $(WORKERS) --dist loadfile -q --durations=15

# The unit and view tests: no subprocess, server, network peer, browser or benchmark
# (markers `slow`, `peers`, `browser`: tests/conftest.py); in-memory SQLite.
test-fast: install
	$(VENV)/bin/pytest -n $(WORKERS) --dist load -q -m "not slow and not peers and not browser"

# ruff, the app boundaries (import-linter contracts in pyproject.toml and their baseline,
# which may only shrink: scripts/boundaries.py), mypy on the code and the tests.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=$(CURDIR) $(VENV)/bin/lint-imports --no-cache
	PYTHONPATH=$(CURDIR) $(PY) scripts/boundaries.py check
	$(VENV)/bin/mypy portevoix config tests

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every benchmark script in bench/ (each records its section of bench/RESULTS.md).
# BENCH_SCALE=0.01 for a quick run of the dashboard and feed benchmarks (the feed's load
# needs wrk: apt-get install wrk; BENCH_DBS=sqlite for SQLite only).
bench: install
	@set -e; for script in bench/*_bench.py; do echo "== $$script"; $(PY) $$script; done

# The real Bluesky peer for the connector tests (node_modules under tests/peers/bluesky, from
# its lockfile; Node 22 comes from the npm registry). Without it, those tests are skipped
# outside CI. `bash scripts/peers/bluesky.sh run` / `scripts/peers/mastodon.sh run` start the
# local peers for trying the demo by hand (README). The OpenID Connect provider of the single
# sign-on tests (oidc-provider, node_modules under tests/peers/oidc): scripts/peers/oidc.sh.
peers:
	bash scripts/peers/bluesky.sh install
	bash scripts/peers/oidc.sh install

# Recompile the French translations after editing a django.po.
messages: install
	for app in core accounts content governance sharing training analytics publishing networks sso; do \
	  (cd portevoix/$$app && DJANGO_SETTINGS_MODULE=config.settings_test PYTHONPATH=$(CURDIR) \
	    $(CURDIR)/$(VENV)/bin/django-admin compilemessages) ; done

clean:
	rm -rf $(VENV) var node_modules
