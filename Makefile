# One command sets up, builds and serves (make serve); one sets up and runs every test (make test).
# Only Python 3.11+ and make are assumed; everything else is installed here.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat requirements.txt package.json 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: setup build release validate serve test bench clean

setup: $(STAMP)

$(STAMP): requirements.txt $(wildcard package.json package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@if [ -f package.json ]; then \
	  if command -v npm >/dev/null 2>&1; then \
	    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi; \
	  else echo "npm not found: the query page falls back to its plain form (no YASGUI editor)"; fi; \
	fi
	rm -f $(VENV)/.installed-*
	touch $@

# The served dataset: FUKUDX_BUILD_DIR (default build/) gets dataset.nq, Turtle per graph and
# release.json, built for FUKUDX_BASE_IRI; the server adds its query store there. Always rebuilt
# (about 1.5 s; the bytes are the same unless data/, ontology/ or the build code changed).
build: setup
	$(BIN)/python -m fukudx_kg build

# The reviewed copy in git: data/release/ for the default base IRI. Commit it with the change to
# data/ that caused it; `make test` fails while it differs from a fresh build (tests/test_release.py).
release: setup
	rm -f data/release/dataset.nq data/release/release.json data/release/*.ttl
	env -u FUKUDX_BASE_IRI $(BIN)/python -m fukudx_kg build --out data/release

validate: build
	$(BIN)/python -m fukudx_kg validate

serve: build
	$(BIN)/python server.py

test: setup
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-virtuoso.sh
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf build test-output .pytest_cache
