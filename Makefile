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

.PHONY: install run build test test-postgres bench lint format clean lock

# Exact versions with their hashes (requirements/, written by `make lock`), so that a new
# release of ruff, pytest or Playwright cannot break a clean clone: the installers first, then
# the locked dependencies, then the project alone, both built with the locked setuptools.
# `pip check` fails when pyproject.toml names a dependency the lock lacks (run `make lock`).
$(STAMP): pyproject.toml requirements/installers.txt requirements/lock.txt package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/installers.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-build-isolation \
	  -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "requirements/lock.txt does not match pyproject.toml: run make lock"; exit 1; }
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
	$(BIN)/flask run --debug

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

# Regenerate requirements/*.txt from pyproject.toml (and requirements/installers.in) for
# CPython 3.11+ on every platform, with the hashes of every file of each pinned version.
# Keeps today's pins where they still fit; `make lock LOCK_ARGS=--upgrade` moves everything to
# the newest allowed release, `LOCK_ARGS='--upgrade-package ruff'` one package.
LOCK_ARGS ?=
LOCK := $(BIN)/uv pip compile --quiet --universal --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock:
	@test -x $(BIN)/uv || $(MAKE) --no-print-directory install || test -x $(BIN)/uv
	$(LOCK) requirements/installers.in -o requirements/installers.txt
	$(LOCK) pyproject.toml requirements/installers.txt --extra dev -o requirements/lock.txt

clean:
	rm -rf build .pytest_cache .ruff_cache
