"""Narrow windows give the links the room the account column can spare, and get it back.

Below :data:`NARROW_WINDOW` px the account column keeps to :data:`LEFT_NARROW` px (the cards and
History wrap to what is left); when the window is widened again the column returns to the width
it had before, so a window narrowed for a moment does not leave the form needing a scroll bar.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget

NARROW_WINDOW, LEFT_NARROW = 1000, 350


class NarrowWindowSplitter(QObject):
    """Sizes ``splitter``'s first (left) pane by ``window``'s width, each time the splitter has
    been resized (not when the window is: the splitter's own sizes are not yet updated then)."""

    def __init__(self, window: QWidget, splitter: QSplitter) -> None:
        super().__init__(window)
        self._window = window
        self._splitter = splitter
        self._wide_left: int | None = None  # the left width before the window became narrow
        splitter.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Resize and watched is self._splitter:
            self.fit(self._window.width())
        return False

    def fit(self, window_width: int) -> None:
        sizes = self._splitter.sizes()
        total = sum(sizes)
        if not total:
            return
        if window_width < NARROW_WINDOW:
            if sizes[0] > LEFT_NARROW:
                self._wide_left = self._wide_left or sizes[0]
                self._splitter.setSizes([LEFT_NARROW, total - LEFT_NARROW])
        elif self._wide_left is not None:
            left, self._wide_left = self._wide_left, None
            self._splitter.setSizes([left, max(0, total - left)])


class ColumnScroll(QScrollArea):
    """The left column's scroll area: never narrower than its content's minimum width (its
    horizontal scroll bar is off; the splitter would otherwise cut the account field)."""

    narrowest = 0

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        scrollbar = self.verticalScrollBar().sizeHint().width()
        width = content.minimumSizeHint().width() + scrollbar + 2 * self.frameWidth()
        return QSize(max(self.narrowest, width), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's minimum width may have changed: tell the splitter
        return super().eventFilter(watched, event)
