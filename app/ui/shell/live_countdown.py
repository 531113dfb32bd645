"""The newest live link's countdown where the operator looks: in another window, on a call.

* The window title carries it: ``4:51 · Harbor Street Bakery — Linkdesk`` (the title as the rest
  of the app sets it — "Linkdesk", or with the profile — once no link is live).
* Where the platform has a system tray (``QSystemTrayIcon.isSystemTrayAvailable()``), a tray icon
  whose tooltip gives the same; it appears with the first link.
* A notification a minute before each link expires and when it has expired (not for a link a
  newer live one for the same account has superseded), unless the operator turned them off (Settings; :attr:`app.preferences.Preferences.notify`). Clicking the expiry
  notification creates a new link for that account.

Notifications go through the tray (``QSystemTrayIcon.showMessage``; a click on the message is its
one action). Without a tray (many Linux desktops, and PySide6-Essentials has no QtDBus for
``org.freedesktop.Notifications``) the window asks for attention instead
(``QApplication.alert``: the task bar entry flashes or is marked urgent), and the card's own
"Create a new link" is the action.

The timer runs only while a link is live, and each tick compares strings: the title changes
once a second and costs nothing when it has not changed (bench/ui_latency.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from app.countdown import format_mmss
from app.ui.links.card_parts import TICK_MS
from app.ui.links.present_parts import clean_name

if TYPE_CHECKING:
    from app.ui.links.card import LinkCard
    from app.ui.links.link_list import LinkList

SOON_TITLE = "A link expires in a minute"
EXPIRED_TITLE = "A link has expired"


class Notifier(Protocol):
    """Where notifications and the time left go besides the title."""

    def show_tooltip(self, text: str) -> None: ...

    def notify(self, title: str, body: str, on_click: Callable[[], object] | None) -> None: ...


class TrayNotifier:
    """A tray icon (shown on first use): its tooltip, its balloon/notification messages."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self._tray: QSystemTrayIcon | None = None
        self._on_click: Callable[[], object] | None = None

    @property
    def tray(self) -> QSystemTrayIcon:
        if self._tray is None:
            icon = self._window.windowIcon()
            if icon.isNull():
                icon = QApplication.windowIcon()
            tray = self._tray = QSystemTrayIcon(icon if not icon.isNull() else QIcon(), self._window)
            tray.setObjectName("linkdeskTray")
            tray.messageClicked.connect(self._clicked)
            tray.activated.connect(lambda _reason: self._raise())
            tray.show()
        return self._tray

    def show_tooltip(self, text: str) -> None:
        if self.tray.toolTip() != text:
            self.tray.setToolTip(text)

    def notify(self, title: str, body: str, on_click: Callable[[], object] | None) -> None:
        self._on_click = on_click
        self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, 10_000)

    def _raise(self) -> None:
        self._window.showNormal() if self._window.isMinimized() else self._window.show()
        self._window.raise_()
        self._window.activateWindow()

    def _clicked(self) -> None:
        self._raise()
        action, self._on_click = self._on_click, None
        if action is not None:
            action()

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()


class AlertNotifier:
    """No tray: the window asks for attention (its task bar entry flashes or turns urgent); the
    card itself says what happened and offers "Create a new link". The status bar is left to
    what it says then (the clipboard being cleared, say)."""

    def __init__(self, window: Any) -> None:
        self._window = window

    def show_tooltip(self, text: str) -> None:
        pass  # the title says it already

    def notify(self, title: str, body: str, on_click: Callable[[], object] | None) -> None:
        QApplication.alert(self._window, 0)

    def hide(self) -> None:
        pass


def default_notifier(window: QMainWindow) -> "TrayNotifier | AlertNotifier":
    return TrayNotifier(window) if QSystemTrayIcon.isSystemTrayAvailable() else AlertNotifier(window)


class LiveCountdown(QObject):
    """Follows ``links`` (the window's :class:`~app.ui.links.link_list.LinkList`).

    ``notifications_on()`` is asked at each notification (the preference may change meanwhile).
    ``notifier`` defaults to the tray where there is one (see :func:`default_notifier`)."""

    def __init__(self, window: QMainWindow, links: "LinkList", *,
                 notifications_on: Callable[[], bool] = lambda: True,
                 notifier: "Notifier | None" = None) -> None:
        super().__init__(window)
        self._window = window
        self._links = links
        self._notifications_on = notifications_on
        self._notifier = notifier
        self._base = window.windowTitle()
        self._shown = self._base
        self._tooltip = ""
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        window.windowTitleChanged.connect(self._title_changed)
        links.cardAdded.connect(self._watch)

    @property
    def base_title(self) -> str:
        """The title without the countdown (as the rest of the app set it)."""
        return self._base

    @property
    def notifier(self) -> "Notifier":
        if self._notifier is None:
            self._notifier = default_notifier(self._window)
        return self._notifier

    @notifier.setter
    def notifier(self, notifier: "Notifier") -> None:
        self._notifier = notifier

    def _title_changed(self, title: str) -> None:
        if title != self._shown:  # set by someone else (the profile): the new base
            self._base = title
            self._shown = title
            self.tick()

    def _watch(self, card: "LinkCard") -> None:
        card.expiringSoon.connect(lambda c=card: self._notify_soon(c))
        card.expired.connect(lambda c=card: self._notify_expired(c))
        self.tick()
        self._timer.start()

    def newest_live(self) -> "tuple[LinkCard, float] | None":
        """The newest card whose link has time left, and that time."""
        for card in self._links.cards():
            left = card.remaining()
            if left is not None and left > 0:
                return card, left
        return None

    def tick(self) -> None:
        """Show the time left now (the timer calls this; so may tests)."""
        live = self.newest_live()
        if live is None:
            title, tooltip = self._base, "Linkdesk — no live link"
            self._timer.stop()
        else:
            card, left = live
            name = clean_name(card.account_name) or card.account_id
            title = f"{format_mmss(left)} · {name} — {self._base}"
            tooltip = f"{name}: open within {format_mmss(left)}"
        if title != self._shown:
            self._shown = title
            self._window.setWindowTitle(title)
        if tooltip != self._tooltip and (live is not None or self._tooltip):
            self._tooltip = tooltip
            self.notifier.show_tooltip(tooltip)

    def _superseded(self, card: "LinkCard") -> bool:
        """A newer link for the same account is live: this one's end is no news."""
        for other in self._links.cards():
            if other is card:
                return False
            left = other.remaining()
            if other.account_id == card.account_id and left is not None and left > 0:
                return True
        return False

    def _notify_soon(self, card: "LinkCard") -> None:
        if self._notifications_on() and not self._superseded(card):
            name = clean_name(card.account_name) or card.account_id
            self.notifier.notify(SOON_TITLE, f"The link for {name} must be opened within a minute.", None)

    def _notify_expired(self, card: "LinkCard") -> None:
        self.tick()
        if self._notifications_on() and not self._superseded(card):
            name = clean_name(card.account_name) or card.account_id
            self.notifier.notify(EXPIRED_TITLE, f"The link for {name} has expired. Click to create a new link.",
                                 card.regenerateRequested.emit)

    def stop(self) -> None:
        self._timer.stop()
        hide = getattr(self._notifier, "hide", None)
        if callable(hide):
            hide()
