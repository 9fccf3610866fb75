# Every entry point of the project. `make site` builds the site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
# Byte-compile the package as pip does for a regular (non-editable) install: every command
# then starts without compiling its modules (about 0.1 s of a one-line `estimate`, more where
# PYTHONDONTWRITEBYTECODE keeps Python from caching them itself).
COMPILE = $(BIN)/python -m compileall -q site_builder

# The engine compiled to C (site_builder/engine/native.py): compiled again whenever its sources
# changed; a build or test run uses it only for the sources it was compiled from.
.PHONY: native site test lint typecheck pytest golden serve validate schema bench lighthouse fuzz browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.site-installed: pyproject.toml site_builder/site/browser_engine.py | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[native]'
	$(BIN)/python -m site_builder.site.browser_engine
	$(COMPILE)
	touch $@

$(VENV)/.dev-installed: pyproject.toml site_builder/site/browser_engine.py | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,native]'
	$(BIN)/python -m site_builder.site.browser_engine
	$(COMPILE)
	touch $@ $(VENV)/.site-installed

native: $(VENV)/.site-installed
	@$(BIN)/python -c "from site_builder.engine import native; print(native.build())"

site: $(VENV)/.site-installed native
	$(BIN)/site-builder build

validate: $(VENV)/.site-installed native
	$(BIN)/site-builder validate

serve: $(VENV)/.site-installed native
	$(BIN)/site-builder serve

schema: $(VENV)/.site-installed
	$(BIN)/site-builder schema --out schema

# Debian's chromium for the real-browser tests (root in CI; sudo elsewhere).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check site_builder tests benchmarks tools
	$(BIN)/ruff format --check site_builder tests benchmarks tools

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

pytest: $(VENV)/.dev-installed browser-deps native
	$(BIN)/pytest -q -n auto --dist loadfile

test: lint typecheck pytest

golden: $(VENV)/.dev-installed
	$(BIN)/python -m tests.site.regenerate_golden

# The deep fuzzing profile: at least 20,000 generated inputs; prints how many it ran.
fuzz: $(VENV)/.dev-installed
	FUZZ_EXAMPLES=3000 $(BIN)/pytest -q -p no:cacheprovider tests/fuzz

bench: $(VENV)/.site-installed native
	$(COMPILE)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/build_time.py
	$(BIN)/python benchmarks/rebuild.py
	$(BIN)/python benchmarks/serve.py

# Lighthouse scores of the built site (installs Lighthouse from npm on first use).
lighthouse: site browser-deps
	$(BIN)/python benchmarks/lighthouse.py

clean:
	rm -rf site .build .pytest_cache .mypy_cache .ruff_cache
