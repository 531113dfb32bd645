"""Present mode's operator controls: out of the seller's sight until the operator acts.

Close, "Refresh automatically" and "Show a new code" sit in bars over the present window. They
are hidden (and the mouse pointer with them) until the mouse moves, a button is pressed or a key
is pressed in that window, and hidden again after :data:`IDLE_SECONDS` without any of these.
The idle time is read from the injected clock, so tests advance a fake clock and call
:meth:`OperatorControls.check_idle` instead of waiting.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QWidget

from app.clock import Clock

IDLE_SECONDS = 4.0
CHECK_MS = 500
_ACTIVITY = (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.Wheel)


class OperatorControls(QObject):
    """Shows ``bars`` on activity in ``window`` and hides them once idle.

    Signal ``shownChanged(bool)``. Call :meth:`start` when the window shows, :meth:`stop` when
    it closes (it watches the window's events meanwhile).
    """

    shownChanged = Signal(bool)

    def __init__(self, window: QWidget, bars: Sequence[QWidget], clock: Clock, *,
                 idle_seconds: float = IDLE_SECONDS) -> None:
        super().__init__(window)
        self._window = window
        self._bars = tuple(bars)
        self._clock = clock
        self._idle = idle_seconds
        self._shown = False
        self._last_activity = float("-inf")
        self._last_pos: QPointF | None = None
        self._watching = False
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check_idle)
        for bar in self._bars:
            bar.hide()

    @property
    def shown(self) -> bool:
        return self._shown

    def start(self) -> None:
        """Watch the window and its widgets (not the whole application: other windows' events
        never pass through here)."""
        if not self._watching:
            for widget in self._watched():
                # Without tracking, a move with no button pressed is thrown away unseen.
                widget.setMouseTracking(True)
                widget.installEventFilter(self)
            self._watching = True
        self._set_shown(False)

    def stop(self) -> None:
        self._timer.stop()
        if self._watching:
            for widget in self._watched():
                widget.removeEventFilter(self)
            self._watching = False

    def _watched(self) -> list[QWidget]:
        return [self._window, *self._window.findChildren(QWidget)]

    def activity(self) -> None:
        """The operator did something: show the controls (again) and restart the idle time."""
        self._last_activity = self._clock.monotonic()
        self._set_shown(True)

    def check_idle(self) -> None:
        """Hide the controls if nothing happened for the idle time (and the pointer is not on one)."""
        if not self._shown:
            return
        if any(bar.underMouse() for bar in self._bars):
            return
        if self._clock.monotonic() - self._last_activity >= self._idle:
            self._set_shown(False)

    def _set_shown(self, shown: bool) -> None:
        changed = shown != self._shown
        self._shown = shown
        for bar in self._bars:
            bar.setVisible(shown)
            if shown:
                bar.raise_()
        if shown:
            self._window.unsetCursor()
            self._timer.start()
        else:
            self._timer.stop()
            self._window.setCursor(Qt.CursorShape.BlankCursor)  # the pointer goes with them
        if changed:
            self.shownChanged.emit(shown)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in _ACTIVITY:
            if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
                # Qt also sends moves when widgets appear under a still pointer: not activity.
                pos = event.globalPosition()
                moved = self._last_pos is None or pos != self._last_pos
                self._last_pos = QPointF(pos)
                if not moved:
                    return False
            self.activity()
        return False
