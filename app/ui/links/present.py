"""Present mode: the QR code full screen, for a seller standing at the desk.

The window shows the code as large as the screen allows, the account's name and the time left.
With "Refresh automatically" on, an expired link is replaced in place by a new one from the
injected ``regenerate`` coroutine (at most ``max_refreshes`` times), without blocking the Qt
thread: the call runs as an asyncio task on the app's qasync loop and is cancelled if the
window closes first. Once a code has expired, "Show a new code" makes one by hand (not counted
against the automatic limit).

The screen comes from the caller (see :mod:`app.ui.links.screens`); :meth:`PresentWindow.move_to`
moves an open window when the operator picks another one. Copying the QR image goes through
the optional ``clipboard_guard``, cleared when the shown link expires.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Awaitable, Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QPalette, QScreen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.countdown import Countdown, LinkState
from app.stripe.models import AccountLink
from app.ui.links.card_parts import TICK_MS, countdown_text, scale_font, warning_color
from app.ui.links.qr import QrWidget
from app.ui.links.screens import choose_present_screen

if TYPE_CHECKING:
    from app.ui.links.clipboard import ClipboardGuard

INSTRUCTION = "Scan with your phone's camera, then finish in your phone's browser."
EXPIRED_INSTRUCTION = "This code has expired. Please ask for a new one."
REFRESHING_INSTRUCTION = "Getting a new code…"


def default_present_screen(app: QGuiApplication, preferred: str | None = None) -> QScreen | None:
    """The screen named ``preferred`` if connected, else a second screen (the customer-facing
    monitor), else the primary."""
    return choose_present_screen(app.screens(), app.primaryScreen(), preferred)


class PresentWindow(QWidget):
    """Frameless full-screen view of one link; Esc or Close leaves it.

    Signals: ``linkReplaced(AccountLink)`` after an auto-refresh, ``closed()`` when it closes.
    """

    linkReplaced = Signal(object)
    closed = Signal()

    def __init__(
        self,
        link: AccountLink,
        *,
        account_name: str,
        clock: Clock,
        regenerate: Callable[[], Awaitable[AccountLink]] | None = None,
        screen: QScreen | None = None,
        max_refreshes: int = 6,
        parent: QWidget | None = None,
        clipboard_guard: "ClipboardGuard | None" = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("presentWindow")
        self.setWindowTitle(f"Linkdesk — {account_name}")
        self.setAccessibleName("Present link")
        self._link = link
        self._clock = clock
        self._regenerate = regenerate
        self._screen = screen
        self._max_refreshes = max(0, int(max_refreshes))
        self._refresh_count = 0
        self._auto_refreshes = 0  # the limit counts only these, not "Show a new code"
        self._task: asyncio.Task[None] | None = None
        self._countdown = Countdown.for_link(link)
        self._state: LinkState | None = None
        self._closing = False
        self._guard = clipboard_guard
        self._build(account_name)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self.tick()
        if self._state is not LinkState.EXPIRED:
            self._timer.start()

    def _build(self, account_name: str) -> None:
        self._close_button = QPushButton("Close", objectName="presentCloseButton")
        self._close_button.setAccessibleName("Close present mode")
        self._close_button.setToolTip("Close (Esc)")
        self._close_button.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self._close_button)

        self._name = QLabel(account_name, objectName="presentAccountName", textFormat=Qt.TextFormat.PlainText)
        self._name.setAccessibleName("Account")
        scale_font(self._name, 2.2, bold=True)

        self._qr = QrWidget(self._link.url, clipboard_guard=self._guard,
                            deadline_monotonic=self._countdown.deadline_monotonic)
        self._qr.setObjectName("presentQr")
        self._qr.setAccessibleName("QR code of the link")
        self._qr.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._qr.setMinimumSize(240, 240)

        self._countdown_label = QLabel(objectName="presentCountdown")
        self._countdown_label.setAccessibleName("Time left")
        scale_font(self._countdown_label, 3.4, bold=True)

        self._instruction = QLabel(INSTRUCTION, objectName="presentInstruction")
        self._instruction.setWordWrap(True)
        scale_font(self._instruction, 1.5)

        self._message = QLabel(objectName="presentMessage", textFormat=Qt.TextFormat.PlainText)
        self._message.setWordWrap(True)
        self._message.setAccessibleName("Status")
        scale_font(self._message, 1.2)
        # Room for two lines, always: a message appearing must not make the QR code jump.
        self._message.setMinimumHeight(self._message.fontMetrics().lineSpacing() * 2)

        self._auto = QCheckBox("Refresh automatically when the link expires", objectName="autoRefreshCheck")
        self._auto.setAccessibleName("Refresh the link automatically when it expires")
        self._auto.setToolTip(f"Creates up to {self._max_refreshes} new links with the same settings.")
        self._auto.setEnabled(self._regenerate is not None)
        self._auto.toggled.connect(self._auto_toggled)
        # Once the code has expired the operator can show a new one without leaving present mode.
        self._new_button = QPushButton("Show a new code", objectName="presentNewLinkButton")
        self._new_button.setAccessibleName("Create a new link and show its code")
        self._new_button.setToolTip("Creates a new link with the same settings and shows its QR code")
        self._new_button.setAutoDefault(False)
        self._new_button.clicked.connect(self.refresh_now)
        keep = self._new_button.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # appearing must not move the QR code
        self._new_button.setSizePolicy(keep)
        self._new_button.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self._auto)
        bottom.addStretch(1)
        bottom.addWidget(self._new_button)

        layout = QVBoxLayout(self)
        # The window takes the whole screen; it needs no size constraints from its layout.
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(16)
        layout.addLayout(top)
        for label in (self._name, self._countdown_label, self._instruction, self._message):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self._name)
        layout.addWidget(self._qr, 1)
        for label in (self._countdown_label, self._instruction, self._message):
            layout.addWidget(label)
        layout.addLayout(bottom)
        self._qr.statusMessage.connect(self._show_message)

    # -- public ------------------------------------------------------------------------------
    @property
    def link(self) -> AccountLink:
        return self._link

    @property
    def refresh_count(self) -> int:
        """How many times ``regenerate`` has been called."""
        return self._refresh_count

    @property
    def refresh_task(self) -> asyncio.Task[None] | None:
        """The refresh in flight, if any (so callers and tests can await it)."""
        return self._task if self._task is not None and not self._task.done() else None

    @property
    def state(self) -> LinkState:
        assert self._state is not None
        return self._state

    @property
    def target_screen(self) -> QScreen | None:
        """The screen this window was asked to use (None: wherever Qt puts it)."""
        return self._screen

    def present(self) -> None:
        """Show full screen on the chosen screen."""
        if self._screen is not None:
            self.setScreen(self._screen)
            self.setGeometry(self._screen.geometry())
        self.showFullScreen()

    def move_to(self, screen: QScreen | None) -> None:
        """Use ``screen`` from now on; an open window leaves full screen, moves, and goes back."""
        if screen is None or screen is self._screen:
            return
        self._screen = screen
        if self.isVisible() and not self._closing:
            self.showNormal()
            self.present()

    def tick(self) -> None:
        """Re-evaluate the countdown now (the timer calls this; so may tests)."""
        now = self._clock.monotonic()
        state = self._countdown.state(now)
        # At expiry the QR area says "Expired"; the big clock simply stops at 0:00.
        text = "0:00" if state is LinkState.EXPIRED else countdown_text(state, self._countdown.remaining(now))
        self._countdown_label.setText(text)
        if state is self._state:
            return
        self._state = state
        self._apply_colour()
        if state is LinkState.EXPIRED:
            self._timer.stop()
            self._qr.setExpired(True, "Expired")
            self._instruction.setText(EXPIRED_INSTRUCTION)
            if self._auto.isChecked():
                self._maybe_refresh()
        self._update_new_button()

    def _apply_colour(self) -> None:
        palette = self._countdown_label.palette()
        if self._state is LinkState.WARNING:
            colour = warning_color(self.palette())
        elif self._state is LinkState.EXPIRED:
            colour = self.palette().color(QPalette.ColorRole.PlaceholderText)
        else:
            colour = self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self._countdown_label.setPalette(palette)

    # -- auto-refresh ------------------------------------------------------------------------
    def _auto_toggled(self, on: bool) -> None:
        if on:
            self._show_message("")
            if self._state is LinkState.EXPIRED:
                self._maybe_refresh()

    def _maybe_refresh(self) -> None:
        if self._closing or self._regenerate is None or self.refresh_task is not None:
            return
        if self._auto_refreshes >= self._max_refreshes:
            self._auto.setChecked(False)
            self._show_message(f"Automatic refresh stopped after {self._max_refreshes} new links. "
                               "Press “Show a new code” when the seller is ready.")
            self._update_new_button()
            return
        self._auto_refreshes += 1
        self._start_refresh()

    def refresh_now(self) -> None:
        """“Show a new code”: a new link now (by hand: not counted against the automatic limit)."""
        if self._closing or self._regenerate is None or self.refresh_task is not None:
            return
        self._show_message("")
        self._start_refresh()

    def _start_refresh(self) -> None:
        assert self._regenerate is not None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._fail("Automatic refresh needs the app's event loop, which is not running.")
            return
        self._refresh_count += 1
        self._qr.setExpired(True, "Refreshing…")
        self._instruction.setText(REFRESHING_INSTRUCTION)
        self._task = loop.create_task(self._refresh(self._regenerate))
        # Once it has ended (failed: the button comes back). Never after closing: by then the
        # widgets may be gone; ``_closing`` is plain Python and safe to read.
        self._task.add_done_callback(lambda _task: None if self._closing else self._update_new_button())
        self._update_new_button()

    def _update_new_button(self) -> None:
        """Shown while the code is dead and nothing is on its way (and a new link can be made)."""
        waiting = self._task is not None and not self._task.done()
        self._new_button.setVisible(self._regenerate is not None and self._state is LinkState.EXPIRED
                                    and not waiting and not self._closing)

    async def _refresh(self, regenerate: Callable[[], Awaitable[AccountLink]]) -> None:
        try:
            new_link = await regenerate()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - shown to the user, auto-refresh stops
            if not self._closing:
                self._fail(str(getattr(exc, "explanation", "") or exc or type(exc).__name__))
            return
        if not self._closing:
            self._replace(new_link)

    def _replace(self, new_link: AccountLink) -> None:
        """Swap the new link in place: same window, same widgets, one repaint."""
        self._link = new_link
        self._countdown = Countdown.for_link(new_link)
        self._qr.setDeadline(self._countdown.deadline_monotonic)
        self._qr.setText(new_link.url)
        self._qr.setExpired(False)
        self._instruction.setText(INSTRUCTION)
        self._show_message("")
        self._state = None
        self.tick()
        if self._state is not LinkState.EXPIRED:
            self._timer.start()
        self.linkReplaced.emit(new_link)

    def _fail(self, text: str) -> None:
        self._qr.setExpired(True, "Expired")
        self._instruction.setText(EXPIRED_INSTRUCTION)
        self._auto.setChecked(False)
        self._show_message(f"Could not create a new link. {text}")

    def _show_message(self, text: str) -> None:
        self._message.setText(text)

    # -- leaving -----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop ticking and cancel a refresh in flight. One window per presentation."""
        first = not self._closing
        self._closing = True
        self._timer.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().closeEvent(event)
        if first:
            self.closed.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._state is not None:
            self._apply_colour()
