# The two commands: `make run` (set up, build the sample site, start the admin) and `make test`.
# The interpreter of the venv: an optimized CPython 3.11+ if the machine has one (see
# scripts/pick-python; a pyenv build without PGO ran our builds 10-25 % slower). Override:
# `make PYTHON=python3.12`; after a change, `rm -rf .venv` first.
ifeq ($(origin PYTHON), undefined)
PYTHON := $(shell scripts/pick-python)
endif
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run build test test-postgres bench lint format clean

$(STAMP): pyproject.toml package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund; \
	  else echo "npm not found: the accessibility checks of the e2e suite will fail"; fi
	@touch $(STAMP)

# Bytecode for our own modules too (pip compiles only the dependencies): every `freeze.py`
# would otherwise compile them again where PYTHONDONTWRITEBYTECODE is set (~0.1 s a build).
# Not freeze.py itself: a script run as __main__ is never read from a cache.
install: $(STAMP)
	@$(BIN)/python -m compileall -q app config.py microblog.py >/dev/null

build: install
	$(BIN)/python freeze.py

run: build
	@echo
	@echo "  Static site:   build/  (preview with live reload: $(BIN)/python freeze.py --serve)"
	@echo "  Authoring app: http://127.0.0.1:5000/  (Ctrl+C to stop)"
	@echo "  Admin:         http://127.0.0.1:5000/admin/  (write, preview, publish)"
	@echo
	$(BIN)/flask run

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The whole suite again against a throwaway PostgreSQL server (Debian's postgresql package).
test-postgres: install
	scripts/with-postgres $(BIN)/python -m pytest

# Builds (beside Pelican and Hugo), the --watch loop and admin/API latency on one generated
# corpus: `make bench` (1000 posts), `make bench N=10000`, `make bench N=1000,10000,50000`,
# `make bench BENCH_ARGS=--skip-latency`. See bench/README.md.
N ?= 1000
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py --n $(N) --peers $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf build .pytest_cache .ruff_cache
