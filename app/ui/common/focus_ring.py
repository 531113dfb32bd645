"""A 2 px keyboard focus ring around whichever widget has the focus, in an AA colour.

Fusion's own focus cue is a faint 1 px line (a lighter highlight on a button's edge). A
``QFocusFrame`` follows the focused widget (moves, resizes and stacking included) and is
painted just outside it, in :func:`app.ui.common.theme.focus_color` (the palette's highlight,
moved to reach 4.5:1 on every surface of the palette, light or dark). The ring follows
``QApplication.focusChanged`` (a signal: no application-wide event filter). A widget with the
property ``noFocusRing`` set gets none (present mode's countdown, focused for screen readers on
the seller's screen).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QFocusFrame, QWidget

from app.ui.common.theme import focus_color

RING_WIDTH = 2
_KEEPER = "focusRingKeeper"
NO_RING = "noFocusRing"  # a widget property: focused for a screen reader, not to be framed


class _Ring(QFocusFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 - Qt signature
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            pen = QPen(focus_color(self.palette()), RING_WIDTH)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            half = RING_WIDTH / 2
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 3, 3)
        finally:
            painter.end()


class FocusRing(QObject):
    """Keeps one ring around the application's focus widget (none for windows themselves).

    The ring always has a parent widget (made for the first focused widget, moved along with the
    focus): Qt deletes it with its parent, never Python while Qt still holds it."""

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(_KEEPER)
        self._ring: _Ring | None = None
        app.focusChanged.connect(self._focus_changed)
        self._focus_changed(None, app.focusWidget())

    @property
    def ring(self) -> QFocusFrame | None:
        ring = self._ring
        return ring if ring is not None and shiboken6.isValid(ring) else None

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        target = new if (new is not None and not new.isWindow() and new.parentWidget() is not None
                         and not new.property(NO_RING)) else None
        ring = self.ring
        if target is None:
            if ring is not None:
                ring.setWidget(None)
            return
        if ring is None:
            ring = self._ring = _Ring(target.parentWidget())
        elif ring.widget() is target:
            return
        else:
            ring.setParent(target.parentWidget())  # (setWidget moves it in C++ too; this keeps Qt the owner)
        ring.setWidget(target)


def install_focus_ring(app: QApplication) -> FocusRing:
    """The ring for the whole application (once; a second call returns the first one)."""
    found = app.findChild(QObject, _KEEPER, Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, FocusRing) else FocusRing(app, parent=app)
