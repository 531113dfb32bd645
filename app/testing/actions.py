"""Acting as a user does, through QTest: clicks, keys, typing, a combo box's list, a context menu.
Each acts only on what a user could reach (visible, enabled, wholly in view)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox, QMenu, QWidget

from app.testing.checks import outside, settle_layouts
from app.testing.widgets import DriverError, find_widget, resolve, roots


def _test() -> Any:
    from PySide6.QtTest import QTest

    return QTest


def _reachable(widget: QWidget, path: str) -> None:
    """A user can only act on a control they can see and that is enabled."""
    if not widget.isVisible():
        raise DriverError(f"{path} is not visible")
    if not widget.isEnabled():
        raise DriverError(f"{path} is disabled")
    why = outside(widget)
    if why is not None:
        raise DriverError(f"cannot reach {path}: {why}")


def click(path: str, *, button: str = "left", double: bool = False) -> None:
    obj = resolve(path)
    if isinstance(obj, QAction):
        if not obj.isEnabled():
            raise DriverError(f"{path} is disabled")
        obj.trigger()
        return
    assert isinstance(obj, QWidget)
    settle_layouts()
    _reachable(obj, path)
    which = {"left": Qt.MouseButton.LeftButton, "right": Qt.MouseButton.RightButton}[button]
    centre = obj.rect().center()
    if double:
        _test().mouseDClick(obj, which, Qt.KeyboardModifier.NoModifier, centre)
    else:
        _test().mouseClick(obj, which, Qt.KeyboardModifier.NoModifier, centre)


def _key_target(path: str | None) -> QWidget:
    if path:
        widget = find_widget(path)
        _reachable(widget, path)
        return widget
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or QApplication.activeWindow()
    if target is None:
        raise DriverError("no widget has the keyboard focus: name one")
    return target


def press(keys: str, path: str | None = None) -> str:
    """Press ``keys`` ("Return", "Down", "Ctrl+A", "Esc") in ``path`` or the focused widget."""
    sequence = QKeySequence(keys)
    if sequence.count() != 1:
        raise DriverError(f"not one key combination: {keys!r}")
    combination = sequence[0]
    target = _key_target(path)
    _test().keyClick(target, combination.key(), combination.keyboardModifiers())
    return target.objectName()


def type_text(path: str, text: str, *, replace: bool = False) -> None:
    """Put the keyboard in the field (as a click or Tab does), then type at its end; ``replace``
    selects what is there first (Ctrl+A) and types over it."""
    widget = find_widget(path)
    _reachable(widget, path)
    if not widget.hasFocus():
        widget.setFocus(Qt.FocusReason.MouseFocusReason)
    Q = _test()
    if replace:
        Q.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        Q.keyClick(widget, Qt.Key.Key_Backspace)
    else:
        Q.keyClick(widget, Qt.Key.Key_End)
    Q.keyClicks(widget, text)


def choose(path: str, text: str) -> None:
    """Open the combo box's list (a click) and take the item whose text contains ``text``."""
    combo = find_widget(path)
    if not isinstance(combo, QComboBox):
        raise DriverError(f"{path} is not a combo box")
    items = [combo.itemText(i) for i in range(combo.count())]
    wanted = [i for i, item in enumerate(items) if text in item]
    if not wanted:
        raise DriverError(f"{path} has no item containing {text!r}: {items}")
    click(path)  # opens the list (a popup: no nested event loop)
    view = combo.view()
    if not view.isVisible():
        raise DriverError(f"clicking {path} did not open its list")
    index = combo.model().index(wanted[0], combo.modelColumn())
    view.scrollTo(index)
    if not view.viewport().rect().contains(view.visualRect(index).center()):
        raise DriverError(f"item {combo.itemText(wanted[0])!r} of {path} is not in view in its list")
    # The pointer over the item makes it current; Enter takes it. (A click right after the list
    # opened would be ignored by Qt as the end of the opening click.)
    view.setCurrentIndex(index)
    _test().keyClick(view, Qt.Key.Key_Return)


def context_menu(path: str, row: int | None = None) -> None:
    """Right-click: a context-menu event at the widget's centre, or at ``row`` of an item view."""
    widget = find_widget(path)
    _reachable(widget, path)
    target, pos = widget, widget.rect().center()
    if isinstance(widget, QAbstractItemView) and row is not None:
        model = widget.model()
        if model is None or not 0 <= row < model.rowCount():
            raise DriverError(f"{path} has no row {row}")
        target = widget.viewport()
        pos = widget.visualRect(model.index(row, 0)).center()
    QApplication.sendEvent(target, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, target.mapToGlobal(pos)))


def menu_click(action_name: str) -> None:
    """Click the action ``action_name`` in the open (popped-up) menu that holds it."""
    for menu in roots():
        if isinstance(menu, QMenu) and menu.isVisible():
            for action in menu.actions():
                if action.objectName() == action_name:
                    if not action.isEnabled():
                        raise DriverError(f"{action_name} is disabled")
                    _test().mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                                       menu.actionGeometry(action).center())
                    return
    raise DriverError(f"no open menu has an action {action_name!r}")
