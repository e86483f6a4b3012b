# Mercato — two commands on a fresh Debian 12 machine:  make demo  /  make test
# Everything the project needs is installed here: apt packages (apt-get update first) and a
# virtualenv with pinned Python dependencies. The embedded PostgreSQL cluster lives in .mercato/.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
PG_BINDIR   ?= /usr/lib/postgresql/15/bin
export PATH := $(CURDIR)/$(BIN):$(PG_BINDIR):$(PATH)

APT_PACKAGES := postgresql-15 postgresql-client-15 postgresql-15-pgtap postgresql-15-plpgsql-check postgresql-15-cron \
                sqitch libdbd-pg-perl libtap-parser-sourcehandler-pgtap-perl pgbouncer

.PHONY: help deps apt venv up down deploy demo test test-py test-pgprove docs bench torture fuzz jobs clean

help:
	@echo "make demo        install what is missing, start the embedded cluster, deploy, run the demo"
	@echo "make test        the same set-up, then every test (pytest incl. pgTAP, Sqitch interop, plpgsql_check; pg_prove)"
	@echo "make bench       the ledger, marketplace, sign-in and store benchmarks (results in docs/benchmarks.md)"
	@echo "make torture     the long torture run: 16 clients, 2,000 s, 10 crash-restarts, ledger, marketplace, sign-in and outbox (.mercato/torture)"
	@echo "make fuzz        the long bad-input fuzz of every api function"
	@echo "make docs        regenerate docs/errors.md and docs/api.md from the database"
	@echo "make jobs        run every enabled periodic job once (mercato jobs run; pg_cron: mercato jobs schedule)"
	@echo "make up | down   start / stop the embedded cluster"

deps: apt venv

apt:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	$(PYTHON) -m venv --help >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing apt packages:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	else echo "==> apt packages present"; fi

venv: $(VENV)/.installed

$(VENV)/.installed: py/requirements.txt py/pyproject.toml
	@echo "==> creating $(VENV) with pinned Python dependencies"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r py/requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e py
	@touch $@

up: deps
	$(BIN)/mercato db up

down:
	$(BIN)/mercato db down

deploy: up
	$(BIN)/mercato db deploy

demo: deploy
	$(BIN)/mercato demo

test: up test-py test-pgprove
	@echo "==> all tests passed"

test-py: up
	$(BIN)/pytest py/tests -q

# pgTAP files once more through pg_prove, on a freshly deployed database.
test-pgprove: up
	@base=$$($(BIN)/mercato db url); base=$${base%/*}; \
	psql -q -X -v ON_ERROR_STOP=1 -d "$$base/postgres" -c "DROP DATABASE IF EXISTS mercato_prove WITH (FORCE)" \
	     -c "CREATE DATABASE mercato_prove"; \
	DATABASE_URL="$$base/mercato_prove" $(BIN)/mercato db deploy >/dev/null; \
	psql -q -X -v ON_ERROR_STOP=1 -d "$$base/mercato_prove" -c "CREATE EXTENSION pgtap" \
	     -c "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC" -f db/test_helpers.sql; \
	pg_prove -d "$$base/mercato_prove" --ext .sql --recurse db/tests; \
	psql -q -X -d "$$base/postgres" -c "DROP DATABASE mercato_prove WITH (FORCE)"

docs: deploy
	$(BIN)/mercato docs errors
	$(BIN)/mercato docs api

bench: deploy
	$(BIN)/mercato bench ledger --rounds 3 --output docs/benchmarks.md
	$(BIN)/mercato bench marketplace --rounds 3 --output docs/benchmarks.md
	$(BIN)/mercato bench auth --rounds 3 --output docs/benchmarks.md
	$(BIN)/mercato bench store --rounds 2 --output docs/benchmarks.md

TORTURE_ARGS ?= --clients 16 --seconds 2000 --crashes 10
torture: venv
	$(BIN)/mercato torture $(TORTURE_ARGS)

jobs: deploy
	$(BIN)/mercato jobs run

FUZZ_ARGS ?= --examples 500
fuzz: up
	$(BIN)/mercato fuzz $(FUZZ_ARGS)

clean: down
	rm -rf .mercato $(VENV)
