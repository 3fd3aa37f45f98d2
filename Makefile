# The two commands of the quick start: `make run` and `make test`.
# Both install from constraints.txt, so every machine gets the same versions.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
STEP := @printf '\n==> %s\n'
# A literal comma: $(call …) splits its arguments on commas, so one inside an argument is
# written through this variable.
COMMA := ,

# Install $(1) at the locked versions. uv does it in seconds where pip takes half a minute
# to minutes on a fresh machine, so uv (itself pinned in the lock) is put into the venv
# first; where it cannot be installed, pip does the work, showing what it collects.
define install
	@if [ -x $(BIN)/uv ] || $(PIP) install -c constraints.txt uv 2>/dev/null; then \
		$(BIN)/uv pip install --python $(BIN)/python -c constraints.txt $(1); \
	else \
		echo "(uv is not available here: installing with pip)"; \
		$(BIN)/python -m pip --disable-pip-version-check install -c constraints.txt $(1); \
	fi
endef

.PHONY: run test test-fast lint format lock bench clean messages screenshots

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(STEP) "Creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(STEP) "Installing the LIMS and its locked dependencies (constraints.txt)"
	$(call install,-e .)
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(STEP) "Installing the test and development tools (constraints.txt)"
	$(call install,-e '.[test$(COMMA)dev]')
	@touch $@

run: $(VENV)/.installed
	$(STEP) "Migrating the database (LIMS_DATA_DIR, default ./var)"
	$(BIN)/lims db upgrade
	$(STEP) "Loading the demo data (dated from today)"
	$(BIN)/lims demo
	$(STEP) "Starting the service: open the address below and sign in as a demo user"
	$(BIN)/lims serve

# The whole suite, browser and PostgreSQL tests included, on one worker per core.
test: $(VENV)/.installed-test lint
	$(STEP) "Running the whole suite on one worker per core"
	$(BIN)/pytest -n auto

# The edit-test loop: everything but the browser and PostgreSQL, on one worker per core.
test-fast: $(VENV)/.installed-test
	$(STEP) "Running the suite without the browser and PostgreSQL tests"
	$(BIN)/pytest -n auto -m "not browser and not postgres"

# The README's pictures (docs/screenshots/*.png), retaken from the demo data in Chromium.
screenshots: $(VENV)/.installed-test
	$(STEP) "Retaking docs/screenshots from the demo data"
	LIMS_SCREENSHOTS=1 $(BIN)/pytest -m screenshots tests/ui

lint: $(VENV)/.installed-test
	$(STEP) "Checking style (ruff) and types (mypy)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the locks after changing dependencies in pyproject.toml or bench/requirements.txt.
# Each is frozen from a throw-away virtualenv holding only its own requirement set, never from
# .venv (which may hold anything): the project with its test and dev extras for
# constraints.txt, then the bench set on top for bench/constraints.txt (what the bench adds).
# The current locks constrain the install, so a version changes only where a requirement no
# longer allows it; delete a package's line to upgrade it.
lock:
	@set -e; lockenv=$$(mktemp -d); trap 'rm -rf "$$lockenv"' EXIT; \
	pip="$$lockenv/bin/python -m pip --disable-pip-version-check -q"; \
	freeze() { $$pip freeze --exclude-editable | grep -v -e '^lims' -e '^#'; }; \
	current() { for lock in "$$@"; do [ ! -f "$$lock" ] || printf -- '-c %s ' "$$lock"; done; }; \
	$(PYTHON) -m venv "$$lockenv"; \
	echo "constraints.txt: the project, its test and dev extras"; \
	$$pip install $$(current constraints.txt) -e '.[test,dev]'; \
	freeze > "$$lockenv/constraints.txt"; \
	echo "bench/constraints.txt: bench/requirements.txt on top"; \
	$$pip install -c "$$lockenv/constraints.txt" $$(current bench/constraints.txt) \
		-r bench/requirements.txt; \
	freeze | grep -vxF -f "$$lockenv/constraints.txt" > "$$lockenv/bench-constraints.txt"; \
	mv "$$lockenv/constraints.txt" constraints.txt; \
	mv "$$lockenv/bench-constraints.txt" bench/constraints.txt

$(VENV)/.installed-bench: $(VENV)/.installed-test bench/requirements.txt bench/constraints.txt
	$(STEP) "Installing the benchmarks' peers (bench/constraints.txt)"
	$(call install,-c bench/constraints.txt -r bench/requirements.txt)
	@touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_uncertainty.py
	$(BIN)/python bench/bench_cad.py
	$(BIN)/python bench/bench_cli_montecarlo.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Refresh the message catalogs after changing translatable text, wrapped at 100 columns like
# the code so a change shows only its own entries (then translate the new
# entries: tests/test_i18n.py fails while any is missing).
# The problems domain holds the templates of the errors the service raises: the class named
# in a raise marks its first argument, as _ marks a message elsewhere (__init__ for an error
# that words its own message and hands it to its parent, _bad and _error for the uncertainty
# engine's helpers that build one, problem_template for one worded outside a raise).
PROBLEM_KEYWORDS := $(foreach error,LimsError InvalidInput NotFound Conflict PermissionDenied \
	TooLarge UnsupportedContent StorageFull ConfigurationError IntegrityFailure BackupInvalid \
	BackupFailed Unauthenticated TooManyAttempts TimeStampUnavailable Busy TimeLimitReached \
	TooMuchWork StepRefused UncertaintyInputError SimpleAcceptanceRefused Reason _bad _error __init__ \
	problem_template,-k $(error))

messages: $(VENV)/.installed-test
	for domain in documents ui problems; do \
		languages="fi en sv et"; keywords="-k _ -k N_"; \
		[ $$domain = problems ] && keywords="--no-default-keywords $(PROBLEM_KEYWORDS)"; \
		$(BIN)/pybabel extract -F babel/$$domain.cfg $$keywords --no-location --sort-output -w 100 \
			-o babel/$$domain.pot . && \
		for language in $$languages; do \
			if [ -f lims/locale/$$language/LC_MESSAGES/$$domain.po ]; then \
				$(BIN)/pybabel update -D $$domain -i babel/$$domain.pot -d lims/locale -l $$language -w 100 \
					--no-fuzzy-matching; \
			else \
				$(BIN)/pybabel init -D $$domain -i babel/$$domain.pot -d lims/locale -l $$language -w 100; \
			fi; \
		done; \
	done
