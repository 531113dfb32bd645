"""The window and its history: opened off the Qt thread after the first paint, a link recorded
before its card even while the history is still opening, and a recovered file said once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import closing

import pytest
from mainwindow_helpers import find
from PySide6.QtWidgets import QLabel

from app.history.store import HistoryStore


@pytest.fixture
def make_window(qtbot, services, settings, clipboard, no_quit_on_close):
    made = []

    def make():
        from app.ui.shell.main_window import MainWindow

        win = MainWindow(services, settings=settings)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()
        win.deleteLater()


@pytest.fixture
def slow_open(monkeypatch):
    """Opening the history waits (on the worker thread) until the returned event is set."""
    gate = threading.Event()
    real_open = HistoryStore.open

    def held_open(*args, **kwargs):
        gate.wait(10)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(HistoryStore, "open", held_open)
    yield gate
    gate.set()


async def test_history_opens_after_the_window_shows_and_the_tab_is_kept(make_window, slow_open):
    win = make_window()
    placeholder = win.history_placeholder
    assert placeholder.text() == "Opening history…" and win.history_panel is None
    win.tabs.setCurrentWidget(placeholder)  # the operator looks at History meanwhile
    for _ in range(3):
        await asyncio.sleep(0.02)  # the Qt loop keeps running while the worker opens the file
    assert win.history_panel is None
    slow_open.set()
    panel = await win.history_ready()
    assert panel is not None and win.tabs.currentWidget() is panel
    assert win.tabs.tabText(win.tabs.indexOf(panel)) == "History"
    assert placeholder not in [win.tabs.widget(i) for i in range(win.tabs.count())]
    await win.shutdown()


async def test_a_link_made_while_history_opens_is_recorded_before_its_card(make_window, slow_open, accounts,
                                                                          services, transport):
    win = make_window()
    seen = []
    win.links.cardAdded.connect(lambda card: seen.append(
        [e.url for e in services.history.query()].count(card.link.url)))
    find(win, "accountInput").setText(accounts["custom_due"])
    creating = asyncio.ensure_future(win.create_link())
    await asyncio.sleep(0.05)
    assert not creating.done() and win.links.cards() == []
    slow_open.set()
    card = await creating
    assert card is not None and seen == [1]  # the row was written before the card was shown
    win.show_history()
    await win.history_panel.settled()
    assert win.history_panel.model.rowCount() == 1
    assert find(win.history_panel, "historyCount", QLabel).text() == "1 entry"
    await win.shutdown()


async def test_a_recovered_history_is_said_once_in_the_window_and_in_the_panel(make_window, services):
    services.paths.data_dir.mkdir(parents=True, exist_ok=True)
    services.paths.history_db.write_bytes(b"\x00not a database" * 100)
    win = make_window()
    panel = await win.history_ready()
    notice = services.history.recovery_notice
    assert notice and "damaged" in notice
    assert find(win, "errorBanner").isVisible()
    assert "new history was started" in find(win, "errorMessage", QLabel).text()
    assert find(win, "errorDetails", QLabel).text() == notice
    assert find(panel, "historyNotice", QLabel).text() == notice
    await win.shutdown()


async def test_a_link_is_recorded_even_while_another_instance_holds_the_history_lock(window, accounts):
    """The Qt thread's write fails fast on the lock; the worker retries it, and the card waits
    for the row, so the link is still recorded before it is shown and nothing freezes."""
    store = window.services.history
    other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a second Linkdesk writing at this moment
    threading.Timer(0.3, lambda: (other.execute("COMMIT"), other.close())).start()
    find(window, "accountInput").setText(accounts["custom_due"])
    card = await window.create_link()
    assert card is not None
    assert window.banner.isHidden() or "not saved" not in window.banner.message.text()
    newest = store.query(limit=1)[0]
    assert newest.request_id == card.link.request_id and newest.outcome == "created"


async def test_closing_while_a_created_link_is_being_recorded_waits_for_the_row(window, accounts, services, transport,
                                                                                sandbox):
    """Stripe has answered and the row is being written (another instance holds the lock): the
    window closes now, and its shutdown waits for the write instead of cutting it short. (The
    lock is taken once the request is out: the attempt is written before the request is sent.)"""
    store = window.services.history
    sandbox.inject_fault("timeout", delay=0.5, method="POST", path="/v1/account_links")
    find(window, "accountInput").setText(accounts["custom_due"])
    task = asyncio.ensure_future(window.create_link())
    for _ in range(500):
        if transport.posts():
            break
        await asyncio.sleep(0.01)
    other = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    for _ in range(500):  # until the answer is in (Esc can no longer take it) and its row waits
        if transport.posts() and window.inflight is None and not task.done():
            break
        await asyncio.sleep(0.01)
    assert transport.posts() and not task.done(), "the link was never being recorded"
    threading.Timer(0.3, lambda: (other.execute("COMMIT"), other.close())).start()
    window.close()
    await window.shutdown()
    await asyncio.gather(task, return_exceptions=True)
    with closing(sqlite3.connect(store.path)) as check:  # closed, not only committed: 3.13 warns
        rows = check.execute("SELECT outcome FROM attempts ORDER BY id DESC LIMIT 1").fetchall()
    assert rows == [("created",)]
