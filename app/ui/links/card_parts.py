"""Pieces shared by the link card and present mode: countdown text, local times, and labels
that elide or shrink instead of widening their window."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.countdown import LinkState, format_mmss
from app.ui.common import theme

TICK_MS = 250  # the countdown repaints four times a second


def warning_color(palette: QPalette) -> QColor:
    """An amber that reaches AA contrast on this palette, light or dark (see app.ui.common.theme)."""
    return theme.warning_color(palette)


def local_hms(unix_seconds: float) -> str:
    """``HH:mm:ss`` in this machine's time zone."""
    moment = QDateTime.fromMSecsSinceEpoch(round(unix_seconds * 1000)).toLocalTime()
    return QLocale().toString(moment, "HH:mm:ss")


def scale_font(widget: QWidget, factor: float, bold: bool = False) -> None:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def countdown_text(state: LinkState, remaining: float) -> str:
    if state is LinkState.EXPIRED:
        return "Expired"
    if state is LinkState.WARNING:
        return f"{format_mmss(remaining)} left — expiring soon"
    return f"{format_mmss(remaining)} left"


class ElidedLabel(QLabel):
    """A one-line label that elides its text in the middle when narrow; ``full_text`` stays whole."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._mode = mode
        self._full = ""
        self.set_full_text(text)

    @property
    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt signature
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, self.width()))
        if shown != self.text():
            self.setText(shown)


class ShrinkingLabel(ElidedLabel):
    """As wide as its whole text when there is room; narrower, elided, when there is not."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight, min_chars: int = 5) -> None:
        super().__init__(text, parent, mode)
        self._min_chars = min_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        super().set_full_text(text)
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.full_text) + margins.left() + margins.right() + 2
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        chars = getattr(self, "_min_chars", 5)  # (asked for during construction, too)
        return QSize(min(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * chars),
                     super().minimumSizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()


class Badge(QLabel):
    """A small pill with a palette-coloured outline (the link type)."""

    _PAD = 8

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width() + 2 * self._PAD, hint.height() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
            painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())
        finally:
            painter.end()
