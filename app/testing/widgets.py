"""Finding the app's widgets by objectName, and what a test may read of them (see
:mod:`app.testing.driver` for the path syntax)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


class DriverError(Exception):
    """A command could not be carried out; its text goes back to the test."""


# -- finding widgets ----------------------------------------------------------------------------
_SEGMENT = re.compile(r"^(?P<name>[^\[\]]+)(?:\[(?P<index>-?\d+)\])?$")


def is_shown(obj: QObject) -> bool:
    return obj.isVisible() if isinstance(obj, QWidget) else True


def roots() -> list[QWidget]:
    return list(QApplication.topLevelWidgets())


def _matches(parents: list[QObject] | None, name: str) -> list[QObject]:
    found: list[QObject] = []
    seen: set[int] = set()

    def add(obj: QObject) -> None:
        if id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)

    if name.startswith("@"):  # a button by its text (mnemonic ampersands ignored)
        text = name[1:]
        for parent in parents or roots():
            for button in [parent, *parent.findChildren(QAbstractButton)]:
                if isinstance(button, QAbstractButton) and button.text().replace("&", "") == text:
                    add(button)
        return found
    if name.startswith(":"):  # by class, for Qt's own unnamed parts (a dialog's line edit)
        kind = name[1:]
        for parent in parents or roots():
            for obj in [parent, *parent.findChildren(QObject)]:
                if any(cls.__name__ == kind for cls in type(obj).__mro__) and (parents is None or obj is not parent):
                    add(obj)
        return found
    for parent in parents or roots():
        if parents is None and parent.objectName() == name:
            add(parent)
        for child in parent.findChildren(QObject, name):
            add(child)
    return found


def _reading_order(obj: QObject) -> tuple[int, int]:
    if isinstance(obj, QWidget):
        corner = obj.mapToGlobal(QPoint(0, 0))
        return corner.y(), corner.x()
    return 0, 0


def resolve_all(path: str) -> list[QObject]:
    """Every visible object the path names (the syntax is in :mod:`app.testing.driver`)."""
    current: list[QObject] | None = None
    for segment in path.split("/"):
        match = _SEGMENT.match(segment)
        if match is None:
            raise DriverError(f"not a widget path: {path!r}")
        shown = [o for o in _matches(current, match.group("name")) if is_shown(o)]
        shown.sort(key=_reading_order)  # [0] is the top one (the newest card), as a user counts
        if match.group("index") is not None:
            index = int(match.group("index"))
            if not -len(shown) <= index < len(shown):
                return []
            shown = [shown[index]]
        current = shown
        if not current:
            return []
    return current or []


def resolve(path: str, *, required: bool = True) -> QObject | None:
    """The one visible object ``path`` names; None (or DriverError if ``required``) if none."""
    found = resolve_all(path)
    if len(found) > 1:
        raise DriverError(f"{len(found)} visible objects match {path!r}: say which one, e.g. {path}[0]")
    if not found:
        if required:
            hidden = [o for o in _matches(None, path.split("/")[-1].split("[")[0]) if not is_shown(o)]
            raise DriverError(f"no visible widget {path!r}" + (" (there is a hidden one)" if hidden else ""))
        return None
    return found[0]


def find_widget(path: str) -> QWidget:
    obj = resolve(path)
    if not isinstance(obj, QWidget):
        raise DriverError(f"{path!r} is a {type(obj).__name__}, not a widget")
    return obj


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def rect_list(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _text(obj: QObject) -> str | None:
    if isinstance(obj, (QLabel, QLineEdit, QAbstractButton)):
        return obj.text()
    if isinstance(obj, QComboBox):
        return obj.currentText()
    if isinstance(obj, QAction):
        return obj.text()
    if isinstance(obj, QPlainTextEdit):
        return obj.toPlainText()
    if isinstance(obj, QTextEdit):
        return obj.toPlainText()
    if isinstance(obj, QMessageBox):
        return obj.text()
    if isinstance(obj, QWidget) and obj.isWindow():
        return obj.windowTitle()
    return None


def describe(obj: QObject) -> dict[str, Any]:
    """What a test may ask of a widget: text, state, where it is on the screen."""
    info: dict[str, Any] = {"class": type(obj).__name__, "name": obj.objectName(), "text": _text(obj)}
    if isinstance(obj, QAction):
        info.update(visible=obj.isVisible(), enabled=obj.isEnabled(), checked=obj.isChecked())
        return info
    assert isinstance(obj, QWidget)
    info.update(visible=obj.isVisible(), enabled=obj.isEnabled(), focus=obj.hasFocus(),
                geometry=rect_list(global_rect(obj)), tooltip=obj.toolTip(),
                accessible_name=obj.accessibleName())
    if isinstance(obj, QAbstractButton):
        info["checked"] = obj.isChecked()
    if isinstance(obj, QListWidget):
        info["items"] = [obj.item(i).text() for i in range(obj.count())]
        info["current_row"] = obj.currentRow()
    elif isinstance(obj, QComboBox):
        info["items"] = [obj.itemText(i) for i in range(obj.count())]
        info["current_index"] = obj.currentIndex()
    elif isinstance(obj, QAbstractItemView) and obj.model() is not None:
        info["rows"] = obj.model().rowCount()
    return info
