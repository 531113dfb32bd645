"""Painting a card's rounded panel quickly: the corners come from a small cached image.

An antialiased rounded rectangle the size of a card costs about 0.4 ms to rasterise, and each
new link repaints every card in view (they all move down). Only the corners need antialiasing:
they are drawn once per colour and scale into a tiny image and blitted, and the straight edges
and the inside are plain rectangle fills: the same look, several times faster.
At a fractional device pixel ratio (125 %, 150 %) a blitted corner could leave a seam, so the
panel is drawn directly there.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap

_CORNERS: dict[tuple[int, int, int, float], QPixmap] = {}  # (radius, fill, border, dpr) -> image
_MAX_CACHED = 16  # palettes and scales in use at once; a handful in practice


def _corner_image(radius: int, fill: QColor, border: QColor, dpr: float) -> QPixmap:
    """A (2r+1)-pixel square rounded panel: its four r×r corners are the card's corners."""
    key = (radius, fill.rgba(), border.rgba(), dpr)
    image = _CORNERS.get(key)
    if image is None:
        side = 2 * radius + 1
        canvas = QImage(round(side * dpr), round(side * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        canvas.setDevicePixelRatio(dpr)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        try:
            _draw_panel(painter, QRect(0, 0, side, side), radius, fill, border)
        finally:
            painter.end()
        if len(_CORNERS) >= _MAX_CACHED:
            _CORNERS.clear()
        image = _CORNERS[key] = QPixmap.fromImage(canvas)
    return image


def _draw_panel(painter: QPainter, rect: QRect, radius: int, fill: QColor, border: QColor) -> None:
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(border, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    finally:
        painter.restore()


def paint_panel(painter: QPainter, rect: QRect, radius: int, fill: QColor, border: QColor, dpr: float) -> None:
    """A rounded panel filling ``rect``: ``fill`` inside a 1 px ``border``, corners of ``radius``."""
    r = radius
    if dpr != int(dpr) or rect.width() < 2 * r + 2 or rect.height() < 2 * r + 2:
        _draw_panel(painter, rect, r, fill, border)
        return
    corners = _corner_image(r, fill, border, dpr)
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    source = round(r * dpr)
    far = round((r + 1) * dpr)
    for dx, dy, sx, sy in ((0, 0, 0, 0), (w - r, 0, far, 0), (0, h - r, 0, far), (w - r, h - r, far, far)):
        painter.drawPixmap(QRect(x + dx, y + dy, r, r), corners, QRect(sx, sy, source, source))
    painter.fillRect(QRect(x + r, y, w - 2 * r, 1), border)  # top edge
    painter.fillRect(QRect(x + r, y + h - 1, w - 2 * r, 1), border)  # bottom edge
    painter.fillRect(QRect(x, y + r, 1, h - 2 * r), border)  # left edge
    painter.fillRect(QRect(x + w - 1, y + r, 1, h - 2 * r), border)  # right edge
    painter.fillRect(QRect(x + r, y + 1, w - 2 * r, r - 1), fill)  # between the top corners
    painter.fillRect(QRect(x + r, y + h - r, w - 2 * r, r - 1), fill)  # between the bottom corners
    painter.fillRect(QRect(x + 1, y + r, w - 2, h - 2 * r), fill)  # the middle
