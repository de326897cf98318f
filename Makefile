# zonegeo: two commands for a fresh Linux machine with Python 3.11+.
#   make demo   creates .venv, installs zonegeo, runs the main job on the demo data
#   make test   creates .venv, installs the test extras, runs the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out/demo

.PHONY: demo test venv lint bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "zonegeo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.cfg
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml setup.cfg
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/zonegeo demo --output $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest --doctest-modules zonegeo tests

lint: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet "ruff==0.17.6" "mypy==2.4.1"
	$(BIN)/ruff check zonegeo tests benchmarks data/make_demo.py
	$(BIN)/mypy zonegeo

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/distances.py --plots 100000
	$(BIN)/python benchmarks/index_compare.py
	$(BIN)/python benchmarks/maps.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache
