"""A dark desktop for the screenshots (scripts/screenshots.py through the test driver).

The offscreen and Xvfb platforms have no desktop theme, so there is no dark mode to follow; this
sets what a dark system theme would give the app: Fusion with a dark palette. The app's own
palette fixes (``install_accessible_palette``) follow the palette change, as they do on a
desktop that switches to dark. Loaded only by :mod:`app.testing.driver`.
"""

from __future__ import annotations


# (role, normal, disabled): disabled text is dimmed but still legible; disabled surfaces go flat.
_DARK_ROLES = (
    ("Window", "#202124", "#202124"), ("WindowText", "#e8eaed", "#80868b"),
    ("Base", "#2a2b2e", "#242528"), ("AlternateBase", "#303134", "#2a2b2e"),
    ("Text", "#e8eaed", "#80868b"), ("Button", "#303134", "#28292c"),
    ("ButtonText", "#e8eaed", "#80868b"), ("Highlight", "#8ab4f8", "#4a5568"),
    ("HighlightedText", "#202124", "#c4c7c5"), ("PlaceholderText", "#9aa0a6", "#6b6f74"),
    ("Light", "#4a4d51", "#3c4043"), ("Midlight", "#3c4043", "#34363a"),
    ("Mid", "#5f6368", "#46494d"), ("Dark", "#17181a", "#17181a"), ("Shadow", "#000000", "#000000"),
    ("BrightText", "#f28b82", "#80868b"), ("Link", "#8ab4f8", "#80868b"), ("LinkVisited", "#c58af9", "#80868b"),
    ("ToolTipBase", "#303134", "#303134"), ("ToolTipText", "#e8eaed", "#e8eaed"),
)


def _dark_style():  # noqa: ANN202
    """Fusion, with what its dark rendering lacks: a visible check-box frame (Fusion draws it in
    the window colour made darker, invisible on a dark window) and a clear-text button whose
    circle stands out from a dark line edit."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class DarkFusion(QProxyStyle):
        def __init__(self) -> None:
            super().__init__("Fusion")

        def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: ANN001
            super().drawPrimitive(element, option, painter, widget)
            if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
                group = (QPalette.ColorGroup.Active if option.state & QStyle.StateFlag.State_Enabled
                         else QPalette.ColorGroup.Disabled)
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(QPen(option.palette.color(group, QPalette.ColorRole.PlaceholderText), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -1.5, -1.5), 2, 2)
                painter.restore()

        def standardIcon(self, icon, option=None, widget=None):  # noqa: ANN001, ANN201
            if icon != QStyle.StandardPixmap.SP_LineEditClearButton:
                return super().standardIcon(icon, option, widget)
            result = QIcon()
            for side in (16, 32):
                pixmap = QPixmap(side, side)
                pixmap.fill(Qt.GlobalColor.transparent)
                painter = QPainter(pixmap)
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("#bdc1c6"))
                painter.drawEllipse(QRectF(1, 1, side - 2, side - 2))
                painter.setPen(QPen(QColor("#202124"), side / 9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                a, b = side * 0.33, side * 0.67
                painter.drawLine(QPointF(a, a), QPointF(b, b))
                painter.drawLine(QPointF(a, b), QPointF(b, a))
                painter.end()
                result.addPixmap(pixmap)
            return result

    return DarkFusion()


def apply_dark_desktop(app) -> None:  # noqa: ANN001
    """Fusion with a dark palette, as a dark desktop theme gives the app."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle(_dark_style())
    palette = QPalette()
    for name, normal, disabled in _DARK_ROLES:
        role = getattr(QPalette.ColorRole, name)
        palette.setColor(QPalette.ColorGroup.All, role, QColor(normal))
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    app.setPalette(palette)
