"""Test-wide setup: headless Qt, an isolated home, and the right event loop per test.

* ``QT_QPA_PLATFORM=offscreen`` unless the caller chose a platform.
* Every test gets its own XDG folders and ``LINKDESK_DATA_DIR`` under ``tmp_path``, so no test
  can touch the real home, and ``STRIPE_API_KEY`` is removed from the environment.
* Async tests that use ``qtbot`` (or ``qapp``) run on a ``qasync.QEventLoop`` built on the
  session QApplication; other async tests run on a plain asyncio loop.
* Every process a test starts gets a user's environment (:func:`users_environment`): the
  ``PYTHON*`` variables that change how Python behaves (``PYTHONUNBUFFERED``,
  ``PYTHONDONTWRITEBYTECODE``, ``PYTHONWARNINGS``…) are taken out of ``os.environ`` for the
  whole session, so a subprocess inherits none of them unless its test sets one on purpose
  (``dict(os.environ, PYTHONDONTWRITEBYTECODE="1")``, or the ``user_env`` fixture's arguments).
  Developer machines and CI set some of them; users do not (issue 17: a closed pipe passed
  here only because ``PYTHONUNBUFFERED=1`` was set).
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

# Where Python finds code, not how it behaves: kept, so a checkout run with PYTHONPATH still
# finds itself in its subprocesses.
KEPT_PYTHON_VARIABLES = frozenset({"PYTHONPATH", "PYTHONHOME"})


def users_environment(environ=None, **chosen: str) -> dict[str, str]:
    """``environ`` (default ``os.environ``) as a user's shell would have it: no ``PYTHON*``
    variable but PYTHONPATH and PYTHONHOME, then ``chosen`` on top (a test that sets one of
    them on purpose)."""
    base = os.environ if environ is None else environ
    env = {k: v for k, v in base.items() if not k.startswith("PYTHON") or k in KEPT_PYTHON_VARIABLES}
    env.update(chosen)
    return env


@pytest.fixture(autouse=True, scope="session")
def _a_users_environment():
    """The session runs with :func:`users_environment`: every subprocess inherits it."""
    removed = {k: v for k, v in os.environ.items() if k.startswith("PYTHON") and k not in KEPT_PYTHON_VARIABLES}
    for name in removed:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.update(removed)


@pytest.fixture
def user_env():
    """``user_env(**chosen)``: a user's environment for a subprocess, with ``chosen`` set."""
    return users_environment


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
