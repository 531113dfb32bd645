"""The inline error banner: plain words first, then what Stripe support needs.

An operator on a call needs to know what went wrong and what to do, not a traceback. The banner
shows ``error.explanation`` (the client's plain-language text), Stripe's ``code`` and the request
id (selectable, with a "Copy request id" button: support asks for it), and offers Retry when
trying again may help (network trouble, rate limit, Stripe's side).

Everything the banner shows (message, details, accessible description) goes through
:func:`app.redact.redact`: an unexpected exception's text may quote a key or a link URL, and
the banner is on screen (and read out by screen readers) where anyone can see it.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.redact import redact
from app.ui.common.palette import css_rgba

# A translucent red works on light and dark palettes; the text keeps the palette's colour.
# (The tint is defined with the other text backgrounds: the palette's text colours are
# chosen to read on it, see app.ui.common.palette.TINTS.)
_STYLE = f"""
QFrame#errorBanner {{
    background-color: {css_rgba("banner")};
    border: 1px solid {css_rgba("banner", 140)};
    border-left: 4px solid rgb(220, 53, 69);
    border-radius: 6px;
}}
QFrame#errorBanner QLabel {{ background: transparent; border: none; }}
"""


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(message, details) for any error, redacted: never a key or a link URL."""
    from app.stripe.errors import StripeError, ValidationError

    if isinstance(exc, StripeError):
        bits = []
        if exc.code:
            bits.append(f"Code: {exc.code}")
        if exc.http_status:
            bits.append(f"HTTP {exc.http_status}")
        if exc.request_id:
            bits.append(f"Request id: {exc.request_id}")
        return redact(exc.explanation or exc.message), redact("  ·  ".join(bits))
    if isinstance(exc, ValidationError):
        return redact(exc.message), ""
    return (
        "Something went wrong inside Linkdesk. Your links are safe; try again, and if it "
        "happens again, send the error log to your administrator.",
        redact(f"{type(exc).__name__}: {exc}")[:300],  # redacted before cutting: no half a URL
    )


class ErrorBanner(QFrame):
    """Hidden until :meth:`show_error`; Retry re-runs the failed operation via ``retryRequested``."""

    retryRequested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Error")
        self.setStyleSheet(_STYLE)
        self._request_id: str | None = None

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(22, 22))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.message = QLabel(self, objectName="errorMessage", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.details = QLabel(self, objectName="errorDetails", wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.retry_button = QPushButton("Retry", self, objectName="retryButton")
        self.retry_button.setAccessibleName("Retry the failed request")
        self.retry_button.clicked.connect(self.retryRequested)
        self.copy_button = QPushButton("Copy request id", self, objectName="copyRequestIdButton")
        self.copy_button.setAccessibleName("Copy the Stripe request id")
        self.copy_button.clicked.connect(self.copy_request_id)
        # One thing to do about the message, when there is one ("Enter the key"): offer_action().
        self.action_button = QPushButton(self, objectName="bannerActionButton")
        self.action_button.setAccessibleName("What to do about the error")  # (named when offered)
        self.action_button.clicked.connect(self._run_action)
        self.action_button.hide()
        self._action: Callable[[], object] | None = None
        self.close_button = QPushButton("Dismiss", self, objectName="dismissErrorButton")
        self.close_button.setAccessibleName("Dismiss the error")
        self.close_button.clicked.connect(self.dismiss)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.message)
        text.addWidget(self.details)
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.action_button, self.retry_button, self.copy_button, self.close_button):
            buttons.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.setSpacing(10)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addLayout(buttons)
        self.hide()

    @property
    def request_id(self) -> str | None:
        return self._request_id

    def show_error(self, exc: BaseException, *, retry: bool | None = None) -> None:
        """Show ``exc``; Retry appears when ``retry`` (default: the error says it may help)."""
        message, details = describe_error(exc)
        self._request_id = getattr(exc, "request_id", None)
        can_retry = bool(getattr(exc, "retryable_by_user", False)) if retry is None else retry
        self._show(message, details, can_retry)

    def show_message(self, message: str, details: str = "") -> None:
        self._request_id = None
        self._show(message, details, False)

    def offer_action(self, text: str, action: Callable[[], object], accessible: str = "") -> None:
        """A button for the message now shown (gone with it: a new message, dismiss, clear)."""
        self._action = action
        self.action_button.setText(text)
        self.action_button.setAccessibleName(accessible or text)
        self.action_button.show()

    def _run_action(self) -> None:
        action = self._action
        self.clear()
        if action is not None:
            action()

    def _show(self, message: str, details: str, can_retry: bool) -> None:
        self._action = None
        self.action_button.hide()
        message, details = redact(message), redact(details)
        self.message.setText(message)
        self.details.setText(details)
        self.details.setVisible(bool(details))
        self.retry_button.setVisible(can_retry)
        self.copy_button.setVisible(self._request_id is not None)
        self.setAccessibleDescription(f"{message} {details}".strip())
        self.show()

    def copy_request_id(self) -> None:
        if self._request_id:
            QGuiApplication.clipboard().setText(self._request_id)

    def dismiss(self) -> None:
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    def clear(self) -> None:
        self._request_id = None
        self._action = None
        self.hide()
