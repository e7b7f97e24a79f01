# Liandong developer commands. `make run` and `make test` are all most people need.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: help install run test test-calendar calendar-starts calendar-tests test-unit test-integration test-e2e lint typecheck kafka kafka-stop kafka-fetch bench bench-quick bench-sla bench-relay bench-hop bench-http chaos \
        compose-config monitoring-rules offline-bundle up down lock clean

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## create the virtualenv and install the project

run: install ## broker (unless LIANDONG_KAFKA_BOOTSTRAP is set) + topics + the three services; Ctrl-C stops all
	$(PY) -m liandong.devstack $(RUN_ARGS)

demo: install ## the article's stories on the running system (started if needed), a generated year, the court's report
	$(PY) -m tools.demo --start $(DEMO_ARGS)

TEST_WORKERS ?= 2
test: install ## the whole suite: unit, integration (SQLite + PostgreSQL, real Kafka), end-to-end; TEST_WORKERS at once
	$(PY) -m pytest $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

CALENDAR_STARTS ?= 2026-09-30T17:00:00+08:00 2026-12-07T09:00:00+08:00
CALENDAR_TESTS ?= tests/e2e/test_stories.py tests/e2e/test_dataset.py tests/e2e/test_arrest_review.py tests/e2e/test_supervision.py

test-calendar: install ## the window-bound end-to-end tests again from the calendar's hard days (CALENDAR_STARTS)
	@set -e; for start in $(CALENDAR_STARTS); do \
	  echo "== clocks starting at $$start"; \
	  LIANDONG_TEST_CLOCK_START=$$start $(PY) -m pytest $(CALENDAR_TESTS) $(PYTEST_ARGS); \
	done

calendar-starts: ## the calendar's hard days (for CI, which runs them side by side)
	@echo $(CALENDAR_STARTS)

calendar-tests:
	@echo $(CALENDAR_TESTS)

test-unit: install ## fast tests without a broker or PostgreSQL
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

test-integration: install
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

test-e2e: install
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: install
	$(VENV)/bin/mypy

kafka-fetch: ## resolve the pinned Kafka release from Maven Central into the cache
	bash deploy/kafka/kafka.sh fetch

kafka: install ## start the local KRaft broker on 127.0.0.1:9092 (SASL, ACLs) and provision its topics and ACLs
	bash deploy/kafka/kafka.sh start
	LIANDONG_KAFKA_BOOTSTRAP=127.0.0.1:9092 $(PY) -m liandong kafka provision

kafka-stop: ## stop the local broker
	bash deploy/kafka/kafka.sh stop

offline-bundle: install ## dist/offline/: wheels, Kafka's jars and (with Docker) the images for an isolated network
	$(PY) -m tools.offline_bundle

monitoring-rules: ## write deploy/k8s/monitoring/prometheusrule.yaml from deploy/prometheus/alerts.yml
	$(PY) -m tools.monitoring_rules

compose-config: ## validate deploy/docker-compose.yml
	docker-compose -f deploy/docker-compose.yml --env-file deploy/.env.example config -q

up: ## ops: the whole system in containers
	docker compose -f deploy/docker-compose.yml up --build

down:
	docker compose -f deploy/docker-compose.yml down

lock: install ## refresh constraints.txt from the virtualenv
	{ echo "# Exact versions the project is tested with (pip install -c constraints.txt). Regenerate with \`make lock\`."; \
	  $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

CHAOS_ARGS ?=

bench: install ## all benchmarks, each latency figure three times, on one PostgreSQL and one broker (bench-results/)
	$(PY) -m tests.bench.all

bench-quick: install ## the regression guard, under 2 minutes: hop, court API at 200/s, 1,000 breaches, relay
	$(PY) -m tests.bench.all --quick

chaos: install ## N matters (default 200) over HTTP while services and the broker are killed; checks exactly-once (CHAOS_ARGS="--matters 1000 --seed 7")
	$(PY) -m tools.chaos $(CHAOS_ARGS)

bench-sla: install ## SLA tracker on PostgreSQL: 1,000,000 open deadlines, idle tick, 10,000 fired together, memory
	$(PY) -m tests.bench.bench_sla

bench-relay: install ## outbox relay vs raw aiokafka, same payloads: rows per second, bursts and spread
	$(PY) -m tests.bench.bench_relay

bench-hop: install ## cross-agency hop, outbox commit to peer inbox, p50/p99 vs the raw aiokafka round trip
	$(PY) -m tests.bench.bench_hop

bench-http: install ## each service's API at 50, 100, 200, 400 requests/s open loop (PostgreSQL; the court on SQLite)
	$(PY) -m tests.bench.bench_http
