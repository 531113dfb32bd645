"""Pieces shared by the link card and present mode: countdown text, local times, and labels
that elide or shrink instead of widening their window."""

from __future__ import annotations

from PySide6.QtCore import QDateTime, QEvent, QLocale, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPalette, QPen, QPixmap
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
    """The time the seller has to *open* the link (once opened, the page is not in a hurry). The
    last minute is marked by a sign as well as by its colour (and is short: a narrow card fits it)."""
    if state is LinkState.EXPIRED:
        return "Expired"
    if state is LinkState.WARNING:
        return f"⚠ Open within {format_mmss(remaining)}"
    return f"Open within {format_mmss(remaining)}"


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
        # Drawn once and then blitted: every card in view repaints when a new link is added,
        # and an antialiased pill with its text is a tenth of a millisecond each time.
        dpr = self.devicePixelRatioF()
        key = (self.size().toTuple(), self.text(), self.palette().cacheKey(), self.font().key(), dpr)
        if getattr(self, "_cache_key", None) != key:
            image = QImage(round(self.width() * dpr), round(self.height() * dpr),
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            try:
                painter.setFont(self.font())
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
                painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.text())
            finally:
                painter.end()
            self._cache_key, self._cache = key, QPixmap.fromImage(image)
        painter = QPainter(self)
        try:
            painter.drawPixmap(0, 0, self._cache)
        finally:
            painter.end()


class CountdownLabel(QLabel):
    """The time left, at a fixed size: as wide as the widest text it can show for its link.

    It changes every second. A label whose size is fixed does not ask its card to lay itself
    out again when its text changes (Qt skips that for fixed-size widgets), so dozens of
    ticking cards cost no layout work, and nothing beside the countdown moves as it runs.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._longest = 300.0  # seconds: Stripe's usual lifetime until the link is known

    def fit(self, longest_seconds: float) -> None:
        """Size for a link that lives at most ``longest_seconds`` (measured again only when that
        changed: nearly every link lives Stripe's usual five minutes)."""
        longest = max(0.0, longest_seconds)
        if longest != self._longest or self.minimumWidth() != self.maximumWidth():
            self._longest = longest
            self._refit()

    def _refit(self) -> None:
        metrics = self.fontMetrics()
        widest_digit = max("0123456789", key=metrics.horizontalAdvance)
        texts = [countdown_text(LinkState.ACTIVE, self._longest), countdown_text(LinkState.WARNING, 59),
                 countdown_text(LinkState.EXPIRED, 0)]
        margins = self.contentsMargins()
        frame = 2 * (self.margin() + self.frameWidth())
        width = max(metrics.horizontalAdvance("".join(widest_digit if c.isdigit() else c for c in text))
                    for text in texts)
        self.setFixedSize(width + margins.left() + margins.right() + frame + 2,
                          metrics.height() + margins.top() + margins.bottom() + frame)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._refit()
