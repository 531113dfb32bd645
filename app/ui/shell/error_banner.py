"""The inline error banner: plain words first, then what Stripe support needs.

An operator on a call needs to know what went wrong and what to do, not a traceback. The banner
shows ``error.explanation`` (the client's plain-language text), Stripe's ``code`` and the request
id (selectable, with a "Copy request id" button: support asks for it), and offers Retry when
trying again may help (network trouble, rate limit, Stripe's side).

Everything the banner shows (message, details, accessible description) goes through
:func:`app.redact.redact`: an unexpected exception's text may quote a key or a link URL, and
the banner is on screen (and read out by screen readers) where anyone can see it.

The same box is also shown where the operator looks (issue 19): :class:`ErrorBox`, under the
account field for a look-up, and at the top of the link form for a create; the window's banner
keeps what belongs to no control. Each is announced to screen readers when it appears.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.redact import redact
from app.ui.common.flow_layout import FlowLayout
from app.ui.common.palette import css_rgba

# A translucent red works on light and dark palettes; the text keeps the palette's colour.
# (The tint is defined with the other text backgrounds: the palette's text colours are
# chosen to read on it, see app.ui.common.palette.TINTS.)
def _style(name: str) -> str:
    return f"""
QFrame#{name} {{
    background-color: {css_rgba("banner")};
    border: 1px solid {css_rgba("banner", 140)};
    border-left: 4px solid rgb(220, 53, 69);
    border-radius: 6px;
}}
QFrame#{name} QLabel {{ background: transparent; border: none; }}
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


def announce(widget: QWidget, text: str) -> None:
    """Have a screen reader say ``text`` now (Qt 6.8+ announcements; an alert before that)."""
    if not QAccessible.isActive():  # no screen reader: nothing listens
        return
    try:
        from PySide6.QtGui import QAccessibleAnnouncementEvent
    except ImportError:  # pragma: no cover - older Qt
        from PySide6.QtGui import QAccessibleEvent

        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


class ErrorBanner(QFrame):
    """Hidden until :meth:`show_error`; Retry re-runs the failed operation via ``retryRequested``."""

    retryRequested = Signal()
    dismissed = Signal()
    shownChanged = Signal(bool)  # shown or hidden (the account column makes room for a box)

    def __init__(self, parent: QWidget | None = None, *, prefix: str = "", compact: bool = False) -> None:
        """``prefix`` names this box and its parts (``lookup`` -> ``lookupErrorBox``,
        ``lookupRetryButton``…): the window's banner has none. ``compact`` puts the buttons
        under the text (a box in the narrow account column)."""
        super().__init__(parent)

        def named(base: str) -> str:
            return f"{prefix}{base[:1].upper()}{base[1:]}" if prefix else base

        name = named("errorBox") if prefix else "errorBanner"
        self.setObjectName(name)
        self.setAccessibleName("Error")
        self.setStyleSheet(_style(name))
        self._request_id: str | None = None

        # Its picture is drawn on the banner's first show: QStyle's Python type costs 20-40 ms to
        # build, and nothing else before the form is ready needs it.
        self._icon = icon = QLabel(self, objectName="errorIcon")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.message = QLabel(self, objectName=named("errorMessage"), wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.details = QLabel(self, objectName=named("errorDetails"), wordWrap=True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.retry_button = QPushButton("Retry", self, objectName=named("retryButton"))
        self.retry_button.setAccessibleName("Retry the failed request")
        self.retry_button.clicked.connect(self.retryRequested)
        self.copy_button = QPushButton("Copy request id", self, objectName=named("copyRequestIdButton"))
        self.copy_button.setAccessibleName("Copy the Stripe request id")
        self.copy_button.clicked.connect(self.copy_request_id)
        # One thing to do about the message, when there is one ("Enter the key"): offer_action().
        self.action_button = QPushButton(self, objectName=named("bannerActionButton"))
        self.action_button.setAccessibleName("What to do about the error")  # (named when offered)
        self.action_button.clicked.connect(self._run_action)
        self.action_button.hide()
        self._action: Callable[[], object] | None = None
        self.close_button = QPushButton("Dismiss", self, objectName=named("dismissErrorButton"))
        self.close_button.setAccessibleName("Dismiss the error")
        self.close_button.clicked.connect(self.dismiss)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.message)
        text.addWidget(self.details)
        # The buttons wrap under one another in a narrow window rather than widen the banner
        # past its column (the splitter then narrowed the form: Create moved under the pointer).
        buttons = FlowLayout(spacing=6, line_spacing=6)
        for button in (self.action_button, self.retry_button, self.copy_button, self.close_button):
            buttons.addWidget(button)
        row = QHBoxLayout(self)
        row.setContentsMargins(*((8, 6, 6, 6) if compact else (12, 8, 8, 8)))
        row.setSpacing(10 if not compact else 6)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        if compact:
            text.addSpacing(2)
            text.addLayout(buttons)
        else:
            row.addLayout(buttons)
        self.hide()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt name
        was = not self.isHidden()
        super().setVisible(visible)
        if was != (not self.isHidden()):
            self.shownChanged.emit(not self.isHidden())

    def tab_stops(self) -> list[QWidget]:
        """Its buttons, in the order seen (the window chains them into its Tab order)."""
        return [self.action_button, self.retry_button, self.copy_button, self.close_button]

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
        said = f"{message} {details}".strip()
        self.setAccessibleDescription(said)
        if self._icon.pixmap().isNull():
            from PySide6.QtWidgets import QStyle

            self._icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(22, 22))
        self.show()
        announce(self, f"Error: {said}")

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
