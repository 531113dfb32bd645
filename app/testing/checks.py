"""The checks every end-to-end step makes: an unexpected error shown, a clipped word-wrapped
label, a window bigger than its screen, a control of the flow out of sight."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QMessageBox, QWidget

from app.testing.widgets import DriverError, global_rect, rect_list, resolve_all, roots

WRONG_WORDS = ("went wrong",)  # the unexpected-error banner's words


def settle_layouts(rounds: int = 6) -> None:
    """Run the posted layout requests (only those: no task step, no timer) so geometry is final."""
    for _ in range(rounds):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def clipped_labels() -> list[str]:
    """Visible word-wrapped labels given less height than their text needs at their width."""
    problems = []
    for top in roots():
        if not top.isVisible():
            continue
        for label in [top, *top.findChildren(QLabel)]:
            if not isinstance(label, QLabel) or not label.isVisible() or not label.wordWrap() or not label.text():
                continue
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                problems.append(f"label {label.objectName() or '(unnamed)'} {label.text()[:60]!r} is "
                                f"{label.width()}x{label.height()} but needs height {needed} at that width")
    return problems


def outside(widget: QWidget) -> str | None:
    """Why ``widget`` is not wholly visible (off its screen's available area, cut by its window or
    by an ancestor such as a scroll area's viewport), or None."""
    rect = global_rect(widget)
    screen = widget.window().screen() or QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    name = widget.objectName() or type(widget).__name__
    if not available.contains(rect):
        return f"{name} at {rect_list(rect)} is outside the screen's available area {rect_list(available)}"
    parent = widget.parentWidget()
    while parent is not None:
        area = global_rect(parent)
        if not area.contains(rect):
            what = parent.objectName() or type(parent).__name__
            return f"{name} at {rect_list(rect)} is cut off by {what} at {rect_list(area)}"
        if parent.isWindow():
            break
        parent = parent.parentWidget()
    return None


def layout_problems(window: Any, flow: list[str], required: list[str]) -> list[str]:
    """Everything an end-to-end step fails on (see this module's docstring).

    ``flow``: controls of the flow being exercised, checked whenever they are visible;
    ``required``: controls that must also be visible now."""
    settle_layouts()
    problems = [f"unexpected error: {type(exc).__name__}: {exc}" for exc in getattr(window, "unexpected", [])]
    for top in roots():
        if not top.isVisible():
            continue
        for label in [top, *top.findChildren(QLabel)]:
            if isinstance(label, QLabel) and label.isVisible() and any(
                    word in label.text().lower() for word in WRONG_WORDS):
                problems.append(f"an unexpected-error message is shown: {label.text()[:200]!r}")
        if isinstance(top, QMessageBox) and any(word in top.text().lower() for word in WRONG_WORDS):
            problems.append(f"an unexpected-error dialog is shown: {top.text()[:200]!r}")
    problems += clipped_labels()
    for top in roots():  # a window the operator cannot see whole (its bottom strip, its status bar)
        if top.isVisible() and top.isWindow() and not isinstance(top, QMenu) and \
                top.windowType() not in (Qt.WindowType.ToolTip, Qt.WindowType.Popup):
            screen = top.screen() or QGuiApplication.primaryScreen()
            area = screen.geometry() if top.isFullScreen() else screen.availableGeometry()
            if not area.contains(top.frameGeometry()):
                problems.append(f"window {top.objectName() or type(top).__name__} at "
                                f"{rect_list(top.frameGeometry())} is not within the screen's "
                                f"{'' if top.isFullScreen() else 'available '}area {rect_list(area)}")
    seen: set[int] = set()
    for path in [*required, *flow]:
        try:
            found = resolve_all(path)
        except DriverError as exc:
            problems.append(str(exc))
            continue
        if not found and path in required:
            problems.append(f"{path} is not visible")
        for obj in found:
            if isinstance(obj, QWidget) and id(obj) not in seen:
                seen.add(id(obj))
                why = outside(obj)
                if why is not None:
                    problems.append(why)
    return problems
