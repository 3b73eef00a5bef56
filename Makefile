# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
# Each creates the virtual environment .venv on first use and installs the project into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
# Each example host is a distribution with a `test` extra (what its own tests need).
# examples/firm-plugin replaces a bundled plugin: it gets a venv of its own (firm-plugin-test).
FIRM := examples/firm-plugin
EXAMPLES := $(filter-out $(FIRM),$(patsubst %/,%,$(sort $(dir $(wildcard examples/*/pyproject.toml)))))
PROJECTS := pyproject.toml $(addsuffix pyproject.toml,$(PLUGINS)) $(addsuffix /pyproject.toml,$(EXAMPLES))
STAMP := $(VENV)/.installed-$(shell cat $(PROJECTS) | cksum | cut -d' ' -f1)

.PHONY: install demo test firm-plugin-test lint docs bench clean

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
	$(MAKE) --no-print-directory firm-plugin-test

# A firm's CI: the core from this checkout and the firm's plugin, alone in $(FIRM)/.venv, so the
# plugin replacing the bundled approvals never loads in the shared .venv (nor in `make demo`).
$(FIRM)/.venv/.installed: pyproject.toml $(FIRM)/pyproject.toml
	$(PYTHON) -m venv $(FIRM)/.venv
	cd $(FIRM) && .venv/bin/python -m pip install --quiet -e ../.. -e ".[test]"
	touch $@

firm-plugin-test: $(FIRM)/.venv/.installed  ## the firm's tests and the conformance kit on its plugin
	cd $(FIRM) && env -u AGENCY_CORE_LOAD_PLUGINS .venv/bin/python -m pytest -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src $(wildcard plugins/*/src) $(wildcard examples/*/src)

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)  ## every benchmark, report in benchmarks/results/ (peers come with the dev extra)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(FIRM)/.venv docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis
