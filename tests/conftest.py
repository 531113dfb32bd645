"""Test-wide setup: headless Qt, an isolated home, and the right event loop per test.

* ``QT_QPA_PLATFORM=offscreen`` unless the caller chose a platform.
* Every test gets its own XDG folders and ``LINKDESK_DATA_DIR`` under ``tmp_path``, so no test
  can touch the real home, and ``STRIPE_API_KEY`` is removed from the environment.
* Async tests that use ``qtbot`` (or ``qapp``) run on a ``qasync.QEventLoop`` built on the
  session QApplication; other async tests run on a plain asyncio loop.
* Tests that use Qt run with the cyclic garbage collector owned by the Qt thread
  (``app.collector``), as the window does: a collection on the sandbox's or the history's
  threads would destroy Qt objects off their thread ("Timers cannot be stopped from another
  thread", and crashes on Python 3.13).
"""

from __future__ import annotations

import asyncio
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _qasync_loop() -> asyncio.AbstractEventLoop:
    import qasync
    from PySide6.QtWidgets import QApplication

    from app.ui.common.tasks import install_asyncgen_finalizer

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    install_asyncgen_finalizer(loop)  # as the app does (app.ui.shell.app._main)
    return loop


def pytest_asyncio_loop_factories(config, item):
    names = getattr(item, "fixturenames", ())
    if "qtbot" in names or "qapp" in names:
        return {"qasync": _qasync_loop}
    return {"asyncio": asyncio.new_event_loop}


@pytest.fixture
def stripe_fixture():
    """Loads one of Stripe's own fixture objects from tests/fixtures (their source is in the
    README there). A missing file fails the test: a fresh clone must run every test."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "fixtures"

    def load(name: str) -> dict:
        return json.loads((folder / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def clock():
    """A fake clock: tests advance it instead of sleeping."""
    from app.clock import FakeClock

    return FakeClock()


@pytest.fixture
def store(tmp_path, clock):
    """A history store in a fresh data folder on the fake clock."""
    from app.history.store import HistoryStore

    s = HistoryStore.open(tmp_path / "data", clock=clock)
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _collector_on_the_qt_thread(request):
    if not {"qtbot", "qapp"} & set(request.fixturenames):
        yield
        return
    from PySide6.QtCore import QTimer

    from app.collector import TICK_S, OwnedCollector

    request.getfixturevalue("qapp")
    collector = OwnedCollector().start()
    timer = QTimer()
    timer.timeout.connect(collector.tick)
    timer.start(int(TICK_S * 1000))
    try:
        yield collector
    finally:
        timer.stop()
        del timer
        collector.stop()  # collects what the test left, here on the Qt thread


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("LINKDESK_DATA_DIR", str(tmp_path / "linkdesk-data"))
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    monkeypatch.delenv("LINKDESK_API_BASE", raising=False)
    yield
