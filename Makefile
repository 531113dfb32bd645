# Two commands for a fresh clone:  `make run` opens the app, `make test` runs every test headless.
# Both create .venv on first use. System packages Qt needs: see README.md ("System packages").

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test bench screenshots frozen onefile deb desktop-entry clean

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
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/startup.py --runs 11
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/directory_scale.py

screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py   # runs itself under xvfb-run

# A frozen one-folder build with PyInstaller (dist/linkdesk/: `linkdesk` and `linkdesk-gui`),
# then packaging/smoke.sh: --version, --self-test, one link against the built-in sandbox, the
# window offscreen and (with xvfb-run) on X11. Sizes: packaging/README.md.
PYINSTALLER := 'pyinstaller>=6.10,<7'
frozen: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet $(PYINSTALLER)
	rm -rf dist/linkdesk
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/linkdesk.spec
	packaging/smoke.sh dist/linkdesk/linkdesk dist/linkdesk/linkdesk-gui
	du -sh dist/linkdesk

# The single-file Linux download: one executable from the same analysis and trimming as the
# folder (an AppImage needs an AppImage runtime, which no package registry here provides; see
# packaging/README.md). Smoke-tested like the folder.
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
onefile: frozen
	LINKDESK_ONEFILE=1 $(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/linkdesk.spec
	packaging/smoke.sh dist/linkdesk-$(VERSION)-x86_64
	du -sh dist/linkdesk-$(VERSION)-x86_64

# The single-file Linux download built from the frozen folder: a Debian package (/opt/linkdesk,
# /usr/bin/linkdesk and linkdesk-gui, desktop entry, metainfo, icons), unpacked and smoke-tested
# like the folder. Why not an AppImage: packaging/README.md.
deb: frozen
	packaging/build-deb.sh dist/linkdesk $(VERSION) dist/linkdesk_$(VERSION)_amd64.deb
	packaging/smoke-deb.sh dist/linkdesk_$(VERSION)_amd64.deb

# The desktop entry, AppStream metainfo and icon theme files into PREFIX (default ~/.local), for
# a pip/pipx install (linkdesk-gui on PATH) or, with EXEC=/path/to/linkdesk-gui, a frozen folder.
PREFIX ?= $(HOME)/.local
EXEC ?= linkdesk-gui
desktop-entry:
	install -Dm644 packaging/io.github.linkdesk.Linkdesk.metainfo.xml $(PREFIX)/share/metainfo/io.github.linkdesk.Linkdesk.metainfo.xml
	mkdir -p $(PREFIX)/share/applications
	sed -e 's|^Exec=.*|Exec=$(EXEC)|' -e 's|^TryExec=.*|TryExec=$(EXEC)|' packaging/io.github.linkdesk.Linkdesk.desktop \
	    > $(PREFIX)/share/applications/io.github.linkdesk.Linkdesk.desktop.tmp
	mv $(PREFIX)/share/applications/io.github.linkdesk.Linkdesk.desktop.tmp $(PREFIX)/share/applications/io.github.linkdesk.Linkdesk.desktop
	cd packaging/icons && find hicolor -type f -exec install -Dm644 {} $(PREFIX)/share/icons/{} \;
	-update-desktop-database -q $(PREFIX)/share/applications 2>/dev/null
	-gtk-update-icon-cache -q -t $(PREFIX)/share/icons/hicolor 2>/dev/null

clean:
	rm -rf $(VENV) .venv-* build dist *.egg-info
