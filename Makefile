# Two commands on a fresh machine with only Python: `make run` (set up, then serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-deps clean bench bench-deps bench-quick

$(STAMP): setup.py setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,granian,test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/webhook-register serve

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist *.egg-info

# The benchmark (issue 3): `make bench` for the full run (~13 min), `make bench-quick` for a few seconds.
# wrk and adnanh/webhook (the peer) come from Debian's packages when missing.
bench-deps:
	@command -v wrk >/dev/null && command -v webhook >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk webhook >/dev/null)

bench: $(STAMP) bench-deps
	$(BIN)/python -m bench.run --granian --lean $(BENCH_ARGS)

bench-quick: $(STAMP) bench-deps
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

# Tools some tests use, from Debian's packages: wrk (the benchmark smoke test) and chromium (the docs page
# test, which keeps a screenshot in build/test-artifacts/). Without them those tests are skipped.
test-deps: bench-deps
	@command -v chromium >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
