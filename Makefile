# Two commands for a fresh clone:  `make run` opens the app, `make test` runs every test headless.
# Both create .venv on first use. System packages Qt needs: see README.md ("System packages").

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test bench screenshots frozen clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/linkdesk $(ARGS)

test: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/client_overhead.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/ui_latency.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/history_scale.py

screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py   # runs itself under xvfb-run

# A frozen one-folder build with PyInstaller, then a smoke test of it: the CLI against the
# built-in sandbox, and the window opened offscreen and closed.
frozen: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet pyinstaller
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build packaging/linkdesk.spec
	dist/linkdesk/linkdesk --version
	LINKDESK_DATA_DIR=$$(mktemp -d) dist/linkdesk/linkdesk link acct_1LdCustomDue0001 --sandbox --json \
	    --type account_onboarding --refresh-url https://example.com/reauth --return-url https://example.com/return
	QT_QPA_PLATFORM=offscreen LINKDESK_TEST_CLOSE_AFTER_MS=1500 LINKDESK_DATA_DIR=$$(mktemp -d) dist/linkdesk/linkdesk

clean:
	rm -rf $(VENV) build dist *.egg-info
