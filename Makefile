# neuronet: the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test test-all bench lint data clean

# Run apt-get through sudo when not root (and sudo exists).
SUDO := $(shell if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then echo sudo; fi)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# Fashion-MNIST: the loader's search paths first; else Debian's package where apt exists;
# else the loader's own download.
data: $(VENV)/.installed
	@if $(BIN)/python -c "import sys; from neuronet.datasets import find_dataset_dir; \
	sys.exit(find_dataset_dir('fashion-mnist') is None)"; then \
	  echo "Fashion-MNIST: found"; \
	elif command -v apt-get >/dev/null 2>&1 && \
	  { $(SUDO) apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 || \
	    { $(SUDO) apt-get update -qq >/dev/null 2>&1 && \
	      $(SUDO) apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; }; }; then \
	  echo "Fashion-MNIST: installed Debian's dataset-fashion-mnist"; \
	else \
	  echo "Fashion-MNIST: downloading"; \
	  $(BIN)/python -c "from neuronet.datasets import load_fashion_mnist; \
	load_fashion_mnist(download=True)"; \
	fi

# Train the default model on Fashion-MNIST, save it and write the report.
demo: data
	$(BIN)/neuronet train

# Fast suite; pytest's exit code 5 ("no tests ran") fails the target like any other error.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m 'slow or not slow' $(PYTEST_ARGS)

# Benchmarks run with the machine's OpenBLAS overrides removed, as on a user's machine.
bench: $(VENV)/.installed-test
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
