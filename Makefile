# newsmon: two-command start (`make run`, `make test`) plus the tools around them.
SHELL := /bin/bash
PYTHON ?= python3.11
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
DUCKDB_PREVIOUS := 1.5.6

# Airflow runs from ./.airflow on SQLite with the LocalExecutor, a small parallelism and no examples.
export AIRFLOW_HOME := $(ROOT)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(ROOT)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(ROOT)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__EXECUTOR := LocalExecutor
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG := 4
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN := sqlite:///$(ROOT)/.airflow/airflow.db
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION := False
export AIRFLOW__LOGGING__LOGGING_LEVEL := INFO
export NEWSMON_HOME := $(ROOT)
# airflow standalone starts its components as `airflow ...` subprocesses found on PATH
export PATH := $(BIN):$(PATH)

.PHONY: help install airflow-init run airflow airflow-cli sql bench-search bench-replay bench-year bench-startup test test-unit test-dags test-integration lint bench bench-extract bench-tag bench-ui bench-small system-packages constraints clean

help:
	@echo "make run     install, set up Airflow in ./.airflow, ingest seeds/ once, print a summary"
	@echo "make test    install and run the whole test suite"
	@echo "make airflow standalone Airflow UI on http://localhost:8080 (scheduled runs)"
	@echo "make bench   clean+tag+store rate, stage times, growth curve, peak memory: both corpus shapes, 20k and 100k"
	@echo "make bench-extract  extraction F1 and ms/page: ../shared/benchmarks/zyte and bench/data/daniel-ru"
	@echo "make bench-tag      tagging F1 on the labelled sets and real pages, ms/article; each read step's ms/article"
	@echo "make bench-replay   real streams replayed day by day: spike days, alert precision, stream-weighted P/R"
	@echo "make bench-search   search recall@10/MRR on labelled queries; latency, index and publish cost at 100k"
	@echo "make bench-ui       the console's page times on a 100k-article database (target 300 ms)"
	@echo "make bench-startup  airflow dags test news_ingest against newsmon ingest over the seeds"
	@echo "make bench-year     1M articles over a year: ingest growth, retag, search, publish, console via the API server"
	@echo "make sql            the duckdb shell on the analyst copy; make airflow-cli ARGS='dags list'"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.txt -c constraints.txt
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	# the previous DuckDB Python release, apart, to prove analysts on it can read the analyst copy
	$(BIN)/uv pip install --quiet --python $(BIN)/python --target $(VENV)/compat/duckdb-1.5 --no-deps duckdb==$(DUCKDB_PREVIOUS)
	touch $@

airflow-init: install
	mkdir -p $(AIRFLOW_HOME) $(ROOT)/data
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/db-migrate.log; exit 1)
	$(BIN)/airflow pools set newsmon_duckdb 1 "One writer at a time for the newsmon DuckDB file" > /dev/null

run: airflow-init
	$(BIN)/airflow dags test news_ingest --conf '{"paths": ["$(ROOT)/seeds"]}' > $(AIRFLOW_HOME)/last-ingest.log 2>&1 \
		|| (tail -n 60 $(AIRFLOW_HOME)/last-ingest.log; exit 1)
	$(BIN)/airflow dags test news_alerts > $(AIRFLOW_HOME)/last-alerts.log 2>&1 \
		|| (tail -n 60 $(AIRFLOW_HOME)/last-alerts.log; exit 1)
	$(BIN)/newsmon summary

airflow: airflow-init
	@echo "Airflow UI: http://localhost:8080 (login: user 'admin', password printed below and kept in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated)"
	$(BIN)/airflow standalone

# The Airflow CLI with this project's environment: make airflow-cli ARGS="dags list"
airflow-cli: install
	$(BIN)/airflow $(ARGS)

# The analysts' DuckDB shell, read-only, on the analyst copy
sql: install
	$(BIN)/newsmon sql

test: install system-packages
	$(BIN)/pytest -q

# Tests need programs from Debian's packages, never downloaded by a test tool: chromium for
# the console's browser tests, postgresql and redis-server for the CeleryExecutor proof.
# Installed with apt where missing; without apt (or root) those tests say so and are skipped.
SYSTEM_PACKAGES := chromium:/usr/bin/chromium postgresql:/usr/lib/postgresql redis-server:/usr/bin/redis-server

system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		pkg=$${pair%%:*}; path=$${pair#*:}; [ -e "$$path" ] || missing="$$missing $$pkg"; done; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get > /dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian packages for the tests:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing > /dev/null; \
	else echo "missing$$missing and no apt as root: the tests that need them will be skipped"; fi

test-unit: install
	$(BIN)/pytest -q tests/unit

test-dags: install
	$(BIN)/pytest -q tests/dags

test-integration: install
	$(BIN)/pytest -q tests/integration

lint: install
	$(BIN)/ruff check .

# Both corpus shapes (bench/corpus.py): overlapping real sentences (the hard case for dedup)
# and distinct filler; one JSON Lines archive and one file per article; 20k and 100k.
bench: install
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 20000 --growth 10
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout files --articles 20000 --no-rerun
	$(BIN)/python bench/bench_pipeline.py --shape filler --layout files --articles 20000
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 100000 --growth 10 --no-rerun
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 20000 --no-rerun --watchlists 500
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 20000 --no-rerun --watchlists 500 --broad-watchlists
	$(BIN)/python bench/bench_pipeline.py --shape filler --layout jsonl --articles 100000 --no-rerun
	# the same ingests with ingest.store_while_reading (off by default: ~100 MB more at peak)
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 20000 --no-rerun --store-while-reading
	$(BIN)/python bench/bench_pipeline.py --shape overlap --layout jsonl --articles 100000 --no-rerun --store-while-reading

bench-extract: install
	$(BIN)/python bench/bench_extract.py

bench-tag: install
	$(BIN)/python bench/bench_tag.py
	$(BIN)/python bench/bench_stages.py --articles 3000

# Real streams replayed one day at a time with --as-of: spike days beside known events, and
# how many new-story mobilization signals were about Russian mobilization (by the labels)
bench-replay: install
	$(BIN)/python bench/replay.py ../shared/fixtures/realstream-2024 --labels tests/data/labelled/realstream/labels-2024.jsonl
	$(BIN)/python bench/replay.py ../shared/fixtures/realstream-2023 --labels tests/data/labelled/realstream/labels-2023.jsonl
	$(BIN)/newsmon evaluate --stream tests/data/labelled/realstream/labels-2023.jsonl --stream tests/data/labelled/realstream/labels-2024.jsonl

bench-search: install
	$(BIN)/python bench/bench_search.py --articles 100000

bench-ui: install
	$(BIN)/python bench/bench_ui.py --articles 100000

# What Airflow adds to a run: airflow dags test news_ingest against newsmon ingest, the seeds
bench-startup: install
	$(BIN)/python bench/bench_startup.py --rounds 3

# A year of news: 1,000,000 articles built with the real pipeline (kept in data/bench-year, so
# a second run only measures), then retag, search, publish and the console through the API server
bench-year: install
	$(BIN)/python bench/bench_year.py --articles 1000000 --step 100000 --keep $(ROOT)/data/bench-year

bench-small: install
	$(BIN)/python bench/bench_pipeline.py --shape overlap --articles 2000 --growth 4

constraints:
	rm -rf /tmp/newsmon-freeze && $(PYTHON) -m venv /tmp/newsmon-freeze
	/tmp/newsmon-freeze/bin/python -m pip install --quiet uv==$(UV_VERSION)
	/tmp/newsmon-freeze/bin/uv pip install --python /tmp/newsmon-freeze/bin/python -r requirements.txt
	{ echo "# Frozen from a working environment built from requirements.txt (Python 3.11, linux x86_64)."; \
	  echo "# Regenerate with: make constraints"; \
	  /tmp/newsmon-freeze/bin/uv pip freeze --python /tmp/newsmon-freeze/bin/python | grep -v -E '^(pip|setuptools|uv)=='; } > constraints.txt

clean:
	rm -rf $(AIRFLOW_HOME) $(ROOT)/data
