"""Fixtures for the main-window tests: a real sandbox on loopback, services on a fake clock.

The Stripe client talks real HTTP to a :class:`SandboxServer` started per test; its transport is
wrapped by :class:`CountingTransport` (a real ``httpx.AsyncHTTPTransport`` underneath) so tests
can prove that refused input sent nothing. The sandbox and the client share one FakeClock: the
sandbox stamps links with ``clock.time``, the client stamps their arrival with
``clock.monotonic``, and tests move both with ``clock.advance``.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from app.paths import AppPaths
from app.sandbox import DEMO_ACCOUNTS, DEMO_API_KEY, SandboxServer
from app.services import Connection, Services
from app.stripe.client import StripeClient
from app.stripe.keys import ApiKey


class CountingTransport(httpx.AsyncBaseTransport):
    """Records ``(method, path)`` of every request and each POST's Idempotency-Key, then sends
    it for real."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[tuple[str, str]] = []
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        if request.method == "POST":
            self.keys.append(request.headers.get("idempotency-key"))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def posts(self) -> list[str]:
        return [path for method, path in self.requests if method == "POST"]


@pytest.fixture
def server_offset() -> float:
    """Seconds between the sandbox's clock (Stripe's) and the fake local wall clock."""
    return 0.0


@pytest.fixture
def sandbox(clock, server_offset):
    server = SandboxServer(clock=lambda: clock.time() + server_offset).start()
    yield server
    server.stop()


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def services(sandbox, clock, transport, tmp_path):
    client = StripeClient(ApiKey(DEMO_API_KEY), api_base=sandbox.url, clock=clock, transport=transport,
                          max_retries=0)
    built = Services(
        clock=clock,
        paths=AppPaths.resolve(tmp_path / "data"),
        connection=Connection(ApiKey(DEMO_API_KEY), sandbox.url, "sandbox", sandbox),
        client=client,
    )
    yield built
    await built.aclose()


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "config" / "linkdesk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def clipboard(qapp):
    board = QGuiApplication.clipboard()
    board.clear()
    yield board
    board.clear()


@pytest.fixture
def no_quit_on_close(qapp):
    """As in the app: closing the last window must not stop the (qasync) loop under the test."""
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(True)


@pytest.fixture
async def window(qtbot, services, settings, clipboard, no_quit_on_close):
    from app.ui.shell.main_window import MainWindow

    win = MainWindow(services, settings=settings)
    win.show()
    # The history opens on its worker thread after the first paint; once its panel is shown, the
    # panel's first search runs on that thread too. Tests start from a settled window: both done.
    panel = await win.history_ready()
    if panel is not None:
        await panel.model.settled()
    # ...and so have the other start-up tasks (the recent accounts, read on the history worker):
    # on a loaded machine one could still be pending when a test counted the tasks in flight.
    if win.tracker.pending:
        _done, still = await asyncio.wait(win.tracker.pending, timeout=20)
        assert not still, f"start-up tasks never finished: {still}"
    yield win
    # Closed here rather than by qtbot.addWidget: pytest-qt would delete the window before
    # this async teardown could shut it down the way the app does.
    win.close()
    await win.shutdown()
    assert win.unexpected == [], "unexpected errors reached the error path"
    win.deleteLater()


@pytest.fixture
def accounts() -> dict[str, str]:
    return dict(DEMO_ACCOUNTS)


@pytest.fixture
async def history_worker(qtbot, store, clock):
    """The history worker thread for the ``store`` fixture's database (closed afterwards)."""
    from app.history.worker import HistoryWorker

    worker = HistoryWorker.for_store(store, clock)
    yield worker
    await worker.aclose()
