"""Mode badges, live-mode input rules, keyboard shortcuts and the one error path."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys

import pytest
from mainwindow_helpers import find, look_up, wait_until
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from app.services import Connection, Services
from app.stripe.keys import ApiKey
from app.ui.shell.app import install_error_hooks

LIVE_KEY = "sk_live_" + "a1B2c3D4e5F6g7H8i9J0kLmN"
TEST_KEY = "sk_test_" + "z9Y8x7W6v5U4t3S2r1Q0pOnM"


@pytest.fixture
async def make_window(qtbot, services, settings, no_quit_on_close, clipboard):
    """A window whose connection claims another key (the client stays on the sandbox)."""
    made = []
    others = []

    def make(key: str):
        from app.ui.shell.main_window import MainWindow

        other = Services(clock=services.clock, paths=services.paths, client=services.client,
                         connection=Connection(ApiKey(key), "https://api.stripe.com", "default"))
        others.append(other)
        win = MainWindow(other, settings=settings)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.close()
        await win.shutdown()
        win.deleteLater()
    for other in others:  # the window opened its history: its store and thread (the client is shared)
        await other.close_history()


@pytest.mark.parametrize(("key", "text"), [(TEST_KEY, "TEST"), (LIVE_KEY, "LIVE")])
async def test_mode_badge_shows_the_keys_mode_and_never_the_key(make_window, key, text):
    win = make_window(key)
    badge = find(win, "modeBadge", QLabel)
    assert badge.isVisible() and badge.text() == text
    assert win.findChild(QLabel, "sandboxBadge") is None
    connection = find(win, "connectionLabel", QLabel).text()
    assert key not in connection and ApiKey(key).redacted in connection
    # no sandbox: no example URLs are filled in
    assert find(win, "refreshUrlInput", QLineEdit).text() == ""
    await win.shutdown()


async def test_live_mode_refuses_http_redirects_before_sending(make_window, accounts, transport):
    win = make_window(LIVE_KEY)
    find(win, "accountInput").setText(accounts["custom_due"])
    find(win, "refreshUrlInput").setText("http://example.com/reauth")
    find(win, "returnUrlInput").setText("https://example.com/return")
    assert await win.create_link() is None
    assert "https" in find(win, "refreshUrlError", QLabel).text()
    assert transport.requests == []
    await win.shutdown()


async def test_keyboard_shortcuts_create_copy_and_present(window, accounts, clipboard):
    window.activateWindow()
    find(window, "accountInput").setText(accounts["custom_due"])
    QtBot.keyClick(find(window, "refreshUrlInput"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await wait_until(lambda: len(window.links.cards()) == 1)
    card = window.links.cards()[0]
    QtBot.keyClick(find(window, "accountInput"), Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert clipboard.text() == card.link.url
    QtBot.keyClick(find(window, "accountInput"), Qt.Key.Key_F5)
    assert window.flow.present_window is not None and window.flow.present_window.isVisible()
    QtBot.keyClick(find(window, "accountInput"), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert find(window, "accountInput").hasFocus() or not window.isActiveWindow()


async def test_enter_in_the_account_box_looks_it_up(window, accounts):
    window.activateWindow()
    box = find(window, "accountInput", QLineEdit)
    box.setText(accounts["standard_ok"])
    QtBot.keyClick(box, Qt.Key.Key_Return)
    await wait_until(lambda: window.account_panel.account is not None)
    assert window.account_panel.account.id == accounts["standard_ok"]


async def test_unexpected_errors_are_shown_not_printed(window, caplog):
    previous = sys.excepthook
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    try:
        install_error_hooks(window, loop)
        try:
            raise RuntimeError("slot went wrong")
        except RuntimeError as exc:
            with caplog.at_level(logging.ERROR, logger="linkdesk"):
                sys.excepthook(type(exc), exc, exc.__traceback__)
        assert find(window, "errorBanner").isVisible()
        assert "RuntimeError: slot went wrong" in find(window, "errorDetails", QLabel).text()
        assert any("slot went wrong" in (r.exc_text or "") or r.exc_info for r in caplog.records)

        async def fails() -> None:
            raise KeyError("task went wrong")

        window.spawn(fails(), "failing")  # a tracked task that fails: same path
        await wait_until(lambda: len(window.unexpected) == 2)
        assert "task went wrong" in find(window, "errorDetails", QLabel).text()
        loop.call_exception_handler({"message": "x", "exception": ValueError("loop went wrong")})
        assert "loop went wrong" in find(window, "errorDetails", QLabel).text()
    finally:
        sys.excepthook = previous
        loop.set_exception_handler(previous_handler)
        window.unexpected.clear()  # expected here; the fixture asserts none otherwise


@pytest.mark.slow
def test_a_bad_key_shows_a_message_and_the_app_still_closes_cleanly():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STRIPE_API_KEY="pk_test_123",
               LINKDESK_TEST_CLOSE_AFTER_MS="300")
    proc = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert "pk_test_123" not in proc.stdout


async def test_follows_a_palette_switch(window, accounts, qapp):
    from PySide6.QtGui import QColor, QPalette

    await look_up(window, accounts["custom_due"])
    meta = find(window, "accountMeta", QLabel)
    original = qapp.palette()
    dark = QPalette(original)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    dark.setColor(QPalette.ColorRole.PlaceholderText, QColor("#9aa0a6"))
    # Input and row surfaces dark too: muted text must read on every surface of the palette
    # (app.ui.common.theme), and a grey cannot on both white and near-black.
    dark.setColor(QPalette.ColorRole.Base, QColor("#2a2b2e"))
    dark.setColor(QPalette.ColorRole.AlternateBase, QColor("#303134"))
    try:
        qapp.setPalette(dark)
        await asyncio.sleep(0.05)  # palette changes reach widgets as posted events
        assert meta.palette().color(QPalette.ColorRole.WindowText) == QColor("#9aa0a6")
        assert find(window, "accountName", QLabel).palette().color(QPalette.ColorRole.WindowText) == QColor("#e8eaed")
    finally:
        qapp.setPalette(original)
        await asyncio.sleep(0.05)
    # Back to the original palette's grey, made readable (AA) where the theme's is not.
    from app.ui.common.theme import secondary_color

    assert meta.palette().color(QPalette.ColorRole.WindowText) == secondary_color(original)


async def test_every_input_in_the_window_has_an_accessible_name(window, accounts):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QTreeWidget

    await look_up(window, accounts["custom_due"])
    assert await window.create_link() is not None
    panels = [window.account_panel, window.form, window.banner, window.connection_bar]
    for panel in panels:
        for kind in (QLineEdit, QComboBox, QTreeWidget):
            for widget in panel.findChildren(kind):
                assert widget.accessibleName(), widget.objectName()
        for button in panel.findChildren(QAbstractButton):
            internal = button.objectName().startswith("qt_") or isinstance(button.parent(), QLineEdit)
            if not internal:  # Qt's own: the toolbar's extension button, a line edit's icons
                assert button.accessibleName() or button.text(), button.objectName()
    assert window.tabs.tabText(0) == "Links (1)"


async def test_a_history_file_from_a_newer_linkdesk_is_reported_and_links_still_work(
        qtbot, services, settings, accounts, no_quit_on_close, clipboard):
    import sqlite3

    from app.ui.shell.main_window import MainWindow

    services.paths.data_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(services.paths.history_db) as db:
        db.execute("PRAGMA user_version = 999")
    db.close()
    win = MainWindow(services, settings=settings)
    win.show()
    try:
        assert win.history_placeholder.text() == "Opening history…"  # on the worker thread
        assert await win.history_ready() is None
        assert find(win, "errorBanner").isVisible()
        assert "History is not available" in find(win, "errorMessage", QLabel).text()
        assert win.history_panel is None
        find(win, "accountInput").setText(accounts["custom_due"])
        card = await win.create_link()
        assert card is not None and win.links.cards() == [card]
        assert "not saved to history" in find(win, "errorMessage", QLabel).text()
    finally:
        win.close()
        await win.shutdown()
        win.deleteLater()
