# casebook task runner. Needs only python3 and make: the first target you run
# creates .venv and installs the project into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check
NBVAL  := CASEBOOK_STATIC=1 $(BIN)/python -m pytest --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider

.PHONY: help setup run test unit nbval lint lab specimen notebooks bench bench-scale browser-deps java-deps clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip 2>&1 | grep -v 'is ignored' || true
	$(PIP) install --quiet -e '.[dev,spark]' 2>&1 | grep -v 'is ignored' || true
	@$(BIN)/python -c "import casebook, pandas, pyarrow, papermill, nbval, playwright, pyspark" || { echo "setup failed: see the pip output above"; exit 1; }
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the project (done by every target)

specimen: setup  ## write the synthetic specimen releases to data/specimen (about 3 s)
	@$(BIN)/casebook specimen | tail -n 1

run: specimen  ## generate the specimen and run every case into reports/latest/
	$(BIN)/casebook run

browser-deps:  ## install Debian's chromium for the browser tests (as root; skipped otherwise)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium is missing and this is not root: browser tests will be skipped"; fi

java-deps:  ## install Debian's headless Java for the Spark tests (as root; skipped otherwise)
	@if command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing a headless Java runtime (Debian package) for the Spark tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	else echo "note: java is missing and this is not root: Spark tests will be skipped"; fi

unit: specimen browser-deps java-deps  ## the pytest suite in tests/
	$(BIN)/python -m pytest

nbval: specimen  ## re-execute the committed notebooks and compare their outputs
	$(NBVAL)

test: unit nbval  ## run every test: unit, browser and notebook validation

lint: setup  ## ruff
	$(BIN)/ruff check .

lab: specimen  ## JupyterLab on this environment, with the notebooks
	@# its kernels get the memory settings casebook run gives its own (casebook.runner.kernel_env)
	env $$($(BIN)/python -c "from casebook.runner import kernel_env; print(*(f'{k}={v}' for k, v in kernel_env().items()))") \
	  $(BIN)/jupyter lab --notebook-dir=notebooks

notebooks: specimen  ## re-execute the committed notebooks in place (after changing them or the specimen)
	CASEBOOK_STATIC=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=900 \
	  notebooks/*.ipynb notebooks/workshop/*.ipynb notebooks/workshop/solutions/*.ipynb

bench: setup  ## speed benchmarks (minutes; each prints ratios against a baseline measured in the same run)
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/loader_vs_naive.py
	$(BIN)/python benchmarks/coordination_vs_cnt.py
	$(BIN)/python benchmarks/explorer_latency.py
	$(BIN)/python benchmarks/make_run.py

bench-scale: setup  ## archive-scale benchmarks (hours; tens of GB under /tmp): cases, store, networks
	$(BIN)/python benchmarks/case_scale.py --scales 1 2 4 8
	$(BIN)/python benchmarks/case_scale.py --scales 1 8 16 --in-time
	$(BIN)/python benchmarks/archive_scale.py --sizes 1 10 30 --typical
	$(BIN)/python benchmarks/network_scale.py --sizes 1 10 30

clean:  ## remove caches, generated data and reports (keeps .venv)
	rm -rf data/cache data/specimen reports test-artifacts .pytest_cache
