"""Present mode: the QR code full screen, for a seller standing at the desk.

The seller sees who is asking (the platform's name: "Sandbox" in the sandbox), whose account
it is, the code, "Scan with your phone's camera", the time left and the site the page opens on
(connect.stripe.com), in text sized for a screen seen from 2 m (:mod:`app.ui.links.present_parts`).
On a wide screen the code stands beside the text, as tall as the screen allows. The operator's
controls (Close, auto-refresh, "Show a new code") stay hidden until the operator moves the mouse
or presses a key (:mod:`app.ui.links.present_controls`).

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
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeyEvent, QPalette, QScreen, QShowEvent
from PySide6.QtWidgets import QWidget

from app.clock import Clock
from app.countdown import Countdown, LinkState, format_mmss
from app.stripe.models import AccountLink
from app.ui.common.theme import secondary_color, warning_color
from app.ui.links.card_parts import TICK_MS
from app.ui.links.present_controls import OperatorControls
from app.ui.links.present_parts import clean_name, spoken_time_left
from app.ui.links.present_view import (
    EXPIRED_INSTRUCTION,
    INSTRUCTION,
    REFRESHING_INSTRUCTION,
    PresentView,
)
from app.ui.links.screens import choose_present_screen

if TYPE_CHECKING:
    from app.ui.links.clipboard import ClipboardGuard


def default_present_screen(app: QGuiApplication, preferred: str | None = None) -> QScreen | None:
    """The screen named ``preferred`` if connected, else a second screen (the customer-facing
    monitor), else the primary."""
    return choose_present_screen(app.screens(), app.primaryScreen(), preferred)


class PresentWindow(PresentView):
    """Frameless full-screen view of one link; Esc or Close leaves it.

    ``platform_name`` says who is asking (None: not known, the line is left out; see
    :class:`app.ui.links.present_parts.PlatformName`, and :meth:`set_platform_name` for a name
    that arrives later). Signals: ``linkReplaced(AccountLink)`` after an auto-refresh,
    ``closed()`` when it closes.
    """

    linkReplaced = Signal(object)
    closed = Signal()

    def __init__(
        self,
        link: AccountLink,
        *,
        account_name: str,
        clock: Clock,
        platform_name: str | None = None,
        regenerate: Callable[[], Awaitable[AccountLink]] | None = None,
        screen: QScreen | None = None,
        max_refreshes: int = 6,
        parent: QWidget | None = None,
        clipboard_guard: "ClipboardGuard | None" = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presentWindow")
        self.setWindowTitle(f"Linkdesk — {account_name}" if account_name else "Linkdesk")
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
        self._build(clean_name(account_name) or account_name, link.url, deadline=self._countdown.deadline_monotonic,
                    can_refresh=regenerate is not None, max_refreshes=self._max_refreshes,
                    clipboard_guard=clipboard_guard)
        self.set_platform_name(platform_name)
        self.controls = OperatorControls(self, (self._top_bar, self._bottom_bar), clock)
        self.controls.shownChanged.connect(lambda _shown: self._place_bars())  # the hint moves with the bar
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self.tick()
        if self._state is not LinkState.EXPIRED:
            self._timer.start()
        self._arrange()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._closing:
            self.controls.start()
            self._arrange()
            self._countdown_label.setFocus(Qt.FocusReason.OtherFocusReason)

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
        remaining = self._countdown.remaining(now)
        # At expiry the QR area says "Expired"; the big clock simply stops at 0:00.
        text = "0:00" if state is LinkState.EXPIRED else f"Open within {format_mmss(remaining)}"
        self._countdown_label.setText(text)
        spoken = spoken_time_left(state, remaining)
        if spoken != self._countdown_label.accessibleDescription():  # (once a minute: announced)
            self._countdown_label.setAccessibleDescription(spoken)
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
            colour = secondary_color(self.palette())
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
        can_new = (self._regenerate is not None and self._state is LinkState.EXPIRED
                   and not waiting and not self._closing)
        self._new_button.setVisible(can_new)
        self._new_hint.setVisible(can_new)  # shown without moving the mouse (N or Space)
        self._after_open.setVisible(self._state is not LinkState.EXPIRED)
        self._place_bars()

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

    def show_link(self, new_link: AccountLink) -> None:
        """Show ``new_link`` instead (a newer link for the same account replaced the one shown)."""
        if not self._closing:
            self._replace(new_link)

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
        if event.key() in (Qt.Key.Key_N, Qt.Key.Key_Space) and not self._new_button.isHidden() \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.refresh_now()  # "Show a new code" without finding the mouse first
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop ticking and cancel a refresh in flight. One window per presentation."""
        first = not self._closing
        self._closing = True
        self._timer.stop()
        self.controls.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        super().closeEvent(event)
        if first:
            self.closed.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._state is not None:
            self._apply_colour()
