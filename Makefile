# The two commands of the quick start: `make run` and `make test`.
# Both install from constraints.txt, so every machine gets the same versions.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint format lock bench clean messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test,dev]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/lims db upgrade
	$(BIN)/lims demo
	$(BIN)/lims serve

test: $(VENV)/.installed-test lint
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the lock after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(PIP) install -e '.[test,dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v -e '^lims' -e '^#' > constraints.txt

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_uncertainty.py
	$(BIN)/python bench/bench_cad.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Refresh the message catalogs after changing translatable text (then translate the new
# entries: tests/test_i18n.py fails while any is missing).
messages: $(VENV)/.installed-test
	for domain in documents ui; do \
		languages="fi en sv et"; [ $$domain = ui ] && languages="fi en"; \
		$(BIN)/pybabel extract -F babel/$$domain.cfg -k _ -k N_ --no-location --sort-output \
			-o babel/$$domain.pot . && \
		for language in $$languages; do \
			if [ -f lims/locale/$$language/LC_MESSAGES/$$domain.po ]; then \
				$(BIN)/pybabel update -D $$domain -i babel/$$domain.pot -d lims/locale -l $$language \
					--no-fuzzy-matching; \
			else \
				$(BIN)/pybabel init -D $$domain -i babel/$$domain.pot -d lims/locale -l $$language; \
			fi; \
		done; \
	done
