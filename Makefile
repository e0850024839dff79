# One command each for a fresh machine: `make run` and `make test` create .venv and install first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# `make run PORT=8001` when port 8000 is busy.
PORT ?= 8000
# The venv module brings the pip and setuptools its Python shipped with (Python 3.11:
# setuptools 65.5, with known security holes): upgrade both to at least their last security
# fixes, pip 26.2 (PYSEC-2026-3721) and setuptools 83 (CVE-2026-59890), as pyproject.toml's
# build-system asks. `make audit` checks every package against the advisory database.
TOOLS := "pip>=26.2" "setuptools>=83"
PIP_AUDIT := pip-audit==2.10.1

.PHONY: install run test test-fast lint format bench audit clean

$(STAMP): pyproject.toml Makefile
	@echo "==> 1/3 creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> 2/3 upgrading pip and setuptools in $(VENV)"
	$(PY) -m pip install --upgrade $(TOOLS)
	@echo "==> 3/3 installing taperline and its pinned dependencies (a few minutes the first time)"
	$(PY) -m pip install -e '.[dev]'
	touch $(STAMP)
	@echo "==> installed: run the CLI as $(VENV)/bin/taperline, or 'source $(VENV)/bin/activate' first"

install: $(STAMP)

run: install
	$(VENV)/bin/taperline serve --demo --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The suite runs on every core, up to 4 worker processes (pytest-xdist); a test file's tests
# may be shared between workers, so no test may depend on another having run first.
XDIST := -n auto --maxprocesses 4 --dist worksteal
# The plugins the suite uses, loaded by name instead of every installed one: pytest rewrites
# the asserts of every module of an autoloaded plugin's package (schemathesis, hypothesis,
# anyio: about 270 modules), again in each worker where bytecode is not written
# (PYTHONDONTWRITEBYTECODE): about 2.5 s of CPU a process. Plain `pytest` still autoloads.
# Bytecode is written while the suite runs even where the environment says not to
# (PYTHONDONTWRITEBYTECODE, set on some machines): each test module's rewritten asserts and
# each module of taperline are compiled once, not again in the other worker and in every
# `taperline` or `python` the tests start (a fresh clone: 362 -> 316 s, 50 s of CPU less).
# The tests' temporary files (pytest's tmp_path, each throwaway PostgreSQL cluster, the
# browsers' profiles) go to memory where the machine has a tmpfs at /dev/shm: a committed
# SQLite write waits for its fsync on a disk (about 0.25 ms each here) and not on a tmpfs.
TEST_TMPDIR := $(shell [ -w /dev/shm ] && [ "$$(stat -f -c %T /dev/shm)" = tmpfs ] && echo /dev/shm)
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) \
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(PY) -m pytest \
	-p xdist.plugin -p _hypothesis_pytestplugin -p schemathesis.pytest.plugin

# While lint runs (mypy --strict keeps one core busy for ~35 s of CPU on a fresh clone), the
# other core makes what each pytest worker would otherwise make for itself at its start: one
# collection pass writes the test modules with their rewritten asserts and taperline's
# bytecode (a fresh clone: a worker's collection 17 -> 7.5 s of CPU), and Hypothesis's table
# of the characters UTF-8 encodes is written to .hypothesis (2 s of CPU a worker). Nothing is
# tested there: its output is dropped (the suite itself reports any collection error), and
# make waits for it before pytest starts.
WARM := $(PYTEST) --collect-only -q -p no:cacheprovider; \
	$(PY) -c 'from hypothesis.internal.charmap import intervals_from_codec as f; f("utf-8")'

test: install
	@($(WARM)) >/dev/null 2>&1 & warm=$$!; \
	$(MAKE) --no-print-directory lint; status=$$?; wait $$warm; exit $$status
	$(PYTEST) $(XDIST)

# The edit loop: pytest without the tests marked slow (property suites, browsers, benchmarks,
# fuzzing, crash tests); `make test` and CI run them all.
test-fast: install
	$(PYTEST) $(XDIST) -m "not slow"

bench: install
	$(PY) bench/pk_population.py
	$(PY) bench/plan.py
	$(PY) bench/journal.py

# Needs the network: pip-audit asks PyPI's advisory database about every installed package.
audit: install
	$(PY) -m pip install $(PIP_AUDIT)
	$(VENV)/bin/pip-audit --skip-editable

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
