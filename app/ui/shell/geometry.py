"""The main window's size and place: a saved or default geometry fitted into the screen's
available area before the first show (without a window manager nobody else does it)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def fit_to_screen(rect: QRect, available: QRect, minimum: QSize) -> QRect:
    """``rect`` moved and shrunk as little as needed to lie inside ``available`` (a screen's
    available geometry); never smaller than ``minimum`` unless the screen itself is."""
    size = rect.size().boundedTo(available.size()).expandedTo(minimum.boundedTo(available.size()))
    fitted = QRect(rect.topLeft(), size)
    fitted.moveLeft(max(available.left(), min(fitted.left(), available.right() - size.width() + 1)))
    fitted.moveTop(max(available.top(), min(fitted.top(), available.bottom() - size.height() + 1)))
    return fitted


def restore_geometry(window: QWidget, saved: object, default: QSize, minimum: QSize) -> None:
    """The saved geometry, or the default size centred; either clamped to the screen's
    available area (without a window manager nobody else would: the status bar and the
    banner at the bottom were off screen). Runs before the first show (run_gui shows the
    frame at once)."""
    restored = saved is not None and window.restoreGeometry(saved)
    screen = QGuiApplication.screenAt(window.geometry().center()) if restored else None
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:  # no screen at all (nothing to fit)
        if not restored:
            window.resize(default)
        return
    available = screen.availableGeometry()
    if restored:
        rect = window.geometry()
    else:
        rect = QRect(0, 0, default.width(), default.height())
        rect.moveCenter(available.center())
    # A screen smaller than the minimum size: the window may be as small as the screen.
    window.setMinimumSize(minimum.boundedTo(available.size()))
    if window.isMaximized() or window.isFullScreen():
        return  # the window system sizes it
    fitted = fit_to_screen(rect, available, window.minimumSize())
    if fitted != window.geometry():
        window.setGeometry(fitted)
