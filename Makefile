# The two commands: `make run` (set up, build the sample site, start the admin) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run build test lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/python freeze.py

run: build
	@echo
	@echo "  Static site:   build/  (preview: $(BIN)/python -m http.server -d build 8000)"
	@echo "  Authoring app: http://127.0.0.1:5000/  (Ctrl+C to stop)"
	@echo "  Admin:         http://127.0.0.1:5000/admin/  (write, preview, publish)"
	@echo
	$(BIN)/flask run

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf build .pytest_cache .ruff_cache
