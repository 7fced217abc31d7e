# Two commands on a fresh machine: `make run` (chat UI) and `make test` (the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install index run test lint clean

install: $(VENV)/.installed

# torch is pinned and installed first: the CPU wheel lies on this disk, a plain `torch` pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[eval,test]"
	touch $@

index: install  ## build the index if it is missing, update it if the corpus changed
	$(BIN)/explainer index || echo "Some files were skipped (see above); the rest are indexed."

run: index  ## the chat UI on http://127.0.0.1:7860
	$(BIN)/explainer chat

test: install  ## the whole suite: unit tests and integration tests on the real model, Chroma and corpus
	$(BIN)/ruff check app tests
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check app tests

clean:
	rm -rf $(VENV) indexes/gen-* indexes/CURRENT
