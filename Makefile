# Lắng Nghe — the two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: install lock run test lint test-sqlite test-postgres eval-search train-triage eval-triage bench clean

# Installs come from the lock file (exact versions of everything, dev tools included); the
# package itself goes in editable, without resolving anything again.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# After a change to the dependencies in pyproject.toml: the one command that rewrites the lock.
lock: install
	$(PY) -m pip install -q uv
	$(PY) -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements.lock

# Links and QR codes point at the address served, unless LANGNGHE_PUBLIC_URL says otherwise.
run: export LANGNGHE_PUBLIC_URL ?= http://$(HOST):$(PORT)
# The demo's Zalo OA talks to the local simulator: a declared sandbox (never in production).
run: export LANGNGHE_ZALO_SANDBOX ?= 1
run: install
	$(PY) -m langnghe migrate --noinput -v0
	$(PY) -m langnghe ensure_demo --host $(HOST) --port $(PORT)
	$(PY) -m langnghe serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m langnghe makemigrations --check --dry-run -v0
	$(PY) -m langnghe check_openapi

test-sqlite: install
	$(VENV)/bin/pytest

# PostgreSQL pass: TEST_DATABASE_URL, else the local server when it answers.
test-postgres: install
	@url="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}"; \
	if $(PY) -m langnghe db_reachable "$$url"; then \
		echo "== PostgreSQL: $$url"; TEST_DATABASE_URL="$$url" $(VENV)/bin/pytest; \
	else echo "== PostgreSQL not reachable at $$url: skipped"; fi

test: lint test-sqlite test-postgres

eval-search: install
	$(PY) -m langnghe eval_search

train-triage: install
	$(PY) -m langnghe train_triage

eval-triage: install
	$(PY) -m langnghe eval_triage

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
