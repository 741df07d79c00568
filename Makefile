# NI Warehouse: the front door. `make run` and `make test` each set up .venv first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
BIN := $(VENV)/bin

.PHONY: run test test-fast dev demo serve lint format bench clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run, or pyproject.toml changed): installing the pinned packages, about 2 minutes ..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)
	@echo "$(VENV) is ready."

## run: the nightly load now, on NIW_RAW_DIR into NIW_WAREHOUSE (demo returns if none exist)
run: $(STAMP)
	$(BIN)/niw run

## test: the whole test suite (unit, dbt, end-to-end Dagster runs, Chromium), on two workers;
## a test file runs whole on one worker, so the loads its tests share are made once, and the
## heaviest files go first (tests/conftest.py) so both workers finish together
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

## test-fast: the inner loop: every test not marked e2e (no Dagster job, dbt build or browser)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e" -n 2 --dist loadfile --no-loadscope-reorder

## dev: the Dagster UI on http://127.0.0.1:3000 with the assets, schedule and sensor
dev: $(STAMP)
	$(BIN)/niw prepare
	DAGSTER_HOME="$$($(BIN)/python -c 'from pipelines.nightly import dagster_home; print(dagster_home())')" \
	  $(BIN)/dagster dev -m pipelines.definitions

## demo: write the demo return set into NIW_RAW_DIR
demo: $(STAMP)
	$(BIN)/niw demo

## serve: the latest release's site and files on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/niw serve

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/sqlfluff lint dbt_project

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## bench: the benchmarks (figures, not tests; docs/performance.md); `make bench TEN=1` adds the
## neighbourhood feed at 10x (~118 M rows, many minutes)
bench: $(STAMP)
	$(BIN)/python bench/bench_loads.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_quality.py
	$(BIN)/python bench/bench_release.py
	$(BIN)/python bench/bench_feeds.py $(if $(TEN),--10x)

clean:
	rm -rf data/warehouse data/dagster_home dbt_project/target dbt_project/logs
