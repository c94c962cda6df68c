# backprop-derived: build the book, test it, measure it.
# Needs only Python 3.11+ and make: the first target that needs the environment creates it in .venv
# from the committed lock file (conf/requirements.lock), with uv pinned in that same lock.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
LOCK    := conf/requirements.lock
STAMP   := $(VENV)/.synced
UV      := $(BIN)/uv
# Pages are read, and executed, by twice as many processes as the machine has cores: each process spends much of its
# time waiting for its page's kernel, and smaller batches of pages keep both cores of a CI machine busy to the end
# (see `make bench`). Two things could make a parallel build fail for reasons that are not the book's, and conf/
# prevents both: the execution cache is created before any page is read, and every kernel talks to the build over
# Unix sockets of its own (kernels on TCP ports could race for one port; see conf/page_kernels.py for the one local
# TCP socket ipykernel keeps, which cannot). JOBS=1 builds serially.
JOBS    ?= $(shell $(PYTHON) -c "import os; print(2 * (os.cpu_count() or 1))")
BUILDDIR ?= _build
# The build's caches (the pages' executed outputs, the stylesheet bundle); `make html CACHE=dir BUILDDIR=dir2` builds
# a read-only checkout.
CACHE   ?= .cache
SPHINXOPTS ?=
# Two clean builds of one commit give the same bytes (tests/test_reproducible.py). What stamps a date (Sphinx's
# copyright year, say) takes the last commit's, or a fixed one outside git, never the clock's; string hashing, and so
# the order in which a page's set prints, is the same in every build and every kernel.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1767225600)
REPRODUCIBLE := SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) PYTHONHASHSEED=0
# -T prints the full traceback of a failure, including the failing cell of a page executed in a parallel worker.
SPHINX  := $(REPRODUCIBLE) $(BIN)/sphinx-build -b html -c conf -d $(BUILDDIR)/doctrees -W -n --keep-going -T \
           -j $(JOBS) -D cache_folder=$(abspath $(CACHE)) $(SPHINXOPTS)
PORT    ?= 8000
CHROMIUM := /usr/bin/chromium
JAVA    := /usr/bin/java
NPM_STAMP := tests/browser/node_modules/.installed

.PHONY: html check test lint clean serve bench stress lock env anchors browser

html: $(STAMP)
	$(SPHINX) book $(BUILDDIR)/html

# The tests run in TESTJOBS pytest-xdist workers (TESTJOBS=0: in pytest's own process). One worker leaves a core of a
# 2-core machine idle much of the time: a browser test waits for frames and page loads, a build test for its kernels.
# Each test file runs on one worker (--dist loadfile); tests/conftest.py builds each shared site once for both
# workers and starts the longest files first (--no-loadscope-reorder keeps its order).
TESTJOBS ?= 2
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n $(TESTJOBS) --dist loadfile --no-loadscope-reorder

# ruff (rules in pyproject.toml) over the code, then numpydoc's validation of the public API's docstrings
# (tests/docstring_lint.py says which checks and why). LINT_PATHS and DOCSTRING_MODULE let a test point both at a
# deliberately broken module (tests/test_lint.py).
LINT_PATHS ?= src conf tests
DOCSTRING_MODULE ?= backprop
lint: $(STAMP)
	$(BIN)/ruff check --config pyproject.toml --no-cache $(LINT_PATHS)
	$(BIN)/python tests/docstring_lint.py $(DOCSTRING_MODULE)

# The inner loop, in about a minute: one build of the book (strict, executed, formulas checked; incremental), then
# the tests that need neither a built site nor a browser, doctests included (marker `unit`, tests/conftest.py).
# `make test` runs everything, and is what CI runs.
check: $(STAMP)
	$(SPHINX) book $(BUILDDIR)/html
	$(BIN)/python -m pytest -m unit -q

# Removes what the build produced; the environment (.venv) and the execution cache ($(CACHE)) stay.
clean:
	rm -rf $(BUILDDIR)

serve: html
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILDDIR)/html

bench: $(STAMP) browser
	$(BIN)/python tests/bench/run.py

# Three cold parallel builds at once, in scratch copies: every one must succeed (parallel builds never fail for a
# reason that is not the book's).
stress: $(STAMP)
	$(BIN)/python tests/bench/stress.py

env: $(STAMP)

# Rewrite conf/public-anchors.txt from a fresh build: only when an anchor is deliberately added, or renamed with a
# redirect or alias in place. Review the diff: a line that disappears is a link that breaks.
anchors: html
	$(BIN)/python tests/sitecheck.py $(BUILDDIR)/html

# The browser tests need Debian's chromium and a Java runtime (for the Nu HTML checker), and the npm tools pinned in
# tests/browser/package-lock.json (axe-core, vnu-jar, lighthouse). On a clean machine, as root (as CI runs), they are
# installed here; otherwise the missing one is named. Playwright's own browser download is never used.
browser: $(CHROMIUM) $(JAVA) $(NPM_STAMP)

$(CHROMIUM) $(JAVA):
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "make: $@ is missing; install it as root: apt-get install -y chromium default-jre-headless" >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium default-jre-headless

# --ignore-scripts: vnu-jar's install script only downloads a Java runtime, which apt provides.
$(NPM_STAMP): tests/browser/package-lock.json
	npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Re-resolve the pins from pyproject.toml's extras; commit the result.
lock: $(STAMP)
	$(UV) pip compile pyproject.toml --extra book --extra test --extra tooling \
	  --universal --fork-strategy fewest --python-version 3.11 --generate-hashes \
	  --no-header --annotation-style line -o $(LOCK)

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# uv itself is installed as everything else is, by the lock's hashes: its entry (uv==... and its --hash lines)
	# is cut out of the lock into a requirements file of its own.
	sed -n '/^uv==/,/[^\\]$$/p' $(LOCK) > $(VENV)/uv-requirement.txt
	test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	  --require-hashes -r $(VENV)/uv-requirement.txt
	# Bytecode is compiled at install time: where PYTHONDONTWRITEBYTECODE is set (as on CI), every sphinx-build and
	# every kernel would otherwise recompile the whole environment from source at start-up.
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation --editable .
	touch $@
