"""The newest live link's time left in the window title (and tray tooltip), and notifications a
minute before expiry and at expiry, in the real window against the sandbox, on a fake clock."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QSystemTrayIcon

from app.countdown import LinkState
from app.ui.shell.live_countdown import EXPIRED_TITLE, SOON_TITLE, AlertNotifier, TrayNotifier, default_notifier
from mainwindow_helpers import find, look_up, wait_until


class RecordingNotifier:
    """Stands for the desktop (tray or no tray): records what the app asked it to show."""

    def __init__(self) -> None:
        self.tooltips: list[str] = []
        self.messages: list[tuple[str, str, object]] = []

    def show_tooltip(self, text: str) -> None:
        self.tooltips.append(text)

    def notify(self, title: str, body: str, on_click) -> None:
        self.messages.append((title, body, on_click))


async def _create(window, account_id: str):
    await look_up(window, account_id)
    card = await window.create_link()
    assert card is not None, window.banner.message.text()
    return card


async def test_the_title_carries_the_newest_live_links_time_left(window, accounts, clock):
    watch = window.live_countdown
    watch.notifier = RecordingNotifier()
    base = window.windowTitle()
    assert base == "Linkdesk"
    card = await _create(window, accounts["custom_due"])
    assert window.windowTitle() == "5:00 · Harbor Street Bakery — Linkdesk"
    clock.advance(9)
    watch.tick()
    assert window.windowTitle() == "4:51 · Harbor Street Bakery — Linkdesk"
    assert watch.notifier.tooltips[-1] == "Harbor Street Bakery: open within 4:51"
    # Another part of the app changes the title (a profile switch): the countdown stays in front.
    window.setWindowTitle("Linkdesk — Acme · TEST")
    assert window.windowTitle() == "4:51 · Harbor Street Bakery — Linkdesk — Acme · TEST"
    window.setWindowTitle("Linkdesk")
    clock.advance(291)
    card.tick()
    assert window.windowTitle() == "Linkdesk"  # none is live
    assert not watch._timer.isActive()  # nothing to count: no timer


async def test_the_newest_live_link_wins(window, accounts, clock):
    window.live_countdown.notifier = RecordingNotifier()
    await _create(window, accounts["custom_due"])
    clock.advance(100)
    newer = await _create(window, accounts["express_ok"])
    assert window.windowTitle() == "5:00 · Lumen Yoga Studio — Linkdesk" == f"5:00 · {newer.account_name} — Linkdesk"
    clock.advance(300)
    window.live_countdown.tick()
    assert window.windowTitle() == "Linkdesk"


async def test_a_notification_a_minute_before_and_at_expiry_makes_a_new_link(window, accounts, clock):
    notifier = window.live_countdown.notifier = RecordingNotifier()
    card = await _create(window, accounts["custom_due"])
    clock.advance(239)
    card.tick()
    assert notifier.messages == []
    clock.advance(1)
    card.tick()
    card.tick()
    assert [(t, b) for t, b, _ in notifier.messages] == [
        (SOON_TITLE, "The link for Harbor Street Bakery must be opened within a minute.")]
    clock.advance(60)
    card.tick()
    title, body, create_new = notifier.messages[-1]
    assert (title, len(notifier.messages)) == (EXPIRED_TITLE, 2) and "Harbor Street Bakery" in body
    create_new()  # the notification's "Create a new link"
    await wait_until(lambda: len(window.links.cards()) == 2)
    assert window.links.cards()[0].account_id == accounts["custom_due"]
    assert window.windowTitle() == "5:00 · Harbor Street Bakery — Linkdesk"


async def test_no_notification_for_a_link_a_newer_one_for_the_same_account_superseded(window, accounts, clock):
    notifier = window.live_countdown.notifier = RecordingNotifier()
    older = await _create(window, accounts["custom_due"])
    clock.advance(100)
    await look_up(window, accounts["custom_due"])
    task = window.spawn(window.create_link(keep_others=True), "test")  # kept live on purpose (Shift)
    await wait_until(lambda: (box := window.findChild(QMessageBox, "secondLinkDialog")) is not None
                     and box.isVisible())
    window.findChild(QMessageBox, "secondLinkDialog").findChild(QPushButton, "confirmAcceptButton").click()
    assert await task is not None
    clock.advance(200)
    older.tick()
    assert older.state is LinkState.EXPIRED and notifier.messages == []
    assert window.windowTitle() == "1:40 · Harbor Street Bakery — Linkdesk"


async def test_no_notification_for_a_link_a_newer_one_replaced(window, accounts, clock):
    notifier = window.live_countdown.notifier = RecordingNotifier()
    older = await _create(window, accounts["custom_due"])
    clock.advance(100)
    await _create(window, accounts["custom_due"])  # one live link per seller: the older is replaced
    clock.advance(200)
    older.tick()
    assert older.is_replaced and notifier.messages == []


async def test_the_preference_turns_notifications_off(window, accounts, clock, services):
    notifier = window.live_countdown.notifier = RecordingNotifier()
    services.preferences = services.preferences.replace(notify=False)
    card = await _create(window, accounts["custom_due"])
    clock.advance(300)
    card.tick()
    assert notifier.messages == [] and window.windowTitle() == "Linkdesk"


async def test_a_tray_where_there_is_one_else_the_window_asks_for_attention(window):
    chosen = default_notifier(window)
    assert isinstance(chosen, TrayNotifier if QSystemTrayIcon.isSystemTrayAvailable() else AlertNotifier)
    if isinstance(chosen, AlertNotifier):  # offscreen: no tray; the window asks for attention
        window.status("The copied link expired and was cleared from the clipboard.")
        chosen.notify(EXPIRED_TITLE, "The link for X has expired.", None)
        # ...and leaves the status bar to what it said (the card says the rest).
        assert window.statusBar().currentMessage() == "The copied link expired and was cleared from the clipboard."
