PY ?= python3
# make test PY=python3.13: another interpreter gets its own virtual environment beside .venv
ifeq ($(PY),python3)
VENV := .venv
else
VENV := .venv-$(notdir $(PY))
endif
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# The interpreter: $(PY) on PATH, else a pyenv-installed one of that name (pyenv's shims refuse versions not selected)
PYTHON = $(shell $(PY) -c 'import sys; print(sys.executable)' 2>/dev/null || ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/*/bin/$(PY) 2>/dev/null | tail -n 1)

.PHONY: demo test test-fast test-postgres run lint lock bench bench-large reliability model clean

# The tested set of every dependency, pinned with hashes in $(LOCK); the project itself editable, without dependencies
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || test -n "$(PYTHON)" || { echo "no $(PY) here: install it (Debian: apt-get install $(PY) where packaged; or pyenv install)" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@# The project's and the tests' bytecode (the tests' as pytest rewrites their asserts) compiled once, here, as pip
	@# compiles what it installs: otherwise every worker of the first test run compiles all of it again (~2 s each)
	-$(PYTEST) -q --collect-only >/dev/null 2>&1
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hotline demo
	$(BIN)/hotline demo --channel wechat

# The suites keep the bytecode of the tests and the project in __pycache__ (ignored by git) even where the
# environment says not to write it (PYTHONDONTWRITEBYTECODE): compiling them again costs each test process ~4 s.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest

test: $(STAMP)
	$(PYTEST) -q

run: $(STAMP)
	$(BIN)/hotline run --config config.toml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Re-resolve $(LOCK) from pyproject.toml: the newest releases within its bounds, for every supported Python
# (uv's universal resolution), with hashes; then `make test` on each Python before committing it.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --extra dev --extra bench \
		--generate-hashes --upgrade --quiet --custom-compile-command 'make lock' -o $(LOCK)

# The same suite with its database on a PostgreSQL server the tests start (initdb in a temporary directory, on
# 127.0.0.1; Debian's postgresql); tests about SQLite's file itself skip
test-postgres: $(STAMP)
	HOTLINE_TEST_DB=postgres $(PYTEST) -q

# The inner loop: everything but the end-to-end and reliability suites, on one worker more than the machine has
# cores: the tests that wait out timers run on a loop whose clock is faster (tests/kit/quick_loop.py) or in virtual
# time, and what waiting is left (loopback HTTP, the PostgreSQL server, timeouts under test: ~6 core-seconds of a
# 2-core run's ~40 with two workers, 1-2 with three) the extra worker fills. worksteal gives each worker a share of
# the tests in order (a module's tests and its module-scoped fixtures mostly in one worker, not set up in each) and
# lets one that runs out take another's rest.
FAST_WORKERS := $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
test-fast: $(STAMP)
	$(PYTEST) -q -n $(FAST_WORKERS) --dist worksteal -m "not slow and not e2e and not reliability"

bench: $(STAMP)
	$(BIN)/python -m bench

bench-large: $(STAMP)  # the rows that take many minutes: a district of 10,000 residents, a million subscribers
	$(BIN)/python -m bench --only district,scale --large

reliability: $(STAMP)
	$(PYTEST) -q -s -m slow tests/reliability  # -s: each suite prints its figures

model: $(STAMP)  # the n-gram second opinion of danger recognition, rebuilt from its tuning corpus
	$(BIN)/python -m bot.danger.ngrams tests/bot/corpus/tune bot/data/danger_ngrams.json

clean:
	rm -rf .venv .venv-* .pytest_cache .mypy_cache .ruff_cache
