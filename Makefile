# Two commands do everything on a fresh machine (Python 3.11+, Node 20+, make):
#   make run   - set up, then run the whole walk-through headless against the sandbox
#   make test  - set up, then every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Bytecode written at set-up (see $(BYTECODE_STAMP)'s recipe).
BYTECODE_STAMP := $(VENV)/.bytecode
# The CDK CLI (npx cdk synth|deploy|destroy), pinned in package-lock.json.
NPM_STAMP := node_modules/.installed

# Bytecode caches: uv installs no .pyc files, and with PYTHONDONTWRITEBYTECODE set (some shells
# and containers set it) none are ever written, so every Python process a target starts (pytest
# workers, sandboxes, `python -m lab` runs, notebook kernels) compiled moto, botocore and boto3
# from source again: about a quarter of the suite's CPU time. Set-up writes most of it (the
# bytecode step below); the first importer writes the rest.
unexport PYTHONDONTWRITEBYTECODE

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
# jsii's end-of-life banner is silenced per Node major version (a list, not a flag).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(shell node -p "process.versions.node.split('.')[0]" 2>/dev/null)

.PHONY: setup run test test-suite test-nbval test-clients test-events-load test-aws-rehearsal test-browser browser-setup book book-setup test-upstream lint notebooks jupyter clean

setup: $(STAMP) $(NPM_STAMP) $(BYTECODE_STAMP)

# Re-installs only when pyproject.toml changes, so repeat runs start at once.
# uv (pinned, from PyPI into the venv) resolves and installs the pins in seconds where pip
# takes a minute or more; pip does it where uv cannot be had (or with LAB_NO_UV=1).
UV_VERSION := 0.13.9
COMMA := ,
UV := $(VENV)/bin/uv
INSTALL = if [ "$${LAB_NO_UV:-0}" != 1 ] && [ -x $(UV) ]; then \
	echo "uv pip install $(1)"; $(UV) pip install --quiet --python $(PY) $(1); \
	else echo "pip install $(1)"; $(PY) -m pip install --quiet --disable-pip-version-check $(1); fi

$(STAMP): pyproject.toml
	@# No pip in the venv at first: ensurepip takes seconds; the system's pip puts uv in.
	@test -x $(PY) || $(PYTHON) -m venv --without-pip $(VENV)
	@if [ "$${LAB_NO_UV:-0}" != 1 ] && [ ! -x $(UV) ]; then \
		$(PYTHON) -m pip --python $(PY) install --quiet --disable-pip-version-check \
			"uv==$(UV_VERSION)" >/dev/null 2>&1 \
		|| { $(PY) -m ensurepip --upgrade >/dev/null && $(PY) -m pip install --quiet \
			--disable-pip-version-check "uv==$(UV_VERSION)"; } \
		|| echo "uv could not be installed; pip installs instead (slower)"; fi
	@if [ "$${LAB_NO_UV:-0}" = 1 ] || [ ! -x $(UV) ]; then \
		$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip --upgrade >/dev/null; \
		$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; fi
	@# pip too: tools and learners expect `python -m pip` in the venv.
	@$(call INSTALL,pip -e ".[dev]")
	@touch $@

# Re-installs only when package.json or package-lock.json changes.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	@touch $@

# Bytecode for what every test session, sandbox and notebook kernel imports, written once at
# set-up, on every core, before anything runs in parallel. Without it, on a fresh clone the
# three pytest workers, the notebooks' kernel and the sandboxes all compiled the same modules
# at once (moto, pandas, IPython…: ~13 s of CPU per process; uv installs no .pyc files).
# Compiling every installed package takes ~26 s here, hence the list, without the packages'
# own tests (~8 s; a missing name is skipped; a module left out, like cfn-lint's, is compiled
# by its first importer, as before). Beside it, the CDK modules the app imports, by importing
# the app (jsii's bindings are too large to compile whole); that also has jsii unpack
# aws-cdk-lib (~190 MB) into ~/.cache/aws/jsii: seconds here, not in the first synth.
BYTECODE_PACKAGES := moto botocore boto3 s3transfer jmespath pandas numpy dateutil matplotlib \
	PIL pyparsing hypothesis _pytest pluggy xdist execnet IPython ipykernel ipywidgets \
	jupyter_client jupyter_core zmq tornado debugpy traitlets nbformat nbclient papermill nbval \
	cryptography pydantic pydantic_settings werkzeug flask jinja2 urllib3 requests anyio \
	openapi_spec_validator openapi_schema_validator jsonschema jsonschema_path referencing \
	pygments yaml jsonpath_ng antlr4 lark tqdm tenacity click jsii cattrs attr typeguard

$(BYTECODE_STAMP): $(STAMP)
	@site=$$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"); \
	{ ! command -v node >/dev/null || $(PY) -c "import cdk_app.stack, cdk_app.lambda_proxy"; } & \
	$(PY) -m compileall -q -j 0 -x '/tests?/' $$(for p in $(BYTECODE_PACKAGES); do \
		[ -d "$$site/$$p" ] && echo "$$site/$$p"; done) >/dev/null \
		|| echo "some files did not compile (their importers will); continuing"; \
	wait
	@touch $@

run: setup
	$(PY) -m lab walkthrough

# The notebooks run against their own fresh sandbox (its own port) so their
# outputs match the committed ones whatever else is running.
NBVAL_PORT ?= 5597
NBVAL := LAB_SANDBOX_PORT=$(NBVAL_PORT) LAB_MODE=sandbox

# ruff, then the pytest suite and strict nbval side by side (make -j2): each has its own
# sandbox, port and state dir, and the notebooks wait on their sandbox much of the time, so
# the two together take little longer than the suite alone. Each one's output is printed
# whole when it ends (--output-sync); either one failing fails `make test`.
test: setup
	$(PY) -m ruff check .
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-suite test-nbval

# pytest-xdist: TEST_WORKERS sessions in parallel, each with its own sandbox, port and state
# dir (tests/conftest.py); a test file stays on one worker (its module fixtures are shared),
# and files are handed out in the order tests/conftest.py sorts them (slow files first).
# Much of the suite waits on the sandbox, so more workers than the 2 cores still pay.
# No nbval plugin here (test-nbval has it): it costs every worker a second at start-up.
TEST_WORKERS ?= 3
test-suite: setup
	$(PY) -m pytest -m "not clients and not events_load" -p no:nbval \
		-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Every notebook, serially in one fresh sandbox (ids repeat as in the committed outputs),
# compared cell by cell with its committed outputs. Its own pytest cache: the suite writes
# .pytest_cache's lastfailed at the same time.
# Beside the suite in `make test`, the notebooks yield the CPU to it (nice): the suite is the
# longer of the two; the notebooks wait on their sandbox much of the time and finish first.
NBVAL_NICE ?= nice -n 10
test-nbval: setup
	@$(NBVAL) $(PY) -m lab sandbox stop >/dev/null
	$(NBVAL) $(NBVAL_NICE) $(PY) -m pytest --nbval notebooks/ --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 \
		-o cache_dir=.pytest_cache/nbval
	@$(NBVAL) $(PY) -m lab sandbox stop >/dev/null

# Outside clients against the sandbox: the CDK CLI (synth, deploy, destroy) and the
# AWS CLI's cloudformation deploy (about 2 minutes; .ci/run calls it after make test).
test-clients: setup
	$(PY) -m pytest -m clients -q

# 1000 events with the path broken each way (wrong key, gateway SG), every one dead-lettered,
# none lost (tests/test_events_sandbox.py, marker events_load).
test-events-load: setup
	$(PY) -m pytest -m events_load -q -s tests/test_events_sandbox.py

# Every notebook in aws mode (LAB_MODE=aws, CONFIRM_BILLABLE=True) against a sandbox
# reached through AWS_ENDPOINT_URL with dummy credentials: tests/aws_rehearsal.py.
test-aws-rehearsal: setup
	$(PY) -m pytest tests/aws_rehearsal.py -p no:cacheprovider -s -q

# The browser test: JupyterLab on 127.0.0.1 driven by Debian's Chromium through
# Playwright (its own browser download is not used). Installs chromium with
# apt-get when it is missing and this user may (root, LAB_INSTALL_BROWSER != 0).
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.browser-installed

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	@$(call INSTALL,-e ".[dev$(COMMA)browser]")
	@touch $@

browser-setup: $(BROWSER_STAMP)
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && [ "$${LAB_INSTALL_BROWSER:-1}" != 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "error: $(CHROMIUM) is missing; install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM=/path/to/chromium" >&2; exit 2; \
		fi; \
	fi

# The walk-through as an HTML book (book/build.py): README, docs/*.md and every notebook with
# its committed outputs (never executed), into _build/book/ (open _build/book/index.html).
# Sphinx + MyST-NB + sphinx-book-theme from the `book` extra; Mermaid's dist/mermaid.min.js
# from the npm registry (book/package-lock.json) copied into the book: no network at view time.
BOOK_STAMP := $(VENV)/.book-installed
BOOK_NPM_STAMP := book/node_modules/.installed

$(BOOK_STAMP): pyproject.toml $(STAMP)
	@$(call INSTALL,-e ".[dev$(COMMA)book]")
	@touch $@

$(BOOK_NPM_STAMP): book/package.json book/package-lock.json
	cd book && npm ci --no-audit --no-fund --no-update-notifier --loglevel=error
	@touch $@

book-setup: $(BOOK_STAMP) $(BOOK_NPM_STAMP)

book: setup book-setup
	$(PY) book/build.py

# Screenshots: results/screenshots/<notebook>.png (and -reopened.png); timings in timings.json;
# the book's pages (browser_tests/test_published_book.py, built with the network off): book-05.png.
test-browser: setup browser-setup book-setup
	@$(NBVAL) $(PY) -m lab sandbox stop >/dev/null
	$(NBVAL) LAB_CHROMIUM=$(CHROMIUM) $(PY) -m pytest browser_tests -s -p no:cacheprovider
	@$(NBVAL) $(PY) -m lab sandbox stop >/dev/null

# moto 5.2.5's own tests for every service the sandbox patches, unpatched and with the
# sandbox's extensions; fails on a test that only the patches break (tests/upstream/run.py).
# The source distribution is fetched once with pip into .lab/upstream/.
test-upstream: setup
	$(PY) tests/upstream/run.py

lint: setup
	$(PY) -m ruff check .

notebooks: setup
	$(NBVAL) $(PY) -m lab walkthrough --in-place

# Loopback only; root (a container, CI) needs --allow-root or Jupyter refuses to start.
# No news pop-up (it covered outputs) and no update check: both would call out.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
JUPYTER_QUIET := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate
jupyter: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --KernelManager.transport=ipc $(JUPYTER_QUIET) $(ROOT_FLAG) notebooks/

clean:
	-$(PY) -m lab sandbox stop
	rm -rf cdk.out .lab results _build .pytest_cache node_modules book/node_modules
