# Two commands for a newcomer: `make run` (the whole system with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-cluster soak install lint schema clean-data bot-test

run: $(STAMP)
	@scripts/run.sh

test: $(STAMP)
	@scripts/test.sh

# Several replicas on loopback (tests/cluster): 3 APIs and 2 workers in APP_ENV=staging behind a
# load balancer, on their own SecantusDB (or CLUSTER_MONGODB_URI), and two Rasa servers sharing a
# Redis lock store (Debian's redis-server, installed by scripts/test_cluster.sh; the model from
# `make test`). Logs: var/cluster-test/.
# The broadcast goes to 2,000 devices here (4 batches); CLUSTER_BROADCAST_DEVICES=10000 for the
# issue's figure (95 s instead of 55-70 s for the replica tests on a quiet 2-core machine; the
# assistant test adds about 3 minutes: 381 s in all at load average 6).
CLUSTER_BROADCAST_DEVICES ?= 2000
test-cluster: $(STAMP)
	@CLUSTER_BROADCAST_DEVICES=$(CLUSTER_BROADCAST_DEVICES) scripts/test_cluster.sh

# Mixed traffic at 20 requests/s with a broadcast every 2 minutes (bench/soak.py): a 10-minute
# warm-up, then 10 measured minutes: errors, each process's memory and CPU, the database's data;
# not part of `make test`. Result: var/soak/last.json.
SOAK_MINUTES ?= 10
SOAK_WARMUP ?= 10
SOAK_RATE ?= 20
soak: $(STAMP)
	@$(VENV)/bin/python -m bench.soak --minutes $(SOAK_MINUTES) --warmup-minutes $(SOAK_WARMUP) \
	  --rate $(SOAK_RATE)

install: $(STAMP)

# Re-installs when the dependencies or the lock file change.
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11+ or run make PYTHON=python3.12"; exit 1; }
	@echo "==> Creating $(VENV) and installing the API with its dev tools (pinned by constraints.txt)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --progress-bar on --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

schema: $(STAMP)
	$(VENV)/bin/xuthanh export-schema

# Deletes the embedded database of `make run` (demo data is loaded again next run).
clean-data:
	rm -rf var/mongo

# The assistant alone (bots/): its environment, model, NLU evaluation and conversation tests.
bot-test:
	@bots/scripts/check.sh >/dev/null
