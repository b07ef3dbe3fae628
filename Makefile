# casebook task runner. Needs only python3 and make: the first target you run
# creates .venv and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: help setup run test lint lab specimen bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip 2>&1 | grep -v 'is ignored' || true
	$(PIP) install --quiet -e '.[dev]' 2>&1 | grep -v 'is ignored' || true
	@$(BIN)/python -c "import casebook, pandas, pyarrow, papermill, nbval" || { echo "setup failed: see the pip output above"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project (done by every target)

specimen: setup  ## write the synthetic specimen releases to data/specimen
	$(BIN)/casebook specimen

run: setup  ## generate the specimen and run the casebook on it
	$(BIN)/casebook specimen
	$(BIN)/casebook validate

test: setup  ## run every test
	$(BIN)/python -m pytest

lint: setup  ## ruff
	$(BIN)/ruff check .

bench: setup  ## speed benchmarks (minutes; print ratios against baselines)
	$(BIN)/python benchmarks/loader_vs_naive.py

clean:  ## remove caches, generated data and reports (keeps .venv)
	rm -rf data/cache data/specimen reports .pytest_cache
