# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
# Each creates the virtual environment .venv on first use and installs the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
# Each example host is a distribution with a `test` extra (what its own tests need).
EXAMPLES := $(patsubst %/,%,$(sort $(dir $(wildcard examples/*/pyproject.toml))))
PROJECTS := pyproject.toml $(addsuffix pyproject.toml,$(PLUGINS)) $(addsuffix /pyproject.toml,$(EXAMPLES))
STAMP := $(VENV)/.installed-$(shell cat $(PROJECTS) | cksum | cut -d' ' -f1)

.PHONY: install demo test lint docs bench clean

$(STAMP): $(PROJECTS)
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(addprefix -e ,$(PLUGINS)) \
		$(foreach e,$(EXAMPLES),-e "$(e)[test]")
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## the main job: a small firm's day on the embedded SQLite default
	$(BIN)/agency demo

test: $(STAMP)  ## every test: core, plugins and examples (PostgreSQL too when AGENCY_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src $(wildcard plugins/*/src) $(wildcard examples/*/src)

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)  ## every benchmark, report in benchmarks/results/ (peers come with the dev extra)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis
