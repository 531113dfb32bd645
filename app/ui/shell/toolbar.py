"""The strip under the menu bar: which Stripe the window talks to, and a mode badge.

An operator must never wonder whether a link is real. The built-in sandbox shows an amber
SANDBOX badge (``sandboxBadge``); a test key shows TEST (``modeBadge``), a live key a red LIVE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolBar, QWidget

from app.ui.common.widgets import muted

if TYPE_CHECKING:
    from app.services import Connection

_BADGE = (
    "QLabel {{ background-color: {bg}; color: {fg}; border: 1px solid {border}; border-radius: 4px; "
    "padding: 2px 10px; font-weight: 600; letter-spacing: 1px; }}"
)
# Solid accents with their own text colour: legible on light and dark palettes alike.
BADGES = {
    "sandbox": ("SANDBOX", "#f0b429", "#1f1600", "#c98f00"),
    "test": ("TEST", "#1d4ed8", "#ffffff", "#1e40af"),  # 6.7:1 (#3b82f6 was 3.7:1)
    "live": ("LIVE", "#dc2626", "#ffffff", "#b91c1c"),
}


class ElidedLabel(QLabel):
    """One line of text that gives way in a narrow window: drawn elided ("…") when it does not
    fit (give it the whole text as tooltip). Its minimum is a few characters, so the toolbar shrinks
    it instead of moving what follows (the mode badge) into its "»" overflow menu."""

    MIN_CHARS = 8

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = min(metrics.horizontalAdvance(self.text()), metrics.averageCharWidth() * self.MIN_CHARS)
        return QSize(width + margins.left() + margins.right(), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        if shown == self.text():
            super().paintEvent(event)  # (selection and all)
            return
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), shown,
                                  QPalette.ColorRole.WindowText)
        painter.end()


class _GivesWay(QWidget):
    """Asks for its minimum only; an Expanding policy gives it the rest."""

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


class ConnectionBar(QToolBar):
    """Not movable; shows the connection and the badge at the right. In a narrow window the
    texts are elided; the badge (a safety control) and the profile selector never go into
    the overflow menu."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Connection", parent)
        self.setObjectName("connectionBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.PreventContextMenu)
        title = QLabel("Linkdesk", self, objectName="appTitle")
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        title.setContentsMargins(8, 0, 12, 0)
        self.connection = muted(ElidedLabel("Starting…", self, objectName="connectionLabel"))
        self.connection.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel(self, objectName="modeBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.accounts_api = muted(ElidedLabel(self, objectName="accountsApiLabel"))
        self.accounts_api.setContentsMargins(12, 0, 0, 0)
        # The texts share one item that asks for no more than their minimum and takes the room
        # the bar has to spare: in a narrow window they give way (elided), not the profile
        # selector or the badge (the bar shares a shortfall among all its items).
        info = _GivesWay(self, objectName="connectionInfo")
        info.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        texts = QHBoxLayout(info)
        texts.setContentsMargins(0, 0, 0, 0)
        texts.setSpacing(0)
        texts.addWidget(self.connection)
        texts.addWidget(self.accounts_api)
        texts.addStretch(1)
        self.addWidget(title)
        self.addWidget(info)
        self.badge_action = self.addWidget(self.badge)  # a toolbar widget shows/hides via its action
        self.badge_action.setVisible(False)
        trailer = QWidget(self)
        trailer.setFixedWidth(8)
        self.addWidget(trailer)

    def show_connection(self, connection: "Connection", client: Any) -> None:
        """Describe the connection (never the key itself: only its redacted form)."""
        kind = "sandbox" if connection.is_sandbox else connection.mode
        api = getattr(connection, "accounts_api", "v1")
        self.accounts_api.setText(f"Accounts {api}")
        self.accounts_api.setToolTip(
            "Links and look-ups use Stripe's Accounts v2 API (/v2/core). Change it in the profile's settings "
            "(File → Settings…); --accounts-api or LINKDESK_ACCOUNTS_API override it."
            if api == "v2" else
            "Links and look-ups use Stripe's Accounts v1 API. For a platform on v2, choose Accounts v2 in the "
            "profile's settings (File → Settings…); --accounts-api or LINKDESK_ACCOUNTS_API override it.")
        text, bg, fg, border = BADGES.get(kind, BADGES["test"])
        self.badge.setObjectName("sandboxBadge" if connection.is_sandbox else "modeBadge")
        self.badge.setText(text)
        self.badge.setStyleSheet(_BADGE.format(bg=bg, fg=fg, border=border))
        tips = {
            "sandbox": "Built-in sandbox: demo accounts, links that open nothing real. "
                       "Set STRIPE_API_KEY to use your Stripe account.",
            "test": "Test mode: test accounts and test data only.",
            "live": "Live mode: real accounts. Links are real and single-use.",
        }
        self.badge.setToolTip(tips.get(kind, ""))
        self.badge.setAccessibleName(f"Mode: {text}")
        self.badge_action.setVisible(True)
        if connection.is_sandbox:
            self.connection.setText(f"Built-in sandbox with demo accounts  ·  {connection.api_base}")
        else:
            self.connection.setText(f"{connection.api_base}  ·  key {connection.api_key.redacted}")
        self.connection.setAccessibleName(f"Connection: {self.connection.text()}")
        self.connection.setToolTip(self.connection.text())  # (elided in a narrow window)

    def set_platform_name(self, name: str) -> None:
        self.connection.setText(f"{name}  ·  {self.connection.text()}")
        self.connection.setToolTip(self.connection.text())
