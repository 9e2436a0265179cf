PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test run lint bench reliability model clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hotline demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

run: $(STAMP)
	$(BIN)/hotline run --config config.toml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

reliability: $(STAMP)
	$(BIN)/python -m pytest -q -s -m slow tests/reliability  # -s: each suite prints its figures

model: $(STAMP)  # the n-gram second opinion of danger recognition, rebuilt from its tuning corpus
	$(BIN)/python -m bot.danger.ngrams tests/bot/corpus/tune bot/data/danger_ngrams.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
