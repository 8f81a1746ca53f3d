# Two entry points do all the set-up on a fresh machine:
#   make demo   the embedded demo (no cluster needed)
#   make test   lint, types, import contracts and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck contracts pytest bench postgres clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vk-eci demo

test: lint typecheck contracts pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy localkube simulator vkprovider vkeci tests benchmarks

contracts: $(STAMP)
	$(BIN)/lint-imports

pytest: $(STAMP) postgres
	$(BIN)/pytest

postgres:
	scripts/ensure-postgres

bench: $(STAMP)
	$(BIN)/vk-eci bench startup --json bench-results/startup.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
